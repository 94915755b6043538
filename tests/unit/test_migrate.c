/* Unit tests for schema migrations (src/db/migrate.c) on SQLite: order, atomicity, versions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW1 "2026-11-22T08:00:00Z"
#define NOW2 "2027-01-01T00:00:00Z"

static const struct migration m2 = {2, "0002_alpha.sql",
                                    "CREATE TABLE alpha (id INTEGER PRIMARY KEY, v TEXT);"};
static const struct migration m3 = {
    3, "0003_beta.sql",
    "CREATE TABLE beta (id INTEGER PRIMARY KEY);\nINSERT INTO beta (id) VALUES (1);"};
/* Two statements; the second does not even parse, so the first has already run when it fails. */
static const struct migration m3_broken = {
    3, "0003_broken.sql", "CREATE TABLE half (id INTEGER PRIMARY KEY);\nCREATE TABLE oops (;"};
static const struct migration m4 = {4, "0004_delta.sql", "CREATE TABLE delta (id INTEGER);"};

static int open_db(void **state)
{
    struct db *db = NULL;
    char err[256] = "";
    int rc = db_open(":memory:", DB_OPEN_CREATE, &db, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "db_open: %s\n", err);
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

static bool has_table(struct db *db, const char *name)
{
    bool exists = true;
    assert_int_equal(db_table_exists(db, name, &exists), 0);
    return exists;
}

static int64_t scalar(struct db *db, const char *sql)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_col_int(st, 0);
    db_finalize(st);
    return v;
}

/* Check that schema_migrations holds exactly versions 1..n with these names and times. */
static void expect_history(struct db *db, const struct migration *m, size_t n, const char **at)
{
    struct db_stmt *st;
    assert_int_equal(
        db_prepare(db, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
                   &st),
        0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(db_step(st), DB_ROW);
        assert_int_equal(db_col_int(st, 0), m[i].version);
        assert_string_equal(db_col_text(st, 1), m[i].name);
        assert_string_equal(db_col_text(st, 2), at[i]);
    }
    assert_int_equal(db_step(st), DB_DONE);
    db_finalize(st);
}

static void expect_state(struct db *db, const struct migration *m, size_t n, int64_t current,
                         int64_t latest)
{
    struct migrate_state s = {-1, -1};
    assert_int_equal(migrate_state(db, m, n, &s), 0);
    assert_int_equal(s.current, current);
    assert_int_equal(s.latest, latest);
}

static void test_state_of_empty_db(void **state)
{
    struct db *db = *state;
    const struct migration set[] = {varn_migrations[0], m2};
    expect_state(db, set, 2, 0, 2);
    expect_state(db, set, 0, 0, 0);
    /* It only reads: the bookkeeping table was not created. */
    assert_false(has_table(db, "schema_migrations"));
}

static void test_apply_to_empty(void **state)
{
    struct db *db = *state;
    const struct migration set[] = {varn_migrations[0], m2, m3};
    char msg[256] = "";
    int applied = -1;
    assert_int_equal(migrate_apply(db, set, 3, NOW1, &applied, msg, sizeof(msg)), 0);
    assert_int_equal(applied, 3);
    expect_state(db, set, 3, 3, 3);
    const char *at[] = {NOW1, NOW1, NOW1};
    expect_history(db, set, 3, at);
    assert_true(has_table(db, "alpha"));
    assert_true(has_table(db, "beta"));
    assert_int_equal(scalar(db, "SELECT count(*) FROM beta"), 1);
}

static void test_reapply_is_noop(void **state)
{
    struct db *db = *state;
    const struct migration set[] = {varn_migrations[0], m2, m3};
    char msg[256] = "";
    int applied = -1;
    assert_int_equal(migrate_apply(db, set, 3, NOW1, &applied, msg, sizeof(msg)), 0);
    assert_int_equal(applied, 3);
    /* m3 inserts a row with a fixed key: running it twice would fail or duplicate it. */
    applied = -1;
    assert_int_equal(migrate_apply(db, set, 3, NOW2, &applied, msg, sizeof(msg)), 0);
    assert_int_equal(applied, 0);
    const char *at[] = {NOW1, NOW1, NOW1};
    expect_history(db, set, 3, at);
    assert_int_equal(scalar(db, "SELECT count(*) FROM beta"), 1);
}

static void test_apply_incrementally(void **state)
{
    struct db *db = *state;
    const struct migration set[] = {varn_migrations[0], m2, m3, m4};
    char msg[256] = "";
    int applied = -1;
    assert_int_equal(migrate_apply(db, set, 2, NOW1, &applied, msg, sizeof(msg)), 0);
    assert_int_equal(applied, 2);
    assert_false(has_table(db, "beta"));
    assert_int_equal(migrate_apply(db, set, 4, NOW2, &applied, msg, sizeof(msg)), 0);
    assert_int_equal(applied, 2);
    expect_state(db, set, 4, 4, 4);
    const char *at[] = {NOW1, NOW1, NOW2, NOW2};
    expect_history(db, set, 4, at);
    assert_true(has_table(db, "delta"));
}

