/* Unit tests for ISO 8601 periods and date arithmetic (src/engine/period.c): deadlines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/err.h"
#include "engine/rule.h"

static void test_parse(void **state)
{
    (void)state;
    struct period p;
    assert_int_equal(period_parse("P1Y", &p), 0);
    assert_true(p.years == 1 && p.months == 0 && p.days == 0);
    assert_int_equal(period_parse("P1Y2M3W4D", &p), 0);
    assert_true(p.years == 1 && p.months == 2 && p.days == 25);
    assert_int_equal(period_parse("P30D", &p), 0);
    assert_int_equal(p.days, 30);
    static const char *const bad[] = {"",      "P",       "1Y",     "P1",  "PY",   "P1Q", "P1D1Y",
                                      "P1Y1Y", "P12345D", "P1DT2H", "p1y", "P-1D", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(period_parse(bad[i], &p), ERR_INVALID);
}

static void add(const char *date, const char *period, const char *want)
{
    struct period p;
    char out[11];
    assert_int_equal(period_parse(period, &p), 0);
    assert_int_equal(period_add(date, p, out), 0);
    assert_string_equal(out, want);
}

static void test_add(void **state)
{
    (void)state;
    add("2026-01-10", "P1Y", "2027-01-10");
    add("2026-12-20", "P30D", "2027-01-19");
    add("2024-02-29", "P1Y", "2025-02-28"); /* a leap day a year on: the month's last day */
    add("2024-01-31", "P1M", "2024-02-29");
    add("2023-01-31", "P1M", "2023-02-28");
    add("2026-11-30", "P3M", "2027-02-28");
    add("2026-03-01T10:00:00Z", "P1Y", "2027-03-01"); /* an instant: its date */
    add("2026-06-01", "P3Y2W", "2029-06-15");
    struct period p = {0, 0, 1};
    char out[11];
    assert_int_equal(period_add("2026-13-01", p, out), ERR_INVALID);
    assert_int_equal(period_add("2026-1-01", p, out), ERR_INVALID);
    assert_int_equal(period_add(NULL, p, out), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
