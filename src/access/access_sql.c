/* All SQL of access control; tenant reads start with AUTHZ_SCOPE_CTE. Portable SQL: no date
 * functions (times come from C), UPDATE ... FROM and RETURNING as PostgreSQL has them, and
 * temporary staging tables so that a snapshot of half a million grants is applied set-based. */
#include "access/access_sql.h"
#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

/* ---- the snapshot ----
 * access_stage holds the rows as given; access_stage_account one row per (system, username)
 * with its organisation, the existing account and what changes; access_stage_grant one row per
 * (account, entitlement). They live in this connection only and are emptied at each apply. */

static const char SQL_STAGE_CREATE[] =
    "CREATE TEMP TABLE IF NOT EXISTS access_stage_raw (n INTEGER PRIMARY KEY,"
    " system_id INTEGER NOT NULL, username TEXT NOT NULL, person_id INTEGER,"
    " shared INTEGER NOT NULL, privileged INTEGER NOT NULL, mfa_enrolled INTEGER NOT NULL,"
    " last_login TEXT, status TEXT NOT NULL);"
    "CREATE TEMP TABLE IF NOT EXISTS access_stage (n INTEGER NOT NULL, entitlement TEXT NOT NULL,"
    " granted_at TEXT NOT NULL);"
    "CREATE TEMP TABLE IF NOT EXISTS access_stage_entitlement (system_id INTEGER NOT NULL,"
    " name TEXT NOT NULL);"
    "CREATE TEMP TABLE IF NOT EXISTS access_stage_system (system_id INTEGER PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS access_stage_account (n INTEGER PRIMARY KEY,"
    " system_id INTEGER NOT NULL, username TEXT NOT NULL, person_id INTEGER,"
    " organisation_id INTEGER NOT NULL, shared INTEGER NOT NULL, privileged INTEGER NOT NULL,"
    " mfa_enrolled INTEGER NOT NULL, last_login TEXT, status TEXT NOT NULL, account_id INTEGER,"
    " change TEXT, UNIQUE (system_id, username));"
    "CREATE TEMP TABLE IF NOT EXISTS access_stage_grant (account_id INTEGER NOT NULL,"
    " entitlement_id INTEGER NOT NULL, system_id INTEGER NOT NULL,"
    " organisation_id INTEGER NOT NULL, username TEXT NOT NULL, entitlement TEXT NOT NULL,"
    " granted_at TEXT NOT NULL, PRIMARY KEY (account_id, entitlement_id));"
    "DELETE FROM access_stage_raw; DELETE FROM access_stage;"
    " DELETE FROM access_stage_entitlement; DELETE FROM access_stage_system;"
    " DELETE FROM access_stage_account; DELETE FROM access_stage_grant";
static const char SQL_STAGE_SYSTEM[] =
    "INSERT INTO access_stage_system (system_id) VALUES (:system)";
static const char SQL_STAGE_ACCOUNT[] =
    "INSERT INTO access_stage_raw (n, system_id, username, person_id, shared, privileged,"
    " mfa_enrolled, last_login, status) VALUES (:n, :s, :u, :p, :sh, :pr, :m, :l, :st)";
static const char SQL_STAGE_GRANT[] =
    "INSERT INTO access_stage (n, entitlement, granted_at) VALUES (:n, :e, :g)";
static const char SQL_STAGE_ENTITLEMENT[] =
    "INSERT INTO access_stage_entitlement (system_id, name) VALUES (:s, :e)";
/* The staged accounts (one row each: the caller made them distinct) with their organisation,
 * the existing account and what changes. */
static const char SQL_STAGE_ACCOUNTS[] =
    "INSERT INTO access_stage_account (n, system_id, username, person_id, organisation_id,"
    " shared, privileged, mfa_enrolled, last_login, status, account_id, change)"
    " SELECT st.n, st.system_id, st.username, st.person_id, COALESCE(p.organisation_id,"
    " s.organisation_id), st.shared, st.privileged, st.mfa_enrolled, st.last_login, st.status,"
    " a.id, CASE WHEN a.id IS NULL OR a.status = 'removed' THEN 'new'"
    "  WHEN a.person_id IS DISTINCT FROM st.person_id OR a.shared <> st.shared"
    "   OR a.privileged <> st.privileged OR a.mfa_enrolled <> st.mfa_enrolled"
    "   OR a.last_login IS DISTINCT FROM st.last_login OR a.status <> st.status"
    "   OR a.organisation_id <> COALESCE(p.organisation_id, s.organisation_id) THEN 'changed'"
    "  ELSE NULL END"
    " FROM access_stage_raw st"
    " JOIN system s ON s.id = st.system_id LEFT JOIN person p ON p.id = st.person_id"
    " LEFT JOIN account a ON a.system_id = st.system_id AND a.username = st.username";

#define GONE_ACCOUNTS                                                                              \
    " FROM account a WHERE a.system_id IN (SELECT system_id FROM access_stage_system)"             \
    " AND a.status <> 'removed' AND NOT EXISTS (SELECT 1 FROM access_stage_account sa"             \
    "  WHERE sa.system_id = a.system_id AND sa.username = a.username)"

