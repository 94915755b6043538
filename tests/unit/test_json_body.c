/* Unit tests for body validation (src/core/json_body.c): every problem code, status and field. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/json_body.h"

#include <stdio.h>
#include <string.h>

static const struct field fields[] = {
    {"name", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, 10, "A name"},
    {"count", FIELD_INTEGER, 0, 0, 100, "A count"},
    {"active", FIELD_BOOLEAN, 0, 0, 0, "A flag"},
    {"due", FIELD_DATE, FIELD_NULLABLE, 0, 0, "A date"},
    {NULL, 0, 0, 0, 0, NULL},
};

/* Strings with a lower bound above 1, one without an upper bound, one that may span lines. */
static const struct field text_fields[] = {
    {"code", FIELD_STRING, 0, 3, 5, "3 to 5 characters"},
    {"notes", FIELD_STRING, FIELD_NULLABLE, 0, 0, "unbounded, several lines"},
    {NULL, 0, 0, 0, 0, NULL},
};

/* Parse body against table; a canary in *out proves the function clears it on failure. */
static int parse_with(const struct field *table, const char *body, size_t len, json_t **out,
                      struct json_problem *p)
{
    static json_t *canary;
    if (!canary)
        canary = json_true(); /* a singleton: nothing to free */
    *out = canary;
    memset(p, 0x55, sizeof(*p));
    return json_body_parse(body, len, table, out, p);
}

/* Expect body to be accepted; returns the parsed object (the caller decrefs it). */
static json_t *accept_with(const struct field *table, const char *body)
{
    json_t *out;
    struct json_problem p;
    int rc = parse_with(table, body, strlen(body), &out, &p);
    if (rc != 0)
        fail_msg("body %s was refused: %s %s", body, p.code, p.detail);
    assert_non_null(out);
    assert_true(json_is_object(out));
    return out;
}

static json_t *accept(const char *body)
{
    return accept_with(fields, body);
}

static void expect_problem_len(const struct field *table, const char *body, size_t len, int status,
                               const char *code, const char *field)
{
    json_t *out;
    struct json_problem p;
    int rc = parse_with(table, body, len, &out, &p);
    if (rc != ERR_INVALID)
        fail_msg("body %.*s gave %d, expected ERR_INVALID", (int)len, body, rc);
    assert_null(out);
    if (p.status != status || strcmp(p.code, code) != 0 || strcmp(p.field, field) != 0)
        fail_msg("body %.*s: got %d %s field '%s', expected %d %s field '%s'", (int)len, body,
                 p.status, p.code, p.field, status, code, field);
    /* The detail is a NUL-terminated sentence for people. */
    assert_non_null(memchr(p.detail, '\0', sizeof(p.detail)));
    assert_true(strlen(p.detail) > 0);
}

static void expect_problem_with(const struct field *table, const char *body, int status,
                                const char *code, const char *field)
{
    expect_problem_len(table, body, strlen(body), status, code, field);
}

static void expect_problem(const char *body, int status, const char *code, const char *field)
{
    expect_problem_with(fields, body, status, code, field);
}

static void test_valid_full(void **state)
{
    (void)state;
    json_t *o = accept("{\"name\":\"Server\",\"count\":5,\"active\":true,\"due\":\"2026-11-22\"}");
    assert_int_equal(json_object_size(o), 4);
    assert_string_equal(json_string_value(json_object_get(o, "name")), "Server");
    assert_int_equal(json_integer_value(json_object_get(o, "count")), 5);
    assert_true(json_is_true(json_object_get(o, "active")));
    assert_string_equal(json_string_value(json_object_get(o, "due")), "2026-11-22");
    json_decref(o);
}

