/* Unit tests for the string helpers (src/core/str.c): failing, not truncating; strict ints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/str.h"

#include <string.h>

static void test_format_fits(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(str_format(out, sizeof(out), "%s=%d", "x", 42), 0);
    assert_string_equal(out, "x=42");
    /* Exactly size - 1 characters. */
    char five[6];
    assert_int_equal(str_format(five, sizeof(five), "%05d", 123), 0);
    assert_string_equal(five, "00123");
    assert_int_equal(str_format(five, sizeof(five), "%s", ""), 0);
    assert_string_equal(five, "");
}

static void test_format_truncation(void **state)
{
    (void)state;
    char out[6] = "prev";
    assert_int_equal(str_format(out, sizeof(out), "%s", "abcdef"), ERR_TOOBIG);
    assert_string_equal(out, "");
    memcpy(out, "prev", 5);
    assert_int_equal(str_format(out, sizeof(out), "%d", 1234567), ERR_TOOBIG);
    assert_string_equal(out, "");
    /* A one-byte buffer only holds the empty string. */
    char one[1] = {'z'};
    assert_int_equal(str_format(one, 1, "%s", "a"), ERR_TOOBIG);
    assert_int_equal(one[0], '\0');
    assert_int_equal(str_format(one, 1, "%s", ""), 0);
    assert_int_equal(one[0], '\0');
    /* Size 0: nothing may be written. */
    char guard[2] = {'g', 'h'};
    assert_int_equal(str_format(guard, 0, "%s", "a"), ERR_TOOBIG);
    assert_int_equal(guard[0], 'g');
    assert_int_equal(guard[1], 'h');
}

static void test_copy(void **state)
{
    (void)state;
    char out[6];
    assert_int_equal(str_copy(out, sizeof(out), "hello"), 0);
    assert_string_equal(out, "hello");
    assert_int_equal(str_copy(out, sizeof(out), ""), 0);
    assert_string_equal(out, "");
    assert_int_equal(str_copy(out, sizeof(out), "hello!"), ERR_TOOBIG);
    assert_string_equal(out, "");
    char guard[2] = {'g', 'h'};
    assert_int_equal(str_copy(guard, 0, ""), ERR_TOOBIG);
    assert_int_equal(guard[0], 'g');
    char one[1] = {'z'};
    assert_int_equal(str_copy(one, 1, ""), 0);
    assert_int_equal(one[0], '\0');
    one[0] = 'z';
    assert_int_equal(str_copy(one, 1, "a"), ERR_TOOBIG);
    assert_int_equal(one[0], '\0');
}

static void expect_int(const char *s, int64_t min, int64_t max, int64_t want)
{
    int64_t v = want == 12345 ? 0 : 12345;
    if (str_to_int64(s, min, max, &v) != 0)
        fail_msg("'%s' was rejected", s);
    if (v != want)
        fail_msg("'%s' parsed as %lld, expected %lld", s, (long long)v, (long long)want);
}

static void expect_reject(const char *s, int64_t min, int64_t max)
{
    int64_t v = 777;
    int rc = str_to_int64(s, min, max, &v);
    if (rc != ERR_INVALID)
        fail_msg("'%s' gave %d, expected ERR_INVALID", s ? s : "(null)", rc);
    if (v != 777)
        fail_msg("'%s' changed the output on failure", s ? s : "(null)");
}

static void test_int64_accepts(void **state)
{
    (void)state;
    expect_int("0", INT64_MIN, INT64_MAX, 0);
    expect_int("-5", INT64_MIN, INT64_MAX, -5);
    expect_int("17", INT64_MIN, INT64_MAX, 17);
    expect_int("9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX);
    expect_int("-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN);
    /* Range bounds are inclusive. */
    expect_int("1", 1, 10, 1);
    expect_int("10", 1, 10, 10);
    expect_int("-3", -3, -1, -3);
}

static void test_int64_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        NULL,   "",    " 1",  "1 ",  "+1",  "-",  "--1",   "- 1", "1x",  "x1",
        "0x10", "1.0", "1e3", "\t1", "1\n", "１", "1,000", "0-1", "-+1", "12 34",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_reject(bad[i], INT64_MIN, INT64_MAX);
}

static void test_int64_overflow(void **state)
{
    (void)state;
    expect_reject("9223372036854775808", INT64_MIN, INT64_MAX);
    expect_reject("-9223372036854775809", INT64_MIN, INT64_MAX);
    expect_reject("99999999999999999999999", INT64_MIN, INT64_MAX);
    expect_reject("-99999999999999999999999", INT64_MIN, INT64_MAX);
}

static void test_int64_range(void **state)
{
    (void)state;
    expect_reject("0", 1, 10);
    expect_reject("11", 1, 10);
    expect_reject("-1", 0, 100);
    expect_reject("101", 0, 100);
    expect_reject("9223372036854775807", 0, INT64_MAX - 1);
    expect_reject("-9223372036854775808", INT64_MIN + 1, 0);
}

static void test_starts_with(void **state)
{
    (void)state;
    assert_true(str_starts_with("postgresql://x", "postgresql://"));
    assert_true(str_starts_with("abc", ""));
    assert_true(str_starts_with("abc", "abc"));
    assert_false(str_starts_with("ab", "abc"));
    assert_false(str_starts_with("xabc", "abc"));
    assert_false(str_starts_with("", "a"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_fits),   cmocka_unit_test(test_format_truncation),
        cmocka_unit_test(test_copy),          cmocka_unit_test(test_int64_accepts),
        cmocka_unit_test(test_int64_rejects), cmocka_unit_test(test_int64_overflow),
        cmocka_unit_test(test_int64_range),   cmocka_unit_test(test_starts_with),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
