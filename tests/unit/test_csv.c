/* Unit tests for the CSV reader (src/core/csv.c): RFC 4180 quoting, line numbers, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>

/* Read all of data; each record becomes "<f1><f2>@LINE\n". Returns csv_next's last result (0
 * at a clean end) and the records so far in *out (free it). */
static int read_all(const char *data, size_t len, char sep, char **out, struct csv_reader *r)
{
    struct buf b;
    struct csv_record rec;
    int rc;
    buf_init(&b, 1 << 20);
    csv_init(r, data, len, sep);
    while ((rc = csv_next(r, &rec)) == 1) {
        for (int i = 0; i < rec.count; i++)
            buf_printf(&b, "<%s>", rec.fields[i]);
        buf_printf(&b, "@%ld\n", rec.line);
    }
    csv_release(r);
    *out = buf_detach(&b, NULL);
    return rc;
}

static void expect_records(const char *data, char sep, const char *expected)
{
    struct csv_reader r;
    char *got;
    int rc = read_all(data, strlen(data), sep, &got, &r);
    assert_int_equal(rc, 0);
    assert_string_equal(got, expected);
    free(got);
}

static void expect_error(const char *data, size_t len, int code, long line, const char *words)
{
    struct csv_reader r;
    char *got;
    int rc = read_all(data, len, ',', &got, &r);
    free(got);
    assert_int_equal(rc, code);
    assert_int_equal(r.error_line, line);
    assert_non_null(strstr(r.error, words));
}

static void test_plain(void **state)
{
    (void)state;
    expect_records("a,b,c\n1,2,3\n", ',', "<a><b><c>@1\n<1><2><3>@2\n");
    /* No line end after the last record; empty fields; a trailing separator. */
    expect_records("a,,c\n,x,", ',', "<a><><c>@1\n<><x><>@2\n");
    /* Semicolons: commas are then ordinary text. */
    expect_records("namn;ort\nAB, filial;Norrby\n", ';', "<namn><ort>@1\n<AB, filial><Norrby>@2\n");
    /* Spaces belong to the field (RFC 4180). */
    expect_records(" a , b \n", ',', "< a >< b >@1\n");
    expect_records("", ',', "");
}

static void test_line_ends(void **state)
{
    (void)state;
    expect_records("a,b\r\n1,2\r\n", ',', "<a><b>@1\n<1><2>@2\n");
    expect_records("a,b\r1,2\r", ',', "<a><b>@1\n<1><2>@2\n");
    /* An empty line is one empty field; the importer decides to skip it. */
    expect_records("a\n\nb\n", ',', "<a>@1\n<>@2\n<b>@3\n");
    expect_records("a\r\n\r\nb", ',', "<a>@1\n<>@2\n<b>@3\n");
}

static void test_quotes(void **state)
{
    (void)state;
    expect_records("\"a,b\",c\n", ',', "<a,b><c>@1\n");
    expect_records("\"say \"\"hej\"\"\",x\n", ',', "<say \"hej\"><x>@1\n");
    expect_records("\"\",\"\"\"\"\n", ',', "<><\">@1\n");
    expect_records("\"a;b\";c\n", ';', "<a;b><c>@1\n");
    /* Line breaks inside quotes stay in the field; the next record's line counts them. */
    expect_records("\"two\nlines\",x\ny,z\n", ',', "<two\nlines><x>@1\n<y><z>@3\n");
    expect_records("\"a\r\nb\",c\r\nd\r\n", ',', "<a\r\nb><c>@1\n<d>@3\n");
    expect_records("h\n\"1\n2\n3\"\nlast\n", ',', "<h>@1\n<1\n2\n3>@2\n<last>@5\n");
    /* A quoted last field without a line end. */
    expect_records("a,\"b\"", ',', "<a><b>@1\n");
    /* UTF-8 passes through untouched. */
    expect_records("Söderås,\"Östra Älvdalen\"\n", ',', "<Söderås><Östra Älvdalen>@1\n");
}

static void test_malformed(void **state)
{
    (void)state;
    const char *unclosed = "a,b\n\"open,x\ny\n";
    expect_error(unclosed, strlen(unclosed), ERR_INVALID, 2, "not closed");
    const char *after = "a\n\"x\"y,z\n";
    expect_error(after, strlen(after), ERR_INVALID, 2, "after a closing quote");
    const char *bare = "a\nb\nab\"c,d\n";
    expect_error(bare, strlen(bare), ERR_INVALID, 3, "quote inside an unquoted field");
    const char nul[] = "a,b\nc\0d,e\n";
    expect_error(nul, sizeof(nul) - 1, ERR_INVALID, 2, "NUL");
    const char nulq[] = "a\n\"c\0d\"\n";
    expect_error(nulq, sizeof(nulq) - 1, ERR_INVALID, 2, "NUL");
}

