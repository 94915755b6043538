/* Route matching that tells "no such path" (404) from "not with this method" (405). */
#include "http/route.h"
#include "core/str.h"

#include <string.h>

static bool match_pattern(const char *pattern, const char *path, struct route_params *params)
{
    const char *p = pattern;
    const char *s = path;
    params->count = 0;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t seg = strcspn(s, "/");
            if (!close || seg == 0 || params->count >= ROUTE_MAX_PARAMS)
                return false;
            struct route_param *rp = &params->p[params->count++];
            rp->name = p + 1;
            rp->name_len = (size_t)(close - p - 1);
            rp->off = (size_t)(s - path);
            rp->len = seg;
            s += seg;
            p = close + 1;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

static bool method_is(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

/* Append m to the Allow list unless it is there already. */
static void allow_add(char *allow, size_t len, const char *m)
{
    size_t mlen = strlen(m);
    for (const char *q = strstr(allow, m); q; q = strstr(q + 1, m))
        if ((q == allow || q[-1] == ' ') && (q[mlen] == ',' || q[mlen] == '\0'))
            return;
    size_t used = strlen(allow);
    const char *sep = used ? ", " : "";
    if (used + strlen(sep) + mlen + 1 > len)
        return; /* cannot happen with the five methods and a 64-byte buffer */
    str_format(allow + used, len - used, "%s%s", sep, m);
}

enum route_result route_match(const struct route *routes, size_t n, const char *method,
                              const char *path, const struct route **out,
                              struct route_params *params, char *allow, size_t allow_len)
{
    struct route_params scratch;
    bool head = method_is(method, "HEAD");
    if (allow_len)
        allow[0] = '\0';
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct route *r = &routes[i];
        if (!match_pattern(r->pattern, path, &scratch))
            continue;
        if (method_is(r->method, method) || (head && method_is(r->method, "GET"))) {
            *out = r;
            *params = scratch;
            return ROUTE_MATCH;
        }
        if (allow_len) {
            allow_add(allow, allow_len, r->method);
            if (method_is(r->method, "GET"))
                allow_add(allow, allow_len, "HEAD");
        }
    }
    return allow_len && allow[0] ? ROUTE_METHOD_NOT_ALLOWED : ROUTE_NOT_FOUND;
}

bool route_pattern_valid(const char *pattern)
{
    if (!pattern || pattern[0] != '/')
        return false;
    int params = 0;
    for (const char *p = pattern; *p; p++) {
        if (*p == '}')
            return false; /* a '}' without its '{' */
        if (*p != '{')
            continue;
        if (p[-1] != '/')
            return false; /* a parameter is a whole segment */
        const char *close = strchr(p, '}');
        if (!close || close == p + 1 || memchr(p + 1, '{', (size_t)(close - p - 1)) ||
            memchr(p + 1, '/', (size_t)(close - p - 1)))
            return false;
        if (close[1] != '\0' && close[1] != '/')
            return false;
        if (++params > ROUTE_MAX_PARAMS)
            return false;
        p = close;
    }
    return true;
}

const struct field route_csv_body[] = {{NULL, FIELD_STRING, 0, 0, 0, "a CSV file"}};

bool route_takes_csv(const struct route *r)
{
    return r->fields == route_csv_body;
}
