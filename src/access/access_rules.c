/* Access control's rule kinds for the policy engine: unique identities, MFA for privileged
 * accounts, periodic reviews and reviews after role changes, offboarding, approved requests
 * and least privilege. Each is a set-based query that returns only what fails (one finding per
 * account, person or grant) and the organisations where nothing did get one ok finding, so that
 * a region's 500 000 grants give findings in proportion to what is wrong, not to its size. */
#include "engine/rule.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* col's organisation holds the profile and is evaluated. Written "+col" where the rule reads
 * its rows through a narrower index than the organisation's (the unary plus keeps the planner
 * off access_grant_organisation; it is plain SQL on PostgreSQL too). */
#define IN_PROFILE(col)                                                                            \
    " " col                                                                                        \
    " IN (SELECT organisation_id FROM organisation_profile WHERE profile_id = :profile_id)"        \
    " AND (:org = 0 OR " col " = :org)"

#define GRANT_IN_PROFILE IN_PROFILE("+g.organisation_id")

/* The organisations in scope, and whether Värn knows any account of theirs. */
static const char SQL_ORGS[] =
    "SELECT o.id, o.code, o.name, NULL, NULL, NULL, NULL,"
    " CASE WHEN EXISTS (SELECT 1 FROM account a WHERE a.organisation_id = o.id) THEN 1 ELSE 0 END"
    " FROM organisation o WHERE" IN_PROFILE("o.id");

/* Per system, the owner of the information it processes who answers for its access: the one
 * in the system's organisation first, then the one with the highest level (docs/access.md).
 * Only for the systems where (a condition on si.system_id or s, which keeps or drops a
 * system's rows all together, so the ranking within a system is the same): ranking all of a
 * region's systems for the few a rule reports cost every rule that used it ~15 ms. */
#define SYSTEM_IO(where)                                                                           \
    "sys_io(system_id, owner_id) AS (SELECT system_id, owner_id FROM (SELECT si.system_id,"        \
    " i.owner_id, ROW_NUMBER() OVER (PARTITION BY si.system_id ORDER BY"                           \
    " CASE WHEN i.organisation_id = s.organisation_id THEN 0 ELSE 1 END,"                          \
    " CASE WHEN i.k >= i.r AND i.k >= i.t THEN i.k WHEN i.r >= i.t THEN i.r ELSE i.t END DESC,"    \
    " i.id) AS rn FROM system_information si JOIN information i ON i.id = si.information_id"       \
    " JOIN system s ON s.id = si.system_id WHERE " where ") x WHERE rn = 1)"

/* An account: in its organisation, "username i System"; the system's owner (system_owner) in
 * columns 3 and 4, its administrator (system_administrator) in 5 and 6. */
#define ACCOUNT_COLUMNS                                                                            \
    "a.organisation_id, CAST(a.id AS TEXT), a.username || ' i ' || s.name, s.owner_id,"            \
    " po.user_id, s.administrator_id, pa.user_id"
#define ACCOUNT_FROM                                                                               \
    " FROM account a JOIN system s ON s.id = a.system_id JOIN person po ON po.id = s.owner_id"     \
    " LEFT JOIN person pa ON pa.id = s.administrator_id"

/* A person, by user id: their manager (manager) in columns 3 and 4. */
#define PERSON_COLUMNS "p.organisation_id, p.user_id, p.name, p.manager_id, pm.user_id, NULL, NULL"
#define PERSON_FROM    " FROM person p LEFT JOIN person pm ON pm.id = p.manager_id"

/* Whether the person holds an active grant. */
#define HOLDS_GRANTS                                                                               \
    " EXISTS (SELECT 1 FROM account a JOIN access_grant g ON g.account_id = a.id"                  \
    " WHERE a.person_id = p.id AND g.revoked_at IS NULL)"

/* The grants of the materialised set t (id, organisation_id, account_id, entitlement_id,
 * system_id, ...): in their organisation, "username: entitlement i System"; the information
 * owner who answers for the system (information_owner; else its owner) in columns 3 and 4,
 * the account holder's manager (manager) in 5 and 6, then extra. Found first and joined to
 * names and people after, so that only the grants that fail pay for the joins. */
