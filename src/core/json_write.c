/* JSON text into a bounded buffer (see json_write.h). */
#include "core/json_write.h"
#include "core/err.h"

#include <string.h>

size_t jw_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0; /* a continuation byte, an overlong lead (C0, C1) or past F4 */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Bytes each byte becomes inside a JSON string: 1 for plain ASCII, 2 for the short escapes,
 * 6 for \u00XX; 0 for NUL (refused) and for bytes from 0x80, checked as UTF-8 sequences. */
static const unsigned char out_len[256] = {
    0, 6, 6, 6, 6, 6, 6, 6, 2, 2, 2, 6, 2, 2, 6, 6, /* \b \t \n \f \r */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, /* '\\' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Word-at-a-time tests: (w - n * ONES) & ~w has a high bit set in some byte if and only if
 * some byte of w is below n (n at most 0x80). Which bytes carry it can be off past the first
 * such byte (the borrow), so the result is only used as a yes or no for all eight bytes. */
#define ONES UINT64_C(0x0101010101010101)
static inline uint64_t has_below(uint64_t w, unsigned n)
{
    return (w - ONES * n) & ~w;
}
static inline uint64_t has_zero(uint64_t w)
{
    return has_below(w, 1);
}

/* Eight bytes that stand for themselves: none below 0x20, none 0x80 or above, no '"' or '\\'. */
static inline bool plain8(uint64_t w)
{
    return !((has_below(w, 0x20) | (w & ONES * 0x80) | has_zero(w ^ (ONES * '"')) |
              has_zero(w ^ (ONES * '\\'))) &
             ONES * 0x80);
}

/* Copy s to o in one pass when nothing in it needs an escape, which is nearly every string a
 * row holds: 1 when copied, 0 when some byte needs an escape (o then holds a partial copy), or
 * ERR_INVALID for NUL or invalid UTF-8. Eight bytes at a time; the last few as the final eight
 * (overlapping bytes already checked) rather than one by one. */
static int copy_unescaped(char *o, const unsigned char *s, size_t n)
{
    size_t i = 0;
    bool tail_tried = false;
    while (i < n) {
        uint64_t w;
        if (n - i >= 8) {
            memcpy(&w, s + i, 8);
            if (plain8(w)) {
                memcpy(o + i, &w, 8);
                i += 8;
                continue;
            }
        } else if (n >= 8 && !tail_tried) {
            tail_tried = true;
            memcpy(&w, s + n - 8, 8);
            if (plain8(w)) {
                memcpy(o + n - 8, &w, 8);
                return 1;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            if (out_len[c] != 1)
                return out_len[c] ? 0 : ERR_INVALID;
            o[i++] = (char)c;
            continue;
        }
        size_t len = jw_utf8_len(s + i, n - i);
        if (!len)
            return ERR_INVALID;
        memcpy(o + i, s + i, len);
        i += len;
    }
    return 1;
}

/* The escaped length of s (without the quotes), or 0 with *bad set for invalid UTF-8 or NUL. */
static size_t escaped_len(const unsigned char *s, size_t n, bool *bad)
{
    size_t out = 0, i = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (plain8(w)) {
                out += 8;
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            if (!out_len[c]) {
                *bad = true;
                return 0;
            }
            out += out_len[c];
            i++;
            continue;
        }
        size_t len = jw_utf8_len(s + i, n - i);
        if (!len) {
            *bad = true;
            return 0;
        }
        out += len;
        i += len;
    }
    return out;
}

int jw_string_n(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)s;
    /* The common case: room for the string as it is, and nothing to escape. The bytes go past
     * b->len, so a string that turns out to need escapes (or to be invalid) leaves b as it was. */
    if (b->data && n + 2 < b->cap - b->len) {
        char *o = b->data + b->len;
        int copied = copy_unescaped(o + 1, u, n);
        if (copied < 0)
            return copied;
        if (copied) {
            o[0] = '"';
            o[n + 1] = '"';
            b->len += n + 2;
            b->data[b->len] = '\0';
            return 0;
        }
    }
    bool bad = false;
    size_t len = escaped_len(u, n, &bad);
    if (bad)
        return ERR_INVALID;
    int rc = b->data && len + 2 < b->cap - b->len ? 0 : buf_reserve(b, len + 2);
    if (rc)
        return rc;
    char *o = b->data + b->len;
    *o++ = '"';
    if (len == n) {
        memcpy(o, s, n); /* nothing to escape, but the buffer had to grow */
        o += n;
    } else {
        size_t run = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned c = u[i];
            if (c >= 0x80 || out_len[c] == 1)
                continue;
            memcpy(o, s + run, i - run);
            o += i - run;
            run = i + 1;
            *o++ = '\\';
            switch (c) {
            case '"':
            case '\\':
                *o++ = (char)c;
                break;
            case '\b':
                *o++ = 'b';
                break;
            case '\f':
                *o++ = 'f';
                break;
            case '\n':
                *o++ = 'n';
                break;
            case '\r':
                *o++ = 'r';
                break;
            case '\t':
                *o++ = 't';
                break;
            default:
                memcpy(o, "u00", 3);
                o[3] = hex[c >> 4];
                o[4] = hex[c & 0xF];
                o += 5;
            }
        }
        memcpy(o, s + run, n - run);
        o += n - run;
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}

int jw_string(struct buf *b, const char *s)
{
    return jw_string_n(b, s, strlen(s));
}

int jw_key(struct buf *b, const char *key)
{
    size_t start = b->len;
    int rc = jw_string(b, key);
    if (!rc)
        rc = buf_append(b, ":", 1);
    if (rc && b->data) { /* the key fitted but its colon did not: take the key back */
        b->len = start;
        b->data[start] = '\0';
    }
    return rc;
}

int jw_int(struct buf *b, int64_t v)
{
    if (v >= 0 && v <= 9) { /* levels, flags and counts: most are one digit */
        char digit = (char)('0' + v);
        return jw_put(b, &digit, 1);
    }
    char tmp[24], *p = tmp + sizeof(tmp);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return jw_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int jw_bool(struct buf *b, bool v)
{
    return v ? jw_put(b, "true", 4) : jw_put(b, "false", 5);
}

int jw_null(struct buf *b)
{
    return jw_put(b, "null", 4);
}

int jw_raw(struct buf *b, const char *s)
{
    return jw_put(b, s, strlen(s));
}