static void test_valid_minimal_and_bounds(void **state)
{
    (void)state;
    const char *ok[] = {
        "{\"name\":\"x\"}",
        " \n\t{ \"name\" : \"x\" } \n",
        "{\"name\":\"0123456789\"}",
        "{\"name\":\"x\",\"count\":0}",
        "{\"name\":\"x\",\"count\":100}",
        "{\"name\":\"x\",\"active\":false}",
        "{\"name\":\"x\",\"due\":null}",
        "{\"name\":\"x\",\"due\":\"2024-02-29\"}",
        "{\"due\":\"1970-01-01\",\"name\":\"x\"}",
        "{\"name\":\"a b-c.d\"}",
        "{\"name\":\"\\u00e5ngstr\\u00f6m\"}",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        json_decref(accept(ok[i]));
    /* A nullable null stays in the object as null. */
    json_t *o = accept("{\"name\":\"x\",\"due\":null}");
    assert_true(json_is_null(json_object_get(o, "due")));
    json_decref(o);
}

static void test_length_is_not_nul_terminated(void **state)
{
    (void)state;
    /* Only len bytes are the body: what follows must be ignored. */
    const char data[] = "{\"name\":\"x\"}GARBAGE";
    json_t *out;
    struct json_problem p;
    assert_int_equal(parse_with(fields, data, 12, &out, &p), 0);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "x");
    json_decref(out);
    /* And a body cut short is incomplete. */
    expect_problem_len(fields, data, 11, 400, "malformed_json", "");
}

static void test_empty_body(void **state)
{
    (void)state;
    expect_problem_len(fields, "", 0, 400, "empty_body", "");
    expect_problem_len(fields, NULL, 0, 400, "empty_body", "");
    /* Whitespace is not empty: it is not JSON either. */
    expect_problem(" ", 400, "malformed_json", "");
}

static void test_malformed(void **state)
{
    (void)state;
    const char *bad[] = {
        "{",
        "}",
        "{\"name\":",
        "{\"name\":\"x\",}",
        "{\"name\":\"x\"} x",
        "{\"name\":\"x\"}{}",
        "{name:\"x\"}",
        "{'name':'x'}",
        "{\"name\":\"x\\q\"}",
        "{\"name\":\"x\"",
        "{\"count\":01}",
        "{\"count\":NaN}",
        "{\"count\":99999999999999999999}", /* beyond int64 */
        "{\"name\":\"\\u0000\"}",           /* NUL in a string */
        "{\"name\":\"\xff\"}",              /* not UTF-8 */
        "{\"name\":\"\xc3\"}",              /* truncated UTF-8 */
        "{\"name\":\"\\ud800\"}",           /* lone surrogate */
        "\xef\xbb\xbf{\"name\":\"x\"}",     /* byte order mark */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_problem(bad[i], 400, "malformed_json", "");
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* jansson caps depth; the parser must refuse, not overflow the stack. */
    enum { DEPTH = 5000 };
    static char body[16 + 2 * DEPTH];
    size_t n = 0;
    memcpy(body, "{\"name\":", 8);
    n = 8;
    for (int i = 0; i < DEPTH; i++)
        body[n++] = '[';
    for (int i = 0; i < DEPTH; i++)
        body[n++] = ']';
    body[n++] = '}';
    body[n] = '\0';
    expect_problem(body, 400, "malformed_json", "");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect_problem("{\"name\":\"a\",\"name\":\"b\"}", 400, "duplicate_key", "name");
    expect_problem("{\"name\":\"a\",\"count\":1,\"count\":1}", 400, "duplicate_key", "count");
    /* Duplicates inside a nested value are refused too (and that value is the wrong type). */
    expect_problem("{\"name\":\"a\",\"due\":{\"k\":1,\"k\":2}}", 400, "duplicate_key", "k");
    /* Even when the key is not a field: syntax comes before content. */
    expect_problem("{\"zz\":1,\"zz\":1}", 400, "duplicate_key", "zz");
}

static void test_not_an_object(void **state)
{
    (void)state;
    expect_problem("[]", 400, "not_an_object", "");
    expect_problem("[{\"name\":\"x\"}]", 400, "not_an_object", "");
    /* Top-level scalars are refused with 400 as well (jansson treats them as a syntax error,
     * so either code is acceptable; what matters is the status and that nothing is returned). */
    const char *scalars[] = {"42", "\"name\"", "true", "null"};
    for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
        json_t *out;
        struct json_problem p;
        assert_int_equal(parse_with(fields, scalars[i], strlen(scalars[i]), &out, &p), ERR_INVALID);
        assert_null(out);
        assert_int_equal(p.status, 400);
        assert_true(strcmp(p.code, "not_an_object") == 0 || strcmp(p.code, "malformed_json") == 0);
        assert_string_equal(p.field, "");
    }
}

