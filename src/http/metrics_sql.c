/* All SQL of /metrics. */
#include "http/metrics_sql.h"
#include "authz/authz.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

static const char SQL_FINDINGS[] =
    AUTHZ_SCOPE_CTE "SELECT o.code, f.section, f.status, count(*) FROM finding f"
                    " JOIN organisation o ON o.id = f.organisation_id"
                    " WHERE f.organisation_id IN (SELECT org_id FROM scope)"
                    " GROUP BY o.code, f.section, f.status ORDER BY o.code, f.section, f.status";

static const char SQL_EVALUATED_AT[] = "SELECT evaluated_at FROM engine_state WHERE id = 1";

int metrics_sql_findings_open(struct db *db, const struct caller *c, unsigned roles,
                              struct db_stmt **st)
{
    int rc = db_prepare(db, SQL_FINDINGS, st);
    if (rc)
        return rc;
    rc = authz_bind_scope(*st, c, roles);
    if (rc) {
        db_finalize(*st);
        *st = NULL;
    }
    return rc;
}

int metrics_sql_findings_next(struct db_stmt *st, struct metrics_finding_count *row)
{
    int rc = db_step(st);
    if (rc != DB_ROW)
        return rc;
    row->organisation = db_col_text(st, 0);
    row->section = db_col_text(st, 1);
    row->status = db_col_text(st, 2);
    row->count = db_col_int(st, 3);
    if (!row->organisation || !row->section || !row->status)
        return ERR_DB;
    return DB_ROW;
}

int metrics_sql_evaluated_at(struct db *db, char *out, size_t size, bool *found)
{
    struct db_stmt *st;
    *found = false;
    int rc = db_prepare(db, SQL_EVALUATED_AT, &st);
    if (rc)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        const char *s = db_col_text(st, 0);
        rc = s ? str_copy(out, size, s) : ERR_DB;
        *found = rc == 0;
    }
    db_finalize(st);
    return rc;
}
