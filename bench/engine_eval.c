/* Evaluating the whole region's policies (bench/engine_eval.sh), next to a floor measured in
 * the same run: one SQL pass that reads the same tables the rules read. */
#include "core/arena.h"
#include "core/clock.h"
#include "db/db.h"
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 15

/* The floor: one pass over the rows the rules read, stepping every row and column out of
 * SQLite as the rules do (systems and information with their owners, components, links,
 * requirement rules, role holders, attestations, and the risk module's assessments,
 * participants, risks, measures and matrices; and access control's accounts, grants,
 * entitlements, requests, reviewed systems and review items, and the people's employment end,
 * role change and manager, each row once: any evaluation of the access rules must at least
 * step through them). */
static const char *const FLOOR_SQL[] = {
    "SELECT s.organisation_id, s.external_id, s.name, s.owner_id, po.user_id, po.disabled,"
    " po.employment_end, s.administrator_id, pa.user_id, s.mfa_enforced, s.level_k, s.level_r,"
    " s.level_t, s.personal_level, s.lifecycle FROM system s JOIN person po ON po.id = s.owner_id"
    " LEFT JOIN person pa ON pa.id = s.administrator_id",
    "SELECT i.organisation_id, i.external_id, i.name, i.owner_id, po.user_id, po.disabled,"
    " po.employment_end, i.classified_at FROM information i JOIN person po ON po.id = i.owner_id",
    "SELECT system_id, kind, version, licence_count, licence_expiry, end_of_support"
    " FROM component",
    "SELECT system_id, information_id FROM system_information",
    "SELECT organisation_id, aspect, min_level, code, applies_to_planned FROM requirement_rule",
    "SELECT ra.organisation_id, ra.role, p.id, p.user_id FROM role_assignment ra"
    " JOIN person p ON p.id = ra.person_id",
    "SELECT organisation_id, obligation, attested_at FROM attestation",
    "SELECT a.id, a.organisation_id, a.title, a.status, a.assessed_on, ras.system_id"
    " FROM risk_assessment a JOIN risk_assessment_system ras ON ras.assessment_id = a.id",
    "SELECT assessment_id, person_id, capacity, participated_at FROM risk_participant",
    "SELECT r.id, r.organisation_id, r.title, r.inherent_likelihood, r.inherent_consequence,"
    " r.residual_likelihood, r.residual_consequence, r.treatment, r.accepted_by,"
    " r.acceptance_expires, p.user_id FROM risk r JOIN person p ON p.id = r.owner_id",
    "SELECT m.id, m.risk_id, m.title, m.due, m.status, m.done_on, p.user_id"
    " FROM risk_measure m JOIN person p ON p.id = m.owner_id",
    "SELECT organisation_id, acceptance_threshold, bands FROM risk_matrix",
    /* FLOOR_ACCESS: from here on, access control's rows */
    "SELECT id, organisation_id, user_id, name, employment_end, role_changed_at, manager_id"
    " FROM person",
    "SELECT id, organisation_id, system_id, username, person_id, shared, privileged, mfa_enrolled,"
    " last_login, status, exception_until, exception_approved_at FROM account",
    "SELECT id, account_id, entitlement_id, system_id, organisation_id, granted_at, request_id,"
    " source, revoked_at FROM access_grant",
    "SELECT id, system_id, name, privileged FROM entitlement",
    "SELECT id, organisation_id, system_id, status, decided_by, decided_at, created_at"
    " FROM access_request",
    "SELECT review_id, system_id, completed_at FROM access_review_system",
    "SELECT grant_id, decision, decided_at FROM access_review_item",
};

#define FLOOR_N      (sizeof(FLOOR_SQL) / sizeof(FLOOR_SQL[0]))
#define FLOOR_ACCESS 12 /* FLOOR_SQL's first query over access control's rows */

/* Step FLOOR_SQL[from] up to [to]. */
static size_t floor_pass(struct db *db, size_t from, size_t to)
{
    size_t bytes = 0;
    for (size_t q = from; q < to; q++) {
        struct db_stmt *st;
        if (db_prepare(db, FLOOR_SQL[q], &st) != 0)
            exit(1);
        while (db_step(st) == DB_ROW)
            for (int c = 0; c < db_col_count(st); c++) {
                const char *t = db_col_text(st, c);
                bytes += t ? strlen(t) : 0;
            }
        db_finalize(st);
    }
    return bytes;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    char msg[512];
    struct db *db;
    if (argc != 2 || db_open(argv[1], 0, &db, msg, sizeof(msg)) != 0) {
        fprintf(stderr, "usage: engine_eval DB (%s)\n", argc == 2 ? msg : "");
        return 2;
    }
    double eval[RUNS], floor_ms[RUNS], access_ms[RUNS];
    size_t findings = 0;
    for (int i = 0; i < RUNS; i++) {
        double t0 = now_ms();
        if (floor_pass(db, 0, FLOOR_ACCESS) == 0)
            return 1;
        double t1 = now_ms();
        (void)floor_pass(db, FLOOR_ACCESS, FLOOR_N); /* empty without access data */
        floor_ms[i] = now_ms() - t0;
        access_ms[i] = now_ms() - t1;

        struct arena a;
        arena_init(&a);
        struct finding_set set = {.arena = &a};
        t0 = now_ms();
        if (engine_evaluate(db, clock_now(), 0, &set, msg, sizeof(msg)) != 0) {
            fprintf(stderr, "%s\n", msg);
            return 1;
        }
        eval[i] = now_ms() - t0;
        findings = set.n;
        arena_release(&a);
    }
    qsort(eval, RUNS, sizeof(double), cmp);
    qsort(floor_ms, RUNS, sizeof(double), cmp);
    qsort(access_ms, RUNS, sizeof(double), cmp);
    printf("findings: %zu\n", findings);
    printf("evaluate: median %.1f ms (min %.1f, max %.1f) over %d runs\n", eval[RUNS / 2], eval[0],
           eval[RUNS - 1], RUNS);
    printf("floor:    median %.1f ms (min %.1f, max %.1f)\n", floor_ms[RUNS / 2], floor_ms[0],
           floor_ms[RUNS - 1]);
    printf("  of which access rows: median %.1f ms\n", access_ms[RUNS / 2]);
    printf("ratio:    %.1f x the floor\n", eval[RUNS / 2] / floor_ms[RUNS / 2]);
    db_close(db);
    return 0;
}
