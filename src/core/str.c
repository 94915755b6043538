/* String helpers with explicit failure instead of silent truncation. */
#include "core/str.h"
#include "core/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int str_format(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        if (size)
            dst[0] = '\0';
        return ERR_TOOBIG;
    }
    return 0;
}

int str_copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        if (size)
            dst[0] = '\0';
        return ERR_TOOBIG;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

int str_to_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s)
        return ERR_INVALID;
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return ERR_INVALID; /* rejects "+1", " 1", "-", "0x1" */
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end != '\0' || v < min || v > max)
        return ERR_INVALID;
    *out = (int64_t)v;
    return 0;
}

bool str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}
