/* Access control's logic: grants to people and revocations for the other access modules,
 * accounts, entitlements and grants for the API, MFA coverage. No SQL and no HTTP here. */
#include "access/access.h"
#include "access/access_sql.h"
#include "catalog/cat_common.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---- granting and revoking ---- */

int access_grant_to_person(struct db *db, int64_t system_id, int64_t entitlement_id,
                           int64_t person_id, int64_t request_id, int64_t granted_by,
                           const char *now, int64_t *grant_id)
{
    char user_id[USER_ID_MAX + 1];
    int64_t org_id = 0, account = 0, existing = 0;
    bool belongs = false, removed = false;
    *grant_id = 0;
    int rc = access_sql_person(db, person_id, &org_id, user_id);
    if (!rc)
        rc = access_sql_entitlement_of(db, entitlement_id, system_id, &belongs);
    if (!rc && !belongs)
        rc = ERR_NOTFOUND;
    if (!rc)
        rc = access_sql_person_account(db, system_id, person_id, &account, &removed);
    if (!rc && account && removed)
        rc = access_sql_account_revive(db, account, now);
    if (!rc && !account) {
        int64_t taken = 0;
        struct access_account_write w = {.system_id = system_id,
                                         .organisation_id = org_id,
                                         .person_id = person_id,
                                         .username = user_id,
                                         .status = "active",
                                         .source = request_id > 0 ? "request" : "manual"};
        rc = access_sql_account_by_username(db, system_id, user_id, &taken);
        if (!rc && taken)
            rc = ERR_CONFLICT; /* another person's (or nobody's) account has that name */
        if (!rc)
            rc = access_sql_account_insert(db, &w, now);
        account = w.id;
    }
    if (!rc)
        rc = access_sql_active_grant(db, account, entitlement_id, &existing);
    if (!rc && existing) {
        *grant_id = existing;
        return 0;
    }
    if (!rc)
        rc = access_sql_grant_insert(db, account, entitlement_id, request_id, granted_by,
                                     request_id > 0 ? "request" : "manual", now, grant_id);
    return rc;
}

int access_grant_revoke(struct db *db, int64_t grant_id, int64_t revoked_by, const char *reason,
                        const char *now)
{
    if (!reason || !reason[0])
        return ERR_INVALID;
    return access_sql_grant_revoke(db, grant_id, revoked_by, reason, now);
}

int access_grant_object(struct db *db, int64_t grant_id, json_t **out)
{
    json_t *row = NULL;
    int rc = access_sql_grant_by_id(db, grant_id, &row);
    if (rc)
        return rc;
    *out = cat_public(row);
    json_decref(row);
    return *out ? 0 : ERR_NOMEM;
}
