/* Unit tests for the business clock (src/core/clock.c): ISO 8601 parsing, formatting, VARN_NOW. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/err.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An independent, deliberately naive reference: days from 1970-01-01 by counting. */
static bool ref_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t ref_days(int64_t y, int64_t m, int64_t d)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = 0;
    for (int64_t yy = 1970; yy < y; yy++)
        days += ref_leap(yy) ? 366 : 365;
    for (int64_t mm = 1; mm < m; mm++)
        days += dim[mm - 1] + (mm == 2 && ref_leap(y));
    return days + d - 1;
}

/* The C library as a second oracle for formatting. */
static void libc_format(int64_t t, char out[CLOCK_ISO_LEN])
{
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(gmtime_r(&tt, &tm));
    assert_int_equal(strftime(out, CLOCK_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm), CLOCK_ISO_LEN - 1);
}

static void expect_parse(const char *s, int64_t want)
{
    int64_t got = want == 1 ? 2 : 1;
    int rc = clock_parse(s, &got);
    if (rc != 0)
        fail_msg("clock_parse(\"%s\") failed with %d", s, rc);
    if (got != want)
        fail_msg("clock_parse(\"%s\") = %lld, expected %lld", s, (long long)got, (long long)want);
}

static void expect_reject(const char *s)
{
    int64_t got = 4242;
    int rc = clock_parse(s, &got);
    if (rc != ERR_INVALID)
        fail_msg("clock_parse(\"%s\") = %d, expected ERR_INVALID", s ? s : "(null)", rc);
    if (got != 4242)
        fail_msg("clock_parse(\"%s\") wrote its output on failure", s ? s : "(null)");
}

static void test_parse_date_only(void **state)
{
    (void)state;
    expect_parse("2026-11-22", ref_days(2026, 11, 22) * 86400);
    expect_parse("2026-11-22", 1795305600);
    expect_parse("1970-01-01", 0);
    expect_parse("2024-02-29", ref_days(2024, 2, 29) * 86400);
    expect_parse("2000-02-29", ref_days(2000, 2, 29) * 86400);
    expect_parse("2026-12-31", ref_days(2026, 12, 31) * 86400);
    expect_parse("9999-12-31", ref_days(9999, 12, 31) * 86400);
}

static void test_parse_with_time(void **state)
{
    (void)state;
    int64_t day = ref_days(2026, 11, 22) * 86400;
    expect_parse("2026-11-22T08:00:00Z", day + 8 * 3600);
    expect_parse("2026-11-22T00:00:00Z", day);
    expect_parse("2026-11-22T23:59:59Z", day + 86399);
    expect_parse("2026-11-22T08:30Z", day + 8 * 3600 + 30 * 60); /* seconds are optional */
    expect_parse("2026-11-22T08:00:07.5Z", day + 8 * 3600 + 7);
    expect_parse("2026-11-22T08:00:07.999999999Z", day + 8 * 3600 + 7); /* dropped, not rounded */
    expect_parse("2026-11-22T08:00:00.0+01:00", day + 7 * 3600);
}