static const char SQL_COUNT_ACCOUNTS[] =
    "SELECT system_id, change, count(*) FROM access_stage_account WHERE change IS NOT NULL"
    " GROUP BY system_id, change"
    " UNION ALL SELECT a.system_id, 'removed', count(*)" GONE_ACCOUNTS " GROUP BY a.system_id";
static const char SQL_RECORD_ACCOUNTS[] =
    "INSERT INTO directory_sync_change (sync_id, change, object, system_id, username)"
    " SELECT :sync, change, 'account', system_id, username FROM access_stage_account"
    " WHERE change IS NOT NULL"
    " UNION ALL SELECT :sync, 'removed', 'account', a.system_id, a.username" GONE_ACCOUNTS;

static const char SQL_REMOVE_ACCOUNTS[] =
    "UPDATE account SET status = 'removed', removed_at = :now, updated_at = :now"
    " WHERE system_id IN (SELECT system_id FROM access_stage_system) AND status <> 'removed'"
    " AND NOT EXISTS (SELECT 1 FROM access_stage_account sa"
    "  WHERE sa.system_id = account.system_id AND sa.username = account.username)";
static const char SQL_UPDATE_ACCOUNTS[] =
    "UPDATE account SET person_id = sa.person_id, organisation_id = sa.organisation_id,"
    " shared = sa.shared, privileged = sa.privileged, mfa_enrolled = sa.mfa_enrolled,"
    " last_login = sa.last_login, status = sa.status, removed_at = NULL, updated_at = :now"
    " FROM access_stage_account sa WHERE sa.account_id = account.id AND sa.change IS NOT NULL";
static const char SQL_INSERT_ACCOUNTS[] =
    "INSERT INTO account (system_id, organisation_id, username, person_id, shared, privileged,"
    " mfa_enrolled, last_login, status, source, created_at, updated_at)"
    " SELECT system_id, organisation_id, username, person_id, shared, privileged, mfa_enrolled,"
    " last_login, status, :source, :now, :now FROM access_stage_account"
    " WHERE account_id IS NULL";

static const char SQL_INSERT_ENTITLEMENTS[] =
    "INSERT INTO entitlement (system_id, name, created_at)"
    " SELECT se.system_id, se.name, :now FROM access_stage_entitlement se"
    " WHERE NOT EXISTS (SELECT 1 FROM entitlement e"
    "  WHERE e.system_id = se.system_id AND e.name = se.name)";
/* Distinct (account, entitlement) pairs: the caller made the staged grants distinct. */
static const char SQL_STAGE_GRANTS[] =
    "INSERT INTO access_stage_grant (account_id, entitlement_id, system_id, organisation_id,"
    " username, entitlement, granted_at)"
    " SELECT a.id, e.id, a.system_id, a.organisation_id, a.username, e.name, st.granted_at"
    " FROM access_stage st JOIN access_stage_account sa ON sa.n = st.n"
    " JOIN account a ON a.system_id = sa.system_id AND a.username = sa.username"
    " JOIN entitlement e ON e.system_id = sa.system_id AND e.name = st.entitlement";

/* Active grants of the staged systems that the snapshot no longer has: all absent ones, or
 * (an accounts file) those of accounts it removed. */
#define GONE_GRANTS(alias, absent)                                                                 \
    " WHERE " alias ".system_id IN (SELECT system_id FROM access_stage_system)"                    \
    " AND " alias ".revoked_at IS NULL AND " absent
#define ABSENT_GRANT(alias)                                                                        \
    "NOT EXISTS (SELECT 1 FROM access_stage_grant sg WHERE sg.account_id = " alias ".account_id"   \
    " AND sg.entitlement_id = " alias ".entitlement_id)"
#define REMOVED_ACCOUNT(alias)                                                                     \
    "EXISTS (SELECT 1 FROM account ra WHERE ra.id = " alias ".account_id"                          \
    " AND ra.status = 'removed')"
#define NEW_GRANTS                                                                                 \
    " FROM access_stage_grant sg WHERE NOT EXISTS (SELECT 1 FROM access_grant x"                   \
    "  WHERE x.account_id = sg.account_id AND x.entitlement_id = sg.entitlement_id"                \
    "  AND x.revoked_at IS NULL)"

static const char SQL_COUNT_GRANTS[] =
    "SELECT sg.system_id, 'new', count(*)" NEW_GRANTS " GROUP BY sg.system_id"
    " UNION ALL SELECT g.system_id, 'removed', count(*) FROM access_grant g" GONE_GRANTS(
        "g", ABSENT_GRANT("g")) " GROUP BY g.system_id";
static const char SQL_COUNT_GRANTS_ACCOUNTS_ONLY[] =
    "SELECT g.system_id, 'removed', count(*) FROM access_grant g" GONE_GRANTS(
        "g", REMOVED_ACCOUNT("g")) " GROUP BY g.system_id";
#define GRANT_NAMES                                                                                \
    " FROM access_grant g JOIN account a ON a.id = g.account_id"                                   \
    " JOIN entitlement e ON e.id = g.entitlement_id"
