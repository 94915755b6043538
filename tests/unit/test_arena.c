/* Unit tests for the region allocator (src/core/arena.c): alignment, zeroing, cleanups, reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/arena.h"

#include <stdio.h>
#include <string.h>

static int all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != 0)
            return 0;
    return 1;
}

static void test_alloc_alignment(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    /* Odd sizes, so a missing round-up would leave the next pointer misaligned. */
    for (size_t n = 0; n < 200; n++) {
        void *p = arena_alloc(&a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    /* Large allocations get their own block: still aligned. */
    for (size_t n = 4097; n < 4097 + 5 * 8191; n += 8191) {
        void *p = arena_alloc(&a, n);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    assert_int_equal(a.allocated % 16, 0);
    arena_release(&a);
}

static void test_alloc_zeroed(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    /* Dirty memory first, so that recycled heap memory would show up if not zeroed. */
    for (int round = 0; round < 3; round++) {
        unsigned char *small[40];
        for (size_t i = 0; i < 40; i++) {
            small[i] = arena_alloc(&a, i * 7 + 1);
            assert_true(all_zero(small[i], i * 7 + 1));
            memset(small[i], 0xA5, i * 7 + 1);
        }
        unsigned char *big = arena_alloc(&a, 20000);
        assert_true(all_zero(big, 20000));
        memset(big, 0x5A, 20000);
        arena_release(&a);
    }
}

static void test_allocations_do_not_overlap(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    enum { N = 300 };
    unsigned char *p[N];
    size_t len[N];
    for (size_t i = 0; i < N; i++) {
        /* Mostly small, every 17th larger than half a block. */
        len[i] = i % 17 == 0 ? 5000 + i : 1 + i % 97;
        p[i] = arena_alloc(&a, len[i]);
        memset(p[i], (int)(i & 0xFF), len[i]);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < len[i]; k++)
            assert_int_equal(p[i][k], i & 0xFF);
    arena_release(&a);
}

static void test_large_beside_small(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *s1 = arena_alloc(&a, 10);
    memcpy(s1, "small one", 10);
    char *big = arena_alloc(&a, 100000);
    assert_non_null(big);
    assert_true(all_zero(big, 100000));
    memset(big, 'x', 100000);
    /* The large block must not take the place of the current one: the next small allocation
     * continues right after the first. */
    char *s2 = arena_alloc(&a, 10);
    assert_ptr_equal(s2, s1 + 16);
    memcpy(s2, "small two", 10);
    assert_string_equal(s1, "small one");
    assert_string_equal(s2, "small two");
    assert_int_equal(big[0], 'x');
    assert_int_equal(big[99999], 'x');
    assert_int_equal(a.allocated, 16 + 100000 + 16);
    arena_release(&a);
}

static void test_large_first_then_small(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *big = arena_alloc(&a, 9000);
    memset(big, 'b', 9000);
    char *s = arena_printf(&a, "%s-%d", "after", 7);
    assert_string_equal(s, "after-7");
    assert_int_equal(big[8999], 'b');
    arena_release(&a);
}

static void test_strdup_strndup(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    assert_string_equal(arena_strdup(&a, "hello"), "hello");
    assert_string_equal(arena_strdup(&a, ""), "");
    assert_string_equal(arena_strndup(&a, "hello world", 5), "hello");
    assert_string_equal(arena_strndup(&a, "hello", 0), "");
    /* A source that is not NUL-terminated: exactly n bytes are read. */
    const char raw[3] = {'a', 'b', 'c'};
    char *c = arena_strndup(&a, raw, sizeof(raw));
    assert_int_equal(strlen(c), 3);
    assert_string_equal(c, "abc");
    /* The copy is independent of the source. */
    char src[] = "mutable";
    char *d = arena_strdup(&a, src);
    src[0] = 'M';
    assert_string_equal(d, "mutable");
    arena_release(&a);
}

static void test_printf(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    assert_string_equal(arena_printf(&a, "%d-%s-%c", 42, "x", 'y'), "42-x-y");
    assert_string_equal(arena_printf(&a, "%s", ""), "");
    /* Longer than a whole block. */
    char *p = arena_printf(&a, "%0*d", 20000, 7);
    assert_int_equal(strlen(p), 20000);
    assert_int_equal(p[0], '0');
    assert_int_equal(p[19998], '0');
    assert_int_equal(p[19999], '7');
    /* Many in a row each keep their own text. */
    char *items[100];
    for (int i = 0; i < 100; i++)
        items[i] = arena_printf(&a, "item %d", i);
    for (int i = 0; i < 100; i++) {
        char want[16];
        snprintf(want, sizeof(want), "item %d", i);
        assert_string_equal(items[i], want);
    }
    arena_release(&a);
}

struct record {
    int order[8]; /* ids in the order the cleanups ran */
    int n;        /* how many ran */
    char seen[8]; /* first byte of arena memory each cleanup saw */
};

struct cleanup_arg {
    struct record *rec;
    int id;
    const char *text; /* arena memory, still valid while cleanups run */
};

static void record_cleanup(void *p)
{
    struct cleanup_arg *c = p;
    assert_true(c->rec->n < 8);
    c->rec->seen[c->rec->n] = c->text[0];
    c->rec->order[c->rec->n++] = c->id;
}

static void test_cleanups_reverse_once(void **state)
{
    (void)state;
    struct arena a;
    struct record rec = {{0}, 0, {0}};
    arena_init(&a);
    for (int id = 1; id <= 4; id++) {
        /* The argument itself lives in the arena: cleanups must run before blocks are freed. */
        struct cleanup_arg *c = arena_alloc(&a, sizeof(*c));
        c->rec = &rec;
        c->id = id;
        c->text = arena_printf(&a, "%c", 'a' + id);
        arena_defer(&a, record_cleanup, c);
        /* Push later registrations into a different block. */
        arena_alloc(&a, 5000);
    }
    assert_int_equal(rec.n, 0);
    arena_release(&a);
    assert_int_equal(rec.n, 4);
    assert_int_equal(rec.order[0], 4);
    assert_int_equal(rec.order[1], 3);
    assert_int_equal(rec.order[2], 2);
    assert_int_equal(rec.order[3], 1);
    assert_memory_equal(rec.seen, "edcb", 4);
    assert_null(a.head);
    assert_null(a.cleanups);
    assert_int_equal(a.allocated, 0);
    /* A second release runs nothing again. */
    arena_release(&a);
    assert_int_equal(rec.n, 4);
}

static void test_reusable_after_release(void **state)
{
    (void)state;
    struct arena a;
    struct record rec = {{0}, 0, {0}};
    arena_init(&a);
    arena_strdup(&a, "first life");
    arena_alloc(&a, 50000);
    arena_release(&a);

    char *s = arena_strdup(&a, "second life");
    assert_string_equal(s, "second life");
    assert_int_equal((uintptr_t)s % 16, 0);
    struct cleanup_arg c = {&rec, 9, "z"};
    arena_defer(&a, record_cleanup, &c);
    assert_true(a.allocated > 0);
    arena_release(&a);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.order[0], 9);
    arena_release(&a);
    assert_int_equal(rec.n, 1);
}

static void test_release_empty(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    arena_release(&a);
    assert_null(a.head);
    assert_null(a.cleanups);
    assert_int_equal(a.allocated, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_alignment),
        cmocka_unit_test(test_alloc_zeroed),
        cmocka_unit_test(test_allocations_do_not_overlap),
        cmocka_unit_test(test_large_beside_small),
        cmocka_unit_test(test_large_first_then_small),
        cmocka_unit_test(test_strdup_strndup),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_cleanups_reverse_once),
        cmocka_unit_test(test_reusable_after_release),
        cmocka_unit_test(test_release_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
