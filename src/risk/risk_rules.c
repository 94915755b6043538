/* Risk management's rule kinds for the policy engine: systems are assessed in time and after
 * significant changes, measures are carried out by their due dates, information owners take
 * part in assessments, and risks above the acceptance threshold have a documented treatment.
 * Each is one query over all subjects in scope; its SQL is here, beside the rule it serves. */
#include "engine/rule.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "risk/risk.h"

#include <string.h>

/* Per system: the latest approved assessment covering it. */
#define LAST_APPROVED                                                                              \
    " LEFT JOIN (SELECT ras.system_id, MAX(a.assessed_on) AS last FROM risk_assessment_system ras" \
    " JOIN risk_assessment a ON a.id = ras.assessment_id WHERE a.status = 'approved'"              \
    " GROUP BY ras.system_id) la ON la.system_id = s.id"

static const char SQL_MAX_AGE[] =
    "SELECT " RULE_SYSTEM_COLUMNS ", la.last" RULE_SYSTEM_FROM LAST_APPROVED RULE_SYSTEM_WHERE;

/* Per system: its last significant change, when it last began to process an information
 * asset, and the latest approved assessment. */
static const char SQL_AFTER_CHANGE[] =
    "SELECT " RULE_SYSTEM_COLUMNS ", s.last_significant_change,"
    " (SELECT MAX(si.linked_at) FROM system_information si WHERE si.system_id = s.id),"
    " la.last" RULE_SYSTEM_FROM LAST_APPROVED RULE_SYSTEM_WHERE;

static const char SQL_MEASURES[] =
    "SELECT " RULE_RISK_MEASURE_COLUMNS
    ", m.status, m.due" RULE_RISK_MEASURE_FROM RULE_RISK_MEASURE_WHERE
    " AND m.status <> 'cancelled'";

static const char SQL_PARTICIPATION[] =
    "SELECT " RULE_RISK_ASSESSMENT_COLUMNS
    ", COALESCE(io.absent, 0)" RULE_RISK_ASSESSMENT_FROM RULE_RISK_ASSESSMENT_WHERE
    " AND a.status IN ('in_progress', 'approved')";

/* The risks whose residual score (the inherent one while there is no residual rating) is above
 * the organisation's acceptance threshold, with their treatment, acceptance and measures. */
static const char SQL_TREATMENT[] =
    "SELECT " RULE_RISK_COLUMNS ", r.treatment, r.accepted_by, r.acceptance_expires,"
    " (SELECT COUNT(*) FROM risk_measure m WHERE m.risk_id = r.id AND m.status <> "
    "'cancelled')" RULE_RISK_FROM
    " LEFT JOIN risk_matrix rm ON rm.organisation_id = r.organisation_id" RULE_RISK_WHERE
    " AND CASE WHEN r.residual_likelihood IS NOT NULL AND r.residual_consequence IS NOT NULL"
    " THEN r.residual_likelihood * r.residual_consequence"
    " ELSE r.inherent_likelihood * r.inherent_consequence END"
    " > COALESCE(rm.acceptance_threshold, :default_threshold)";

/* The date part of a date or a timestamp, or NULL. */
static int eval_max_age(struct rule_ctx *ctx)
{
    return rule_run_max_age(ctx, SQL_MAX_AGE, RULE_COL);
}

