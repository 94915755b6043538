/* Unit tests for the password rules (src/auth/password.c) and the lockout curve
 * (src/auth/throttle.c): common passwords in any case, Latin-1 lower-casing, the dummy hash's
 * parameters, and the delays. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "core/err.h"

#include <string.h>

extern const char *const auth_common_passwords[];
extern const size_t auth_common_passwords_count;

static int setup(void **state)
{
    (void)state;
    return auth_init();
}

static void test_list_is_sorted_and_complete(void **state)
{
    (void)state;
    /* At least the top 3,000 (ASVS 6.2.4), in strcmp order, each found by the bsearch. */
    assert_true(auth_common_passwords_count >= 3000);
    for (size_t i = 0; i < auth_common_passwords_count; i++) {
        if (i)
            assert_true(strcmp(auth_common_passwords[i - 1], auth_common_passwords[i]) < 0);
        assert_true(password_is_common(auth_common_passwords[i]));
    }
}

static void test_common_in_any_case(void **state)
{
    (void)state;
    assert_true(password_is_common("123456"));
    assert_true(password_is_common("password"));
    assert_true(password_is_common("PassWord1234"));
    assert_true(password_is_common("qwerty123"));
    assert_true(password_is_common("sommar2024"));
    assert_true(password_is_common("Sommar2024!"));
    assert_true(password_is_common("hejhej123"));
    assert_true(password_is_common("lösenord"));
    assert_true(password_is_common("LÖSENORD"));
    assert_true(password_is_common("Välkommen2025!"));
    assert_false(password_is_common("lösenord och en häst på taket"));
    assert_false(password_is_common(""));
}

static void test_acceptable(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(password_acceptable("short", &why), ERR_INVALID);
    assert_non_null(strstr(why, "12 characters"));
    assert_int_equal(password_acceptable("qwertyuiop123", &why), ERR_INVALID);
    assert_non_null(strstr(why, "common"));
    assert_int_equal(password_acceptable("LÖSENORD1234", &why), ERR_INVALID);
    assert_int_equal(password_acceptable("Välkommen2024!", &why), ERR_INVALID);
    /* Twelve characters of which several are two bytes: length counts characters. */
    assert_int_equal(password_acceptable("åäöåäöåäöåäö", &why), 0);
    assert_int_equal(password_acceptable("åäöåäöåäöåä", &why), ERR_INVALID);
    assert_int_equal(password_acceptable("correct horse battery staple", &why), 0);
    char big[PASSWORD_MAX_BYTES + 2];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(password_acceptable(big, &why), ERR_INVALID);
    assert_non_null(strstr(why, "1024"));
}

static void test_lower(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(auth_lower("ÅÄÖ ÉÜ Ab×Þ", out, sizeof(out)), 0);
    assert_string_equal(out, "åäö éü ab×þ");
    assert_int_equal(auth_lower("Anna.Berg@Norrby.SE", out, sizeof(out)), 0);
    assert_string_equal(out, "anna.berg@norrby.se");
    assert_int_equal(auth_lower("0123456789abcdef0123456789abcdef", out, sizeof(out)), ERR_TOOBIG);
    /* A lone lead byte at the end is left alone. */
    assert_int_equal(auth_lower("A\xC3", out, sizeof(out)), 0);
    assert_string_equal(out, "a\xC3");
}

static void test_dummy_hash_matches_the_real_parameters(void **state)
{
    (void)state;
    char hash[PASSWORD_HASH_SIZE];
    assert_int_equal(password_hash("correct horse battery staple", hash), 0);
    assert_true(strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    assert_true(password_verify(hash, "correct horse battery staple"));
    assert_false(password_verify(hash, "correct horse battery stapler"));
    password_verify_dummy("anything"); /* runs, fails quietly */
}

static void test_generated_passwords(void **state)
{
    (void)state;
    char a[32], b[32];
    const char *why;
    password_generate(a);
    password_generate(b);
    assert_int_equal(strlen(a), 20);
    assert_string_not_equal(a, b);
    assert_int_equal(password_acceptable(a, &why), 0);
}

static void test_throttle_delays(void **state)
{
    (void)state;
    for (int n = 0; n < 5; n++)
        assert_int_equal(throttle_delay(&THROTTLE_ACCOUNT, n), 0);
    assert_int_equal(throttle_delay(&THROTTLE_ACCOUNT, 5), 1);
    assert_int_equal(throttle_delay(&THROTTLE_ACCOUNT, 6), 2);
    assert_int_equal(throttle_delay(&THROTTLE_ACCOUNT, 10), 32);
    assert_int_equal(throttle_delay(&THROTTLE_ACCOUNT, 14), 512);
    assert_int_equal(throttle_delay(&THROTTLE_ACCOUNT, 15), 900);
    assert_int_equal(throttle_delay(&THROTTLE_ACCOUNT, 100), 900);
    assert_int_equal(throttle_delay(&THROTTLE_ACCOUNT, INT64_MAX), 900);
    /* Never 100 failures in a row without a lockout. */
    for (int n = 5; n <= 100; n++)
        assert_true(throttle_delay(&THROTTLE_ACCOUNT, n) > 0);
    assert_int_equal(throttle_delay(&THROTTLE_ADDRESS, 19), 0);
    assert_int_equal(throttle_delay(&THROTTLE_ADDRESS, 20), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_is_sorted_and_complete),
        cmocka_unit_test(test_common_in_any_case),
        cmocka_unit_test(test_acceptable),
        cmocka_unit_test(test_lower),
        cmocka_unit_test(test_dummy_hash_matches_the_real_parameters),
        cmocka_unit_test(test_generated_passwords),
        cmocka_unit_test(test_throttle_delays),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