static void test_unknown_field(void **state)
{
    (void)state;
    expect_problem("{\"name\":\"x\",\"colour\":\"red\"}", 422, "unknown_field", "colour");
    expect_problem("{\"Name\":\"x\"}", 422, "unknown_field", "Name"); /* case matters */
    expect_problem("{\"name\":\"x\",\"\":1}", 422, "unknown_field", "");
    expect_problem("{\"name\":\"x\",\"tenant_id\":null}", 422, "unknown_field", "tenant_id");
    /* A name too long for the problem's field says so instead of being cut. */
    char body[300];
    char key[101];
    memset(key, 'k', 100);
    key[100] = '\0';
    snprintf(body, sizeof(body), "{\"name\":\"x\",\"%s\":1}", key);
    expect_problem(body, 422, "unknown_field", "(name too long)");
    /* A name too long even for the sentence still gets a sentence (expect_problem checks that
     * the detail is not empty). */
    char long_body[400];
    char long_key[251];
    memset(long_key, 'k', 250);
    long_key[250] = '\0';
    snprintf(long_body, sizeof(long_body), "{\"%s\":1}", long_key);
    expect_problem(long_body, 422, "unknown_field", "(name too long)");
    /* A route without a field table takes only the empty object. */
    json_t *out;
    struct json_problem p;
    assert_int_equal(parse_with(NULL, "{}", 2, &out, &p), 0);
    assert_int_equal(json_object_size(out), 0);
    json_decref(out);
    expect_problem_with(NULL, "{\"a\":1}", 422, "unknown_field", "a");
}

static void test_missing_field(void **state)
{
    (void)state;
    expect_problem("{}", 422, "missing_field", "name");
    expect_problem("{\"count\":1,\"active\":true,\"due\":null}", 422, "missing_field", "name");
    /* Optional fields may all be absent. */
    json_t *o = accept_with(text_fields, "{}");
    assert_int_equal(json_object_size(o), 0);
    json_decref(o);
}

static void test_wrong_type(void **state)
{
    (void)state;
    expect_problem("{\"name\":5}", 422, "wrong_type", "name");
    expect_problem("{\"name\":[\"x\"]}", 422, "wrong_type", "name");
    expect_problem("{\"name\":{}}", 422, "wrong_type", "name");
    expect_problem("{\"name\":true}", 422, "wrong_type", "name");
    expect_problem("{\"name\":\"x\",\"count\":\"5\"}", 422, "wrong_type", "count");
    expect_problem("{\"name\":\"x\",\"count\":1.0}", 422, "wrong_type", "count");
    expect_problem("{\"name\":\"x\",\"count\":1e2}", 422, "wrong_type", "count");
    expect_problem("{\"name\":\"x\",\"count\":true}", 422, "wrong_type", "count");
    expect_problem("{\"name\":\"x\",\"active\":1}", 422, "wrong_type", "active");
    expect_problem("{\"name\":\"x\",\"active\":\"true\"}", 422, "wrong_type", "active");
    expect_problem("{\"name\":\"x\",\"due\":20261122}", 422, "wrong_type", "due");
    expect_problem("{\"name\":\"x\",\"due\":[]}", 422, "wrong_type", "due");
}