static const char SQL_RECORD_GRANTS[] =
    "INSERT INTO directory_sync_change (sync_id, change, object, system_id, username,"
    " entitlement) SELECT :sync, 'new', 'grant', sg.system_id, sg.username,"
    " sg.entitlement" NEW_GRANTS " UNION ALL SELECT :sync, 'removed', 'grant', g.system_id,"
    " a.username, e.name" GRANT_NAMES GONE_GRANTS("g", ABSENT_GRANT("g"));
static const char SQL_RECORD_GRANTS_ACCOUNTS_ONLY[] =
    "INSERT INTO directory_sync_change (sync_id, change, object, system_id, username,"
    " entitlement) SELECT :sync, 'removed', 'grant', g.system_id, a.username,"
    " e.name" GRANT_NAMES GONE_GRANTS("g", REMOVED_ACCOUNT("g"));

static const char SQL_REVOKE_GRANTS[] =
    "UPDATE access_grant SET revoked_at = :now, revoke_reason = :reason" GONE_GRANTS(
        "access_grant", ABSENT_GRANT("access_grant"));
static const char SQL_REVOKE_GRANTS_ACCOUNTS_ONLY[] =
    "UPDATE access_grant SET revoked_at = :now, revoke_reason = :reason" GONE_GRANTS(
        "access_grant", REMOVED_ACCOUNT("access_grant"));
static const char SQL_INSERT_GRANTS[] =
    "INSERT INTO access_grant (account_id, entitlement_id, system_id, organisation_id,"
    " granted_at, source) SELECT sg.account_id, sg.entitlement_id, sg.system_id,"
    " sg.organisation_id, sg.granted_at, :source" NEW_GRANTS;
/* An account that moved organisation (its person did) takes its active grants along. */
static const char SQL_GRANTS_FOLLOW[] =
    "UPDATE access_grant SET organisation_id = sa.organisation_id FROM access_stage_account sa"
    " WHERE sa.change = 'changed' AND access_grant.account_id = sa.account_id"
    " AND access_grant.revoked_at IS NULL AND access_grant.organisation_id <> sa.organisation_id";

static const char SQL_STAGED_SYSTEMS[] =
    "SELECT s.id, s.external_id, s.organisation_id FROM system s"
    " JOIN access_stage_system ss ON ss.system_id = s.id ORDER BY s.id";

/* ---- import look-ups ---- */

static const char SQL_SYSTEMS_IN_REACH[] =
    AUTHZ_SCOPE_CTE "SELECT external_id, id, organisation_id FROM system"
                    " WHERE " IN_REACH("organisation_id");
static const char SQL_PEOPLE_IN_REACH[] =
    AUTHZ_SCOPE_CTE "SELECT user_id, id, organisation_id FROM person"
                    " WHERE " IN_REACH("organisation_id");

/* ---- grants to people ---- */

static const char SQL_PERSON[] = "SELECT organisation_id, user_id FROM person WHERE id = :id";
static const char SQL_ENTITLEMENT_OF[] =
    "SELECT count(*) FROM entitlement WHERE id = :id AND system_id = :system";
static const char SQL_PERSON_ACCOUNT[] =
    "SELECT id, CASE WHEN status = 'removed' THEN 1 ELSE 0 END AS removed FROM account"
    " WHERE system_id = :system AND person_id = :person ORDER BY removed, id LIMIT 1";
static const char SQL_ACCOUNT_BY_USERNAME[] =
    "SELECT id FROM account WHERE system_id = :system AND username = :username";
static const char SQL_ACCOUNT_REVIVE[] =
    "UPDATE account SET status = 'active', removed_at = NULL, updated_at = :now WHERE id = :id";
static const char SQL_ACCOUNT_INSERT[] =
    "INSERT INTO account (system_id, organisation_id, username, person_id, shared, privileged,"
    " mfa_enrolled, last_login, status, source, created_at, updated_at) VALUES (:system, :org,"
    " :username, :person, :shared, :privileged, :mfa, :last_login, :status, :source, :now,"
    " :now) RETURNING id";
static const char SQL_ACTIVE_GRANT[] =
    "SELECT id FROM access_grant WHERE account_id = :account AND entitlement_id = :entitlement"
    " AND revoked_at IS NULL";
static const char SQL_GRANT_INSERT[] =
    "INSERT INTO access_grant (account_id, entitlement_id, system_id, organisation_id,"
    " granted_at, granted_by, request_id, source) SELECT a.id, :entitlement, a.system_id,"
    " a.organisation_id, :now, :by, :request, :source FROM account a WHERE a.id = :account"
    " RETURNING id";
static const char SQL_GRANT_REVOKED[] =
    "SELECT CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END FROM access_grant WHERE id = :id";
static const char SQL_GRANT_REVOKE[] =
    "UPDATE access_grant SET revoked_at = :now, revoked_by = :by, revoke_reason = :reason"
    " WHERE id = :id AND revoked_at IS NULL";
static const char SQL_ACCOUNT_GRANTS_REVOKE[] =
    "UPDATE access_grant SET revoked_at = :now, revoked_by = :by, revoke_reason = :reason"
    " WHERE account_id = :id AND revoked_at IS NULL";

/* ---- API rows ---- */

