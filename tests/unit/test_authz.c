/* Unit tests for the caller's reach worked out in C (authz_reach): the same organisations as
 * AUTHZ_SCOPE_CTE for every caller and role mask on a tree with gaps, deep levels and a cycle,
 * and its ranges of consecutive ids. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "authz/authz.h"
#include "db/db.h"
#include "db/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int open_db(void **state)
{
    struct db *db = NULL;
    char err[256] = "";
    int applied = 0;
    if (db_open(":memory:", DB_OPEN_CREATE, &db, err, sizeof(err)) != 0 ||
        migrate_apply(db, varn_migrations, varn_migrations_count, "2026-11-22T08:00:00Z", &applied,
                      err, sizeof(err)) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    *state = db;
    return 0;
}

static int close_db(void **state)
{
    db_close(*state);
    return 0;
}

static void exec(struct db *db, const char *sql)
{
    assert_int_equal(db_exec(db, sql), 0);
}

/* A tree with ids out of order and gaps: 1 > 2 > 5 > 9 > 30, 1 > 3 > 40, 1 > 7, and 20 > 21 >
 * 22 > 20, a cycle apart from the rest; 50 is a root alone. */
static void make_tree(struct db *db)
{
    exec(db, "PRAGMA foreign_keys = OFF");
    exec(db, "DELETE FROM organisation");
    static const int64_t orgs[][2] = {{1, 0},  {2, 1},  {3, 1},   {5, 2},   {7, 1},   {9, 5},
                                      {30, 9}, {40, 3}, {20, 22}, {21, 20}, {22, 21}, {50, 0}};
    char sql[512], parent[24];
    for (size_t i = 0; i < sizeof(orgs) / sizeof(orgs[0]); i++) {
        long long id = (long long)orgs[i][0];
        if (orgs[i][1])
            snprintf(parent, sizeof(parent), "%lld", (long long)orgs[i][1]);
        else
            snprintf(parent, sizeof(parent), "NULL");
        snprintf(sql, sizeof(sql),
                 "INSERT INTO organisation (id, code, name, kind, parent_id, org_number,"
                 " created_at, updated_at) VALUES (%lld, 'O%lld', 'Org %lld', 'municipality',"
                 " %s, 'N%lld', 'now', 'now')",
                 id, id, id, parent, id);
        exec(db, sql);
    }
    /* People: 1 holds two roles in two places, 2 is disabled, 3 holds a role inside the
     * cycle, 4 holds nothing. Tokens: 1 at 2, 2 revoked at 1, 3 at 50. */
    exec(db, "INSERT INTO person (id, user_id, name, email, organisation_id, disabled, created_at,"
             " updated_at) VALUES (1, 'p1', 'P1', 'p1@x.se', 1, 0, 'now', 'now'),"
             " (2, 'p2', 'P2', 'p2@x.se', 1, 1, 'now', 'now'),"
             " (3, 'p3', 'P3', 'p3@x.se', 20, 0, 'now', 'now'),"
             " (4, 'p4', 'P4', 'p4@x.se', 1, 0, 'now', 'now')");
    exec(db, "INSERT INTO role_assignment (person_id, role, organisation_id, created_at) VALUES"
             " (1, 'ciso', 5, 'now'), (1, 'user', 3, 'now'), (1, 'ciso', 40, 'now'),"
             " (1, 'manager', 50, 'now'), (2, 'administrator', 1, 'now'), (3, 'dpo', 21, 'now')");
    exec(db,
         "INSERT INTO api_token (id, token_hash, name, organisation_id, role, created_at,"
         " created_by, revoked_at) VALUES (1, 'h1', 't1', 2, 'administrator', 'now', 'x', NULL),"
         " (2, 'h2', 't2', 1, 'administrator', 'now', 'x', 'now'),"
         " (3, 'h3', 't3', 50, 'security_officer', 'now', 'x', NULL)");
}

/* The CTE's answer, sorted, as a string "1,2,5". */
static void cte_reach(struct db *db, const struct caller *c, unsigned roles, char *out, size_t n)
{
    static const char sql[] = AUTHZ_SCOPE_CTE "SELECT org_id FROM scope ORDER BY org_id";
    struct db_stmt *st;
    size_t len = 0;
    out[0] = '\0';
    assert_int_equal(db_prepare(db, sql, &st), 0);
    assert_int_equal(authz_bind_scope(st, c, roles), 0);
    while (db_step(st) == DB_ROW)
        len += (size_t)snprintf(out + len, n - len, "%s%lld", len ? "," : "",
                                (long long)db_col_int(st, 0));
    db_finalize(st);
}

