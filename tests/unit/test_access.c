/* Unit tests of the access functions other modules call: access_snapshot_apply (repeated rows
 * made distinct, the earliest grant date kept, changes recorded for a directory sync, the
 * directory's revoke reason, a row outside the systems refused) and access_grant_to_person /
 * access_grant_revoke (an account made or revived, an existing grant returned). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "access/access.h"
#include "core/clock.h"
#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define NOW "2026-11-22T08:00:00Z"

static int open_db(void **state)
{
    struct db *db = NULL;
    char err[256] = "";
    int applied = 0;
    if (sodium_init() < 0 || db_open(":memory:", DB_OPEN_CREATE, &db, err, sizeof(err)) != 0 ||
        migrate_apply(db, varn_migrations, varn_migrations_count, NOW, &applied, err,
                      sizeof(err)) != 0 ||
        db_exec(db, "INSERT INTO organisation (id, code, name, kind, org_number, created_at,"
                    " updated_at) VALUES (100, 'NORRBY', 'Norrby', 'municipality',"
                    " '212000-2403', 'x', 'x'), (101, 'OSTBY', 'Östby', 'municipality',"
                    " '212000-2502', 'x', 'x');"
                    "INSERT INTO person (id, user_id, name, email, organisation_id, created_at,"
                    " updated_at) VALUES (10, 'anna', 'Anna', 'a@x.se', 100, 'x', 'x'),"
                    " (11, 'otto', 'Otto', 'o@x.se', 101, 'x', 'x');"
                    "INSERT INTO system (id, external_id, name, organisation_id, owner_id,"
                    " lifecycle, hosting, created_at, updated_at) VALUES (1, 'S1', 'S1', 100,"
                    " 10, 'production', 'own', 'x', 'x'), (2, 'S2', 'S2', 100, 10,"
                    " 'production', 'own', 'x', 'x');"
                    "INSERT INTO directory_source (id, organisation_id, name, uri, base_dn,"
                    " user_filter, group_filter, attributes, created_at, updated_at) VALUES"
                    " (1, 100, 'AD', 'ldap://x', 'dc=x', '(u)', '(g)', '{}', 'x', 'x');"
                    "INSERT INTO directory_sync (id, source_id, status, requested_by,"
                    " started_at) VALUES (7, 1, 'running', 'test', 'x')") != 0) {
        fprintf(stderr, "setup: %s %s\n", err, db ? db_errmsg(db) : "");
        return -1;
    }
    clock_fix(1795334400); /* 2026-11-22T08:00:00Z */
    *state = db;
    return 0;
}

static int close_db(void **state)
{
    clock_unfix();
    db_close(*state);
    return 0;
}

static int64_t count(struct db *db, const char *sql)
{
    struct db_stmt *st;
    int64_t n = -1;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    assert_int_equal(db_finish_int(st, 0, &n), 0);
    return n;
}

static int apply(struct db *db, const struct access_row *rows, size_t n, const char *source,
                 int64_t sync_id, struct access_changes *c)
{
    static const int64_t systems[] = {1};
    int rc = db_begin(db);
    if (!rc)
        rc = access_snapshot_apply(db, systems, 1, rows, n, source, sync_id, "test", NOW, c);
    if (!rc)
        rc = db_commit(db);
    else
        db_rollback(db);
    return rc;
}

static void test_snapshot_repeats_and_sync(void **state)
{
    struct db *db = *state;
    struct access_changes c;
    /* a directory gives anna's grant twice (two groups map to it) and bob twice in a row */
    const struct access_row rows[] = {
        {.system_id = 1,
         .username = "anna",
         .person_id = 10,
         .entitlement = "Läsare",
         .granted_at = "2025-02-01T00:00:00Z"},
        {.system_id = 1,
         .username = "anna",
         .person_id = 10,
         .entitlement = "Läsare",
         .granted_at = "2024-01-01T00:00:00Z"},
        {.system_id = 1, .username = "anna", .person_id = 10, .entitlement = "Admin"},
        {.system_id = 1, .username = "svc", .shared = true},
        {.system_id = 1, .username = "svc", .shared = true},
    };
    assert_int_equal(apply(db, rows, 5, "ldap", 7, &c), 0);
    assert_int_equal(c.accounts_new, 2);
    assert_int_equal(c.grants_new, 2);
    assert_int_equal(count(db, "SELECT count(*) FROM access_grant g JOIN entitlement e"
                               " ON e.id = g.entitlement_id WHERE e.name = 'Läsare'"
                               " AND g.granted_at = '2024-01-01T00:00:00Z'"
                               " AND g.source = 'ldap' AND g.organisation_id = 100"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM access_grant g JOIN entitlement e"
                               " ON e.id = g.entitlement_id WHERE e.name = 'Admin'"
                               " AND g.granted_at = '" NOW "'"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM directory_sync_change WHERE sync_id = 7"
                               " AND change = 'new'"),
                     4);
    /* anna loses Admin; svc goes; otto's account arrives (OSTBY, his organisation) */
    const struct access_row next[] = {
        {.system_id = 1, .username = "anna", .person_id = 10, .entitlement = "Läsare"},
        {.system_id = 1, .username = "otto", .person_id = 11, .mfa_enrolled = true},
    };
    assert_int_equal(apply(db, next, 2, "ldap", 7, &c), 0);
    assert_int_equal(c.accounts_new, 1);
    assert_int_equal(c.accounts_removed, 1);
    assert_int_equal(c.accounts_changed, 0);
    assert_int_equal(c.grants_new, 0);
    assert_int_equal(c.grants_removed, 1);
    assert_int_equal(count(db, "SELECT count(*) FROM access_grant WHERE revoked_at = '" NOW "'"
                               " AND revoke_reason = 'Finns inte längre i katalogen'"),
                     1);
    assert_int_equal(count(db, "SELECT organisation_id FROM account WHERE username = 'otto'"), 101);
    assert_int_equal(count(db, "SELECT count(*) FROM directory_sync_change WHERE sync_id = 7"
                               " AND change = 'removed' AND object = 'grant'"
                               " AND entitlement = 'Admin'"),
                     1);
    assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action = 'access.snapshot'"
                               " AND object_id = 'S1'"),
                     2);
    /* a row of a system not named is refused, and nothing is applied */
    const struct access_row stray[] = {{.system_id = 2, .username = "x"}};
    assert_int_equal(apply(db, stray, 1, "csv", 0, &c), ERR_INVALID);
    assert_int_equal(count(db, "SELECT count(*) FROM account WHERE system_id = 2"), 0);
}

