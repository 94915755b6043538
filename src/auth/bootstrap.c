/* The first run of `varn init`: the IT centre and its administrator. */
#include "auth/auth.h"
#include "auth/auth_sql.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>

#define FIRST_ORG_CODE   "ITC"
#define FIRST_ORG_NAME   "IT-centrum"
#define FIRST_ORG_NUMBER "222000-0018" /* a valid organisationsnummer; change it in the UI */

int auth_bootstrap(struct db *db, const char *admin_email, const char *admin_password,
                   bool *created, char generated_password[32], char *msg, size_t msglen)
{
    char hash[PASSWORD_HASH_SIZE], at[CLOCK_ISO_LEN];
    int64_t count = 0, org_id = 0, person_id = 0;
    const char *why = NULL;
    *created = false;
    generated_password[0] = '\0';
    if (admin_password && password_acceptable(admin_password, &why) != 0) {
        str_format(msg, msglen, "VARN_ADMIN_PASSWORD is not acceptable: %s", why);
        return ERR_INVALID;
    }
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = auth_sql_org_count(db, &count);
    if (rc || count > 0)
        goto out;
    if (!admin_password) {
        password_generate(generated_password);
        admin_password = generated_password;
    }
    rc = password_hash(admin_password, hash);
    clock_format(clock_now(), at);
    if (!rc)
        rc = auth_sql_bootstrap_org(db, FIRST_ORG_CODE, FIRST_ORG_NAME, FIRST_ORG_NUMBER, at,
                                    &org_id);
    if (!rc)
        rc = auth_sql_bootstrap_admin(db, org_id, admin_email, hash, at, &person_id);
    if (!rc) {
        json_t *org =
            json_pack("{s:s, s:s, s:s, s:s}", "code", FIRST_ORG_CODE, "name", FIRST_ORG_NAME,
                      "kind", "it_centre", "org_number", FIRST_ORG_NUMBER);
        json_t *admin = json_pack("{s:s, s:s, s:s, s:s}", "user_id", "admin", "email", admin_email,
                                  "role", "administrator", "organisation", FIRST_ORG_CODE);
        struct audit_event e1 = {.actor = "cli:init",
                                 .action = "organisation.create",
                                 .object_kind = "organisation",
                                 .object_id = FIRST_ORG_CODE,
                                 .organisation_id = org_id,
                                 .after = org};
        struct audit_event e2 = {.actor = "cli:init",
                                 .action = "person.create",
                                 .object_kind = "person",
                                 .object_id = "admin",
                                 .organisation_id = org_id,
                                 .after = admin};
        rc = audit_append(db, &e1);
        if (!rc)
            rc = audit_append(db, &e2);
        json_decref(org);
        json_decref(admin);
    }
    if (!rc)
        *created = true;
out:
    if (!rc)
        rc = db_commit(db);
    if (rc) {
        db_rollback(db);
        generated_password[0] = '\0';
        if (!msg[0])
            str_format(msg, msglen, "cannot create the first administrator: %s", db_errmsg(db));
    }
    sodium_memzero(hash, sizeof(hash));
    return rc;
}