static void test_parse_offsets(void **state)
{
    (void)state;
    int64_t day = ref_days(2026, 11, 22) * 86400;
    /* 08:00 at +02:00 is 06:00 UTC; 08:00 at -05:30 is 13:30 UTC. */
    expect_parse("2026-11-22T08:00:00+02:00", day + 6 * 3600);
    expect_parse("2026-11-22T08:00:00-05:30", day + 13 * 3600 + 30 * 60);
    expect_parse("2026-11-22T08:00:00+00:00", day + 8 * 3600);
    expect_parse("2026-11-22T08:00:00-00:00", day + 8 * 3600);
    /* Offsets move the instant across day, month and year boundaries. */
    expect_parse("2026-11-22T01:00:00+02:00", day - 3600);
    expect_parse("2026-12-31T22:00:00-05:00", ref_days(2027, 1, 1) * 86400 + 3 * 3600);
    expect_parse("2026-11-22T08:00:00+23:59", day + 8 * 3600 - (23 * 3600 + 59 * 60));
    /* The earliest date with a positive offset is before the epoch. */
    expect_parse("1970-01-01T00:00:00+01:00", -3600);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        NULL,
        "",
        "2026-02-29",                /* not a leap year */
        "2100-02-29",                /* century, not a leap year */
        "2026-13-01",                /* month 13 */
        "2026-00-10",                /* month 0 */
        "2026-11-00",                /* day 0 */
        "2026-04-31",                /* April has 30 days */
        "2026-11-32",                /* no month has 32 */
        "1969-12-31",                /* before the epoch */
        "1969-12-31T23:59:59Z",      /* likewise */
        "0000-01-01",                /* likewise */
        "2026-11-22T24:00:00Z",      /* hour 24 */
        "2026-11-22T08:60:00Z",      /* minute 60 */
        "2026-11-22T08:00:60Z",      /* no leap seconds */
        "2026-11-22T08:00:00",       /* no zone */
        "2026-11-22T08:00",          /* no zone */
        "2026-11-22 08:00:00Z",      /* space instead of T */
        "2026-11-22t08:00:00Z",      /* lower-case t */
        "2026-11-22T08:00:00z",      /* lower-case z */
        "2026-11-22T08:00:00Zx",     /* trailing garbage */
        "2026-11-22T08:00:00Z ",     /* trailing space */
        "2026-11-22x",               /* trailing garbage after a date */
        "2026-11-22 ",               /* trailing space after a date */
        " 2026-11-22",               /* leading space */
        "2026-11-22T",               /* T without a time */
        "2026-11-22T08",             /* hour only */
        "2026-11-22T8:00:00Z",       /* one-digit hour */
        "2026-11-22T08:0:00Z",       /* one-digit minute */
        "2026-11-22T08:00:0Z",       /* one-digit second */
        "2026-11-22T08:00:00.Z",     /* empty fraction */
        "2026-11-22T08:00.5Z",       /* fraction without seconds */
        "2026-11-22T08:00:00+0200",  /* offset without colon */
        "2026-11-22T08:00:00+02",    /* offset without minutes */
        "2026-11-22T08:00:00+24:00", /* offset hour 24 */
        "2026-11-22T08:00:00+02:60", /* offset minute 60 */
        "2026-11-22T08:00:00+02:00Z",
        "2026-1-22",
        "26-11-22",
        "20261122",
        "2026/11/22",
        "-2026-11-22",
        "+2026-11-22",
        "2026-11-2",
        "2026-11",
        "2026",
        "abcd-ef-gh",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_reject(bad[i]);
}

static void test_parse_date_function(void **state)
{
    (void)state;
    int64_t t = 1;
    assert_int_equal(clock_parse_date("2026-11-22", &t), 0);
    assert_int_equal(t, ref_days(2026, 11, 22) * 86400);
    assert_int_equal(clock_parse_date("2024-02-29", &t), 0);
    assert_int_equal(t, 1709164800);
    const char *bad[] = {NULL,
                         "",
                         "2026-02-29",
                         "2026-13-01",
                         "2026-11-22Z",
                         "2026-11-22 ",
                         "2026-11-22T00:00:00Z",
                         "1969-12-31",
                         "2026-11-22\n",
                         "22-11-2026"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = 99;
        if (clock_parse_date(bad[i], &t) != ERR_INVALID)
            fail_msg("clock_parse_date(\"%s\") was accepted", bad[i] ? bad[i] : "(null)");
        assert_int_equal(t, 99);
    }
}

