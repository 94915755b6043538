/* Unit tests for TOTP (src/auth/totp.c): the RFC 6238 SHA-1 vectors, the 6-digit check with its
 * window and reuse rule, the otpauth URI, the QR code SVG and recovery codes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

/* RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890". */
static const char RFC_KEY[] = "12345678901234567890";
/* The same seed in base32, as an authenticator app would be given it. */
static const char RFC_KEY_B32[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

static const struct {
    int64_t t;
    const char *code8;
} VECTORS[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"},
};

static int setup(void **state)
{
    (void)state;
    return auth_init();
}

static void test_rfc6238_sha1_8_digits(void **state)
{
    (void)state;
    char out[9];
    for (size_t i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++) {
        assert_int_equal(totp_code_raw((const unsigned char *)RFC_KEY, 20, VECTORS[i].t, 8, out),
                         0);
        assert_string_equal(out, VECTORS[i].code8);
    }
}

static void test_rfc6238_sha1_6_digits(void **state)
{
    (void)state;
    char out[7];
    for (size_t i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++) {
        assert_int_equal(totp_code_raw((const unsigned char *)RFC_KEY, 20, VECTORS[i].t, 6, out),
                         0);
        /* Dynamic truncation mod 10^6: the last six of the eight digits. */
        assert_string_equal(out, VECTORS[i].code8 + 2);
    }
}

static void test_verify_the_vectors_from_base32(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++) {
        int64_t step = 0, t = VECTORS[i].t;
        assert_int_equal(totp_verify(RFC_KEY_B32, VECTORS[i].code8 + 2, t, -1, &step), 0);
        assert_int_equal(step, t / 30);
    }
}

static void test_verify_window_and_reuse(void **state)
{
    (void)state;
    const int64_t t = 1234567890;
    const char *code = "005924"; /* the code of step t / 30 */
    int64_t step = 0;
    /* One step of drift either way is accepted, two are not. */
    assert_int_equal(totp_verify(RFC_KEY_B32, code, t + 30, -1, &step), 0);
    assert_int_equal(step, t / 30);
    assert_int_equal(totp_verify(RFC_KEY_B32, code, t - 30, -1, &step), 0);
    assert_int_equal(totp_verify(RFC_KEY_B32, code, t + 60, -1, &step), ERR_NOTFOUND);
    assert_int_equal(totp_verify(RFC_KEY_B32, code, t - 60, -1, &step), ERR_NOTFOUND);
    /* A step already used is never accepted again, nor one before it. */
    assert_int_equal(totp_verify(RFC_KEY_B32, code, t, t / 30, &step), ERR_NOTFOUND);
    assert_int_equal(totp_verify(RFC_KEY_B32, code, t, t / 30 + 1, &step), ERR_NOTFOUND);
    assert_int_equal(totp_verify(RFC_KEY_B32, code, t, t / 30 - 1, &step), 0);
}

static void test_verify_refuses_malformed_codes(void **state)
{
    (void)state;
    int64_t step;
    const int64_t t = 1234567890;
    assert_int_equal(totp_verify(RFC_KEY_B32, "", t, -1, &step), ERR_NOTFOUND);
    assert_int_equal(totp_verify(RFC_KEY_B32, "00592", t, -1, &step), ERR_NOTFOUND);
    assert_int_equal(totp_verify(RFC_KEY_B32, "0059244", t, -1, &step), ERR_NOTFOUND);
    assert_int_equal(totp_verify(RFC_KEY_B32, "89005924", t, -1, &step), ERR_NOTFOUND);
    assert_int_equal(totp_verify(RFC_KEY_B32, "00592a", t, -1, &step), ERR_NOTFOUND);
    assert_int_equal(totp_verify(RFC_KEY_B32, " 005924", t, -1, &step), ERR_NOTFOUND);
    assert_int_equal(totp_verify("not base32!", "005924", t, -1, &step), ERR_INVALID);
}

