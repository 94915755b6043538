/* Unit tests for the request metrics of src/http/metrics.c: exact counts under concurrent
 * writers, buckets, statuses, the pseudo-routes, and label escaping of route patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "http/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct route routes[] = {
    {"GET", "/healthz", NULL, 0, ACCESS_PUBLIC, NULL, "health"},
    {"GET", "/api/v1/systems/{id}", NULL, 0, ACCESS_PUBLIC, NULL, "get"},
    {"POST", "/api/v1/odd\"\\name", NULL, 0, ACCESS_PUBLIC, NULL, "a pattern to escape"},
};
#define NROUTES  (sizeof(routes) / sizeof(routes[0]))
#define THREADS  8
#define PER_LOOP 20000

/* The value of the sample line that starts with prefix, or -1 when there is none. */
static long long sample(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, prefix, n) == 0 && p[n] == ' ')
            return strtoll(p + n + 1, NULL, 10);
    }
    return -1;
}

static char *render(void)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(metrics_put_requests(&b), 0);
    size_t len;
    return buf_detach(&b, &len);
}

static void *writer(void *arg)
{
    long id = (long)(intptr_t)arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    for (int i = 0; i < PER_LOOP; i++) {
        /* Every thread races for the same status slots of /healthz. */
        metrics_observe(0, "GET", i % 3 == 0 ? 503 : 200, &now);
        metrics_observe(1, "HEAD", 404 + (int)(id % 2), &now);
    }
    return NULL;
}

static void test_concurrent_counts_are_exact(void **state)
{
    (void)state;
    assert_int_equal(metrics_init(routes, NROUTES), 0);
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    char *text = render();
    long long n503 = (PER_LOOP + 2) / 3 * THREADS;
    assert_int_equal(
        sample(text, "varn_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"503\"}"),
        n503);
    assert_int_equal(
        sample(text, "varn_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}"),
        (long long)PER_LOOP * THREADS - n503);
    assert_int_equal(sample(text, "varn_http_requests_total{route=\"/api/v1/systems/{id}\","
                                  "method=\"HEAD\",status=\"405\"}"),
                     (long long)PER_LOOP * THREADS / 2);
    assert_int_equal(sample(text, "varn_http_request_duration_seconds_count{route=\"/healthz\","
                                  "method=\"GET\"}"),
                     (long long)PER_LOOP * THREADS);
    assert_int_equal(sample(text, "varn_http_request_duration_seconds_bucket{route=\"/healthz\","
                                  "method=\"GET\",le=\"+Inf\"}"),
                     (long long)PER_LOOP * THREADS);
    /* Each status has one slot: no duplicates, no "other". */
    assert_null(strstr(text, "status=\"other\""));
    free(text);
}

static void test_buckets_and_pseudo_routes(void **state)
{
    (void)state;
    assert_int_equal(metrics_init(routes, NROUTES), 0); /* again with the same table: fine */
    assert_int_not_equal(metrics_init(routes, 1), 0);   /* another table: refused */
    struct timespec now, ago;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ago = now;
    ago.tv_sec -= 3; /* beyond 2.5 s: only +Inf */
    metrics_observe(-1, "GET", 404, &ago);
    metrics_observe(-1, "GET", 200, &now);
    metrics_observe(-1, "BREW", 405, &now);
    metrics_observe(2, "POST", 201, &now);
    metrics_observe(99, "GET", 404, &now); /* out of the table: unmatched */
    char *text = render();
    assert_int_equal(sample(text, "varn_http_request_duration_seconds_bucket{route=\"unmatched\","
                                  "method=\"GET\",le=\"2.5\"}"),
                     1);
    assert_int_equal(sample(text, "varn_http_request_duration_seconds_bucket{route=\"unmatched\","
                                  "method=\"GET\",le=\"+Inf\"}"),
                     2);
    assert_int_equal(
        sample(text,
               "varn_http_request_duration_seconds_count{route=\"unmatched\",method=\"GET\"}"),
        2);
    assert_int_equal(
        sample(text, "varn_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}"),
        2);
    assert_int_equal(
        sample(text, "varn_http_requests_total{route=\"ui\",method=\"GET\",status=\"200\"}"), 1);
    assert_int_equal(
        sample(text,
               "varn_http_requests_total{route=\"unmatched\",method=\"other\",status=\"405\"}"),
        1);
    assert_int_equal(sample(text, "varn_http_requests_total{route=\"/api/v1/odd\\\"\\\\name\","
                                  "method=\"POST\",status=\"201\"}"),
                     1);
    assert_null(strstr(text, "BREW"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_counts_are_exact),
        cmocka_unit_test(test_buckets_and_pseudo_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
