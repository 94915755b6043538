/* INTERIM until access-core's access_grant_to_person and access_grant_revoke are merged: the
 * smallest grant writes the workflows need, replaced by calls to src/access/access.h then. */
#include "access/workflow_grant.h"
#include "access/workflow_util.h"
#include "core/clock.h"
#include "core/err.h"
#include "db/db.h"

static const char SQL_ACCOUNT_OF[] =
    "SELECT min(id) FROM account WHERE system_id = :system AND person_id = :person"
    " AND status <> 'removed'";
static const char SQL_ACCOUNT_INSERT[] =
    "INSERT INTO account (system_id, organisation_id, username, person_id, status, source,"
    " created_at, updated_at) SELECT :system, p.organisation_id, p.user_id, p.id, 'active',"
    " 'request', :at, :at FROM person p WHERE p.id = :person RETURNING id";
static const char SQL_GRANT_INSERT[] =
    "INSERT INTO access_grant (account_id, entitlement_id, system_id, organisation_id,"
    " granted_at, granted_by, request_id, source) SELECT a.id, :entitlement, a.system_id,"
    " a.organisation_id, :at, :by, :request, 'request' FROM account a WHERE a.id = :account"
    " RETURNING id";
static const char SQL_GRANT_REVOKE[] =
    "UPDATE access_grant SET revoked_at = :at, revoked_by = :by, revoke_reason = :reason"
    " WHERE id = :id AND revoked_at IS NULL";

static int bind_by(struct db_stmt *st, const struct org_actor *who)
{
    int64_t me = wf_caller_person(who);
    return me ? db_bind_int(st, ":by", me) : db_bind_null(st, ":by");
}

int wf_grant_to_person(struct db *db, const struct org_actor *who, int64_t person_id,
                       int64_t system_id, int64_t entitlement_id, int64_t request_id,
                       int64_t *grant_id)
{
    char at[CLOCK_ISO_LEN];
    struct db_stmt *st;
    int64_t account = 0;
    wf_now(at);
    int rc = db_prepare(db, SQL_ACCOUNT_OF, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_int(st, ":person", person_id);
    if (!rc && db_step(st) == DB_ROW && !db_col_is_null(st, 0))
        account = db_col_int(st, 0);
    db_finalize(st);
    if (!rc && !account) {
        rc = db_prepare(db, SQL_ACCOUNT_INSERT, &st);
        if (!rc) {
            rc = db_bind_int(st, ":system", system_id);
            if (!rc)
                rc = db_bind_int(st, ":person", person_id);
            if (!rc)
                rc = db_bind_text(st, ":at", at);
            rc = db_finish_int(st, rc, &account);
        }
    }
    if (rc)
        return rc;
    rc = db_prepare(db, SQL_GRANT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":entitlement", entitlement_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    if (!rc)
        rc = bind_by(st, who);
    if (!rc)
        rc = db_bind_int(st, ":request", request_id);
    if (!rc)
        rc = db_bind_int(st, ":account", account);
    return db_finish_int(st, rc, grant_id);
}

int wf_grant_revoke(struct db *db, const struct org_actor *who, int64_t grant_id,
                    const char *reason)
{
    char at[CLOCK_ISO_LEN];
    struct db_stmt *st;
    wf_now(at);
    int rc = db_prepare(db, SQL_GRANT_REVOKE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", grant_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    if (!rc)
        rc = bind_by(st, who);
    if (!rc)
        rc = db_bind_text(st, ":reason", reason);
    return db_finish(st, rc);
}
