/* Unit tests for the JSON writer (src/core/json_write.c): the bytes json_dumps gives, strict
 * UTF-8, and a bounded buffer that fails whole instead of truncating. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/json_write.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* What jansson writes for the string s (the reference the list pages must match). */
static char *jansson_string(const char *s)
{
    json_t *v = json_string(s);
    assert_non_null(v);
    char *out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    assert_non_null(out);
    return out;
}

static void check_string(const char *in, const char *want)
{
    struct buf b;
    buf_init(&b, 1000);
    assert_int_equal(jw_string(&b, in), 0);
    if (want)
        assert_string_equal(buf_str(&b), want);
    char *ref = jansson_string(in);
    assert_string_equal(buf_str(&b), ref);
    free(ref);
    buf_release(&b);
}

static void test_plain_and_empty(void **state)
{
    (void)state;
    check_string("", "\"\"");
    check_string("R-SYS-0001", "\"R-SYS-0001\"");
    check_string("a/b", "\"a/b\""); /* '/' is not escaped (no JSON_ESCAPE_SLASH) */
}

static void test_quotes_and_backslash(void **state)
{
    (void)state;
    check_string("say \"hi\"", "\"say \\\"hi\\\"\"");
    check_string("C:\\temp\\", "\"C:\\\\temp\\\\\"");
    check_string("\"", "\"\\\"\"");
}

static void test_control_characters(void **state)
{
    (void)state;
    check_string("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"");
    check_string("\x01\x1f\x1b", "\"\\u0001\\u001F\\u001B\"");
    check_string("\x7f", "\"\x7f\""); /* DEL is not a control character in JSON */
    /* Every ASCII byte matches jansson. */
    for (int c = 1; c < 0x80; c++) {
        char in[4] = {'x', (char)c, 'y', 0};
        struct buf b;
        buf_init(&b, 100);
        assert_int_equal(jw_string(&b, in), 0);
        char *ref = jansson_string(in);
        assert_string_equal(buf_str(&b), ref);
        free(ref);
        buf_release(&b);
    }
}

/* Long strings go eight bytes at a time: every byte in every position of a 24-byte string
 * still matches jansson, and a bad byte anywhere is still found. */
static void test_every_byte_in_every_position(void **state)
{
    (void)state;
    for (int c = 1; c < 0x100; c++) {
        for (int pos = 0; pos < 24; pos++) {
            char in[25];
            memset(in, 'a', 24);
            in[24] = 0;
            in[pos] = (char)c;
            struct buf b;
            buf_init(&b, 1000);
            int rc = jw_string(&b, in);
            json_t *v = json_string(in);
            if (c < 0x80) {
                assert_int_equal(rc, 0);
                char *ref = jansson_string(in);
                assert_string_equal(buf_str(&b), ref);
                free(ref);
            } else {
                /* A lone byte from 0x80 is never valid UTF-8. */
                assert_int_equal(rc, ERR_INVALID);
                assert_null(v);
            }
            json_decref(v);
            buf_release(&b);
        }
    }
    /* Multi-byte sequences straddling the eight-byte words. */
    for (int pos = 0; pos < 16; pos++) {
        char in[32];
        memset(in, 'b', sizeof(in));
        memcpy(in + pos, "\xF0\x9F\x98\x80\xC3\xA5", 6);
        in[24] = 0;
        check_string(in, NULL);
    }
}

/* The one-pass path (room already there): every length from 0 to 33 with a byte that needs
 * an escape, a two-byte letter, a four-byte one or an invalid byte at every position, after a
 * "[" already written; the result matches jansson and a refused string leaves "[" alone. */
static void test_every_length_with_room(void **state)
{
    (void)state;
    static const char *const odd[] = {"\"",   "\\",   "\n",       "\x01",
                                      "\x1f", "\x7f", "\xC3\xA5", "\xF0\x9F\x98\x80",
                                      "\xFF", "\xC3", "\x80"};
    for (size_t len = 0; len <= 33; len++) {
        for (size_t k = 0; k <= sizeof(odd) / sizeof(odd[0]); k++) {
            for (size_t pos = 0; pos <= len; pos++) {
                char in[64];
                memset(in, 'q', len);
                in[len] = 0;
                if (k < sizeof(odd) / sizeof(odd[0])) { /* k == the count: plain text only */
                    size_t n = strlen(odd[k]);
                    if (pos + n > len)
                        continue;
                    memcpy(in + pos, odd[k], n);
                }
                struct buf b;
                buf_init(&b, 1000);
                assert_int_equal(buf_reserve(&b, 200), 0);
                assert_int_equal(jw_raw(&b, "["), 0);
                int rc = jw_string(&b, in);
                json_t *v = json_string(in);
                if (v) {
                    assert_int_equal(rc, 0);
                    char *ref = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                    assert_non_null(ref);
                    assert_int_equal(buf_str(&b)[0], '[');
                    assert_string_equal(buf_str(&b) + 1, ref);
                    free(ref);
                } else {
                    assert_int_equal(rc, ERR_INVALID);
                    assert_string_equal(buf_str(&b), "[");
                }
                json_decref(v);
                buf_release(&b);
            }
        }
    }
}

static void test_utf8_passes_through(void **state)
{
    (void)state;
    check_string("Växjö", "\"Växjö\"");
    check_string("Synnerligen allvarlig skada – €", "\"Synnerligen allvarlig skada – €\"");
    check_string("\xF0\x9F\x98\x80 emoji", "\"\xF0\x9F\x98\x80 emoji\"");
    check_string("\xEF\xBF\xBF\xF4\x8F\xBF\xBF", "\"\xEF\xBF\xBF\xF4\x8F\xBF\xBF\"");
}

static void test_invalid_utf8_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\xFF",             /* never valid */
        "a\x80",            /* a lone continuation byte */
        "\xC3",             /* cut short */
        "\xC3(",            /* a lead without its continuation */
        "\xC0\xAF",         /* overlong '/' */
        "\xE0\x80\xAF",     /* overlong, three bytes */
        "\xF0\x80\x80\xAF", /* overlong, four bytes */
        "\xED\xA0\x80",     /* a UTF-16 surrogate */
        "\xF4\x90\x80\x80", /* past U+10FFFF */
        "\xF5\x80\x80\x80", /* past U+10FFFF */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct buf b;
        buf_init(&b, 100);
        assert_int_equal(jw_raw(&b, "["), 0);
        assert_int_equal(jw_string(&b, bad[i]), ERR_INVALID);
        assert_string_equal(buf_str(&b), "["); /* left as it was */
        json_t *v = json_string(bad[i]);
        assert_null(v); /* jansson refuses the same */
        buf_release(&b);
    }
    /* A NUL inside a counted string is refused rather than written. */
    struct buf b;
    buf_init(&b, 100);
    assert_int_equal(jw_string_n(&b, "a\0b", 3), ERR_INVALID);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void test_scalars_and_keys(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 200);
    assert_int_equal(jw_raw(&b, "{"), 0);
    assert_int_equal(jw_key(&b, "k"), 0);
    assert_int_equal(jw_int(&b, 3), 0);
    assert_int_equal(jw_raw(&b, ","), 0);
    assert_int_equal(jw_key(&b, "min"), 0);
    assert_int_equal(jw_int(&b, INT64_MIN), 0);
    assert_int_equal(jw_raw(&b, ","), 0);
    assert_int_equal(jw_key(&b, "sso"), 0);
    assert_int_equal(jw_bool(&b, true), 0);
    assert_int_equal(jw_raw(&b, ","), 0);
    assert_int_equal(jw_key(&b, "mfa"), 0);
    assert_int_equal(jw_bool(&b, false), 0);
    assert_int_equal(jw_raw(&b, ","), 0);
    assert_int_equal(jw_key(&b, "q\""), 0);
    assert_int_equal(jw_null(&b), 0);
    assert_int_equal(jw_raw(&b, "}"), 0);
    assert_string_equal(buf_str(&b), "{\"k\":3,\"min\":-9223372036854775808,\"sso\":true,"
                                     "\"mfa\":false,\"q\\\"\":null}");
    json_error_t err;
    json_t *v = json_loads(buf_str(&b), 0, &err);
    assert_non_null(v);
    json_decref(v);
    buf_release(&b);
}

