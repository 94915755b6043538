/* Unit tests for route matching (src/http/route.c): parameters, HEAD, 404 vs 405, patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/route.h"

#include <string.h>

static const struct route routes[] = {
    {"GET", "/healthz", NULL, 0, ACCESS_PUBLIC, NULL, "health"},
    {"GET", "/api/v1/systems", NULL, 0, ACCESS_PUBLIC, NULL, "list"},
    {"POST", "/api/v1/systems", NULL, 4096, ACCESS_PUBLIC, NULL, "create"},
    {"GET", "/api/v1/systems/{id}", NULL, 0, ACCESS_PUBLIC, NULL, "get"},
    {"PUT", "/api/v1/systems/{id}", NULL, 4096, ACCESS_PUBLIC, NULL, "replace"},
    {"GET", "/api/v1/systems/{id}/components/{cid}", NULL, 0, ACCESS_PUBLIC, NULL, "component"},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

struct outcome {
    enum route_result result;
    const struct route *route;
    struct route_params params;
    char allow[64];
};

static struct outcome match(const char *method, const char *path)
{
    struct outcome o;
    memset(&o, 0x55, sizeof(o));
    o.route = &routes[0]; /* must be overwritten */
    o.result =
        route_match(routes, NROUTES, method, path, &o.route, &o.params, o.allow, sizeof(o.allow));
    return o;
}

/* The value of parameter i, copied out of path by its offset and length. */
static void param_value(const char *path, const struct route_params *ps, int i, char *out,
                        size_t len)
{
    assert_true(i < ps->count);
    const struct route_param *p = &ps->p[i];
    assert_true(p->off + p->len <= strlen(path));
    assert_true(p->len < len);
    memcpy(out, path + p->off, p->len);
    out[p->len] = '\0';
}

static void expect_param(const char *path, const struct route_params *ps, int i, const char *name,
                         const char *value)
{
    char v[128];
    param_value(path, ps, i, v, sizeof(v));
    assert_int_equal(ps->p[i].name_len, strlen(name));
    assert_memory_equal(ps->p[i].name, name, strlen(name));
    assert_string_equal(v, value);
}

static void expect_match(const char *method, const char *path, size_t index, int nparams)
{
    struct outcome o = match(method, path);
    if (o.result != ROUTE_MATCH)
        fail_msg("%s %s did not match (result %d)", method, path, o.result);
    if (o.route != &routes[index])
        fail_msg("%s %s matched route %td, expected %zu", method, path, o.route - routes, index);
    assert_int_equal(o.params.count, nparams);
}

static void expect_not_found(const char *method, const char *path)
{
    struct outcome o = match(method, path);
    if (o.result != ROUTE_NOT_FOUND)
        fail_msg("%s '%s' gave %d, expected ROUTE_NOT_FOUND", method, path, o.result);
    assert_null(o.route);
    assert_string_equal(o.allow, "");
}

static void expect_not_allowed(const char *method, const char *path, const char *allow)
{
    struct outcome o = match(method, path);
    if (o.result != ROUTE_METHOD_NOT_ALLOWED)
        fail_msg("%s %s gave %d, expected ROUTE_METHOD_NOT_ALLOWED", method, path, o.result);
    assert_null(o.route);
    assert_string_equal(o.allow, allow);
}

static void test_static_paths(void **state)
{
    (void)state;
    expect_match("GET", "/healthz", 0, 0);
    expect_match("GET", "/api/v1/systems", 1, 0);
    expect_match("POST", "/api/v1/systems", 2, 0);
}

static void test_params(void **state)
{
    (void)state;
    const char *path = "/api/v1/systems/42";
    struct outcome o = match("GET", path);
    assert_int_equal(o.result, ROUTE_MATCH);
    assert_ptr_equal(o.route, &routes[3]);
    assert_int_equal(o.params.count, 1);
    assert_int_equal(o.params.p[0].off, strlen("/api/v1/systems/"));
    assert_int_equal(o.params.p[0].len, 2);
    expect_param(path, &o.params, 0, "id", "42");
    /* The name points into the route's own pattern. */
    assert_ptr_equal(o.params.p[0].name, strchr(routes[3].pattern, '{') + 1);

    path = "/api/v1/systems/abc-DEF_9.x";
    o = match("PUT", path);
    assert_int_equal(o.result, ROUTE_MATCH);
    assert_ptr_equal(o.route, &routes[4]);
    expect_param(path, &o.params, 0, "id", "abc-DEF_9.x");

    path = "/api/v1/systems/7/components/x9";
    o = match("GET", path);
    assert_int_equal(o.result, ROUTE_MATCH);
    assert_ptr_equal(o.route, &routes[5]);
    assert_int_equal(o.params.count, 2);
    expect_param(path, &o.params, 0, "id", "7");
    expect_param(path, &o.params, 1, "cid", "x9");

    /* Values are not decoded or interpreted: escapes and braces are plain bytes. */
    path = "/api/v1/systems/%2F";
    o = match("GET", path);
    assert_int_equal(o.result, ROUTE_MATCH);
    expect_param(path, &o.params, 0, "id", "%2F");
    path = "/api/v1/systems/{id}";
    o = match("GET", path);
    assert_int_equal(o.result, ROUTE_MATCH);
    expect_param(path, &o.params, 0, "id", "{id}");
    /* A one-byte value. */
    path = "/api/v1/systems/x/components/y";
    o = match("GET", path);
    assert_int_equal(o.result, ROUTE_MATCH);
    expect_param(path, &o.params, 0, "id", "x");
    expect_param(path, &o.params, 1, "cid", "y");
}