#define ACCOUNT_SELECT                                                                             \
    "SELECT a.id AS \"#id\", s.external_id AS system, s.name AS system_name,"                      \
    " o.code AS organisation, a.username, p.user_id AS person, p.name AS person_name,"             \
    " a.shared AS \"?shared\", a.privileged AS \"?privileged\","                                   \
    " a.mfa_enrolled AS \"?mfa_enrolled\", a.last_login, a.status, a.source,"                      \
    " a.exception_reason AS x_reason, a.exception_until AS x_until,"                               \
    " ap.user_id AS x_approved_by, a.exception_approved_at AS x_approved_at,"                      \
    " (SELECT count(*) FROM access_grant g WHERE g.account_id = a.id"                              \
    "  AND g.revoked_at IS NULL) AS \"#active_grants\","                                           \
    " a.created_at, a.updated_at, a.removed_at, a.organisation_id AS _organisation_id,"            \
    " a.system_id AS _system_id, a.person_id AS _person_id"                                        \
    " FROM account a JOIN system s ON s.id = a.system_id"                                          \
    " JOIN organisation o ON o.id = a.organisation_id LEFT JOIN person p ON p.id = a.person_id"    \
    " LEFT JOIN person ap ON ap.id = a.exception_approved_by"

static const char SQL_ACCOUNT_LIST[] = AUTHZ_SCOPE_CTE ACCOUNT_SELECT " WHERE " IN_REACH(
    "a.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = :organisation)"
                         " AND (CAST(:system AS TEXT) IS NULL OR s.external_id = :system)"
                         " AND (CAST(:person AS TEXT) IS NULL OR p.user_id = :person)"
                         " AND (CAST(:status AS TEXT) IS NULL OR a.status = :status)"
                         " AND (:shared < 0 OR a.shared = :shared)"
                         " AND (:privileged < 0 OR a.privileged = :privileged)"
                         " AND (:mfa < 0 OR a.mfa_enrolled = :mfa)"
                         " AND (:unowned < 0 OR (:unowned = 1 AND a.person_id IS NULL)"
                         "  OR (:unowned = 0 AND a.person_id IS NOT NULL))"
                         " AND (CAST(:like AS TEXT) IS NULL OR lower(a.username) LIKE :like ESCAPE "
                         "'\\'"
                         "  OR lower(COALESCE(p.name, '')) LIKE :like ESCAPE '\\'"
                         "  OR lower(COALESCE(p.user_id, '')) LIKE :like ESCAPE '\\')"
                         " AND a.id > :after_id ORDER BY a.id LIMIT :limit";
static const char SQL_ACCOUNT_FIND[] =
    AUTHZ_SCOPE_CTE ACCOUNT_SELECT " WHERE a.id = :id AND " IN_REACH("a.organisation_id");
static const char SQL_ACCOUNT_BY_ID[] = ACCOUNT_SELECT " WHERE a.id = :id";
static const char SQL_ACCOUNT_UPDATE[] =
    "UPDATE account SET organisation_id = :org, person_id = :person, shared = :shared,"
    " privileged = :privileged, mfa_enrolled = :mfa, last_login = :last_login,"
    " status = :status, removed_at = CASE WHEN :status = 'removed' THEN COALESCE(removed_at,"
    " :now) ELSE NULL END, updated_at = :now WHERE id = :id";
static const char SQL_ACCOUNT_GRANTS_FOLLOW[] =
    "UPDATE access_grant SET organisation_id = :org WHERE account_id = :id"
    " AND revoked_at IS NULL";
static const char SQL_ACCOUNT_EXCEPTION[] =
    "UPDATE account SET exception_reason = :reason, exception_until = :until,"
    " exception_approved_by = :by, exception_approved_at = :now, updated_at = :now"
    " WHERE id = :id";

static const char SQL_SYSTEM_FIND[] =
    AUTHZ_SCOPE_CTE "SELECT id AS _id, organisation_id AS _organisation_id, external_id, name"
                    " FROM system WHERE external_id = :ext AND " IN_REACH("organisation_id");
static const char SQL_PERSON_FIND[] =
    AUTHZ_SCOPE_CTE "SELECT id AS _id, organisation_id AS _organisation_id, user_id FROM person"
                    " WHERE user_id = :user_id AND " IN_REACH("organisation_id");

#define ENTITLEMENT_SELECT                                                                         \
    "SELECT e.id AS \"#id\", s.external_id AS system, e.name, e.description,"                      \
    " e.privileged AS \"?privileged\", (SELECT count(*) FROM access_grant g"                       \
    "  WHERE g.entitlement_id = e.id AND g.revoked_at IS NULL) AS \"#active_grants\","             \
    " e.created_at FROM entitlement e JOIN system s ON s.id = e.system_id"
static const char SQL_ENTITLEMENT_LIST[] =
    ENTITLEMENT_SELECT " WHERE e.system_id = :system ORDER BY e.name, e.id";
static const char SQL_ENTITLEMENT_FIND[] =
    ENTITLEMENT_SELECT " WHERE e.system_id = :system AND (e.id = :id OR e.name = :name)";
static const char SQL_ENTITLEMENT_INSERT[] =
    "INSERT INTO entitlement (system_id, name, description, privileged, created_at)"
    " VALUES (:system, :name, :description, :privileged, :now) RETURNING id";

#define GRANT_SELECT                                                                               \
    "SELECT g.id AS \"#id\", g.account_id AS \"#account\", a.username,"                            \
    " s.external_id AS system, o.code AS organisation, p.user_id AS person,"                       \
    " e.name AS entitlement, g.entitlement_id AS \"#entitlement_id\","                             \
    " e.privileged AS \"?privileged\", g.granted_at, gb.user_id AS granted_by,"                    \
    " g.request_id AS \"#request\", g.source,"                                                     \
    " CASE WHEN g.revoked_at IS NULL THEN 1 ELSE 0 END AS \"?active\", g.revoked_at,"              \
    " rb.user_id AS revoked_by, g.revoke_reason, g.organisation_id AS _organisation_id"            \
    " FROM access_grant g JOIN account a ON a.id = g.account_id"                                   \
    " JOIN entitlement e ON e.id = g.entitlement_id JOIN system s ON s.id = g.system_id"           \
    " JOIN organisation o ON o.id = g.organisation_id LEFT JOIN person p ON p.id = a.person_id"    \
    " LEFT JOIN person gb ON gb.id = g.granted_by LEFT JOIN person rb ON rb.id = g.revoked_by"

static const char SQL_GRANT_LIST[] = AUTHZ_SCOPE_CTE GRANT_SELECT " WHERE " IN_REACH(
    "g.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = :organisation)"
                         " AND (CAST(:system AS TEXT) IS NULL OR s.external_id = :system)"
                         " AND (CAST(:person AS TEXT) IS NULL OR p.user_id = :person)"
                         " AND (:account = 0 OR g.account_id = :account)"
                         " AND (:entitlement = 0 OR g.entitlement_id = :entitlement)"
                         " AND (:active < 0 OR (:active = 1 AND g.revoked_at IS NULL)"
                         "  OR (:active = 0 AND g.revoked_at IS NOT NULL))"
                         " AND g.id > :after_id ORDER BY g.id LIMIT :limit";
static const char SQL_GRANT_FIND[] =
    AUTHZ_SCOPE_CTE GRANT_SELECT " WHERE g.id = :id AND " IN_REACH("g.organisation_id");
static const char SQL_GRANT_BY_ID[] = GRANT_SELECT " WHERE g.id = :id";

#define MFA_COUNTS                                                                                 \
    " count(*) AS \"#accounts\", sum(a.mfa_enrolled) AS \"#with_mfa\","                            \
    " sum(a.privileged) AS \"#privileged\","                                                       \
    " sum(a.privileged * a.mfa_enrolled) AS \"#privileged_with_mfa\""
#define MFA_WHERE                                                                                  \
    " FROM account a JOIN organisation o ON o.id = a.organisation_id"                              \
    " JOIN system s ON s.id = a.system_id WHERE a.status = 'active'"                               \
    " AND " IN_REACH(                                                                              \
        "a.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = "              \
                             ":organisation)"                                                      \
                             " AND (CAST(:system AS TEXT) IS NULL OR s.external_id = :system)"
static const char SQL_MFA_BY_ORG[] =
    AUTHZ_SCOPE_CTE "SELECT o.code AS organisation, o.name," MFA_COUNTS MFA_WHERE
                    " GROUP BY o.id, o.code, o.name ORDER BY o.code";
static const char SQL_MFA_BY_SYSTEM[] =
    AUTHZ_SCOPE_CTE "SELECT s.external_id AS system, s.name," MFA_COUNTS MFA_WHERE
                    " GROUP BY s.id, s.external_id, s.name ORDER BY s.external_id";

static const char SQL_HOLDS_ANY[] =
    "WITH RECURSIVE up(id) AS (SELECT CAST(:org AS INTEGER)"
    " UNION SELECT o.parent_id FROM organisation o JOIN up ON o.id = up.id"
    " WHERE o.parent_id IS NOT NULL)"
    " SELECT count(*) FROM role_assignment ra JOIN role r ON r.id = ra.role"
    " JOIN person p ON p.id = ra.person_id"
    " WHERE ra.person_id = :person AND p.disabled = 0 AND (r.bit & :mask) <> 0"
    " AND ra.organisation_id IN (SELECT id FROM up)";

/* ---- helpers ---- */

static int run(struct db *db, const char *sql, const char *now, const char *source,
               const char *reason)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    if (now)
        rc = db_bind_text(st, ":now", now);
    if (!rc && source)
        rc = db_bind_text(st, ":source", source);
    if (!rc && reason)
        rc = db_bind_text(st, ":reason", reason);
    return db_finish(st, rc);
}

static int bind_opt_id(struct db_stmt *st, const char *name, int64_t id)
{
    return id > 0 ? db_bind_int(st, name, id) : db_bind_null(st, name);
}

/* ---- the snapshot ---- */

int access_sql_stage_reset(struct db *db)
{
    return db_exec(db, SQL_STAGE_CREATE);
}

int access_sql_stage_system(struct db *db, int64_t system_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_STAGE_SYSTEM, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":system", system_id));
}