static int eval_after_change(struct rule_ctx *ctx)
{
    struct period deadline, warn;
    struct db_stmt *st;
    int rc = rule_period(ctx, "deadline", &deadline);
    if (!rc)
        rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = rule_prepare(ctx, SQL_AFTER_CHANGE, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        char changed[11], linked[11], assessed[11], due[11];
        const char *c = rule_date_of(db_col_text(st, RULE_COL), changed);
        const char *l = rule_date_of(db_col_text(st, RULE_COL + 1), linked);
        const char *a = rule_date_of(db_col_text(st, RULE_COL + 2), assessed);
        const char *trigger = !c ? l : !l ? c : strcmp(c, l) >= 0 ? c : l;
        if (!trigger || (a && strcmp(a, trigger) >= 0))
            rc = rule_emit(ctx, st, FINDING_OK, NULL);
        else if (!(rc = period_add(trigger, deadline, due)))
            rc = rule_emit(ctx, st, rule_status_by_due(ctx, due, warn), due);
        if (rc)
            break;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int eval_measures(struct rule_ctx *ctx)
{
    struct period warn;
    struct db_stmt *st;
    int rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = rule_prepare(ctx, SQL_MEASURES, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        char due[11];
        const char *d = rule_date_of(db_col_text(st, RULE_COL + 1), due);
        if (strcmp(db_col_text(st, RULE_COL), "done") == 0 || !d)
            rc = rule_emit(ctx, st, d ? FINDING_OK : FINDING_MISSING, NULL);
        else
            rc = rule_emit(ctx, st, rule_status_by_due(ctx, d, warn), d);
        if (rc)
            break;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int eval_participation(struct rule_ctx *ctx)
{
    struct db_stmt *st;
    int rc = rule_prepare(ctx, SQL_PARTICIPATION, &st);
    if (rc)
        return rc;
    while (
        (rc = db_step(st)) == DB_ROW &&
        !(rc = rule_emit(ctx, st, db_col_int(st, RULE_COL) ? FINDING_MISSING : FINDING_OK, NULL)))
        ;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int eval_treatment(struct rule_ctx *ctx)
{
    struct period warn;
    struct db_stmt *st;
    int rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = rule_prepare(ctx, SQL_TREATMENT, &st);
    if (rc)
        return rc;
    /* an organisation without a matrix of its own has the default's threshold */
    json_t *fallback = risk_matrix_default();
    rc = fallback
             ? db_bind_int(st, ":default_threshold",
                           json_integer_value(json_object_get(fallback, "acceptance_threshold")))
             : ERR_NOMEM;
    json_decref(fallback);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        const char *treatment = db_col_text(st, RULE_COL);
        char expires[11];
        const char *e = rule_date_of(db_col_text(st, RULE_COL + 2), expires);
        if (!treatment)
            rc = rule_emit(ctx, st, FINDING_MISSING, NULL);
        else if (strcmp(treatment, "accept") == 0)
            rc = db_col_is_null(st, RULE_COL + 1) || !e
                     ? rule_emit(ctx, st, FINDING_MISSING, NULL)
                     : rule_emit(ctx, st, rule_status_by_due(ctx, e, warn), e);
        else if (strcmp(treatment, "reduce") == 0)
            rc = rule_emit(ctx, st, db_col_int(st, RULE_COL + 3) ? FINDING_OK : FINDING_MISSING,
                           NULL);
        else /* avoid, transfer: the decision is the treatment */
            rc = rule_emit(ctx, st, FINDING_OK, NULL);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const struct param_spec WARN[] = {{"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec MAX_AGE[] = {
    {"max_age", PARAM_PERIOD, true, NULL}, {"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec AFTER_CHANGE[] = {
    {"deadline", PARAM_PERIOD, false, "P30D"}, {"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec NONE[] = {{NULL}};

static const struct rule_kind MAX_AGE_RULE = {"risk_assessment_max_age", "risk", SUBJECT_SYSTEM,
                                              MAX_AGE, eval_max_age};
static const struct rule_kind AFTER_CHANGE_RULE = {"risk_assessment_after_change", "risk",
                                                   SUBJECT_SYSTEM, AFTER_CHANGE, eval_after_change};
static const struct rule_kind MEASURES_RULE = {"risk_measures_done", "risk", SUBJECT_RISK_MEASURE,
                                               WARN, eval_measures};
static const struct rule_kind PARTICIPATION_RULE = {
    "risk_participation", "risk", SUBJECT_RISK_ASSESSMENT, NONE, eval_participation};
static const struct rule_kind TREATMENT_RULE = {"risk_treatment_documented", "risk", SUBJECT_RISK,
                                                WARN, eval_treatment};
const struct rule_kind *const risk_rule_kinds[] = {
    &MAX_AGE_RULE, &AFTER_CHANGE_RULE, &MEASURES_RULE, &PARTICIPATION_RULE, &TREATMENT_RULE, NULL};