static void test_head_matches_get(void **state)
{
    (void)state;
    expect_match("HEAD", "/healthz", 0, 0);
    expect_match("HEAD", "/api/v1/systems", 1, 0);
    expect_match("HEAD", "/api/v1/systems/1", 3, 1);
    expect_match("HEAD", "/api/v1/systems/1/components/2", 5, 2);
    /* HEAD does not stand in for anything but GET. */
    static const struct route post_only[] = {
        {"POST", "/only", NULL, 10, ACCESS_PUBLIC, NULL, "x"},
    };
    const struct route *r = &post_only[0];
    struct route_params ps;
    char allow[64];
    assert_int_equal(route_match(post_only, 1, "HEAD", "/only", &r, &ps, allow, sizeof(allow)),
                     ROUTE_METHOD_NOT_ALLOWED);
    assert_null(r);
    assert_string_equal(allow, "POST");
}

static void test_not_found(void **state)
{
    (void)state;
    const char *paths[] = {
        "",
        "/",
        "/nope",
        "/healthz/",
        "/healthzz",
        "/healthz/x",
        "/HEALTHZ",
        "healthz",
        "//healthz",
        "/api/v1",
        "/api/v1/",
        "/api/v1/systemsx",
        "/api/v1/systems/", /* trailing slash, empty parameter */
        "/api/v1/systems//",
        "/api/v1/systems/1/",  /* trailing slash */
        "/api/v1/systems/1/2", /* a parameter never spans '/' */
        "/api/v1/systems/1/components",
        "/api/v1/systems/1/components/", /* empty parameter at the end */
        "/api/v1/systems//components/x", /* empty parameter in the middle */
        "/api/v1/systems/1/components/2/",
        "/api/v1/systems/1/components/2/3", /* would need cid = "2/3" */
        "/api/v1/systems/1/components//",
        "/api/v1//systems",
        "/api/v2/systems",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        expect_not_found("GET", paths[i]);
        expect_not_found("DELETE", paths[i]);
    }
}

static void test_method_not_allowed(void **state)
{
    (void)state;
    expect_not_allowed("DELETE", "/api/v1/systems", "GET, HEAD, POST");
    expect_not_allowed("PUT", "/api/v1/systems", "GET, HEAD, POST");
    expect_not_allowed("PATCH", "/api/v1/systems/9", "GET, HEAD, PUT");
    expect_not_allowed("POST", "/api/v1/systems/9", "GET, HEAD, PUT");
    expect_not_allowed("POST", "/healthz", "GET, HEAD");
    expect_not_allowed("PUT", "/api/v1/systems/1/components/2", "GET, HEAD");
    /* Methods are case-sensitive. */
    expect_not_allowed("get", "/healthz", "GET, HEAD");
    expect_not_allowed("", "/healthz", "GET, HEAD");
}

static void test_allow_has_no_duplicates(void **state)
{
    (void)state;
    /* Several patterns that match one path, with repeated methods. */
    static const struct route t[] = {
        {"GET", "/x/{a}", NULL, 0, ACCESS_PUBLIC, NULL, "1"},
        {"POST", "/x/{b}", NULL, 0, ACCESS_PUBLIC, NULL, "2"},
        {"GET", "/x/{c}", NULL, 0, ACCESS_PUBLIC, NULL, "3"},
        {"POST", "/x/y", NULL, 0, ACCESS_PUBLIC, NULL, "4"},
        {"PATCH", "/x/{d}", NULL, 0, ACCESS_PUBLIC, NULL, "5"},
        {"PUT", "/x/{e}", NULL, 0, ACCESS_PUBLIC, NULL, "6"},
        {"PUT", "/x/{f}", NULL, 0, ACCESS_PUBLIC, NULL, "7"},
        {"DELETE", "/x/{g}", NULL, 0, ACCESS_PUBLIC, NULL, "8"},
    };
    const struct route *r;
    struct route_params ps;
    char allow[64];
    assert_int_equal(route_match(t, 8, "OPTIONS", "/x/y", &r, &ps, allow, sizeof(allow)),
                     ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "GET, HEAD, POST, PATCH, PUT, DELETE");
    /* The first route that fits both path and method wins. */
    assert_int_equal(route_match(t, 8, "POST", "/x/y", &r, &ps, allow, sizeof(allow)), ROUTE_MATCH);
    assert_ptr_equal(r, &t[1]);
    assert_int_equal(ps.count, 1);
    expect_param("/x/y", &ps, 0, "b", "y");
    assert_int_equal(route_match(t, 8, "POST", "/x/z", &r, &ps, allow, sizeof(allow)), ROUTE_MATCH);
    assert_ptr_equal(r, &t[1]);
}