int access_sql_stage_account(struct db *db, int64_t n, const struct access_row *r)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_STAGE_ACCOUNT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":n", n);
    if (!rc)
        rc = db_bind_int(st, ":s", r->system_id);
    if (!rc)
        rc = db_bind_text(st, ":u", r->username);
    if (!rc)
        rc = bind_opt_id(st, ":p", r->person_id);
    if (!rc)
        rc = db_bind_int(st, ":sh", r->shared);
    if (!rc)
        rc = db_bind_int(st, ":pr", r->privileged);
    if (!rc)
        rc = db_bind_int(st, ":m", r->mfa_enrolled);
    if (!rc)
        rc = db_bind_text(st, ":l", r->last_login);
    if (!rc)
        rc = db_bind_text(st, ":st", r->disabled ? "disabled" : "active");
    return db_finish(st, rc);
}

int access_sql_stage_grant(struct db *db, int64_t n, const char *entitlement,
                           const char *granted_at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_STAGE_GRANT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":n", n);
    if (!rc)
        rc = db_bind_text(st, ":e", entitlement);
    if (!rc)
        rc = db_bind_text(st, ":g", granted_at);
    return db_finish(st, rc);
}

int access_sql_stage_entitlement(struct db *db, int64_t system_id, const char *name)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_STAGE_ENTITLEMENT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":s", system_id);
    if (!rc)
        rc = db_bind_text(st, ":e", name);
    return db_finish(st, rc);
}

