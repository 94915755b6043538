/* Unit tests for the directory import's helpers (src/access/directory.c): DNs, AD FILETIME
 * and generalizedTime, userAccountControl, sync intervals, the attributes object, and the
 * snapshot rows made from users and groups. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "access/directory.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

static void test_dn(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(
        dir_dn_normalise("CN=Ekonomi Läsare , OU=Groups,  DC=Norrby,DC=se", out, sizeof(out)), 0);
    assert_string_equal(out, "cn=ekonomi läsare,ou=groups,dc=norrby,dc=se");
    assert_int_equal(dir_dn_normalise(" cn = a + sn = b ,dc=x ", out, sizeof(out)), 0);
    assert_string_equal(out, "cn=a+sn=b,dc=x");
    assert_int_equal(dir_dn_normalise("cn=abcdefghij", out, 8), ERR_TOOBIG);
}

static void test_time(void **state)
{
    (void)state;
    char out[CLOCK_ISO_LEN];
    /* 2026-11-01T08:00:00Z as FILETIME: (unix + 11644473600) * 10^7. */
    assert_int_equal(dir_time_value("134379936000000000", out), 0);
    assert_string_equal(out, "2026-11-01T08:00:00Z");
    assert_int_equal(dir_time_value("0", out), 0);
    assert_string_equal(out, ""); /* never */
    assert_int_equal(dir_time_value("9223372036854775807", out), 0);
    assert_string_equal(out, "");
    assert_int_equal(dir_time_value("20261101080000Z", out), 0);
    assert_string_equal(out, "2026-11-01T08:00:00Z");
    assert_int_equal(dir_time_value("20261101080000.5Z", out), 0);
    assert_string_equal(out, "2026-11-01T08:00:00Z");
    static const char *const bad[] = {
        "", "yesterday", "20261301080000Z", "20261101080000+0100", "2026110108Z", "-5", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(dir_time_value(bad[i], out), ERR_INVALID);
}

static void test_disabled(void **state)
{
    (void)state;
    bool d = true;
    assert_int_equal(dir_disabled_value("userAccountControl", "512", &d), 0);
    assert_false(d);
    assert_int_equal(dir_disabled_value("useraccountcontrol", "514", &d), 0);
    assert_true(d);
    assert_int_equal(dir_disabled_value("userAccountControl", "66050", &d), 0);
    assert_true(d);
    assert_int_equal(dir_disabled_value("userAccountControl", "x", &d), ERR_INVALID);
    assert_int_equal(dir_disabled_value("nsAccountLock", "TRUE", &d), 0);
    assert_true(d);
    assert_int_equal(dir_disabled_value("nsAccountLock", "false", &d), 0);
    assert_false(d);
    assert_int_equal(dir_disabled_value("nsAccountLock", "kanske", &d), ERR_INVALID);
}

static void test_interval(void **state)
{
    (void)state;
    int64_t from = 1795420800, next; /* 2026-11-23T00:00:00Z */
    assert_int_equal(dir_interval_next("PT6H", from, &next), 0);
    assert_int_equal(next - from, 6 * 3600);
    assert_int_equal(dir_interval_next("P1DT30M", from, &next), 0);
    assert_int_equal(next - from, 86400 + 1800);
    assert_int_equal(dir_interval_next("P1W", from, &next), 0);
    assert_int_equal(next - from, 7 * 86400);
    assert_int_equal(dir_interval_next("PT5M", from, &next), 0);
    static const char *const bad[] = {"",    "P",    "PT",     "PT1M", "PT299S", "6H",
                                      "PT6", "P1DT", "PT6H1D", "pt6h", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(dir_interval_next(bad[i], from, &next), ERR_INVALID);
}

static void test_attrs(void **state)
{
    (void)state;
    struct dir_attrs a;
    struct json_problem p = {0};
    json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "username", "sAMAccountName", "person", "mail",
                          "person_match", "email", "start_tls", 1);
    assert_int_equal(dir_attrs_parse(o, &a, &p), 0);
    assert_string_equal(a.username, "sAMAccountName");
    assert_string_equal(a.person_match, "email");
    assert_true(a.start_tls);
    assert_string_equal(a.member_of, "");
    json_decref(o);
    o = json_pack("{s:s}", "person", "mail");
    assert_int_equal(dir_attrs_parse(o, &a, &p), ERR_REJECTED);
    assert_string_equal(p.field, "attributes");
    json_decref(o);
    o = json_pack("{s:s}", "username", "1.2.840.113556.1.4.221");
    assert_int_equal(dir_attrs_parse(o, &a, &p), 0);
    json_decref(o);
}