#define GRANT_SELECT(t, extra)                                                                     \
    " SELECT " t ".organisation_id, CAST(" t ".id AS TEXT),"                                       \
    " a.username || ': ' || e.name || ' i ' || s.name, pio.id, pio.user_id, pm.id,"                \
    " pm.user_id" extra " FROM " t " JOIN account a ON a.id = " t ".account_id"                    \
    " JOIN entitlement e ON e.id = " t ".entitlement_id JOIN system s ON s.id = " t ".system_id"   \
    " LEFT JOIN sys_io ON sys_io.system_id = " t ".system_id"                                      \
    " LEFT JOIN person pio ON pio.id = COALESCE(sys_io.owner_id, s.owner_id)"                      \
    " LEFT JOIN person ap ON ap.id = a.person_id LEFT JOIN person pm ON pm.id = ap.manager_id"

/* ITC-ATK-1: active accounts tied to no person and not shared; shared ones and their
 * exceptions. */
static const char SQL_IDENTITY[] =
    "SELECT " ACCOUNT_COLUMNS ", a.shared, a.exception_approved_at, a.exception_until" ACCOUNT_FROM
    " WHERE" IN_PROFILE("a.organisation_id") " AND a.status = 'active'"
                                             " AND (a.shared = 1 OR a.person_id IS NULL)";

/* The systems whose levels call for MFA (the kravlista's rule, as mfa_enforced reads it). */
#define MFA_SYSTEMS                                                                                \
    "WITH RECURSIVE up(org_id, anc_id) AS (SELECT id, id FROM organisation"                        \
    " UNION SELECT up.org_id, o.parent_id FROM up JOIN organisation o ON o.id = up.anc_id"         \
    " WHERE o.parent_id IS NOT NULL),"                                                             \
    " need(org_id, aspect, min_level, applies_to_planned) AS ("                                    \
    " SELECT up.org_id, rr.aspect, rr.min_level, rr.applies_to_planned FROM up"                    \
    " JOIN requirement_rule rr ON rr.organisation_id = up.anc_id WHERE rr.code = :requirement"     \
    " UNION SELECT o.id, rr.aspect, rr.min_level, rr.applies_to_planned FROM organisation o"       \
    " JOIN requirement_rule rr ON rr.organisation_id IS NULL WHERE rr.code = :requirement),"       \
    " mfa_sys(id) AS (SELECT DISTINCT s.id FROM system s JOIN need n"                              \
    " ON n.org_id = s.organisation_id" RULE_SYSTEM_WHERE                                           \
    " AND (s.lifecycle <> 'planned' OR n.applies_to_planned = 1)"                                  \
    " AND ((n.aspect = 'k' AND s.level_k >= n.min_level)"                                          \
    " OR (n.aspect = 'r' AND s.level_r >= n.min_level)"                                            \
    " OR (n.aspect = 't' AND s.level_t >= n.min_level)"                                            \
    " OR (n.aspect = 'personal_data' AND s.personal_level >= n.min_level)))"

static const char SQL_MFA_SYSTEMS[] =
    MFA_SYSTEMS " SELECT " RULE_SYSTEM_COLUMNS ", s.mfa_enforced" RULE_SYSTEM_FROM
                " WHERE s.id IN (SELECT id FROM mfa_sys)";

/* The privileged accounts (the account, or a privileged entitlement it holds) without MFA on
 * those systems that do not enforce it; in the system's organisation, whose obligation it is.
 * CROSS JOIN keeps SQLite's join order (systems, their entitlements, then their grants): left
 * to itself it walked all 500 000 grants of a region to find a few hundred (same rows on
 * PostgreSQL, where CROSS JOIN ... ON is an inner join). */
static const char SQL_MFA_ACCOUNTS[] =
    MFA_SYSTEMS ", nofa AS (SELECT s.id FROM system s WHERE s.id IN (SELECT id FROM mfa_sys)"
                " AND s.mfa_enforced = 0),"
                " bad AS MATERIALIZED (SELECT a.id FROM nofa JOIN account a"
                " ON a.system_id = nofa.id AND a.privileged = 1"
                " WHERE a.status = 'active' AND a.mfa_enrolled = 0"
                " UNION SELECT a.id FROM nofa CROSS JOIN entitlement e ON e.system_id = nofa.id"
                " CROSS JOIN access_grant g ON g.entitlement_id = e.id AND g.revoked_at IS NULL"
                " JOIN account a ON a.id = g.account_id WHERE e.privileged = 1"
                " AND a.status = 'active' AND a.mfa_enrolled = 0)"
                " SELECT s.organisation_id, CAST(a.id AS TEXT), a.username || ' i ' || s.name,"
                " s.owner_id, po.user_id, s.administrator_id, pa.user_id" ACCOUNT_FROM
                " WHERE a.id IN (SELECT id FROM bad)";