int access_sql_stage_accounts(struct db *db)
{
    return run(db, SQL_STAGE_ACCOUNTS, NULL, NULL, NULL);
}

static int counts(struct db *db, const char *sql, access_count_fn fn, void *ctx)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    while (!rc && (rc = db_step(st)) == DB_ROW)
        rc = fn(ctx, db_col_int(st, 0), db_col_text(st, 1), db_col_int(st, 2));
    if (st)
        db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int access_sql_count_accounts(struct db *db, access_count_fn fn, void *ctx)
{
    return counts(db, SQL_COUNT_ACCOUNTS, fn, ctx);
}

int access_sql_count_grants(struct db *db, bool accounts_only, access_count_fn fn, void *ctx)
{
    return counts(db, accounts_only ? SQL_COUNT_GRANTS_ACCOUNTS_ONLY : SQL_COUNT_GRANTS, fn, ctx);
}

static int record(struct db *db, const char *sql, int64_t sync_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":sync", sync_id));
}

int access_sql_record_accounts(struct db *db, int64_t sync_id)
{
    return record(db, SQL_RECORD_ACCOUNTS, sync_id);
}

int access_sql_record_grants(struct db *db, int64_t sync_id, bool accounts_only)
{
    return record(db, accounts_only ? SQL_RECORD_GRANTS_ACCOUNTS_ONLY : SQL_RECORD_GRANTS, sync_id);
}

int access_sql_apply_accounts(struct db *db, const char *source, const char *now)
{
    int rc = run(db, SQL_REMOVE_ACCOUNTS, now, NULL, NULL);
    if (!rc)
        rc = run(db, SQL_UPDATE_ACCOUNTS, now, NULL, NULL);
    if (!rc)
        rc = run(db, SQL_INSERT_ACCOUNTS, now, source, NULL);
    return rc;
}

int access_sql_stage_grants(struct db *db, const char *now)
{
    int rc = run(db, SQL_INSERT_ENTITLEMENTS, now, NULL, NULL);
    if (!rc)
        rc = run(db, SQL_STAGE_GRANTS, NULL, NULL, NULL);
    return rc;
}

int access_sql_apply_grants(struct db *db, bool accounts_only, const char *source,
                            const char *reason, const char *now)
{
    int rc = run(db, accounts_only ? SQL_REVOKE_GRANTS_ACCOUNTS_ONLY : SQL_REVOKE_GRANTS, now, NULL,
                 reason);
    if (!rc && !accounts_only)
        rc = run(db, SQL_INSERT_GRANTS, NULL, source, NULL);
    if (!rc)
        rc = run(db, SQL_GRANTS_FOLLOW, NULL, NULL, NULL);
    return rc;
}

int access_sql_staged_systems(struct db *db, access_system_fn fn, void *ctx)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_STAGED_SYSTEMS, &st);
    while (!rc && (rc = db_step(st)) == DB_ROW)
        rc = fn(ctx, db_col_int(st, 0), db_col_text(st, 1), db_col_int(st, 2));
    if (st)
        db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* ---- import look-ups ---- */

static int keys(struct db *db, const char *sql, const struct org_actor *who, access_key_fn fn,
                void *ctx)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (!rc)
        rc = cat_bind_scope(st, who);
    while (!rc && (rc = db_step(st)) == DB_ROW)
        rc = fn(ctx, db_col_text(st, 0), db_col_int(st, 1), db_col_int(st, 2));
    if (st)
        db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int access_sql_systems_in_reach(struct db *db, const struct org_actor *who, access_key_fn fn,
                                void *ctx)
{
    return keys(db, SQL_SYSTEMS_IN_REACH, who, fn, ctx);
}

int access_sql_people_in_reach(struct db *db, const struct org_actor *who, access_key_fn fn,
                               void *ctx)
{
    return keys(db, SQL_PEOPLE_IN_REACH, who, fn, ctx);
}

/* ---- grants to people ---- */

