/* Unit tests for the access workflows' helpers (src/access/workflow_util.c): dates, cursors,
 * limits and boolean filters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "access/workflow_util.h"
#include "core/err.h"

#include <string.h>

static void test_dates(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(wf_days_after("2026-12-29", 5, out), 0);
    assert_string_equal(out, "2027-01-03");
    assert_int_equal(wf_days_after("2024-02-27", 2, out), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(wf_days_after("2026-02-30", 1, out), ERR_INVALID);
    assert_int_equal(wf_days_between("2026-11-23", "2026-11-20"), -3);
    assert_int_equal(wf_days_between("2026-11-23", "2027-11-23"), 365);
    assert_int_equal(wf_days_between("2026-11-23", NULL), 0);
    assert_int_equal(wf_days_between("x", "2026-11-23"), 0);
}

static void test_cursor(void **state)
{
    (void)state;
    char c[WF_CURSOR_MAX];
    int64_t id = -1;
    struct json_problem p = {0};
    wf_cursor_make('Q', 123456789, c);
    assert_int_equal(wf_cursor_read(c, 'Q', &id, &p), 0);
    assert_int_equal(id, 123456789);
    /* Another list's cursor, or anything else, is refused naming the field. */
    assert_int_equal(wf_cursor_read(c, 'T', &id, &p), ERR_REJECTED);
    assert_string_equal(p.field, "cursor");
    assert_int_equal(wf_cursor_read("!!", 'Q', &id, &p), ERR_REJECTED);
    assert_int_equal(wf_cursor_read("", 'Q', &id, &p), ERR_REJECTED);
}

static void test_filters(void **state)
{
    (void)state;
    struct json_problem p = {0};
    int n = 0;
    bool b = true;
    assert_int_equal(wf_page_limit(NULL, &n, &p), 0);
    assert_int_equal(n, 50);
    assert_int_equal(wf_page_limit("500", &n, &p), 0);
    assert_int_equal(n, 500);
    assert_int_equal(wf_page_limit("501", &n, &p), ERR_REJECTED);
    assert_int_equal(wf_page_limit("0", &n, &p), ERR_REJECTED);
    assert_int_equal(wf_bool_filter(NULL, "mine", &b, &p), 0);
    assert_false(b);
    assert_int_equal(wf_bool_filter("true", "mine", &b, &p), 0);
    assert_true(b);
    assert_int_equal(wf_bool_filter("ja", "mine", &b, &p), ERR_REJECTED);
    assert_string_equal(p.field, "mine");
    int64_t id = 0;
    assert_int_equal(wf_path_id("42", &id), 0);
    assert_int_equal(id, 42);
    assert_int_equal(wf_path_id("0", &id), ERR_NOTFOUND);
    assert_int_equal(wf_path_id("4a", &id), ERR_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_cursor),
        cmocka_unit_test(test_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