/* Every prefix of the room: a string fits whole or not at all. */
static void test_buffer_full_fails_whole(void **state)
{
    (void)state;
    const char *in = "ab\"c\x01 Växjö \xF0\x9F\x98\x80";
    const char *want = "\"ab\\\"c\\u0001 Växjö \xF0\x9F\x98\x80\"";
    size_t need = strlen(want);
    for (size_t max = 0; max <= need + 2; max++) {
        struct buf b;
        buf_init(&b, max);
        int rc = jw_string(&b, in);
        if (max < need) {
            assert_int_equal(rc, ERR_TOOBIG);
            assert_int_equal(b.len, 0);
            assert_string_equal(buf_str(&b), "");
        } else {
            assert_int_equal(rc, 0);
            assert_string_equal(buf_str(&b), want);
        }
        buf_release(&b);
    }
    /* Failing after earlier content keeps that content intact, and so do key, int, bool. Room
     * for 8 bytes, 2 used: 6 are left. */
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(jw_raw(&b, "[1"), 0);
    assert_int_equal(jw_string(&b, "abcde"), ERR_TOOBIG); /* 7 */
    assert_int_equal(jw_key(&b, "abcd"), ERR_TOOBIG);     /* 7 */
    assert_int_equal(jw_int(&b, 1234567), ERR_TOOBIG);    /* 7 */
    assert_int_equal(jw_raw(&b, ",false]"), ERR_TOOBIG);  /* 7 */
    assert_string_equal(buf_str(&b), "[1");
    assert_int_equal(jw_raw(&b, ","), 0);
    assert_int_equal(jw_string(&b, "abcd"), ERR_TOOBIG); /* 6, with 5 left */
    assert_int_equal(jw_null(&b), 0);
    assert_string_equal(buf_str(&b), "[1,null");
    assert_int_equal(jw_raw(&b, "]]"), ERR_TOOBIG);
    assert_int_equal(jw_raw(&b, "]"), 0);
    assert_string_equal(buf_str(&b), "[1,null]");
    buf_release(&b);
}

static void test_utf8_len(void **state)
{
    (void)state;
    assert_int_equal(jw_utf8_len((const unsigned char *)"a", 1), 1);
    assert_int_equal(jw_utf8_len((const unsigned char *)"\xC3\xA5", 2), 2);
    assert_int_equal(jw_utf8_len((const unsigned char *)"\xC3\xA5", 1), 0);
    assert_int_equal(jw_utf8_len((const unsigned char *)"\xE2\x82\xAC", 3), 3);
    assert_int_equal(jw_utf8_len((const unsigned char *)"\xF0\x9F\x98\x80", 4), 4);
    assert_int_equal(jw_utf8_len((const unsigned char *)"\xF0\x9F\x98", 3), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_empty),
        cmocka_unit_test(test_quotes_and_backslash),
        cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_every_byte_in_every_position),
        cmocka_unit_test(test_every_length_with_room),
        cmocka_unit_test(test_utf8_passes_through),
        cmocka_unit_test(test_invalid_utf8_refused),
        cmocka_unit_test(test_scalars_and_keys),
        cmocka_unit_test(test_buffer_full_fails_whole),
        cmocka_unit_test(test_utf8_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