int access_sql_person(struct db *db, int64_t person_id, int64_t *org_id,
                      char user_id[USER_ID_MAX + 1])
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", person_id);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        *org_id = db_col_int(st, 0);
        rc = str_copy(user_id, USER_ID_MAX + 1, db_col_text(st, 1));
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int access_sql_entitlement_of(struct db *db, int64_t entitlement_id, int64_t system_id, bool *yes)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_ENTITLEMENT_OF, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", entitlement_id);
    if (!rc)
        rc = db_bind_int(st, ":system", system_id);
    rc = db_finish_int(st, rc, &n);
    *yes = n > 0;
    return rc;
}

int access_sql_person_account(struct db *db, int64_t system_id, int64_t person_id, int64_t *id,
                              bool *removed)
{
    struct db_stmt *st;
    *id = 0;
    *removed = false;
    int rc = db_prepare(db, SQL_PERSON_ACCOUNT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_col_int(st, 0);
        *removed = db_col_int(st, 1) != 0;
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

static int maybe_id(struct db_stmt *st, int rc, int64_t *id)
{
    rc = db_finish_int(st, rc, id);
    if (rc == ERR_NOTFOUND) {
        *id = 0;
        rc = 0;
    }
    return rc;
}

int access_sql_account_by_username(struct db *db, int64_t system_id, const char *username,
                                   int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACCOUNT_BY_USERNAME, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_text(st, ":username", username);
    return maybe_id(st, rc, id);
}

int access_sql_account_revive(struct db *db, int64_t id, const char *now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACCOUNT_REVIVE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    return db_finish(st, rc);
}

int access_sql_account_insert(struct db *db, struct access_account_write *w, const char *now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACCOUNT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", w->system_id);
    if (!rc)
        rc = db_bind_int(st, ":org", w->organisation_id);
    if (!rc)
        rc = db_bind_text(st, ":username", w->username);
    if (!rc)
        rc = bind_opt_id(st, ":person", w->person_id);
    if (!rc)
        rc = db_bind_int(st, ":shared", w->shared);
    if (!rc)
        rc = db_bind_int(st, ":privileged", w->privileged);
    if (!rc)
        rc = db_bind_int(st, ":mfa", w->mfa_enrolled);
    if (!rc)
        rc = db_bind_text(st, ":last_login", w->last_login);
    if (!rc)
        rc = db_bind_text(st, ":status", w->status);
    if (!rc)
        rc = db_bind_text(st, ":source", w->source);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    return db_finish_int(st, rc, &w->id);
}

int access_sql_active_grant(struct db *db, int64_t account_id, int64_t entitlement_id, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACTIVE_GRANT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":account", account_id);
    if (!rc)
        rc = db_bind_int(st, ":entitlement", entitlement_id);
    return maybe_id(st, rc, id);
}

int access_sql_grant_insert(struct db *db, int64_t account_id, int64_t entitlement_id,
                            int64_t request_id, int64_t granted_by, const char *source,
                            const char *now, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_GRANT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":account", account_id);
    if (!rc)
        rc = db_bind_int(st, ":entitlement", entitlement_id);
    if (!rc)
        rc = bind_opt_id(st, ":request", request_id);
    if (!rc)
        rc = bind_opt_id(st, ":by", granted_by);
    if (!rc)
        rc = db_bind_text(st, ":source", source);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    return db_finish_int(st, rc, id);
}

static int bind_revoke(struct db_stmt *st, int64_t id, int64_t revoked_by, const char *reason,
                       const char *now)
{
    int rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = bind_opt_id(st, ":by", revoked_by);
    if (!rc)
        rc = db_bind_text(st, ":reason", reason);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    return rc;
}

int access_sql_grant_revoke(struct db *db, int64_t id, int64_t revoked_by, const char *reason,
                            const char *now)
{
    struct db_stmt *st;
    int64_t revoked = 0;
    int rc = db_prepare(db, SQL_GRANT_REVOKED, &st);
    if (rc)
        return rc;
    rc = db_finish_int(st, db_bind_int(st, ":id", id), &revoked);
    if (!rc && revoked)
        rc = ERR_CONFLICT;
    if (!rc)
        rc = db_prepare(db, SQL_GRANT_REVOKE, &st);
    if (rc)
        return rc;
    return db_finish(st, bind_revoke(st, id, revoked_by, reason, now));
}

int access_sql_account_grants_revoke(struct db *db, int64_t account_id, int64_t revoked_by,
                                     const char *reason, const char *now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACCOUNT_GRANTS_REVOKE, &st);
    if (rc)
        return rc;
    return db_finish(st, bind_revoke(st, account_id, revoked_by, reason, now));
}

/* ---- API rows ---- */