/* ITC-ATK-5, ITC-ANS-8: per system with active grants, the last completed review of it and
 * the information owner who answers for its access (column RULE_COL). */
static const char SQL_REVIEW_AGE[] = "WITH " SYSTEM_IO(IN_PROFILE(
    "s.organisation_id")) " SELECT " RULE_SYSTEM_COLUMNS ", pio.id,"
                          " pio.user_id,"
                          " (SELECT MAX(rs.completed_at) FROM access_review_system rs WHERE "
                          "rs.system_id = "
                          "s.id)" RULE_SYSTEM_FROM " LEFT JOIN sys_io ON sys_io.system_id = s.id"
                          " LEFT JOIN person pio ON pio.id = COALESCE(sys_io.owner_id, "
                          "s.owner_id)" RULE_SYSTEM_WHERE
                          " AND EXISTS (SELECT 1 FROM access_grant g WHERE g.system_id = s.id"
                          " AND g.revoked_at IS NULL)";

/* ITC-ATK-6: people whose role changed after an active grant was given and before any review
 * decided it. */
static const char SQL_ROLE_CHANGE[] =
    "SELECT " PERSON_COLUMNS ", p.role_changed_at" PERSON_FROM
    " WHERE" IN_PROFILE("p.organisation_id") " AND p.role_changed_at IS NOT NULL"
                                             " AND EXISTS (SELECT 1 FROM account a JOIN "
                                             "access_grant g ON g.account_id = a.id"
                                             " WHERE a.person_id = p.id AND g.revoked_at IS NULL "
                                             "AND g.granted_at < p.role_changed_at"
                                             " AND NOT EXISTS (SELECT 1 FROM access_review_item it "
                                             "WHERE it.grant_id = g.id"
                                             " AND it.decided_at >= p.role_changed_at))";

/* ITC-ATK-9: people with active grants whose employment ends by :horizon (today + notice). */
static const char SQL_OFFBOARDING[] =
    "SELECT " PERSON_COLUMNS ", p.employment_end" PERSON_FROM
    " WHERE" IN_PROFILE("p.organisation_id") " AND p.employment_end IS NOT NULL"
                                             " AND p.employment_end <= :horizon AND" HOLDS_GRANTS;

/* ... and accounts used after their person's last day (the date is compared in C). */
static const char SQL_LATE_LOGIN[] =
    "SELECT p.organisation_id, CAST(a.id AS TEXT),"
    " a.username || ' i ' || s.name || ': inloggning efter anställningens slut',"
    " p.manager_id, pm.user_id, NULL, NULL, p.employment_end, a.last_login"
    " FROM account a JOIN person p ON p.id = a.person_id JOIN system s ON s.id = a.system_id"
    " LEFT JOIN person pm ON pm.id = p.manager_id"
    " WHERE" IN_PROFILE("p.organisation_id") " AND p.employment_end IS NOT NULL"
                                             " AND a.last_login > p.employment_end";

/* ITC-ANS-17: active grants that came from a request that was not approved. Only an owner of
 * information the system processes can approve one (the workflow refuses anyone else), so the
 * decision is judged when it is made, not again against today's owners: a new owner would
 * otherwise undo every approval of the one before. */
static const char SQL_UNAPPROVED[] =
    "WITH bad AS MATERIALIZED (SELECT g.id, g.organisation_id, g.account_id,"
    " g.entitlement_id, g.system_id FROM access_grant g"
    " LEFT JOIN access_request r ON r.id = g.request_id"
    " WHERE g.source = 'request' AND g.revoked_at IS NULL"
    " AND (r.id IS NULL OR r.status NOT IN ('approved', 'provisioned') OR r.decided_by IS NULL)"
    " AND" GRANT_IN_PROFILE "), " SYSTEM_IO("si.system_id IN (SELECT system_id FROM bad)")
        GRANT_SELECT("bad", "");

/* ... and per system, its oldest request still waiting for a decision. */
static const char SQL_PENDING[] =
    "WITH " SYSTEM_IO("si.system_id IN (SELECT system_id FROM access_request"
                      " WHERE status = 'pending')") " SELECT s.organisation_id, s.external_id, "
                                                    "s.name, pio.id, pio.user_id,"
                                                    " NULL, NULL, pr.oldest FROM (SELECT "
                                                    "system_id, MIN(created_at) AS oldest"
                                                    " FROM access_request WHERE status = 'pending' "
                                                    "GROUP BY system_id) pr"
                                                    " JOIN system s ON s.id = pr.system_id LEFT "
                                                    "JOIN sys_io ON sys_io.system_id = s.id"
                                                    " LEFT JOIN person pio ON pio.id = "
                                                    "COALESCE(sys_io.owner_id, s.owner_id)"
                                                    " WHERE" IN_PROFILE("s.organisation_id");

