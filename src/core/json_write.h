/* JSON text written straight into a bounded buffer, for responses built from database rows
 * without building jansson values first. The bytes are those json_dumps(..., JSON_COMPACT)
 * gives for the same values: strings escape '"', '\\' and the control characters (\b \f \n \r
 * \t, the others as \u00XX in capitals), and pass valid UTF-8 through unchanged. Every function
 * returns 0, ERR_TOOBIG when the buffer's maximum would be passed, or ERR_INVALID for text that
 * is not valid UTF-8; on failure the buffer is left exactly as it was (never truncated). */
#ifndef VARN_CORE_JSON_WRITE_H
#define VARN_CORE_JSON_WRITE_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* buf_append with its common case inline (the room is already there), for writers that append
 * many short pieces. len + n + 1 <= cap <= max + 1, so the maximum holds. */
static inline int jw_put(struct buf *b, const void *p, size_t n)
{
    if (!b->data || n >= b->cap - b->len)
        return buf_append(b, p, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

/* s (n bytes, may not contain NUL) as a quoted, escaped JSON string. */
int jw_string_n(struct buf *b, const char *s, size_t n);
int jw_string(struct buf *b, const char *s);
/* "key": (the key escaped like any string). */
int jw_key(struct buf *b, const char *key);
int jw_int(struct buf *b, int64_t v);
int jw_bool(struct buf *b, bool v);
int jw_null(struct buf *b);
/* Literal JSON punctuation or text already known to be JSON ("{", "],", ...). */
int jw_raw(struct buf *b, const char *s);

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF are refused, as jansson does). */
size_t jw_utf8_len(const unsigned char *s, size_t n);

#endif
