/* The risk report's SQL (src/risk/risk_report.c renders what these return). */
#include "risk/risk_report_sql.h"
#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "db/db.h"

static const char SQL_ORGS[] =
    AUTHZ_SCOPE_CTE "SELECT o.id AS \"#id\", o.code, o.name FROM organisation o"
                    " WHERE (:everything = 1 OR o.id IN (SELECT org_id FROM scope))"
                    " AND ((CAST(:code AS TEXT) IS NULL AND EXISTS (SELECT 1 FROM risk_assessment a"
                    " WHERE a.organisation_id = o.id)) OR o.code = :code) ORDER BY o.code";

static const char SQL_MATRIX[] =
    "SELECT bands, acceptance_threshold AS \"#acceptance_threshold\" FROM risk_matrix"
    " WHERE organisation_id = :org";

static const char SQL_ASSESSMENTS[] =
    "SELECT COUNT(*) AS \"#total\","
    " COALESCE(SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), 0) AS \"#approved\""
    " FROM risk_assessment WHERE organisation_id = :org AND assessed_on >= :from"
    " AND assessed_on <= :to";

static const char SQL_RISKS[] =
    "SELECT r.id AS \"#id\", r.title, r.inherent_likelihood AS \"#il\","
    " r.inherent_consequence AS \"#ic\", r.residual_likelihood AS \"#rl\","
    " r.residual_consequence AS \"#rc\", r.treatment, p.name AS owner,"
    " (SELECT MIN(s.name) FROM risk_system rs JOIN system s ON s.id = rs.system_id"
    " WHERE rs.risk_id = r.id) AS system,"
    " (SELECT COUNT(*) FROM risk_system rs WHERE rs.risk_id = r.id) AS \"#systems\","
    " r.created_at, r.updated_at FROM risk r JOIN person p ON p.id = r.owner_id"
    " WHERE r.organisation_id = :org ORDER BY CASE WHEN r.residual_likelihood IS NOT NULL"
    " AND r.residual_consequence IS NOT NULL THEN r.residual_likelihood * r.residual_consequence"
    " ELSE r.inherent_likelihood * r.inherent_consequence END DESC,"
    " r.inherent_likelihood * r.inherent_consequence DESC, r.id";

static const char SQL_OVERDUE[] =
    "SELECT m.title, p.name AS owner, m.due, r.title AS risk FROM risk_measure m"
    " JOIN risk r ON r.id = m.risk_id JOIN person p ON p.id = m.owner_id"
    " WHERE r.organisation_id = :org AND m.status IN ('planned', 'in_progress')"
    " AND m.due < :today ORDER BY m.due, m.id LIMIT :max";

static const char SQL_DONE[] =
    "SELECT m.title, p.name AS owner, m.done_on, r.title AS risk FROM risk_measure m"
    " JOIN risk r ON r.id = m.risk_id JOIN person p ON p.id = m.owner_id"
    " WHERE r.organisation_id = :org AND m.status = 'done' AND m.done_on >= :since"
    " ORDER BY m.done_on, m.id LIMIT :max";

static const char SQL_LAST_REPORT[] =
    "SELECT MAX(at) AS at FROM audit_log WHERE action = 'risk_report.export'"
    " AND object_id = :object HAVING MAX(at) IS NOT NULL";

int rr_sql_orgs(struct db *db, const struct org_actor *who, const char *code, json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORGS, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":code", code);
    return cat_all_rows(st, rc, rows);
}

/* Prepare sql and bind :org; *out is NULL when it could not be prepared. */
static int org_stmt(struct db *db, const char *sql, int64_t org, struct db_stmt **out)
{
    *out = NULL;
    int rc = db_prepare(db, sql, out);
    if (rc)
        *out = NULL;
    return rc ? rc : db_bind_int(*out, ":org", org);
}

int rr_sql_matrix(struct db *db, int64_t org, json_t *rows)
{
    struct db_stmt *st = NULL;
    int rc = org_stmt(db, SQL_MATRIX, org, &st);
    return st ? cat_all_rows(st, rc, rows) : rc;
}

int rr_sql_assessments(struct db *db, int64_t org, const char *from, const char *to, json_t *rows)
{
    struct db_stmt *st = NULL;
    int rc = org_stmt(db, SQL_ASSESSMENTS, org, &st);
    if (!rc)
        rc = db_bind_text(st, ":from", from);
    if (!rc)
        rc = db_bind_text(st, ":to", to);
    return st ? cat_all_rows(st, rc, rows) : rc;
}

int rr_sql_risks(struct db *db, int64_t org, json_t *rows)
{
    struct db_stmt *st = NULL;
    int rc = org_stmt(db, SQL_RISKS, org, &st);
    return st ? cat_all_rows(st, rc, rows) : rc;
}

int rr_sql_overdue(struct db *db, int64_t org, const char *today, int max, json_t *rows)
{
    struct db_stmt *st = NULL;
    int rc = org_stmt(db, SQL_OVERDUE, org, &st);
    if (!rc)
        rc = db_bind_text(st, ":today", today);
    if (!rc)
        rc = db_bind_int(st, ":max", max);
    return st ? cat_all_rows(st, rc, rows) : rc;
}

int rr_sql_done(struct db *db, int64_t org, const char *since, int max, json_t *rows)
{
    struct db_stmt *st = NULL;
    int rc = org_stmt(db, SQL_DONE, org, &st);
    if (!rc)
        rc = db_bind_text(st, ":since", since);
    if (!rc)
        rc = db_bind_int(st, ":max", max);
    return st ? cat_all_rows(st, rc, rows) : rc;
}

int rr_sql_last_report(struct db *db, const char *object, json_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_LAST_REPORT, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_text(st, ":object", object), rows);
}