static void test_allow_buffer_bounds(void **state)
{
    (void)state;
    /* "GET, HEAD, POST" needs 16 bytes; a 12-byte buffer keeps what fits and writes no further. */
    char area[32];
    memset(area, '#', sizeof(area));
    const struct route *r;
    struct route_params ps;
    enum route_result res =
        route_match(routes, NROUTES, "DELETE", "/api/v1/systems", &r, &ps, area, 12);
    assert_int_equal(res, ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(area, "GET, HEAD");
    for (size_t i = 12; i < sizeof(area); i++)
        assert_int_equal(area[i], '#');
    /* Exactly enough room. */
    memset(area, '#', sizeof(area));
    res = route_match(routes, NROUTES, "DELETE", "/api/v1/systems", &r, &ps, area, 16);
    assert_int_equal(res, ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(area, "GET, HEAD, POST");
    for (size_t i = 16; i < sizeof(area); i++)
        assert_int_equal(area[i], '#');
}

static void test_pattern_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < NROUTES; i++)
        assert_true(route_pattern_valid(routes[i].pattern));
    const char *good[] = {
        "/",
        "/healthz",
        "/api/v1/systems/{id}",
        "/{a}",
        "/{a}/",
        "/a/{id}/b/{cid}",
        "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", /* exactly ROUTE_MAX_PARAMS */
        "/x/{a_long-name.1}",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!route_pattern_valid(good[i]))
            fail_msg("'%s' was refused", good[i]);
    const char *bad[] = {
        NULL,
        "",
        "healthz", /* no leading '/' */
        "{id}",
        "/{}", /* empty name */
        "/x/{}",
        "/{a", /* unclosed */
        "/x/{a/b",
        "/a}", /* close without open */
        "/}",
        "/x/{a}}",
        "/x{id}", /* not a whole segment */
        "/{a}b",
        "/{a}{b}",
        "/{a{b}}",                              /* nested */
        "/{a/b}",                               /* a '/' inside the name */
        "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", /* ROUTE_MAX_PARAMS + 1 */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (route_pattern_valid(bad[i]))
            fail_msg("'%s' was accepted", bad[i] ? bad[i] : "(null)");
}

static void test_max_params_match(void **state)
{
    (void)state;
    static const struct route t[] = {
        {"GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", NULL, 0, ACCESS_PUBLIC, NULL, "eight"},
    };
    const char *path = "/1/22/333/4/5/6/7/last";
    const struct route *r;
    struct route_params ps;
    char allow[64];
    assert_int_equal(route_match(t, 1, "GET", path, &r, &ps, allow, sizeof(allow)), ROUTE_MATCH);
    assert_int_equal(ps.count, 8);
    expect_param(path, &ps, 0, "a", "1");
    expect_param(path, &ps, 1, "b", "22");
    expect_param(path, &ps, 2, "c", "333");
    expect_param(path, &ps, 7, "h", "last");
    assert_int_equal(route_match(t, 1, "GET", "/1/2/3/4/5/6/7", &r, &ps, allow, sizeof(allow)),
                     ROUTE_NOT_FOUND);
    assert_int_equal(route_match(t, 1, "GET", "/1/2/3/4/5/6/7/8/9", &r, &ps, allow, sizeof(allow)),
                     ROUTE_NOT_FOUND);
}

static void test_empty_table(void **state)
{
    (void)state;
    const struct route *r = &routes[0];
    struct route_params ps;
    char allow[8] = "junk";
    assert_int_equal(route_match(routes, 0, "GET", "/healthz", &r, &ps, allow, sizeof(allow)),
                     ROUTE_NOT_FOUND);
    assert_null(r);
    assert_string_equal(allow, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_paths),        cmocka_unit_test(test_params),
        cmocka_unit_test(test_head_matches_get),    cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_method_not_allowed),  cmocka_unit_test(test_allow_has_no_duplicates),
        cmocka_unit_test(test_allow_buffer_bounds), cmocka_unit_test(test_pattern_valid),
        cmocka_unit_test(test_max_params_match),    cmocka_unit_test(test_empty_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