static void test_failure_rolls_back_that_migration(void **state)
{
    struct db *db = *state;
    const struct migration set[] = {varn_migrations[0], m2, m3_broken, m4};
    char msg[256] = "";
    int applied = -1;
    int rc = migrate_apply(db, set, 4, NOW1, &applied, msg, sizeof(msg));
    assert_int_equal(rc, ERR_DB);
    /* The ones before it stay applied. */
    assert_int_equal(applied, 2);
    assert_true(has_table(db, "alpha"));
    expect_state(db, set, 4, 2, 4);
    const char *at[] = {NOW1, NOW1};
    expect_history(db, set, 2, at);
    /* The failing one left nothing behind, not even its first statement; later ones never ran. */
    assert_false(has_table(db, "half"));
    assert_false(has_table(db, "oops"));
    assert_false(has_table(db, "delta"));
    /* The message names the file and the cause. */
    assert_non_null(strstr(msg, "0003_broken.sql"));
    assert_non_null(strstr(msg, "rolled back"));
    assert_non_null(strstr(msg, "syntax error"));
    /* The connection is usable and out of the transaction: a corrected set continues. */
    const struct migration fixed[] = {varn_migrations[0], m2, m3, m4};
    applied = -1;
    assert_int_equal(migrate_apply(db, fixed, 4, NOW2, &applied, msg, sizeof(msg)), 0);
    assert_int_equal(applied, 2);
    expect_state(db, fixed, 4, 4, 4);
    const char *at2[] = {NOW1, NOW1, NOW2, NOW2};
    expect_history(db, fixed, 4, at2);
}

static void test_runtime_failure_rolls_back_data(void **state)
{
    struct db *db = *state;
    /* Every statement parses; the third violates a constraint after two have changed data. */
    const struct migration bad = {3, "0003_unique.sql",
                                  "INSERT INTO alpha (id, v) VALUES (10, 'from 3');\n"
                                  "CREATE TABLE gamma (v TEXT UNIQUE);\n"
                                  "INSERT INTO gamma (v) VALUES ('x');\n"
                                  "INSERT INTO gamma (v) VALUES ('x');"};
    const struct migration set[] = {varn_migrations[0], m2, bad};
    char msg[256] = "";
    int applied = -1;
    int rc = migrate_apply(db, set, 3, NOW1, &applied, msg, sizeof(msg));
    assert_true(rc < 0);
    assert_int_equal(applied, 2);
    assert_false(has_table(db, "gamma"));
    assert_int_equal(scalar(db, "SELECT count(*) FROM alpha"), 0);
    assert_non_null(strstr(msg, "0003_unique.sql"));
    expect_state(db, set, 3, 2, 3);
}