/* ITC-ATK-3, OST-POL-8: active grants of privileged entitlements, with when they were last
 * justified: an approved request, or a review that kept them. Only those justified before
 * :cutoff (today + warn - max_age, a few days early for month ends) are joined: in a region
 * most privileged grants are in order. The grants are reached from the privileged
 * entitlements (CROSS JOIN fixes that order in SQLite), not the other way round: scanning
 * every active grant for its entitlement cost a region 250 ms. */
static const char SQL_PRIVILEGE[] =
    "WITH pg AS MATERIALIZED (SELECT g.id, g.organisation_id, g.account_id,"
    " g.entitlement_id, g.system_id, r.decided_at AS approved,"
    " (SELECT MAX(it.decided_at) FROM access_review_item it WHERE it.grant_id = g.id"
    " AND it.decision = 'keep') AS kept FROM entitlement e"
    " CROSS JOIN access_grant g ON g.entitlement_id = e.id AND g.revoked_at IS NULL"
    " LEFT JOIN access_request r ON r.id = g.request_id AND r.status IN ('approved', 'provisioned')"
    " WHERE e.privileged = 1 AND" GRANT_IN_PROFILE
    "), " SYSTEM_IO("si.system_id IN (SELECT"
                    " system_id FROM pg WHERE (approved IS NULL OR approved < :cutoff)"
                    " AND (kept IS NULL OR kept < :cutoff))")
        GRANT_SELECT(
            "pg", ", pg.approved, pg.kept") " WHERE (pg.approved IS NULL OR pg.approved < :cutoff)"
                                            " AND (pg.kept IS NULL OR pg.kept < :cutoff)";

/* The organisations that got a finding that is not ok: they get no ok finding of their own. */
struct failed {
    int64_t *ids;
    size_t n, cap;
};

static void failed_add(struct failed *f, int64_t id)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->ids[i] == id)
            return;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->ids = xrealloc(f->ids, f->cap * sizeof(*f->ids));
    }
    f->ids[f->n++] = id;
}

static bool failed_has(const struct failed *f, int64_t id)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->ids[i] == id)
            return true;
    return false;
}

/* Emit the row's finding and remember its organisation. */
static int emit(struct rule_ctx *ctx, struct db_stmt *st, struct failed *f, enum subject_kind kind,
                enum finding_status status, const char *due)
{
    failed_add(f, db_col_int(st, 0));
    return rule_emit_as(ctx, st, kind, status, due);
}

/* One finding for each organisation in scope where nothing failed: ok, or not_tracked while
 * Värn has no account of it (nothing is known of its access, so nothing is met). */
