/* libFuzzer target: route_match and route_pattern_valid on arbitrary methods, paths, patterns. */
#include "http/route.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct route routes[] = {
    {"GET", "/healthz", NULL, 0, ACCESS_PUBLIC, NULL, "health"},
    {"GET", "/api/v1/systems", NULL, 0, ACCESS_PUBLIC, NULL, "list"},
    {"POST", "/api/v1/systems", NULL, 4096, ACCESS_PUBLIC, NULL, "create"},
    {"GET", "/api/v1/systems/{id}", NULL, 0, ACCESS_PUBLIC, NULL, "get"},
    {"PUT", "/api/v1/systems/{id}", NULL, 4096, ACCESS_PUBLIC, NULL, "replace"},
    {"PATCH", "/api/v1/systems/{id}", NULL, 4096, ACCESS_PUBLIC, NULL, "update"},
    {"DELETE", "/api/v1/systems/{id}", NULL, 0, ACCESS_PUBLIC, NULL, "delete"},
    {"GET", "/api/v1/systems/{id}/components/{cid}", NULL, 0, ACCESS_PUBLIC, NULL, "component"},
    {"POST", "/api/v1/systems/{id}/components", NULL, 4096, ACCESS_PUBLIC, NULL, "add"},
    {"GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", NULL, 0, ACCESS_PUBLIC, NULL, "eight"},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static char *copy(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Rebuild the path from the pattern and the captured values: it must be the path itself. */
static void check_match(const struct route *r, const char *method, const char *path,
                        const struct route_params *ps)
{
    if (r < routes || r >= routes + NROUTES)
        abort();
    if (strcmp(r->method, method) != 0 &&
        !(strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
        abort();
    if (ps->count < 0 || ps->count > ROUTE_MAX_PARAMS)
        abort();
    size_t plen = strlen(path);
    size_t at = 0; /* position in path */
    int i = 0;
    for (const char *q = r->pattern; *q;) {
        if (*q == '{') {
            if (i >= ps->count)
                abort();
            const struct route_param *rp = &ps->p[i++];
            if (rp->name != q + 1 || rp->name_len == 0 || q[1 + rp->name_len] != '}')
                abort();
            if (rp->off != at || rp->len == 0 || rp->off > plen || rp->len > plen - rp->off)
                abort();
            if (memchr(path + rp->off, '/', rp->len))
                abort();
            at += rp->len;
            q += rp->name_len + 2;
            continue;
        }
        if (path[at] != *q)
            abort();
        at++;
        q++;
    }
    if (i != ps->count || at != plen)
        abort();
}

/* Allow lists each permitted method once, never the one that was asked for. */
static void check_allow(const char *allow, size_t cap, const char *method)
{
    if (!memchr(allow, '\0', cap) || allow[0] == '\0')
        abort();
    const char *seen[16];
    int n = 0;
    const char *p = allow;
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len == 0 || n == 16)
            abort();
        for (int k = 0; k < n; k++)
            if (strlen(seen[k]) >= len && strncmp(seen[k], p, len) == 0 &&
                (seen[k][len] == ',' || seen[k][len] == '\0'))
                abort();
        if (strlen(method) == len && strncmp(method, p, len) == 0)
            abort();
        seen[n++] = p;
        p += len;
        if (*p == ',') {
            if (p[1] != ' ')
                abort();
            p += 2;
        }
    }
}

/* A valid pattern must match the path made by filling each parameter with "v". */
static void check_pattern(const char *pattern)
{
    if (!route_pattern_valid(pattern))
        return;
    if (pattern[0] != '/')
        abort();
    size_t n = strlen(pattern);
    char *path = malloc(n + 1);
    if (!path)
        abort();
    size_t k = 0;
    int params = 0;
    for (const char *q = pattern; *q; q++) {
        if (*q == '{') {
            const char *close = strchr(q, '}');
            if (!close)
                abort();
            path[k++] = 'v';
            params++;
            q = close;
            continue;
        }
        path[k++] = *q;
    }
    path[k] = '\0';
    if (params > ROUTE_MAX_PARAMS)
        abort();
    const struct route t = {"GET", pattern, NULL, 0, ACCESS_PUBLIC, NULL, "fuzz"};
    const struct route *r;
    struct route_params ps;
    char allow[64];
    if (route_match(&t, 1, "GET", path, &r, &ps, allow, sizeof(allow)) != ROUTE_MATCH || r != &t ||
        ps.count != params)
        abort();
    free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cut = 0;
    while (cut < size && data[cut] != '\0' && data[cut] != '\n')
        cut++;
    char *method = copy(data, cut);
    char *path = cut < size ? copy(data + cut + 1, size - cut - 1) : copy(data, 0);

    const struct route *r = &routes[0];
    struct route_params ps;
    char allow[64];
    memset(allow, 'X', sizeof(allow));
    switch (route_match(routes, NROUTES, method, path, &r, &ps, allow, sizeof(allow))) {
    case ROUTE_MATCH:
        if (!r)
            abort();
        check_match(r, method, path, &ps);
        break;
    case ROUTE_METHOD_NOT_ALLOWED:
        if (r)
            abort();
        check_allow(allow, sizeof(allow), method);
        break;
    case ROUTE_NOT_FOUND:
        if (r || allow[0] != '\0')
            abort();
        break;
    default:
        abort();
    }

    char *whole = copy(data, size);
    check_pattern(whole);
    check_pattern(path);
    free(whole);
    free(method);
    free(path);
    return 0;
}
