/* Unit tests for the org module's field checks (src/org/org.c), shared by the API and import. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/err.h"
#include "org/org.h"

#include <string.h>

static void test_code(void **state)
{
    (void)state;
    char out[ORG_CODE_MAX + 1];
    const char *why = NULL;
    assert_int_equal(org_code_normalise("ITC", out, &why), 0);
    assert_string_equal(out, "ITC");
    assert_int_equal(org_code_normalise("norrby", out, &why), 0);
    assert_string_equal(out, "NORRBY");
    assert_int_equal(org_code_normalise("Ab_9-x", out, &why), 0);
    assert_string_equal(out, "AB_9-X");
    assert_int_equal(org_code_normalise("AB", out, &why), 0);
    assert_int_equal(org_code_normalise("ABCDEFGHIJKLMNOPQRST", out, &why), 0);
    const char *bad[] = {"A",    "",  "ABCDEFGHIJKLMNOPQRSTU", "SÖDERÅS", "NOR RBY", "A.B", "A/B",
                         "A\tB", "ÅÄ"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        assert_int_equal(org_code_normalise(bad[i], out, &why), ERR_INVALID);
        assert_non_null(why);
    }
    assert_int_equal(org_code_normalise(NULL, out, &why), ERR_INVALID);
}

static void test_org_number(void **state)
{
    (void)state;
    char out[ORG_NUMBER_LEN + 1];
    const char *why = NULL;
    /* Valid: Luhn over the ten digits, third digit at least 2. */
    assert_int_equal(org_number_normalise("212000-2411", out, &why), 0);
    assert_string_equal(out, "212000-2411");
    assert_int_equal(org_number_normalise("2120002411", out, &why), 0);
    assert_string_equal(out, "212000-2411");
    assert_int_equal(org_number_normalise("222000-0018", out, &why), 0); /* init's ITC */
    assert_int_equal(org_number_normalise("556016-0680", out, &why), 0); /* a real AB */
    /* The check digit. */
    assert_int_equal(org_number_normalise("212000-2412", out, &why), ERR_INVALID);
    assert_non_null(strstr(why, "check digit"));
    assert_int_equal(org_number_normalise("2120002410", out, &why), ERR_INVALID);
    /* A personnummer: a month (0 or 1) as the third digit, refused even when Luhn-valid. */
    assert_int_equal(org_number_normalise("850709-1234", out, &why), ERR_INVALID);
    assert_non_null(strstr(why, "personnummer"));
    assert_int_equal(org_number_normalise("811218-9876", out, &why), ERR_INVALID); /* Luhn ok */
    assert_non_null(strstr(why, "personnummer"));
    /* The form. */
    const char *bad[] = {"",
                         "212000-241",
                         "212000-24111",
                         "21200-02411",
                         "212000+2411",
                         "2120002411 ",
                         "21200024111",
                         "212000-241a",
                         "２１２０００２４１１"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        assert_int_equal(org_number_normalise(bad[i], out, &why), ERR_INVALID);
        assert_non_null(strstr(why, "NNNNNN-NNNN"));
    }
}