static int ok_orgs(struct rule_ctx *ctx, const struct failed *f)
{
    struct db_stmt *st;
    int rc = rule_prepare(ctx, SQL_ORGS, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        if (!failed_has(f, db_col_int(st, 0)) &&
            (rc = rule_emit_as(ctx, st, SUBJECT_ORGANISATION,
                               db_col_int(st, RULE_COL) ? FINDING_OK : FINDING_NOT_TRACKED, NULL)))
            break;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* The date part of a date or a timestamp, or NULL. */
static int eval_identity(struct rule_ctx *ctx)
{
    struct period warn;
    struct failed f = {0};
    struct db_stmt *st;
    int rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = rule_prepare(ctx, SQL_IDENTITY, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        char until[11];
        const char *u = rule_date_of(db_col_text(st, RULE_COL + 2), until);
        bool valid = db_col_int(st, RULE_COL) && !db_col_is_null(st, RULE_COL + 1) && u &&
                     strcmp(u, ctx->today) >= 0;
        if (!valid)
            rc = emit(ctx, st, &f, SUBJECT_ACCOUNT, FINDING_MISSING, NULL);
        else if (rule_status_by_due(ctx, u, warn) == FINDING_DUE_SOON)
            rc = emit(ctx, st, &f, SUBJECT_ACCOUNT, FINDING_DUE_SOON, u);
        else
            rc = emit(ctx, st, &f, SUBJECT_ACCOUNT, FINDING_EXCEPTED, u);
        if (rc)
            break;
    }
    db_finalize(st);
    if (rc >= 0)
        rc = ok_orgs(ctx, &f);
    free(f.ids);
    return rc < 0 ? rc : 0;
}

static int eval_privileged_mfa(struct rule_ctx *ctx)
{
    const char *requirement = rule_string(ctx, "requirement");
    struct db_stmt *st;
    int rc = rule_prepare(ctx, SQL_MFA_SYSTEMS, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":requirement", requirement);
    while (!rc && (rc = db_step(st)) == DB_ROW)
        rc = rule_emit(ctx, st, db_col_int(st, RULE_COL) ? FINDING_OK : FINDING_MISSING, NULL);
    db_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = rule_prepare(ctx, SQL_MFA_ACCOUNTS, &st)))
        return rc;
    rc = db_bind_text(st, ":requirement", requirement);
    while (!rc && (rc = db_step(st)) == DB_ROW)
        rc = rule_emit_as(ctx, st, SUBJECT_ACCOUNT, FINDING_MISSING, NULL);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int eval_review_age(struct rule_ctx *ctx)
{
    return rule_run_max_age(ctx, SQL_REVIEW_AGE, RULE_COL + 2);
}

static int eval_role_change(struct rule_ctx *ctx)
{
    struct period warn;
    struct failed f = {0};
    struct db_stmt *st;
    int rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = rule_prepare(ctx, SQL_ROLE_CHANGE, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        char changed[11], due[11];
        if (!rule_date_of(db_col_text(st, RULE_COL), changed))
            continue;
        /* warn is the time to have the access reviewed: due then, due_soon until */
        rc = period_add(changed, warn, due);
        if (!rc)
            rc = emit(ctx, st, &f, SUBJECT_PERSON,
                      strcmp(due, ctx->today) < 0 ? FINDING_OVERDUE : FINDING_DUE_SOON, due);
        if (rc)
            break;
    }
    db_finalize(st);
    if (rc >= 0)
        rc = ok_orgs(ctx, &f);
    free(f.ids);
    return rc < 0 ? rc : 0;
}

static int eval_offboarding(struct rule_ctx *ctx)
{
    struct period notice;
    struct failed f = {0};
    struct db_stmt *st;
    char horizon[11];
    int rc = rule_period(ctx, "notice", &notice);
    if (!rc)
        rc = period_add(ctx->today, notice, horizon);
    if (!rc)
        rc = rule_prepare(ctx, SQL_OFFBOARDING, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":horizon", horizon);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        char end[11];
        const char *e = rule_date_of(db_col_text(st, RULE_COL), end);
        /* the last day is the deadline: the grants must be gone once it has passed */
        rc = e ? emit(ctx, st, &f, SUBJECT_PERSON,
                      strcmp(e, ctx->today) < 0 ? FINDING_OVERDUE : FINDING_DUE_SOON, e)
               : 0;
    }
    db_finalize(st);
    if (rc < 0)
        goto done;
    if ((rc = rule_prepare(ctx, SQL_LATE_LOGIN, &st)))
        goto done;
    while ((rc = db_step(st)) == DB_ROW) {
        char end[11], login[11];
        const char *e = rule_date_of(db_col_text(st, RULE_COL), end);
        const char *l = rule_date_of(db_col_text(st, RULE_COL + 1), login);
        if (e && l && strcmp(l, e) > 0 &&
            (rc = emit(ctx, st, &f, SUBJECT_ACCOUNT, FINDING_OVERDUE, e)))
            break;
    }
    db_finalize(st);
    if (rc >= 0)
        rc = ok_orgs(ctx, &f);
done:
    free(f.ids);
    return rc < 0 ? rc : 0;
}

static int eval_request_approval(struct rule_ctx *ctx)
{
    struct period deadline, warn;
    struct failed f = {0};
    struct db_stmt *st;
    int rc = rule_period(ctx, "deadline", &deadline);
    if (!rc)
        rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = rule_prepare(ctx, SQL_UNAPPROVED, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW &&
           !(rc = emit(ctx, st, &f, SUBJECT_GRANT, FINDING_MISSING, NULL)))
        ;
    db_finalize(st);
    if (rc < 0 || (rc = rule_prepare(ctx, SQL_PENDING, &st)))
        goto done;
    while ((rc = db_step(st)) == DB_ROW) {
        char oldest[11], due[11];
        if (!rule_date_of(db_col_text(st, RULE_COL), oldest))
            continue;
        if ((rc = period_add(oldest, deadline, due)))
            break;
        enum finding_status s = rule_status_by_due(ctx, due, warn);
        if (s != FINDING_OK && (rc = emit(ctx, st, &f, SUBJECT_SYSTEM, s, due)))
            break;
    }
    db_finalize(st);
    if (rc >= 0)
        rc = ok_orgs(ctx, &f);
done:
    free(f.ids);
    return rc < 0 ? rc : 0;
}

