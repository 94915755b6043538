/* JSON text into a bounded buffer (see json_write.h). */
#include "core/json_write.h"
#include "core/err.h"

#include <stdio.h>
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

/* Undo a partly written value: the buffer goes back to len bytes. */
static int undo(struct buf *b, size_t len, int rc)
{
    b->len = len;
    if (b->data)
        b->data[len] = '\0';
    return rc;
}

int jw_string_n(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)s;
    size_t start = b->len, run = 0, i = 0;
    int rc = buf_append(b, "\"", 1);
    while (!rc && i < n) {
        unsigned c = u[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t len = jw_utf8_len(u + i, n - i);
            if (!len)
                return undo(b, start, ERR_INVALID);
            i += len;
            continue;
        }
        /* A byte to escape: first the plain run before it. */
        rc = buf_append(b, s + run, i - run);
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case 0:
            return undo(b, start, ERR_INVALID); /* only reachable through jw_string_n */
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xF];
            elen = 6;
        }
        if (!rc)
            rc = buf_append(b, esc, elen);
        i++;
        run = i;
    }
    if (!rc)
        rc = buf_append(b, s + run, n - run);
    if (!rc)
        rc = buf_append(b, "\"", 1);
    return rc ? undo(b, start, rc) : 0;
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
    return rc ? undo(b, start, rc) : 0;
}

int jw_int(struct buf *b, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
    return buf_append(b, tmp, (size_t)n);
}

int jw_bool(struct buf *b, bool v)
{
    return v ? buf_append(b, "true", 4) : buf_append(b, "false", 5);
}

int jw_null(struct buf *b)
{
    return buf_append(b, "null", 4);
}

int jw_raw(struct buf *b, const char *s)
{
    return buf_append_str(b, s);
}