static void test_kind_and_name(void **state)
{
    (void)state;
    const char *why = NULL;
    const char *kinds[] = {"it_centre",  "municipality", "company",
                           "foundation", "supplier",     "external"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(org_kind_check(kinds[i], &why), 0);
    assert_int_equal(org_kind_check("Municipality", &why), ERR_INVALID);
    assert_int_equal(org_kind_check("kommun", &why), ERR_INVALID);
    assert_int_equal(org_kind_check(NULL, &why), ERR_INVALID);

    assert_int_equal(org_name_check("Söderås kommun", &why), 0);
    char name[ORG_NAME_MAX * 2 + 1];
    for (int i = 0; i < ORG_NAME_MAX; i++)
        memcpy(name + 2 * i, "å", 2); /* 200 characters, 400 bytes */
    name[2 * ORG_NAME_MAX] = '\0';
    assert_int_equal(org_name_check(name, &why), 0);
    char longer[ORG_NAME_MAX + 2];
    memset(longer, 'a', ORG_NAME_MAX + 1);
    longer[ORG_NAME_MAX + 1] = '\0';
    assert_int_equal(org_name_check(longer, &why), ERR_INVALID);
    assert_int_equal(org_name_check("", &why), ERR_INVALID);
    assert_int_equal(org_name_check("   ", &why), ERR_INVALID);
    assert_int_equal(org_name_check("two\nlines", &why), ERR_INVALID);
    assert_int_equal(org_name_check("tab\there", &why), ERR_INVALID);
}

static void test_user_id(void **state)
{
    (void)state;
    const char *why = NULL;
    const char *good[] = {"a", "anna.berg", "Anna_Berg-2", "anna@norrby.se", "0"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(person_user_id_check(good[i], &why), 0);
    char max[USER_ID_MAX + 2];
    memset(max, 'u', USER_ID_MAX);
    max[USER_ID_MAX] = '\0';
    assert_int_equal(person_user_id_check(max, &why), 0);
    max[USER_ID_MAX] = 'u';
    max[USER_ID_MAX + 1] = '\0';
    assert_int_equal(person_user_id_check(max, &why), ERR_INVALID);
    const char *bad[] = {"", "anna berg", "åsa", "a/b", "a:b", "a+b", "a\nb", "a'b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(person_user_id_check(bad[i], &why), ERR_INVALID);
}

static void test_email(void **state)
{
    (void)state;
    const char *why = NULL;
    const char *good[] = {"anna@norrby.se", "a.b+c@sub.example.com", "x@y.se", "åsa@söderås.se"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(person_email_check(good[i], &why), 0);
    const char *bad[] = {"",
                         "anna",
                         "anna@",
                         "@norrby.se",
                         "anna@norrby",
                         "anna@@norrby.se",
                         "anna@norr@by.se",
                         "anna berg@norrby.se",
                         "anna@norrby.se ",
                         "anna@.norrby.se",
                         "anna@norrby.se.",
                         "anna@norrby..se",
                         "anna@localhost",
                         "anna\t@norrby.se"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        assert_int_equal(person_email_check(bad[i], &why), ERR_INVALID);
        assert_non_null(why);
    }
    char big[EMAIL_MAX + 2];
    memset(big, 'a', sizeof(big));
    memcpy(big + EMAIL_MAX - 8, "@norr.se", 9); /* exactly 254 bytes */
    assert_int_equal(person_email_check(big, &why), 0);
    memset(big, 'a', sizeof(big));
    memcpy(big + EMAIL_MAX - 7, "@norr.se", 9); /* 255 */
    assert_int_equal(person_email_check(big, &why), ERR_INVALID);
}

static void test_date_and_bool(void **state)
{
    (void)state;
    const char *why = NULL;
    bool b = false;
    assert_int_equal(org_date_check("2026-02-28", &why), 0);
    assert_int_equal(org_date_check("2028-02-29", &why), 0);
    const char *bad[] = {"2026-02-29",       "2026-13-01", "2026-1-01", "26-01-01",
                         "2026-01-01T00:00", "",           "2026/01/01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(org_date_check(bad[i], &why), ERR_INVALID);

    const char *yes[] = {"true", "TRUE", "True", "ja", "Ja", "JA"};
    const char *no[] = {"false", "FALSE", "nej", "Nej"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        b = false;
        assert_int_equal(org_bool_parse(yes[i], &b, &why), 0);
        assert_true(b);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        b = true;
        assert_int_equal(org_bool_parse(no[i], &b, &why), 0);
        assert_false(b);
    }
    const char *neither[] = {"", "1", "0", "yes", "no", "sant", "j", "true "};
    for (size_t i = 0; i < sizeof(neither) / sizeof(neither[0]); i++)
        assert_int_equal(org_bool_parse(neither[i], &b, &why), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code),          cmocka_unit_test(test_org_number),
        cmocka_unit_test(test_kind_and_name), cmocka_unit_test(test_user_id),
        cmocka_unit_test(test_email),         cmocka_unit_test(test_date_and_bool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