static void test_format_known(void **state)
{
    (void)state;
    char out[CLOCK_ISO_LEN];
    clock_format(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    /* 1795132800 / 86400 = 20777 days exactly: midnight of the day that many days later. */
    assert_int_equal(1795132800 % 86400, 0);
    assert_int_equal(ref_days(2026, 11, 20), 1795132800 / 86400);
    clock_format(1795132800, out);
    assert_string_equal(out, "2026-11-20T00:00:00Z");
    clock_format(1795132800 + 86399, out);
    assert_string_equal(out, "2026-11-20T23:59:59Z");
    clock_format(951782400, out); /* 2000-02-29 */
    assert_string_equal(out, "2000-02-29T00:00:00Z");
    clock_format(2147483647, out);
    assert_string_equal(out, "2038-01-19T03:14:07Z");
    clock_format(2147483648LL, out);
    assert_string_equal(out, "2038-01-19T03:14:08Z");
    clock_format(253402300799LL, out);
    assert_string_equal(out, "9999-12-31T23:59:59Z");
    /* Instants before the epoch (reachable through a positive offset on 1970-01-01). */
    clock_format(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    clock_format(-3600, out);
    assert_string_equal(out, "1969-12-31T23:00:00Z");
    clock_format(-86400, out);
    assert_string_equal(out, "1969-12-31T00:00:00Z");
    clock_format(-86401, out);
    assert_string_equal(out, "1969-12-30T23:59:59Z");
}

static void test_format_beyond_9999(void **state)
{
    (void)state;
    char out[CLOCK_ISO_LEN];
    int64_t t;
    /* The latest input clock_parse takes lands in year 10000: formatting must not overflow. */
    assert_int_equal(clock_parse("9999-12-31T23:59:59-23:59", &t), 0);
    assert_true(t > 253402300799LL);
    memset(out, 'x', sizeof(out));
    clock_format(t, out);
    assert_string_equal(out, "9999-12-31T23:59:59Z");
    clock_format(253402300800LL, out);
    assert_string_equal(out, "9999-12-31T23:59:59Z");
}

static void test_format_round_trip(void **state)
{
    (void)state;
    char out[CLOCK_ISO_LEN];
    char want[CLOCK_ISO_LEN];
    /* Every day from 1970 to 2400 (leap days, 2000, 2100, 2400), at a varying time of day. */
    int64_t start = 0;
    int64_t end = ref_days(2401, 1, 1);
    int leap_days = 0;
    for (int64_t day = start; day < end; day++) {
        int64_t t = day * 86400 + (day * 7919) % 86400;
        clock_format(t, out);
        libc_format(t, want);
        if (strcmp(out, want) != 0)
            fail_msg("clock_format(%lld) = %s, libc says %s", (long long)t, out, want);
        int64_t back = -1;
        if (clock_parse(out, &back) != 0 || back != t)
            fail_msg("clock_parse(\"%s\") did not give back %lld", out, (long long)t);
        /* The date alone parses to that day's midnight. */
        char date[11];
        memcpy(date, out, 10);
        date[10] = '\0';
        if (clock_parse(date, &back) != 0 || back != day * 86400)
            fail_msg("clock_parse(\"%s\") is not midnight of day %lld", date, (long long)day);
        if (memcmp(out + 4, "-02-29", 6) == 0)
            leap_days++;
    }
    /* 1972..2400 has 108 years divisible by 4; 2100, 2200 and 2300 are not leap years. */
    assert_int_equal(leap_days, 105);
}

static void test_format_round_trip_seconds(void **state)
{
    (void)state;
    char out[CLOCK_ISO_LEN];
    char want[CLOCK_ISO_LEN];
    /* Every second of one day, including the last before midnight. */
    int64_t base = ref_days(2024, 2, 29) * 86400;
    for (int64_t s = 0; s < 86400; s++) {
        clock_format(base + s, out);
        libc_format(base + s, want);
        assert_string_equal(out, want);
        int64_t back;
        assert_int_equal(clock_parse(out, &back), 0);
        assert_int_equal(back, base + s);
    }
}

static void test_fix_unfix(void **state)
{
    (void)state;
    clock_fix(1795132800);
    assert_int_equal(clock_now(), 1795132800);
    assert_int_equal(clock_now(), 1795132800);
    clock_fix(0);
    assert_int_equal(clock_now(), 0);
    clock_unfix();
    int64_t real = (int64_t)time(NULL);
    int64_t now = clock_now();
    assert_true(now >= real - 5 && now <= real + 5);
}

static int env_teardown(void **state)
{
    (void)state;
    unsetenv("VARN_NOW");
    clock_unfix();
    return 0;
}

static void test_env_valid(void **state)
{
    (void)state;
    assert_int_equal(setenv("VARN_NOW", "2026-11-22T08:00:00+02:00", 1), 0);
    assert_int_equal(clock_init_from_env(), 0);
    assert_int_equal(clock_now(), ref_days(2026, 11, 22) * 86400 + 6 * 3600);
    assert_int_equal(setenv("VARN_NOW", "2024-02-29", 1), 0);
    assert_int_equal(clock_init_from_env(), 0);
    assert_int_equal(clock_now(), 1709164800);
}

static void test_env_invalid(void **state)
{
    (void)state;
    /* A malformed value is an error and must not move the clock, fixed or not. */
    clock_fix(12345);
    const char *bad[] = {"", "tomorrow", "2026-02-29", "2026-11-22T08:00:00", "1795132800"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(setenv("VARN_NOW", bad[i], 1), 0);
        assert_int_equal(clock_init_from_env(), ERR_INVALID);
        assert_int_equal(clock_now(), 12345);
    }
    clock_unfix();
    assert_int_equal(setenv("VARN_NOW", "2026-13-01", 1), 0);
    assert_int_equal(clock_init_from_env(), ERR_INVALID);
    int64_t real = (int64_t)time(NULL);
    assert_true(clock_now() >= real - 5 && clock_now() <= real + 5);
}

static void test_env_unset(void **state)
{
    (void)state;
    unsetenv("VARN_NOW");
    clock_unfix();
    assert_int_equal(clock_init_from_env(), 0);
    int64_t real = (int64_t)time(NULL);
    assert_true(clock_now() >= real - 5 && clock_now() <= real + 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_date_only),
        cmocka_unit_test(test_parse_with_time),
        cmocka_unit_test(test_parse_offsets),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_date_function),
        cmocka_unit_test(test_format_known),
        cmocka_unit_test(test_format_beyond_9999),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_format_round_trip_seconds),
        cmocka_unit_test_teardown(test_fix_unfix, env_teardown),
        cmocka_unit_test_teardown(test_env_valid, env_teardown),
        cmocka_unit_test_teardown(test_env_invalid, env_teardown),
        cmocka_unit_test_teardown(test_env_unset, env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