static void test_null_for_non_nullable(void **state)
{
    (void)state;
    expect_problem("{\"name\":null}", 422, "wrong_type", "name");
    expect_problem("{\"name\":\"x\",\"count\":null}", 422, "wrong_type", "count");
    expect_problem("{\"name\":\"x\",\"active\":null}", 422, "wrong_type", "active");
    expect_problem_with(text_fields, "{\"code\":null}", 422, "wrong_type", "code");
    json_decref(accept_with(text_fields, "{\"notes\":null}"));
}

static void test_out_of_range(void **state)
{
    (void)state;
    expect_problem("{\"name\":\"x\",\"count\":101}", 422, "out_of_range", "count");
    expect_problem("{\"name\":\"x\",\"count\":-1}", 422, "out_of_range", "count");
    expect_problem("{\"name\":\"x\",\"count\":9223372036854775807}", 422, "out_of_range", "count");
    expect_problem("{\"name\":\"x\",\"count\":-9223372036854775808}", 422, "out_of_range", "count");
}

static void test_string_lengths(void **state)
{
    (void)state;
    expect_problem("{\"name\":\"01234567890\"}", 422, "too_long", "name");
    expect_problem("{\"name\":\"\"}", 422, "empty", "name");
    expect_problem_with(text_fields, "{\"code\":\"ab\"}", 422, "too_short", "code");
    expect_problem_with(text_fields, "{\"code\":\"\"}", 422, "empty", "code");
    expect_problem_with(text_fields, "{\"code\":\"abcdef\"}", 422, "too_long", "code");
    json_decref(accept_with(text_fields, "{\"code\":\"abc\"}"));
    json_decref(accept_with(text_fields, "{\"code\":\"abcde\"}"));
    /* max 0 means no upper bound. */
    static char body[5000];
    memcpy(body, "{\"notes\":\"", 10);
    memset(body + 10, 'n', 4000);
    memcpy(body + 4010, "\"}", 3);
    json_t *o = accept_with(text_fields, body);
    assert_int_equal(json_string_length(json_object_get(o, "notes")), 4000);
    json_decref(o);
}

static void test_utf8_counts_characters(void **state)
{
    (void)state;
    /* Ten characters, twenty bytes: within max 10. */
    json_t *o = accept("{\"name\":\"åäöÅÄÖåäöÅ\"}");
    assert_int_equal(strlen(json_string_value(json_object_get(o, "name"))), 20);
    json_decref(o);
    expect_problem("{\"name\":\"åäöÅÄÖåäöÅö\"}", 422, "too_long", "name");
    /* Escaped and four-byte characters count once each. */
    json_decref(accept("{\"name\":\"\\u00e5\\u00e4\\u00f6\\u00c5\\u00c4\\u00d6\\u00e5\\u00e4\\u00f6"
                       "\\u00c5\"}"));
    json_decref(accept("{\"name\":\"😀😀😀😀😀😀😀😀😀😀\"}"));
    json_decref(accept("{\"name\":\"\\ud83d\\ude00\"}"));
    expect_problem("{\"name\":\"😀😀😀😀😀😀😀😀😀😀😀\"}", 422, "too_long", "name");
    /* Two characters but four bytes: too short for min 3, so length is not counted in bytes. */
    expect_problem_with(text_fields, "{\"code\":\"åä\"}", 422, "too_short", "code");
    json_decref(accept_with(text_fields, "{\"code\":\"åäö\"}"));
    /* And five characters of ten bytes fit max 5. */
    json_decref(accept_with(text_fields, "{\"code\":\"åäöÅÄ\"}"));
}

