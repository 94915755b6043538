/* The catalog's rule kinds for the policy engine: every system has an owner who is still
 * here, and the catalog is complete (software versions, licence counts, dates kept). Each is
 * one query over all systems in scope; its SQL is here, beside the rule it serves. */
#include "engine/rule.h"
#include "core/err.h"
#include "db/db.h"

static const char SQL_OWNER[] =
    "SELECT " RULE_SYSTEM_COLUMNS
    ", po.disabled, po.employment_end" RULE_SYSTEM_FROM RULE_SYSTEM_WHERE;

/* Per system: software without a version, licences without a count, and the earliest date a
 * licence expires or a component loses support. */
static const char SQL_COMPLETE[] =
    "SELECT " RULE_SYSTEM_COLUMNS ", COALESCE(c.no_version, 0), COALESCE(c.no_count, 0),"
    " c.earliest" RULE_SYSTEM_FROM " LEFT JOIN (SELECT system_id,"
    " SUM(CASE WHEN kind = 'software' AND (version IS NULL OR version = '') THEN 1 ELSE 0 END)"
    " AS no_version,"
    " SUM(CASE WHEN kind = 'licence' AND licence_count IS NULL THEN 1 ELSE 0 END) AS no_count,"
    " MIN(CASE WHEN licence_expiry IS NULL OR (end_of_support IS NOT NULL"
    " AND end_of_support < licence_expiry) THEN end_of_support ELSE licence_expiry END)"
    " AS earliest FROM component GROUP BY system_id) c ON c.system_id = s.id" RULE_SYSTEM_WHERE;

static int eval_owner(struct rule_ctx *ctx)
{
    return rule_run_person_active(ctx, SQL_OWNER);
}

static int eval_complete(struct rule_ctx *ctx)
{
    struct period warn;
    struct db_stmt *st;
    int rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = rule_prepare(ctx, SQL_COMPLETE, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *earliest = db_col_text(st, RULE_COL + 2);
        if (db_col_int(st, RULE_COL) || db_col_int(st, RULE_COL + 1))
            rc = rule_emit(ctx, st, FINDING_MISSING, NULL);
        else if (earliest)
            rc = rule_emit(ctx, st, rule_status_by_due(ctx, earliest, warn), earliest);
        else
            rc = rule_emit(ctx, st, FINDING_OK, NULL);
        if (rc)
            break;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const struct param_spec WARN[] = {{"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct rule_kind OWNER = {"system_owner_assigned", "catalog", SUBJECT_SYSTEM, WARN,
                                       eval_owner};
static const struct rule_kind COMPLETE = {"catalog_complete", "catalog", SUBJECT_SYSTEM, WARN,
                                          eval_complete};
const struct rule_kind *const catalog_rule_kinds[] = {&OWNER, &COMPLETE, NULL};
