/* Classification's rule kinds for the policy engine: information has an owner who is still
 * here and a classification reviewed in time; systems process classified information; MFA is
 * enforced where the levels require it. Each is one query over all subjects in scope; its SQL
 * is here, beside the rule it serves. */
#include "engine/rule.h"
#include "core/err.h"
#include "db/db.h"

static const char SQL_INFO_OWNER[] =
    "SELECT " RULE_INFORMATION_COLUMNS
    ", po.disabled, po.employment_end" RULE_INFORMATION_FROM RULE_INFORMATION_WHERE;

static const char SQL_CURRENT[] = "SELECT " RULE_INFORMATION_COLUMNS
                                  ", i.classified_at" RULE_INFORMATION_FROM RULE_INFORMATION_WHERE;

static const char SQL_CLASSIFIED[] =
    "SELECT " RULE_SYSTEM_COLUMNS ","
    " (SELECT COUNT(*) FROM system_information si WHERE si.system_id = s.id)" RULE_SYSTEM_FROM
        RULE_SYSTEM_WHERE;

/* The systems whose levels call for the requirement (the kravlista's rule: the defaults and
 * the rules of the system's organisation and those above it), and whether MFA is enforced. */
static const char SQL_MFA[] =
    "WITH RECURSIVE up(org_id, anc_id) AS (SELECT id, id FROM organisation"
    " UNION SELECT up.org_id, o.parent_id FROM up JOIN organisation o ON o.id = up.anc_id"
    " WHERE o.parent_id IS NOT NULL),"
    /* The requirement's thresholds per organisation: its own, its ancestors' and the defaults;
     * computed once instead of per system. */
    " need(org_id, aspect, min_level, applies_to_planned) AS ("
    " SELECT up.org_id, rr.aspect, rr.min_level, rr.applies_to_planned FROM up"
    " JOIN requirement_rule rr ON rr.organisation_id = up.anc_id WHERE rr.code = :requirement"
    " UNION SELECT o.id, rr.aspect, rr.min_level, rr.applies_to_planned FROM organisation o"
    " JOIN requirement_rule rr ON rr.organisation_id IS NULL WHERE rr.code = :requirement)"
    " SELECT DISTINCT " RULE_SYSTEM_COLUMNS ", s.mfa_enforced" RULE_SYSTEM_FROM
    " JOIN need n ON n.org_id = s.organisation_id" RULE_SYSTEM_WHERE
    " AND (s.lifecycle <> 'planned' OR n.applies_to_planned = 1)"
    " AND ((n.aspect = 'k' AND s.level_k >= n.min_level)"
    " OR (n.aspect = 'r' AND s.level_r >= n.min_level)"
    " OR (n.aspect = 't' AND s.level_t >= n.min_level)"
    " OR (n.aspect = 'personal_data' AND s.personal_level >= n.min_level))";

static int eval_info_owner(struct rule_ctx *ctx)
{
    return rule_run_person_active(ctx, SQL_INFO_OWNER);
}

static int eval_current(struct rule_ctx *ctx)
{
    return rule_run_max_age(ctx, SQL_CURRENT, RULE_COL);
}

static int eval_classified(struct rule_ctx *ctx)
{
    struct db_stmt *st;
    int rc = rule_prepare(ctx, SQL_CLASSIFIED, &st);
    if (rc)
        return rc;
    while (
        (rc = db_step(st)) == DB_ROW &&
        !(rc = rule_emit(ctx, st, db_col_int(st, RULE_COL) ? FINDING_OK : FINDING_MISSING, NULL)))
        ;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int eval_mfa(struct rule_ctx *ctx)
{
    struct db_stmt *st;
    int rc = rule_prepare(ctx, SQL_MFA, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":requirement", rule_string(ctx, "requirement"));
    while (!rc && (rc = db_step(st)) == DB_ROW)
        rc = rule_emit(ctx, st, db_col_int(st, RULE_COL) ? FINDING_OK : FINDING_MISSING, NULL);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const struct param_spec WARN[] = {{"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec MAX_AGE[] = {
    {"max_age", PARAM_PERIOD, false, "P1Y"}, {"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec REQUIREMENT[] = {{"requirement", PARAM_STRING, false, "mfa"},
                                                {NULL}};
static const struct param_spec NONE[] = {{NULL}};

static const struct rule_kind INFO_OWNER = {"information_owner_assigned", "classification",
                                            SUBJECT_INFORMATION, WARN, eval_info_owner};
static const struct rule_kind CURRENT = {"classification_current", "classification",
                                         SUBJECT_INFORMATION, MAX_AGE, eval_current};
static const struct rule_kind CLASSIFIED = {"system_classified", "classification", SUBJECT_SYSTEM,
                                            NONE, eval_classified};
static const struct rule_kind MFA = {"mfa_enforced", "classification", SUBJECT_SYSTEM, REQUIREMENT,
                                     eval_mfa};
const struct rule_kind *const classification_rule_kinds[] = {&INFO_OWNER, &CURRENT, &CLASSIFIED,
                                                             &MFA, NULL};
