/* INTERIM until access-core's access_grant_to_person and access_grant_revoke are merged (same
 * names and contracts, see access/access.h there): the smallest grant writes the workflows
 * need. Removed at the merge. */
#include "access/workflow_grant.h"
#include "core/err.h"
#include "db/db.h"

static const char SQL_ACCOUNT_OF[] =
    "SELECT min(id) FROM account WHERE system_id = :system AND person_id = :person";
static const char SQL_ACTIVE[] = "SELECT min(id) FROM access_grant WHERE account_id = :account"
                                 " AND entitlement_id = :entitlement AND revoked_at IS NULL";
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

static int one_int(struct db *db, const char *sql, const char *n1, int64_t v1, const char *n2,
                   int64_t v2, int64_t *out)
{
    struct db_stmt *st;
    *out = 0;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, n1, v1);
    if (!rc)
        rc = db_bind_int(st, n2, v2);
    if (!rc && db_step(st) == DB_ROW && !db_col_is_null(st, 0))
        *out = db_col_int(st, 0);
    db_finalize(st);
    return rc;
}

int access_grant_to_person(struct db *db, int64_t system_id, int64_t entitlement_id,
                           int64_t person_id, int64_t request_id, int64_t granted_by,
                           const char *now, int64_t *grant_id)
{
    struct db_stmt *st;
    int64_t account = 0;
    int rc = one_int(db, SQL_ACCOUNT_OF, ":system", system_id, ":person", person_id, &account);
    if (!rc && account)
        rc = one_int(db, SQL_ACTIVE, ":account", account, ":entitlement", entitlement_id, grant_id);
    if (rc || *grant_id)
        return rc;
    if (!account) {
        rc = db_prepare(db, SQL_ACCOUNT_INSERT, &st);
        if (rc)
            return rc;
        rc = db_bind_int(st, ":system", system_id);
        if (!rc)
            rc = db_bind_int(st, ":person", person_id);
        if (!rc)
            rc = db_bind_text(st, ":at", now);
        rc = db_finish_int(st, rc, &account);
        if (rc)
            return rc;
    }
    rc = db_prepare(db, SQL_GRANT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":entitlement", entitlement_id);
    if (!rc)
        rc = db_bind_text(st, ":at", now);
    if (!rc)
        rc = granted_by ? db_bind_int(st, ":by", granted_by) : db_bind_null(st, ":by");
    if (!rc)
        rc = request_id ? db_bind_int(st, ":request", request_id) : db_bind_null(st, ":request");
    if (!rc)
        rc = db_bind_int(st, ":account", account);
    return db_finish_int(st, rc, grant_id);
}

int access_grant_revoke(struct db *db, int64_t grant_id, int64_t revoked_by, const char *reason,
                        const char *now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_GRANT_REVOKE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", grant_id);
    if (!rc)
        rc = db_bind_text(st, ":at", now);
    if (!rc)
        rc = revoked_by ? db_bind_int(st, ":by", revoked_by) : db_bind_null(st, ":by");
    if (!rc)
        rc = db_bind_text(st, ":reason", reason);
    return db_finish(st, rc);
}
