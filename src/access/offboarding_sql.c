/* All SQL of the offboarding list. Tenant reads start with AUTHZ_SCOPE_CTE; dates compare as
 * text (YYYY-MM-DD and UTC ISO 8601 sort as they read). */
#include "access/offboarding_sql.h"
#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "core/err.h"
#include "db/db.h"

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

#define LAST_REVIEW                                                                                \
    "COALESCE((SELECT max(it.decided_at) FROM access_review_item it WHERE it.grant_id = g.id"      \
    " AND it.decided_at IS NOT NULL), g.granted_at)"
#define ROLE_CHANGE "(p.role_changed_at IS NOT NULL AND p.role_changed_at > " LAST_REVIEW ")"

static const char SQL_ROWS[] = AUTHZ_SCOPE_CTE
    "SELECT p.user_id, p.name, o.code AS organisation, m.user_id AS manager,"
    " m.name AS manager_name, p.employment_end, p.role_changed_at,"
    " CASE WHEN " ROLE_CHANGE " THEN 1 ELSE 0 END AS \"?role_change\", g.id AS \"#grant\","
    " s.external_id AS system, s.name AS system_name, a.username AS account,"
    " e.name AS entitlement, adm.user_id AS administrator, a.last_login,"
    " p.id AS _person_id, p.organisation_id AS _organisation_id"
    " FROM person p JOIN organisation o ON o.id = p.organisation_id"
    " LEFT JOIN person m ON m.id = p.manager_id"
    " JOIN account a ON a.person_id = p.id"
    " JOIN access_grant g ON g.account_id = a.id AND g.revoked_at IS NULL"
    " JOIN system s ON s.id = g.system_id JOIN entitlement e ON e.id = g.entitlement_id"
    " LEFT JOIN person adm ON adm.id = COALESCE(s.administrator_id, s.owner_id)"
    " WHERE " IN_REACH(
        "p.organisation_id") " AND ((p.employment_end IS NOT NULL AND p.employment_end <= :cutoff) "
                             "OR " ROLE_CHANGE ")"
                             " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = :organisation)"
                             " AND (:manager = 0 OR p.manager_id = :manager)"
                             " AND (:administrator = 0 OR COALESCE(s.administrator_id, s.owner_id) "
                             "= :administrator)"
                             " ORDER BY p.employment_end, p.user_id, s.external_id, a.username, "
                             "e.name";
static const char SQL_PROFILES[] =
    "SELECT op.organisation_id AS _organisation_id, pp.body FROM organisation_profile op"
    " JOIN policy_profile pp ON pp.id = op.profile_id ORDER BY op.organisation_id";

int offboarding_sql_rows(struct db *db, const struct org_actor *who,
                         const struct offboarding_filter *f, json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ROWS, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":cutoff", f->cutoff);
    if (!rc)
        rc = db_bind_text(st, ":organisation", f->organisation);
    if (!rc)
        rc = db_bind_int(st, ":manager", f->manager);
    if (!rc)
        rc = db_bind_int(st, ":administrator", f->administrator);
    return cat_all_rows(st, rc, rows);
}

int offboarding_sql_profiles(struct db *db, json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PROFILES, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, rc, rows);
}