static void test_secret_is_160_bits_of_base32(void **state)
{
    (void)state;
    char a[TOTP_SECRET_SIZE], b[TOTP_SECRET_SIZE];
    assert_int_equal(totp_secret_new(a), 0);
    assert_int_equal(totp_secret_new(b), 0);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
    assert_string_not_equal(a, b);
    char *uri = totp_uri(a, "anna.berg");
    assert_non_null(uri);
    assert_non_null(strstr(uri, a));
    free(uri);
}

static void test_uri(void **state)
{
    (void)state;
    char *uri = totp_uri(RFC_KEY_B32, "anna berg");
    assert_non_null(uri);
    assert_string_equal(uri, "otpauth://totp/V%C3%A4rn:anna%20berg?secret="
                             "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=V%C3%A4rn"
                             "&algorithm=SHA1&digits=6&period=30");
    free(uri);
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_qr_svg_is_well_formed(void **state)
{
    (void)state;
    char *svg = qr_svg("otpauth://totp/V%C3%A4rn:admin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_non_null(svg);
    assert_true(strncmp(svg, "<svg ", 5) == 0);
    size_t n = strlen(svg);
    assert_true(n > 6 && strcmp(svg + n - 6, "</svg>") == 0);
    assert_non_null(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
    assert_int_equal(count(svg, "<path"), 1);
    assert_int_equal(count(svg, "<svg"), 1);
    assert_int_equal(count(svg, "</svg>"), 1);
    assert_non_null(strstr(svg, "fill=\"#000000\""));
    /* The CSP forbids inline styles and scripts. */
    assert_null(strstr(svg, "style"));
    assert_null(strstr(svg, "script"));
    assert_null(strstr(svg, " on")); /* no event handler attributes */
    /* The quiet zone: nothing is drawn in the first four modules. */
    assert_null(strstr(svg, "M0 "));
    assert_null(strstr(svg, "M3 "));
    assert_non_null(strstr(svg, "d=\"M4 4h7v1h-7z")); /* the finder pattern's top edge */
    free(svg);
}

static void test_recovery_codes(void **state)
{
    (void)state;
    char code[RECOVERY_CODE_SIZE], again[RECOVERY_CODE_SIZE], normal[RECOVERY_CODE_SIZE];
    recovery_code_new(again);
    for (int i = 0; i < 200; i++) {
        recovery_code_new(code);
        assert_int_equal(strlen(code), 9);
        assert_int_equal(code[4], '-');
        for (int j = 0; j < 9; j++)
            if (j != 4)
                assert_non_null(strchr("23456789abcdefghjkmnpqrstuvwxyz", code[j]));
        assert_int_equal(recovery_code_normalise(code, normal), 0);
        assert_string_equal(normal, code);
    }
    assert_string_not_equal(code, again);
    assert_int_equal(recovery_code_normalise("ABCD-EFGH", normal), 0);
    assert_string_equal(normal, "abcd-efgh");
    assert_int_equal(recovery_code_normalise(" abcd efgh ", normal), 0);
    assert_string_equal(normal, "abcd-efgh");
    assert_int_equal(recovery_code_normalise("abcdefgh", normal), 0);
    assert_string_equal(normal, "abcd-efgh");
    assert_int_equal(recovery_code_normalise("abcd-efg", normal), ERR_INVALID);
    assert_int_equal(recovery_code_normalise("abcd-efghj", normal), ERR_INVALID);
    assert_int_equal(recovery_code_normalise("abcd-efg1", normal), ERR_INVALID); /* 1: ambiguous */
    assert_int_equal(recovery_code_normalise("abcd-efgo", normal), ERR_INVALID); /* o: ambiguous */
    assert_int_equal(recovery_code_normalise("", normal), ERR_INVALID);
    assert_int_equal(recovery_code_normalise("abcd-ef'h", normal), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_sha1_8_digits),
        cmocka_unit_test(test_rfc6238_sha1_6_digits),
        cmocka_unit_test(test_verify_the_vectors_from_base32),
        cmocka_unit_test(test_verify_window_and_reuse),
        cmocka_unit_test(test_verify_refuses_malformed_codes),
        cmocka_unit_test(test_secret_is_160_bits_of_base32),
        cmocka_unit_test(test_uri),
        cmocka_unit_test(test_qr_svg_is_well_formed),
        cmocka_unit_test(test_recovery_codes),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