static void test_bookkeeping_failure_rolls_back(void **state)
{
    struct db *db = *state;
    /* The migration itself succeeds but its history row cannot be written (the version is
     * taken): the migration must not stay applied without its row. */
    const struct migration sneaky = {
        2, "0002_sneaky.sql",
        "CREATE TABLE sneaky (id INTEGER);\n"
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (2, 'x', 'y');"};
    const struct migration set[] = {varn_migrations[0], sneaky};
    char msg[256] = "";
    int applied = -1;
    int rc = migrate_apply(db, set, 2, NOW1, &applied, msg, sizeof(msg));
    assert_true(rc < 0);
    assert_int_equal(applied, 1);
    assert_false(has_table(db, "sneaky"));
    expect_state(db, set, 2, 1, 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM schema_migrations"), 1);
    assert_non_null(strstr(msg, "0002_sneaky.sql"));
}

static void test_first_migration_fails(void **state)
{
    struct db *db = *state;
    const struct migration set[] = {{1, "0001_bad.sql", "CREATE TABLE schema_migrations (;"}};
    char msg[256] = "";
    int applied = -1;
    assert_true(migrate_apply(db, set, 1, NOW1, &applied, msg, sizeof(msg)) < 0);
    assert_int_equal(applied, 0);
    assert_false(has_table(db, "schema_migrations"));
    assert_non_null(strstr(msg, "0001_bad.sql"));
    expect_state(db, set, 1, 0, 1);
}

static void test_database_newer(void **state)
{
    struct db *db = *state;
    const struct migration set[] = {varn_migrations[0], m2, m3};
    char msg[256] = "";
    int applied = -1;
    assert_int_equal(migrate_apply(db, set, 3, NOW1, &applied, msg, sizeof(msg)), 0);
    for (size_t n = 1; n <= 2; n++) {
        msg[0] = '\0';
        applied = -1;
        assert_int_equal(migrate_apply(db, set, n, NOW2, &applied, msg, sizeof(msg)), ERR_SCHEMA);
        assert_int_equal(applied, 0);
        assert_non_null(strstr(msg, "newer"));
    }
    /* Nothing was touched. */
    const char *at[] = {NOW1, NOW1, NOW1};
    expect_history(db, set, 3, at);
}

static void test_check_current(void **state)
{
    struct db *db = *state;
    const struct migration set[] = {varn_migrations[0], m2, m3};
    char msg[512] = "";
    /* Pending on an empty database. */
    assert_int_equal(migrate_check_current(db, set, 3, "/srv/varn.db", msg, sizeof(msg)),
                     ERR_SCHEMA);
    assert_non_null(strstr(msg, "varn init"));
    assert_non_null(strstr(msg, "/srv/varn.db"));
    assert_non_null(strstr(msg, "3 pending"));

    int applied;
    assert_int_equal(migrate_apply(db, set, 2, NOW1, &applied, msg, sizeof(msg)), 0);
    msg[0] = '\0';
    assert_int_equal(migrate_check_current(db, set, 3, "/srv/varn.db", msg, sizeof(msg)),
                     ERR_SCHEMA);
    assert_non_null(strstr(msg, "varn init"));
    assert_non_null(strstr(msg, "1 pending"));

    /* Exactly current. */
    assert_int_equal(migrate_apply(db, set, 3, NOW1, &applied, msg, sizeof(msg)), 0);
    assert_int_equal(migrate_check_current(db, set, 3, "/srv/varn.db", msg, sizeof(msg)), 0);

    /* Newer than the binary. */
    msg[0] = '\0';
    assert_int_equal(migrate_check_current(db, set, 2, "/srv/varn.db", msg, sizeof(msg)),
                     ERR_SCHEMA);
    assert_non_null(strstr(msg, "newer"));
    assert_null(strstr(msg, "varn init"));
}

static void test_real_migrations(void **state)
{
    struct db *db = *state;
    size_t n = varn_migrations_count;
    assert_true(n >= 1);
    /* Numbered 1, 2, ... without gaps, each named after its number. */
    for (size_t i = 0; i < n; i++) {
        char prefix[24];
        snprintf(prefix, sizeof(prefix), "%04zu_", i + 1);
        assert_int_equal(varn_migrations[i].version, (int64_t)i + 1);
        assert_memory_equal(varn_migrations[i].name, prefix, 5);
        assert_non_null(strstr(varn_migrations[i].name, ".sql"));
        assert_non_null(varn_migrations[i].sql);
    }
    char msg[256] = "";
    int applied = -1;
    assert_int_equal(migrate_apply(db, varn_migrations, n, NOW1, &applied, msg, sizeof(msg)), 0);
    assert_int_equal(applied, (int)n);
    expect_state(db, varn_migrations, n, (int64_t)n, (int64_t)n);
    assert_true(has_table(db, "schema_migrations"));
    assert_int_equal(migrate_check_current(db, varn_migrations, n, ":memory:", msg, sizeof(msg)),
                     0);
    assert_int_equal(migrate_apply(db, varn_migrations, n, NOW2, &applied, msg, sizeof(msg)), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(scalar(db, "SELECT count(*) FROM schema_migrations"), (int64_t)n);
}

/* A database file in a directory of its own; teardown removes both even after a failed
 * assertion, and closes a connection the test left open. */
struct temp_db {
    char dir[64];
    char path[128];
    struct db *db;
};

static int temp_db_setup(void **state)
{
    static struct temp_db t;
    memset(&t, 0, sizeof(t));
    memcpy(t.dir, "/tmp/varn-test-migrate-XXXXXX", 30);
    if (!mkdtemp(t.dir))
        return -1;
    snprintf(t.path, sizeof(t.path), "%s/varn.db", t.dir);
    *state = &t;
    return 0;
}

static int temp_db_teardown(void **state)
{
    struct temp_db *t = *state;
    db_close(t->db);
    t->db = NULL;
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", t->path, suffix[i]);
        unlink(p);
    }
    return rmdir(t->dir) == 0 ? 0 : -1;
}

static void test_file_database_persists(void **state)
{
    struct temp_db *t = *state;
    const struct migration set[] = {varn_migrations[0], m2, m3_broken};
    char msg[256] = "";
    int applied = -1;

    assert_int_equal(db_open(t->path, DB_OPEN_CREATE, &t->db, msg, sizeof(msg)), 0);
    assert_int_equal(migrate_apply(t->db, set, 3, NOW1, &applied, msg, sizeof(msg)), ERR_DB);
    assert_int_equal(applied, 2);
    db_close(t->db);
    t->db = NULL;

    /* What a fresh connection sees: the first two committed, none of the third. */
    assert_int_equal(db_open(t->path, 0, &t->db, msg, sizeof(msg)), 0);
    expect_state(t->db, set, 3, 2, 3);
    assert_true(has_table(t->db, "alpha"));
    assert_false(has_table(t->db, "half"));
    assert_int_equal(migrate_check_current(t->db, set, 2, t->path, msg, sizeof(msg)), 0);
    assert_int_equal(migrate_check_current(t->db, set, 3, t->path, msg, sizeof(msg)), ERR_SCHEMA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_state_of_empty_db, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_apply_to_empty, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_reapply_is_noop, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_apply_incrementally, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_failure_rolls_back_that_migration, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_runtime_failure_rolls_back_data, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_bookkeeping_failure_rolls_back, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_first_migration_fails, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_database_newer, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_check_current, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_real_migrations, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_file_database_persists, temp_db_setup,
                                        temp_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