static void test_invalid_characters(void **state)
{
    (void)state;
    const char *bad[] = {
        "{\"name\":\"a\\nb\"}",   "{\"name\":\"a\\rb\"}",    "{\"name\":\"a\\tb\"}",
        "{\"name\":\"\\u0001\"}", "{\"name\":\"x\\u001f\"}", "{\"name\":\"\\u007f\"}",
        "{\"name\":\"\\b\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_problem(bad[i], 422, "invalid_characters", "name");
    /* A field without FIELD_ONE_LINE takes newlines and tabs. */
    json_t *o = accept_with(text_fields, "{\"notes\":\"line 1\\nline 2\\tend\"}");
    assert_string_equal(json_string_value(json_object_get(o, "notes")), "line 1\nline 2\tend");
    json_decref(o);
}

/* An object member: any object (its members are the handler's), null when nullable. */
static const struct field object_fields[] = {
    {"attachment", FIELD_OBJECT, FIELD_NULLABLE, 0, 0, "An object"},
    {"meta", FIELD_OBJECT, 0, 0, 0, "Another"},
    {NULL, 0, 0, 0, 0, NULL},
};

static void test_object(void **state)
{
    (void)state;
    json_t *o = accept_with(object_fields, "{\"attachment\":{\"name\":\"a\",\"x\":[1]}}");
    assert_true(json_is_object(json_object_get(o, "attachment")));
    json_decref(o);
    json_decref(accept_with(object_fields, "{\"attachment\":null,\"meta\":{}}"));
    expect_problem_with(object_fields, "{\"attachment\":\"file\"}", 422, "wrong_type",
                        "attachment");
    expect_problem_with(object_fields, "{\"attachment\":[1]}", 422, "wrong_type", "attachment");
    expect_problem_with(object_fields, "{\"meta\":null}", 422, "wrong_type", "meta");
}

static const struct field array_fields[] = {
    {"names", FIELD_ARRAY, 0, 2, 3, "2 to 3 items"},
    {"any", FIELD_ARRAY, FIELD_NULLABLE, 0, 0, "any length"},
    {NULL, 0, 0, 0, 0, NULL},
};

/* FIELD_ARRAY: an array whose length is bounded; its items are the handler's to check. */
static void test_array(void **state)
{
    (void)state;
    json_t *o = accept_with(array_fields, "{\"names\":[\"a\",2],\"any\":[]}");
    assert_int_equal(json_array_size(json_object_get(o, "names")), 2);
    json_decref(o);
    json_decref(accept_with(array_fields, "{\"any\":null}"));
    expect_problem_with(array_fields, "{\"names\":[1]}", 422, "out_of_range", "names");
    expect_problem_with(array_fields, "{\"names\":[1,2,3,4]}", 422, "out_of_range", "names");
    expect_problem_with(array_fields, "{\"names\":\"a\"}", 422, "wrong_type", "names");
    expect_problem_with(array_fields, "{\"names\":{}}", 422, "wrong_type", "names");
}

static void test_invalid_date(void **state)
{
    (void)state;
    const char *bad[] = {
        "2026-02-29",           "2026-13-01",  "2026-04-31", "22/11/2026", "",
        "2026-11-22T00:00:00Z", "2026-11-22 ", "1969-12-31", "2026-1-1",   "tomorrow",
    };
    char body[128];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(body, sizeof(body), "{\"name\":\"x\",\"due\":\"%s\"}", bad[i]);
        expect_problem(body, 422, "invalid_date", "due");
    }
}

static void test_content_problem_before_missing(void **state)
{
    (void)state;
    /* A bad or unknown key is reported even though the required field is also missing: a client
     * smuggling in a foreign field learns about that field, not about the missing one. */
    expect_problem("{\"count\":500}", 422, "out_of_range", "count");
    expect_problem("{\"extra\":1}", 422, "unknown_field", "extra");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_full),
        cmocka_unit_test(test_array),
        cmocka_unit_test(test_valid_minimal_and_bounds),
        cmocka_unit_test(test_length_is_not_nul_terminated),
        cmocka_unit_test(test_empty_body),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_missing_field),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_null_for_non_nullable),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_string_lengths),
        cmocka_unit_test(test_utf8_counts_characters),
        cmocka_unit_test(test_invalid_characters),
        cmocka_unit_test(test_invalid_date),
        cmocka_unit_test(test_object),
        cmocka_unit_test(test_content_problem_before_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