static void c_reach(struct db *db, const struct caller *c, unsigned roles, char *out, size_t n)
{
    struct authz_reach r;
    size_t len = 0;
    out[0] = '\0';
    assert_int_equal(authz_reach(db, c, roles, &r), 0);
    for (size_t i = 0; i < r.n; i++) {
        assert_true(authz_reach_has(&r, r.ids[i]));
        len += (size_t)snprintf(out + len, n - len, "%s%lld", len ? "," : "", (long long)r.ids[i]);
    }
    authz_reach_release(&r);
}

static void the_same_as_the_cte_for_every_caller(void **state)
{
    struct db *db = *state;
    make_tree(db);
    static const unsigned masks[] = {0,         ROLE_ADMINISTRATOR,    ROLE_CISO,
                                     ROLE_USER, ROLE_CISO | ROLE_USER, ROLE_MANAGER,
                                     ROLE_DPO,  ROLE_SECURITY_OFFICER, (1u << ROLE_COUNT) - 1};
    int nonempty = 0;
    for (int kind = 0; kind < 2; kind++) {
        for (int64_t id = 0; id <= 5; id++) {
            struct caller c = {.kind = kind ? CALLER_TOKEN : CALLER_SESSION};
            if (kind)
                c.token_id = id;
            else
                c.person_id = id;
            for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
                char want[256], got[256];
                cte_reach(db, &c, masks[m], want, sizeof(want));
                c_reach(db, &c, masks[m], got, sizeof(got));
                assert_string_equal(got, want);
                nonempty += want[0] != '\0';
            }
        }
    }
    assert_true(nonempty > 5);
    /* Spelled out for a few: */
    char got[256];
    struct caller p1 = {.kind = CALLER_SESSION, .person_id = 1};
    c_reach(db, &p1, ROLE_CISO | ROLE_USER, got, sizeof(got));
    assert_string_equal(got, "3,5,9,30,40");
    c_reach(db, &p1, ROLE_MANAGER, got, sizeof(got));
    assert_string_equal(got, "50");
    struct caller p2 = {.kind = CALLER_SESSION, .person_id = 2};
    c_reach(db, &p2, ROLE_ADMINISTRATOR, got, sizeof(got)); /* disabled */
    assert_string_equal(got, "");
    struct caller p3 = {.kind = CALLER_SESSION, .person_id = 3};
    c_reach(db, &p3, ROLE_DPO, got, sizeof(got)); /* the cycle ends */
    assert_string_equal(got, "20,21,22");
    struct caller t1 = {.kind = CALLER_TOKEN, .token_id = 1};
    c_reach(db, &t1, ROLE_ADMINISTRATOR, got, sizeof(got));
    assert_string_equal(got, "2,5,9,30");
    struct caller t2 = {.kind = CALLER_TOKEN, .token_id = 2};
    c_reach(db, &t2, ROLE_ADMINISTRATOR, got, sizeof(got)); /* revoked */
    assert_string_equal(got, "");
    struct caller anon = {.kind = CALLER_ANONYMOUS};
    c_reach(db, &anon, (1u << ROLE_COUNT) - 1, got, sizeof(got));
    assert_string_equal(got, "");
}

static void ranges_of_consecutive_ids(void **state)
{
    (void)state;
    int64_t ids[] = {1, 2, 3, 5, 9, 10, 30};
    struct authz_reach r = {.n = 7, .ids = ids};
    int64_t ranges[4][2];
    assert_int_equal(authz_reach_ranges(&r, ranges, 4), 4);
    assert_int_equal(ranges[0][0], 1);
    assert_int_equal(ranges[0][1], 3);
    assert_int_equal(ranges[1][0], 5);
    assert_int_equal(ranges[1][1], 5);
    assert_int_equal(ranges[2][0], 9);
    assert_int_equal(ranges[2][1], 10);
    assert_int_equal(ranges[3][0], 30);
    assert_int_equal(ranges[3][1], 30);
    /* Too many: counted, and only max written. */
    ranges[2][0] = ranges[2][1] = -1;
    assert_int_equal(authz_reach_ranges(&r, ranges, 2), 4);
    assert_int_equal(ranges[1][0], 5);
    assert_int_equal(ranges[1][1], 5);
    assert_int_equal(ranges[2][0], -1);
    struct authz_reach none = {0};
    assert_int_equal(authz_reach_ranges(&none, ranges, 4), 0);
    assert_false(authz_reach_has(&none, 1));
    assert_true(authz_reach_has(&r, 10));
    assert_false(authz_reach_has(&r, 4));
    assert_false(authz_reach_has(&r, 31));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_same_as_the_cte_for_every_caller, open_db, close_db),
        cmocka_unit_test(ranges_of_consecutive_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
