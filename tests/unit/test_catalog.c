/* Unit tests for the catalog's and classification's field checks: CPE 2.3, country, lifecycle,
 * hosting, external ids, the Swedish level names and the yearly review date. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "catalog/cat_common.h"
#include "catalog/catalog.h"
#include "classification/classification.h"
#include "core/err.h"

#include <string.h>

static void test_cpe(void **state)
{
    (void)state;
    const char *why = NULL;
    const char *good[] = {
        "cpe:2.3:a:microsoft:office:2019:*:*:*:*:*:*:*",
        "cpe:2.3:o:linux:linux_kernel:5.10.1:-:*:*:*:*:*:*",
        "cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*",
        "cpe:2.3:a:foo\\:bar:baz:1.0:*:*:en:*:*:*:*",
        "cpe:2.3:a:vendor:product:1.*:*:*:sv\\-se:*:*:*:*",
        "cpe:2.3:a:vendor:product:*1.0:*:*:es\\-419:*:*:*:*",
        "cpe:2.3:a:vendor:product:??1:*:*:*:*:*:*:*",
        "cpe:2.3:a:ven\\!dor:product:1:*:*:*:*:*:*:*",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(cpe_check(good[i], &why), 0);
    const char *bad[] = {
        "",
        "cpe:/a:microsoft:office:2019",
        "cpe:2.3:",
        "cpe:2.3:x:microsoft:office:2019:*:*:*:*:*:*:*",
        "cpe:2.3:ao:microsoft:office:2019:*:*:*:*:*:*:*",
        "cpe:2.3:*:microsoft:office:2019:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:office:2019:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:office:2019:*:*:*:*:*:*:*:*",
        "cpe:2.3:a:micro soft:office:2019:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:office!:2019:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:office:**:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:office:1*1:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft::2019:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:office:2019:*:*:english:*:*:*:*",
        "cpe:2.3:a:microsoft:office:2019:*:*:en-us:*:*:*:*",
        "cpe:2.3:a:microsoft:office:1\\a:*:*:*:*:*:*:*",
        "cpe:2.3:a:microsoft:office:2019:*:*:*:*:*:*:*\\",
        "CPE:2.3:a:microsoft:office:2019:*:*:*:*:*:*:*",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        assert_int_equal(cpe_check(bad[i], &why), ERR_INVALID);
        assert_non_null(why);
    }
    assert_int_equal(cpe_check(NULL, &why), ERR_INVALID);
}

static void test_enums_and_ids(void **state)
{
    (void)state;
    const char *why;
    assert_int_equal(country_check("SE", &why), 0);
    assert_int_equal(country_check("se", &why), ERR_INVALID);
    assert_int_equal(country_check("SWE", &why), ERR_INVALID);
    assert_int_equal(country_check(NULL, &why), ERR_INVALID);
    assert_int_equal(lifecycle_check("planned", &why), 0);
    assert_int_equal(lifecycle_check("Planned", &why), ERR_INVALID);
    assert_int_equal(hosting_check("cloud", &why), 0);
    assert_int_equal(hosting_check("", &why), ERR_INVALID);
    assert_int_equal(cat_external_id_check("SYS-1.a_b", &why), 0);
    assert_int_equal(cat_external_id_check("a b", &why), ERR_INVALID);
    assert_int_equal(cat_external_id_check("", &why), ERR_INVALID);
    char long_id[CAT_EXTERNAL_ID_MAX + 2];
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    assert_int_equal(cat_external_id_check(long_id, &why), ERR_INVALID);
    long_id[CAT_EXTERNAL_ID_MAX] = '\0';
    assert_int_equal(cat_external_id_check(long_id, &why), 0);
}

static void test_levels_and_review(void **state)
{
    (void)state;
    char due[ORG_DATE_LEN + 1];
    assert_string_equal(cat_level_name_sv(0), "Ingen eller försumbar skada");
    assert_string_equal(cat_level_name_sv(3), "Allvarlig skada");
    assert_string_equal(cat_level_name_sv(4), "Synnerligen allvarlig skada");
    assert_string_equal(cat_level_name_sv(5), "");
    assert_int_equal(classification_review_due("2026-11-22T08:00:00Z", due), 0);
    assert_string_equal(due, "2027-11-22");
    assert_int_equal(classification_review_due("2028-02-29T23:59:59Z", due), 0);
    assert_string_equal(due, "2029-02-28");
    assert_int_equal(classification_review_due("20x6-01-01", due), ERR_INVALID);
    assert_int_equal(classification_review_due(NULL, due), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpe),
        cmocka_unit_test(test_enums_and_ids),
        cmocka_unit_test(test_levels_and_review),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