static int eval_least_privilege(struct rule_ctx *ctx)
{
    struct period max_age, warn;
    struct failed f = {0};
    struct db_stmt *st;
    char horizon[11], cutoff[11];
    int rc = rule_period(ctx, "max_age", &max_age);
    if (!rc)
        rc = rule_period(ctx, "warn", &warn);
    if (!rc)
        rc = period_add(ctx->today, warn, horizon);
    if (!rc) { /* justified on or after the cutoff: due after the horizon, ok */
        struct period back = {-max_age.years, -max_age.months, 4 - max_age.days};
        rc = period_add(horizon, back, cutoff);
    }
    if (!rc)
        rc = rule_prepare(ctx, SQL_PRIVILEGE, &st);
    if (rc)
        return rc;
    if ((rc = db_bind_text(st, ":cutoff", cutoff))) {
        db_finalize(st);
        return rc;
    }
    while ((rc = db_step(st)) == DB_ROW) {
        char approved[11], kept[11], due[11];
        const char *a = rule_date_of(db_col_text(st, RULE_COL), approved);
        const char *k = rule_date_of(db_col_text(st, RULE_COL + 1), kept);
        const char *last = !a ? k : !k ? a : strcmp(a, k) >= 0 ? a : k;
        if (!last) {
            rc = emit(ctx, st, &f, SUBJECT_GRANT, FINDING_MISSING, NULL);
        } else if (!(rc = period_add(last, max_age, due))) {
            enum finding_status s = rule_status_by_due(ctx, due, warn);
            if (s != FINDING_OK)
                rc = emit(ctx, st, &f, SUBJECT_GRANT, s, due);
        }
        if (rc)
            break;
    }
    db_finalize(st);
    if (rc >= 0)
        rc = ok_orgs(ctx, &f);
    free(f.ids);
    return rc < 0 ? rc : 0;
}

static const struct param_spec WARN[] = {{"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec MAX_AGE[] = {
    {"max_age", PARAM_PERIOD, true, NULL}, {"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec PRIVILEGE[] = {
    {"max_age", PARAM_PERIOD, false, "P1Y"}, {"warn", PARAM_PERIOD, false, "P30D"}, {NULL}};
static const struct param_spec REQUESTS[] = {
    {"deadline", PARAM_PERIOD, false, "P14D"}, {"warn", PARAM_PERIOD, false, "P7D"}, {NULL}};
static const struct param_spec NOTICE[] = {{"notice", PARAM_PERIOD, true, NULL}, {NULL}};
static const struct param_spec REQUIREMENT[] = {{"requirement", PARAM_STRING, false, "mfa"},
                                                {NULL}};

static const struct rule_kind IDENTITY = {"access_unique_identity", "access", SUBJECT_ACCOUNT, WARN,
                                          eval_identity};
static const struct rule_kind PRIVILEGED_MFA = {"access_privileged_mfa", "access", SUBJECT_SYSTEM,
                                                REQUIREMENT, eval_privileged_mfa};
static const struct rule_kind REVIEW_AGE = {"access_review_max_age", "access", SUBJECT_SYSTEM,
                                            MAX_AGE, eval_review_age};
static const struct rule_kind ROLE_CHANGE = {"access_review_on_role_change", "access",
                                             SUBJECT_PERSON, WARN, eval_role_change};
static const struct rule_kind OFFBOARDING = {"access_offboarding", "access", SUBJECT_PERSON, NOTICE,
                                             eval_offboarding};
static const struct rule_kind REQUEST_APPROVAL = {"access_request_approval", "access",
                                                  SUBJECT_GRANT, REQUESTS, eval_request_approval};
static const struct rule_kind LEAST_PRIVILEGE = {"access_least_privilege", "access", SUBJECT_GRANT,
                                                 PRIVILEGE, eval_least_privilege};
const struct rule_kind *const access_rule_kinds[] = {
    &IDENTITY,    &PRIVILEGED_MFA,   &REVIEW_AGE,      &ROLE_CHANGE,
    &OFFBOARDING, &REQUEST_APPROVAL, &LEAST_PRIVILEGE, NULL};
