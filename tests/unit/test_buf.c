/* Unit tests for the bounded buffer (src/core/buf.c): a hard maximum, never truncation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_append_within_max(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    assert_int_equal(buf_append(&b, "abc", 3), 0);
    assert_int_equal(buf_append_str(&b, "def"), 0);
    assert_int_equal(b.len, 6);
    assert_string_equal(buf_str(&b), "abcdef");
    assert_true(b.cap >= b.len + 1);
    assert_true(b.cap <= b.max + 1);
    buf_release(&b);
}

static void test_append_exactly_at_max(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, "abcd", 4), 0);
    assert_int_equal(buf_append(&b, "efghij", 6), 0);
    assert_int_equal(b.len, 10);
    assert_string_equal(buf_str(&b), "abcdefghij");
    /* Room for the NUL only: the allocation never exceeds max + 1. */
    assert_int_equal(b.cap, 11);
    /* Nothing more fits, but appending nothing still succeeds. */
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_int_equal(b.len, 10);
    buf_release(&b);
}

static void test_append_one_over(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, "abcdefghi", 9), 0);
    assert_int_equal(buf_append(&b, "XY", 2), ERR_TOOBIG);
    assert_int_equal(b.len, 9);
    assert_string_equal(buf_str(&b), "abcdefghi");
    assert_int_equal(buf_append_str(&b, "XY"), ERR_TOOBIG);
    assert_string_equal(buf_str(&b), "abcdefghi");
    /* The last byte still fits afterwards. */
    assert_int_equal(buf_append(&b, "j", 1), 0);
    assert_string_equal(buf_str(&b), "abcdefghij");
    assert_int_equal(buf_append(&b, "k", 1), ERR_TOOBIG);
    assert_string_equal(buf_str(&b), "abcdefghij");
    assert_int_equal(b.len, 10);
    buf_release(&b);
}

static void test_first_append_over(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 5);
    assert_int_equal(buf_append(&b, "123456", 6), ERR_TOOBIG);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    /* A huge length must not wrap around the check. */
    assert_int_equal(buf_append(&b, "x", SIZE_MAX), ERR_TOOBIG);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void test_growth_keeps_contents(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    char chunk[100];
    for (int i = 0; i < 1000; i++) {
        memset(chunk, 'a' + i % 26, sizeof(chunk));
        assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
    }
    assert_int_equal(b.len, 100000);
    assert_int_equal(strlen(buf_str(&b)), 100000);
    for (size_t i = 0; i < 100000; i++)
        assert_int_equal(b.data[i], 'a' + (int)(i / 100) % 26);
    buf_release(&b);
}

static void test_binary_data(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 16);
    assert_int_equal(buf_append(&b, "a\0b", 3), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4); /* and the terminating NUL */
    buf_release(&b);
}

static void test_printf(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 12);
    assert_int_equal(buf_printf(&b, "%d:%s", 42, "ab"), 0);
    assert_string_equal(buf_str(&b), "42:ab");
    assert_int_equal(buf_printf(&b, "%s", ""), 0);
    assert_int_equal(b.len, 5);
    /* Exactly to the maximum. */
    assert_int_equal(buf_printf(&b, "-%05d-", 7), 0);
    assert_string_equal(buf_str(&b), "42:ab-00007-");
    assert_int_equal(b.len, 12);
    buf_release(&b);
}

static void test_printf_overflow(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_printf(&b, "%s", "abcde"), 0);
    assert_int_equal(buf_printf(&b, "%s", "fghi"), ERR_TOOBIG); /* 9 > 8 */
    assert_int_equal(b.len, 5);
    assert_string_equal(buf_str(&b), "abcde");
    assert_int_equal(buf_printf(&b, "%0100d", 1), ERR_TOOBIG);
    assert_string_equal(buf_str(&b), "abcde");
    assert_int_equal(buf_printf(&b, "%s", "fgh"), 0);
    assert_string_equal(buf_str(&b), "abcdefgh");
    buf_release(&b);

    /* Overflow on an empty buffer leaves it empty. */
    buf_init(&b, 3);
    assert_int_equal(buf_printf(&b, "%d", 1234), ERR_TOOBIG);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    buf_release(&b);
}

static void test_str_of_empty(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    const char *s = buf_str(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(buf_append(&b, "xyz", 3), 0);
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    /* The maximum still holds after a reset. */
    assert_int_equal(buf_append(&b, "0123456789", 10), 0);
    assert_int_equal(buf_append(&b, "!", 1), ERR_TOOBIG);
    buf_release(&b);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(b.max, 10);
}

static void test_detach(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 32);
    assert_int_equal(buf_append_str(&b, "owned by caller"), 0);
    const char *before = b.data;
    size_t len = 0;
    char *p = buf_detach(&b, &len);
    assert_ptr_equal(p, before);
    assert_int_equal(len, 15);
    assert_string_equal(p, "owned by caller");
    /* The buffer forgot the memory: it is empty and usable, with the same maximum. */
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 32);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_append_str(&b, "new"), 0);
    assert_string_equal(buf_str(&b), "new");
    assert_string_equal(p, "owned by caller");
    assert_true(b.data != p);
    free(p);
    /* len may be NULL. */
    char *q = buf_detach(&b, NULL);
    assert_string_equal(q, "new");
    free(q);
    buf_release(&b);
}

static void test_detach_empty(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 4);
    size_t len = 99;
    char *p = buf_detach(&b, &len);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p); /* must be heap memory the caller owns */
}

static void test_max_zero(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_append(&b, "x", 1), ERR_TOOBIG);
    assert_int_equal(buf_append_str(&b, "x"), ERR_TOOBIG);
    assert_int_equal(buf_printf(&b, "%s", "x"), ERR_TOOBIG);
    assert_int_equal(buf_printf(&b, "%s", ""), 0);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    size_t len = 1;
    char *p = buf_detach(&b, &len);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);
    buf_release(&b);
}

/* The whole file, across several 64 KiB reads; a missing file is ERR_IO; one over the
 * maximum is ERR_TOOBIG, never a cut copy passed off as the file. */
static void test_read_file(void **state)
{
    (void)state;
    char path[] = "/tmp/varn-test-buf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i < 200000; i++)
        fputc('a' + i % 26, f);
    fclose(f);
    struct buf b;
    buf_init(&b, 200000);
    assert_int_equal(buf_read_file(&b, path), 0);
    assert_int_equal(b.len, 200000);
    assert_int_equal(b.data[199999], 'a' + 199999 % 26);
    buf_release(&b);
    buf_init(&b, 199999);
    assert_int_equal(buf_read_file(&b, path), ERR_TOOBIG);
    buf_release(&b);
    unlink(path);
    buf_init(&b, 100);
    assert_int_equal(buf_read_file(&b, path), ERR_IO);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_within_max),
        cmocka_unit_test(test_append_exactly_at_max),
        cmocka_unit_test(test_append_one_over),
        cmocka_unit_test(test_first_append_over),
        cmocka_unit_test(test_growth_keeps_contents),
        cmocka_unit_test(test_binary_data),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_printf_overflow),
        cmocka_unit_test(test_str_of_empty),
        cmocka_unit_test(test_detach),
        cmocka_unit_test(test_detach_empty),
        cmocka_unit_test(test_max_zero),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
