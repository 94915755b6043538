/* Unit tests of the storage interface's helpers that need no database: the LIKE pattern. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/err.h"
#include "db/db.h"

#include <string.h>

static void like_wraps_lowers_and_escapes(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(db_like_pattern("Norrby", out, sizeof(out)), 0);
    assert_string_equal(out, "%norrby%");
    assert_int_equal(db_like_pattern("50%_a\\b", out, sizeof(out)), 0);
    assert_string_equal(out, "%50\\%\\_a\\\\b%");
    /* Only ASCII is folded, as SQL lower() does everywhere. */
    assert_int_equal(db_like_pattern("ÅSA", out, sizeof(out)), 0);
    assert_string_equal(out, "%Åsa%");
    assert_int_equal(db_like_pattern("", out, sizeof(out)), 0);
    assert_string_equal(out, "%%");
}

static void like_refuses_what_does_not_fit(void **state)
{
    (void)state;
    char out[8];
    /* "%abcde%" is 7 bytes plus NUL: fits exactly; one more character does not. */
    assert_int_equal(db_like_pattern("abcde", out, sizeof(out)), 0);
    assert_string_equal(out, "%abcde%");
    assert_int_equal(db_like_pattern("abcdef", out, sizeof(out)), ERR_TOOBIG);
    assert_string_equal(out, "");
    /* An escaped character needs two bytes. */
    assert_int_equal(db_like_pattern("abcd%", out, sizeof(out)), ERR_TOOBIG);
    assert_int_equal(db_like_pattern("x", out, 2), ERR_TOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(like_wraps_lowers_and_escapes),
        cmocka_unit_test(like_refuses_what_does_not_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