int access_sql_account_list(struct db *db, const struct org_actor *who,
                            const struct access_account_filter *f, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACCOUNT_LIST, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":organisation", f->organisation);
    if (!rc)
        rc = db_bind_text(st, ":system", f->system);
    if (!rc)
        rc = db_bind_text(st, ":person", f->person);
    if (!rc)
        rc = db_bind_text(st, ":status", f->status);
    if (!rc)
        rc = db_bind_int(st, ":shared", f->shared);
    if (!rc)
        rc = db_bind_int(st, ":privileged", f->privileged);
    if (!rc)
        rc = db_bind_int(st, ":mfa", f->mfa);
    if (!rc)
        rc = db_bind_int(st, ":unowned", f->unowned);
    if (!rc)
        rc = db_bind_text(st, ":like", f->like);
    if (!rc)
        rc = db_bind_int(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

int access_sql_account_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    return cat_row_scoped(db, SQL_ACCOUNT_FIND, who, ":id", id, NULL, out);
}

int access_sql_account_by_id(struct db *db, int64_t id, json_t **out)
{
    return cat_row_by_id(db, SQL_ACCOUNT_BY_ID, id, out);
}

int access_sql_account_update(struct db *db, const struct access_account_write *w, const char *now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACCOUNT_UPDATE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", w->id);
    if (!rc)
        rc = db_bind_int(st, ":org", w->organisation_id);
    if (!rc)
        rc = bind_opt_id(st, ":person", w->person_id);
    if (!rc)
        rc = db_bind_int(st, ":shared", w->shared);
    if (!rc)
        rc = db_bind_int(st, ":privileged", w->privileged);
    if (!rc)
        rc = db_bind_int(st, ":mfa", w->mfa_enrolled);
    if (!rc)
        rc = db_bind_text(st, ":last_login", w->last_login);
    if (!rc)
        rc = db_bind_text(st, ":status", w->status);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    rc = db_finish(st, rc);
    if (!rc)
        rc = db_prepare(db, SQL_ACCOUNT_GRANTS_FOLLOW, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", w->id);
    if (!rc)
        rc = db_bind_int(st, ":org", w->organisation_id);
    return db_finish(st, rc);
}

int access_sql_account_exception(struct db *db, int64_t id, const char *reason, const char *until,
                                 int64_t approved_by, const char *now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACCOUNT_EXCEPTION, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":reason", reason);
    if (!rc)
        rc = db_bind_text(st, ":until", until);
    if (!rc)
        rc = bind_opt_id(st, ":by", approved_by);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    return db_finish(st, rc);
}

int access_sql_system_find(struct db *db, const struct org_actor *who, const char *external_id,
                           json_t **out)
{
    return cat_row_scoped(db, SQL_SYSTEM_FIND, who, ":ext", 0, external_id, out);
}

int access_sql_person_find(struct db *db, const struct org_actor *who, const char *user_id,
                           json_t **out)
{
    return cat_row_scoped(db, SQL_PERSON_FIND, who, ":user_id", 0, user_id, out);
}

int access_sql_entitlement_list(struct db *db, int64_t system_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ENTITLEMENT_LIST, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_int(st, ":system", system_id), items);
}

int access_sql_entitlement_find(struct db *db, int64_t system_id, int64_t id, const char *name,
                                json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ENTITLEMENT_FIND, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    return cat_one_row(st, rc, out);
}

int access_sql_entitlement_insert(struct db *db, int64_t system_id, const char *name,
                                  const char *description, bool privileged, const char *now,
                                  int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ENTITLEMENT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    if (!rc)
        rc = db_bind_text(st, ":description", description ? description : "");
    if (!rc)
        rc = db_bind_int(st, ":privileged", privileged);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    return db_finish_int(st, rc, id);
}

int access_sql_grant_list(struct db *db, const struct org_actor *who,
                          const struct access_grant_filter *f, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_GRANT_LIST, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":organisation", f->organisation);
    if (!rc)
        rc = db_bind_text(st, ":system", f->system);
    if (!rc)
        rc = db_bind_text(st, ":person", f->person);
    if (!rc)
        rc = db_bind_int(st, ":account", f->account);
    if (!rc)
        rc = db_bind_int(st, ":entitlement", f->entitlement);
    if (!rc)
        rc = db_bind_int(st, ":active", f->active);
    if (!rc)
        rc = db_bind_int(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

int access_sql_grant_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    return cat_row_scoped(db, SQL_GRANT_FIND, who, ":id", id, NULL, out);
}

int access_sql_grant_by_id(struct db *db, int64_t id, json_t **out)
{
    return cat_row_by_id(db, SQL_GRANT_BY_ID, id, out);
}

static int mfa(struct db *db, const char *sql, const struct org_actor *who,
               const char *organisation, const char *system, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":organisation", organisation);
    if (!rc)
        rc = db_bind_text(st, ":system", system);
    return cat_all_rows(st, rc, items);
}

int access_sql_mfa_by_org(struct db *db, const struct org_actor *who, const char *organisation,
                          const char *system, json_t *items)
{
    return mfa(db, SQL_MFA_BY_ORG, who, organisation, system, items);
}

int access_sql_mfa_by_system(struct db *db, const struct org_actor *who, const char *organisation,
                             const char *system, json_t *items)
{
    return mfa(db, SQL_MFA_BY_SYSTEM, who, organisation, system, items);
}

int access_sql_holds_any(struct db *db, int64_t person_id, unsigned mask, int64_t org_id, bool *yes)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_HOLDS_ANY, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_int(st, ":mask", (int64_t)mask);
    rc = db_finish_int(st, rc, &n);
    *yes = n > 0;
    return rc;
}