static void test_rows(void **state)
{
    (void)state;
    /* anna in group A by its member values, bo in A by memberOf, and both in B; B maps to
     * the same entitlement as A: one row each, not two. C maps to another system. */
    json_t *users =
        json_pack("[{s:s, s:s, s:s, s:b, s:b, s:s, s:[]},"
                  " {s:s, s:s, s:n, s:b, s:b, s:n, s:[s]},"
                  " {s:s, s:s, s:n, s:b, s:b, s:n, s:[]}]",
                  "dn", "cn=anna,dc=x", "username", "anna", "person", "anna@x", "disabled", 0,
                  "mfa", 1, "last_login", "2026-11-01T08:00:00Z", "member_of", "dn", "cn=bo,dc=x",
                  "username", "bo", "person", "disabled", 1, "mfa", 0, "last_login", "member_of",
                  "cn=a,dc=x", "dn", "cn=carl,dc=x", "username", "carl", "person", "disabled", 0,
                  "mfa", 0, "last_login", "member_of");
    json_t *groups = json_pack("{s:[s], s:[s, s], s:[s]}", "cn=a,dc=x", "cn=anna,dc=x", "cn=b,dc=x",
                               "cn=anna,dc=x", "cn=bo,dc=x", "cn=c,dc=x", "cn=nobody,dc=x");
    json_t *people = json_pack("{s:i}", "anna@x", 42);
    struct dir_map maps[] = {
        {"cn=a,dc=x", 7, "Läsare"}, {"cn=b,dc=x", 7, "Läsare"}, {"cn=c,dc=x", 8, "Admin"}};
    struct access_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(dir_rows_build(users, groups, maps, 3, people, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].username, "anna");
    assert_int_equal(rows[0].system_id, 7);
    assert_int_equal(rows[0].person_id, 42);
    assert_true(rows[0].mfa_enrolled);
    assert_string_equal(rows[0].last_login, "2026-11-01T08:00:00Z");
    assert_string_equal(rows[1].username, "bo");
    assert_true(rows[1].disabled);
    assert_int_equal(rows[1].person_id, 0);
    assert_null(rows[1].last_login);
    free(rows);
    assert_int_equal(dir_missing_group(users, groups, maps, 3), -1);
    struct dir_map typo[] = {{"cn=a,dc=x", 7, "Läsare"}, {"cn=typo,dc=x", 7, "Läsare"}};
    assert_int_equal(dir_missing_group(users, groups, typo, 2), 1);
    /* A group whose member values came in part stops a sync that does not read memberOf. */
    json_t *partial = json_pack("{s:b}", "cn=c,dc=x", 1);
    assert_int_equal(dir_partial_group(partial, false, maps, 3), 2);
    assert_int_equal(dir_partial_group(partial, true, maps, 3), -1);
    assert_int_equal(dir_partial_group(partial, false, maps, 2), -1);
    json_decref(partial);
    /* Known by memberOf alone (group_filter did not find it). */
    json_object_del(groups, "cn=a,dc=x");
    assert_int_equal(dir_missing_group(users, groups, maps, 3), -1);
    json_decref(users);
    json_decref(groups);
    json_decref(people);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dn),       cmocka_unit_test(test_time),
        cmocka_unit_test(test_disabled), cmocka_unit_test(test_interval),
        cmocka_unit_test(test_attrs),    cmocka_unit_test(test_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