static void test_grant_to_person_and_revoke(void **state)
{
    struct db *db = *state;
    int64_t ent = 0, grant = 0, again = 0;
    assert_int_equal(db_exec(db, "INSERT INTO entitlement (id, system_id, name, created_at)"
                                 " VALUES (50, 2, 'Handläggare', 'x'), (51, 1, 'Annan', 'x')"),
                     0);
    ent = 50;
    assert_int_equal(db_begin(db), 0);
    /* no account yet: one is made, named by the user id, in the person's organisation */
    assert_int_equal(access_grant_to_person(db, 2, ent, 11, 0, 10, NOW, &grant), 0);
    assert_true(grant > 0);
    assert_int_equal(count(db, "SELECT count(*) FROM account WHERE system_id = 2"
                               " AND username = 'otto' AND person_id = 11"
                               " AND organisation_id = 101 AND source = 'manual'"),
                     1);
    /* held already: the same grant, nothing new */
    assert_int_equal(access_grant_to_person(db, 2, ent, 11, 0, 10, NOW, &again), 0);
    assert_int_equal(again, grant);
    /* an entitlement of another system, a missing person */
    assert_int_equal(access_grant_to_person(db, 2, 51, 11, 0, 10, NOW, &again), ERR_NOTFOUND);
    assert_int_equal(access_grant_to_person(db, 2, ent, 999, 0, 10, NOW, &again), ERR_NOTFOUND);
    /* revoke: a reason is needed, once */
    assert_int_equal(access_grant_revoke(db, grant, 10, "", NOW), ERR_INVALID);
    assert_int_equal(access_grant_revoke(db, grant, 10, "Slutat", NOW), 0);
    assert_int_equal(access_grant_revoke(db, grant, 10, "Slutat", NOW), ERR_CONFLICT);
    assert_int_equal(access_grant_revoke(db, 987654, 10, "x", NOW), ERR_NOTFOUND);
    json_t *o = NULL;
    assert_int_equal(access_grant_object(db, grant, &o), 0);
    assert_false(json_is_true(json_object_get(o, "active")));
    assert_string_equal(json_string_value(json_object_get(o, "revoke_reason")), "Slutat");
    assert_string_equal(json_string_value(json_object_get(o, "revoked_by")), "anna");
    json_decref(o);
    /* a removed account is made active again by a new grant */
    assert_int_equal(db_exec(db, "UPDATE account SET status = 'removed', removed_at = 'x'"
                                 " WHERE username = 'otto' AND system_id = 2"),
                     0);
    assert_int_equal(access_grant_to_person(db, 2, ent, 11, 0, 10, NOW, &again), 0);
    assert_true(again > grant);
    assert_int_equal(count(db, "SELECT count(*) FROM account WHERE username = 'otto'"
                               " AND system_id = 2 AND status = 'active' AND removed_at IS NULL"),
                     1);
    /* the username is another's: a conflict, nothing made */
    assert_int_equal(db_exec(db, "INSERT INTO account (system_id, organisation_id, username,"
                                 " status, source, created_at, updated_at) VALUES (1, 100,"
                                 " 'otto', 'active', 'manual', 'x', 'x')"),
                     0);
    assert_int_equal(access_grant_to_person(db, 1, 51, 11, 0, 10, NOW, &again), ERR_CONFLICT);
    assert_int_equal(db_commit(db), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot_repeats_and_sync, open_db, close_db),
        cmocka_unit_test_setup_teardown(test_grant_to_person_and_revoke, open_db, close_db),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
