/* RFC 4180 CSV: a strict reader over a memory buffer, and the cell writer of the exports. */
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define CSV_RECORD_MAX (1024 * 1024) /* bytes in one record, all fields together */

size_t csv_bom_length(const char *data, size_t len)
{
    return len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

char csv_detect_separator(const char *data, size_t len)
{
    size_t commas = 0, semicolons = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '"')
            quoted = !quoted; /* "" inside quotes toggles twice: no net change */
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ',')
            commas++;
        else if (!quoted && c == ';')
            semicolons++;
    }
    return semicolons > commas ? ';' : ',';
}

/* Length of the UTF-8 sequence starting at s[0..n), or 0 when it is not well formed. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c >= 0x01 && c <= 0x7F)
        return 1;
    size_t need;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0; /* NUL, a continuation byte, or a lead byte that is never valid */
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

int csv_utf8_check(const char *data, size_t len, long *bad_line)
{
    const unsigned char *s = (const unsigned char *)data;
    long line = 1;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_sequence(s + i, len - i);
        if (n == 0) {
            *bad_line = line;
            return ERR_INVALID;
        }
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
            line++;
        i += n;
    }
    return 0;
}

void csv_init(struct csv_reader *r, const char *data, size_t len, char sep)
{
    r->p = data;
    r->end = data + len;
    r->sep = sep;
    r->line = 1;
    buf_init(&r->rec, CSV_RECORD_MAX);
    r->error[0] = '\0';
    r->error_line = 0;
}

void csv_release(struct csv_reader *r)
{
    buf_release(&r->rec);
}

static int fail(struct csv_reader *r, int rc, long line, const char *what)
{
    str_copy(r->error, sizeof(r->error), what);
    r->error_line = line;
    return rc;
}

/* Consume a line end at r->p (CRLF, LF or a lone CR); false when there is none. */
static bool line_end(struct csv_reader *r)
{
    if (r->p < r->end && *r->p == '\n') {
        r->p++;
    } else if (r->p < r->end && *r->p == '\r') {
        r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
    } else {
        return false;
    }
    r->line++;
    return true;
}

static int append(struct csv_reader *r, size_t field_off, const char *from, size_t n)
{
    if (n > CSV_FIELD_MAX || r->rec.len - field_off > CSV_FIELD_MAX - n)
        return fail(r, ERR_TOOBIG, r->line, "a field is longer than 65536 bytes");
    if (buf_append(&r->rec, from, n) != 0)
        return fail(r, ERR_TOOBIG, r->line, "a record is longer than 1 MiB");
    return 0;
}

/* A quoted field, r->p just past its opening quote. */
static int quoted_field(struct csv_reader *r, size_t off)
{
    long started = r->line;
    for (;;) {
        const char *s = r->p;
        while (r->p < r->end && *r->p != '"' && *r->p != '\0') {
            if (*r->p == '\n' || (*r->p == '\r' && (r->p + 1 == r->end || r->p[1] != '\n')))
                r->line++;
            r->p++;
        }
        int rc = append(r, off, s, (size_t)(r->p - s));
        if (rc)
            return rc;
        if (r->p == r->end)
            return fail(r, ERR_INVALID, started, "a quoted field is not closed");
        if (*r->p == '\0')
            return fail(r, ERR_INVALID, r->line, "the file contains a NUL byte");
        r->p++; /* the quote */
        if (r->p < r->end && *r->p == '"') {
            rc = append(r, off, "\"", 1);
            if (rc)
                return rc;
            r->p++;
            continue;
        }
        if (r->p == r->end || *r->p == r->sep || *r->p == '\n' || *r->p == '\r')
            return 0;
        return fail(r, ERR_INVALID, r->line,
                    "text after a closing quote; a quote inside a quoted field is written \"\"");
    }
}

static int unquoted_field(struct csv_reader *r, size_t off)
{
    const char *s = r->p;
    while (r->p < r->end && *r->p != r->sep && *r->p != '\n' && *r->p != '\r') {
        if (*r->p == '"')
            return fail(r, ERR_INVALID, r->line,
                        "a quote inside an unquoted field; put the whole field in quotes and "
                        "write the quote as \"\"");
        if (*r->p == '\0')
            return fail(r, ERR_INVALID, r->line, "the file contains a NUL byte");
        r->p++;
    }
    return append(r, off, s, (size_t)(r->p - s));
}

int csv_next(struct csv_reader *r, struct csv_record *rec)
{
    if (r->p >= r->end)
        return 0;
    buf_reset(&r->rec);
    rec->line = r->line;
    int n = 0;
    for (;;) {
        if (n == CSV_FIELDS_MAX)
            return fail(r, ERR_TOOBIG, rec->line, "a record has more than 256 fields");
        size_t off = r->rec.len;
        r->off[n++] = off;
        int rc;
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            rc = quoted_field(r, off);
        } else {
            rc = unquoted_field(r, off);
        }
        if (!rc)
            rc = buf_append(&r->rec, "", 1) /* the field's NUL */
                     ? fail(r, ERR_TOOBIG, r->line, "a record is longer than 1 MiB")
                     : 0;
        if (rc)
            return rc;
        if (r->p < r->end && *r->p == r->sep) {
            r->p++;
            continue;
        }
        line_end(r); /* or the end of the input */
        break;
    }
    for (int i = 0; i < n; i++)
        r->fields[i] = r->rec.data + r->off[i];
    rec->fields = r->fields;
    rec->count = n;
    return 1;
}

bool csv_formula_like(const char *s)
{
    return s && s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

int csv_write_cell(struct buf *b, const char *s, char after)
{
    int rc = 0;
    if (!s)
        s = "";
    bool quote = strpbrk(s, ";\"\r\n") != NULL;
    if (quote)
        rc = buf_append(b, "\"", 1);
    if (!rc && csv_formula_like(s))
        rc = buf_append(b, "'", 1);
    for (const char *p = s; !rc && *p;) {
        size_t n = strcspn(p, "\"");
        rc = buf_append(b, p, n);
        p += n;
        if (!rc && *p == '"') {
            rc = buf_append(b, "\"\"", 2);
            p++;
        }
    }
    if (!rc && quote)
        rc = buf_append(b, "\"", 1);
    if (!rc)
        rc = after == '\n' ? buf_append(b, "\r\n", 2) : buf_append(b, &after, 1);
    return rc;
}