static void test_limits(void **state)
{
    (void)state;
    /* Exactly CSV_FIELD_MAX bytes fit; one more does not. */
    size_t n = CSV_FIELD_MAX;
    char *big = malloc(n + 8);
    memset(big, 'x', n + 1);
    big[n] = '\n';
    struct csv_reader r;
    char *got;
    assert_int_equal(read_all(big, n + 1, ',', &got, &r), 0);
    assert_int_equal(strlen(got), n + 2 + 3); /* <...>@1\n */
    free(got);
    big[n] = 'x';
    big[n + 1] = '\n';
    expect_error(big, n + 2, ERR_TOOBIG, 1, "longer than 65536");
    /* The same inside quotes: n + 1 bytes between them. */
    big[0] = '"';
    memset(big + 1, 'x', n + 1);
    big[n + 2] = '"';
    expect_error(big, n + 3, ERR_TOOBIG, 1, "longer than 65536");
    free(big);
    /* CSV_FIELDS_MAX fields fit; one more does not. */
    char fields[2 * CSV_FIELDS_MAX + 4];
    for (int i = 0; i < CSV_FIELDS_MAX; i++) {
        fields[2 * i] = 'f';
        fields[2 * i + 1] = ',';
    }
    fields[2 * CSV_FIELDS_MAX - 1] = '\n';
    fields[2 * CSV_FIELDS_MAX] = '\0';
    assert_int_equal(read_all(fields, strlen(fields), ',', &got, &r), 0);
    free(got);
    fields[2 * CSV_FIELDS_MAX - 1] = ',';
    fields[2 * CSV_FIELDS_MAX] = 'f';
    fields[2 * CSV_FIELDS_MAX + 1] = '\0';
    expect_error(fields, strlen(fields), ERR_TOOBIG, 1, "more than 256 fields");
}

static void test_bom_and_separator(void **state)
{
    (void)state;
    assert_int_equal(csv_bom_length("\xEF\xBB\xBF"
                                    "code",
                                    7),
                     3);
    assert_int_equal(csv_bom_length("code", 4), 0);
    assert_int_equal(csv_bom_length("\xEF\xBB", 2), 0);
    assert_int_equal(csv_detect_separator("code,name,kind\n", 15), ',');
    assert_int_equal(csv_detect_separator("code;name;kind\r\n", 16), ';');
    /* Separators inside quotes and after the first line do not count. */
    const char *q = "\"a,b,c\";name\n1,2,3,4,5\n";
    assert_int_equal(csv_detect_separator(q, strlen(q)), ';');
    const char *q2 = "\"x;y;z\",name\n";
    assert_int_equal(csv_detect_separator(q2, strlen(q2)), ',');
    assert_int_equal(csv_detect_separator("code", 4), ',');
    assert_int_equal(csv_detect_separator("", 0), ',');
}

static void test_utf8(void **state)
{
    (void)state;
    long line = 0;
    const char *ok = "Söderås\nÖstersund €\n\xF0\x9F\x98\x80\n";
    assert_int_equal(csv_utf8_check(ok, strlen(ok), &line), 0);
    struct {
        const char *data;
        size_t len;
        long line;
    } bad[] = {
        {"a\nb\n\xFF", 5, 3},       /* never a UTF-8 byte */
        {"\xC3", 1, 1},             /* truncated */
        {"x\r\n\xC3(", 5, 2},       /* bad continuation */
        {"\xC0\xAF", 2, 1},         /* overlong '/' */
        {"\xE0\x80\xAF", 3, 1},     /* overlong, three bytes */
        {"\xED\xA0\x80", 3, 1},     /* a surrogate */
        {"\xF4\x90\x80\x80", 4, 1}, /* past U+10FFFF */
        {"a\rb\r\x80", 5, 3},       /* a lone continuation byte; CR ends lines too */
        {"a\nb\0c", 5, 2},          /* NUL */
        {"ISO-8859-1: S\xF6"
         "der",
         18, 1}, /* Latin-1, the usual mistake */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        line = 0;
        assert_int_equal(csv_utf8_check(bad[i].data, bad[i].len, &line), ERR_INVALID);
        assert_int_equal(line, bad[i].line);
    }
}

/* The exports' cells: quoted when needed, quotes doubled, formulas behind an apostrophe. */
static void test_write_cell(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain;"},
        {NULL, ";"},
        {"a;b", "\"a;b\";"},
        {"say \"hi\"", "\"say \"\"hi\"\"\";"},
        {"two\nlines", "\"two\nlines\";"},
        {"=SUM(A1)", "'=SUM(A1);"},
        {"+46 8 123", "'+46 8 123;"},
        {"-1", "'-1;"},
        {"@cmd", "'@cmd;"},
        {"=a;b", "\"'=a;b\";"},
        {"x=1", "x=1;"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf b;
        buf_init(&b, 1024);
        assert_int_equal(csv_write_cell(&b, cases[i].in, ';'), 0);
        assert_string_equal(buf_str(&b), cases[i].out);
        buf_release(&b);
    }
    struct buf b;
    buf_init(&b, 1024);
    assert_int_equal(csv_write_cell(&b, "end", '\n'), 0);
    assert_string_equal(buf_str(&b), "end\r\n");
    buf_release(&b);
    assert_true(csv_formula_like("=1"));
    assert_false(csv_formula_like(""));
    assert_false(csv_formula_like(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),  cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_quotes), cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_limits), cmocka_unit_test(test_bom_and_separator),
        cmocka_unit_test(test_utf8),   cmocka_unit_test(test_write_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
