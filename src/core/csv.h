/* An RFC 4180 CSV reader over a memory buffer: quotes, line breaks in quotes, bounded sizes. */
#ifndef VARN_CORE_CSV_H
#define VARN_CORE_CSV_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

#define CSV_FIELD_MAX  (64 * 1024) /* bytes in one field */
#define CSV_FIELDS_MAX 256         /* fields in one record */
#define CSV_ERROR_MAX  160         /* room for an error sentence */

struct csv_reader {
    const char *p;                /* next unread byte */
    const char *end;              /* one past the last byte */
    char sep;                     /* ',' or ';' */
    long line;                    /* the physical line p is on, from 1 */
    struct buf rec;               /* the current record's fields, each NUL-terminated */
    size_t off[CSV_FIELDS_MAX];   /* where each field starts in rec */
    char *fields[CSV_FIELDS_MAX]; /* the current record's fields, pointing into rec */
    char error[CSV_ERROR_MAX];    /* why csv_next failed */
    long error_line;              /* the line it failed on */
};

struct csv_record {
    char **fields; /* count NUL-terminated fields, valid until the next csv_next */
    int count;     /* at least 1: an empty line is one empty field */
    long line;     /* the physical line the record starts on */
};

/* 3 when data starts with a UTF-8 byte order mark, else 0. */
size_t csv_bom_length(const char *data, size_t len);

/* The separator of a file from its first record (the header): ';' when it holds more
 * semicolons than commas outside quotes, else ','. */
char csv_detect_separator(const char *data, size_t len);

/* Is data valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF) without NUL
 * bytes? 0, or ERR_INVALID with the line of the first bad byte in *bad_line. */
int csv_utf8_check(const char *data, size_t len, long *bad_line);

/* Read data[0..len) (which must outlive the reader) with separator sep. */
void csv_init(struct csv_reader *r, const char *data, size_t len, char sep);

/* The next record: 1 and *rec filled, 0 at the end of the input, or ERR_INVALID (malformed:
 * an unclosed quote, text after a closing quote, a quote inside an unquoted field, a NUL
 * byte) or ERR_TOOBIG (a field or record past the limits), with r->error and r->error_line. */
int csv_next(struct csv_reader *r, struct csv_record *rec);

void csv_release(struct csv_reader *r);

/* ---- writing (exports for spreadsheets) ---- */

/* Would a spreadsheet run s as a formula (it begins with = + - @, tab or carriage return)? */
bool csv_formula_like(const char *s);

/* Append one cell (NULL is empty) and then after (';', or '\n' for CRLF). The cell is quoted
 * when it holds ';', a quote or a line break; a formula-like cell gets a leading apostrophe
 * (OWASP's CSV injection advice). 0, or the buffer's error. */
int csv_write_cell(struct buf *b, const char *s, char after);

#endif
