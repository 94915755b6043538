/* GET /metrics in the Prometheus text exposition format 0.0.4.
 *
 * Request metrics: the edge calls metrics_observe once per response. The storage is one array
 * of series allocated at start-up, indexed by route position (the route table is static) and
 * method, so its size never depends on what clients send: a raw path never becomes a label.
 * Each series holds its statuses in a few slots claimed with compare-and-swap, a histogram
 * and a sum, all relaxed atomics: no lock on the request path. A scrape reads them without
 * stopping writers, so one series may show a request in its buckets but not yet in its sum;
 * the +Inf bucket and _count are computed from the same counters and always agree.
 *
 * Findings: read at scrape time (metrics_sql.c), limited to the caller's organisations. */
#include "http/metrics.h"
#include "http/metrics_sql.h"
#include "http/request.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "version.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OUTPUT_MAX (8 * 1024 * 1024) /* bytes of one scrape; past it the scrape fails (413) */
#define NSTATUS    12                /* distinct statuses kept per series; more go to "other" */

/* Methods get a fixed index; anything else a client invents counts as "other". */
static const char *const METHODS[] = {"GET",   "HEAD",   "POST",    "PUT",
                                      "PATCH", "DELETE", "OPTIONS", "other"};
#define NMETHODS (sizeof(METHODS) / sizeof(METHODS[0]))

/* Histogram bounds: nanoseconds and their label, 1 ms to 2.5 s, then +Inf. */
static const uint64_t BOUNDS_NS[] = {1000000,   2500000,    5000000,   10000000,
                                     25000000,  50000000,   100000000, 250000000,
                                     500000000, 1000000000, 2500000000};
static const char *const BOUNDS_LE[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
                                        "0.1",   "0.25",   "0.5",   "1",    "2.5"};
#define NBOUNDS (sizeof(BOUNDS_NS) / sizeof(BOUNDS_NS[0]))

struct series {
    _Atomic uint64_t bucket[NBOUNDS + 1]; /* per bucket, not cumulative; the last one: > 2.5 s */
    _Atomic uint64_t sum_ns;              /* total duration */
    atomic_int status[NSTATUS];           /* the status a slot counts; 0: slot free */
    _Atomic uint64_t by_status[NSTATUS];  /* responses per slot */
    _Atomic uint64_t other_status;        /* responses whose status found no free slot */
};

static struct {
    const struct route *routes; /* the table the series are indexed by */
    size_t nroutes;             /* its rows; then UNMATCHED and UI */
    struct series *series;      /* (nroutes + 2) * NMETHODS */
    struct timespec started;    /* process start, wall clock */
} M;

#define SLOT_UNMATCHED (M.nroutes)     /* no route: 404 under /api, 405, bad requests */
#define SLOT_UI        (M.nroutes + 1) /* answered by the embedded UI (static files) */
#define NSLOTS         (M.nroutes + 2)

int metrics_init(const struct route *routes, size_t nroutes)
{
    if (M.series)
        return M.routes == routes && M.nroutes == nroutes ? 0 : ERR_INVALID;
    M.routes = routes;
    M.nroutes = nroutes;
    clock_gettime(CLOCK_REALTIME, &M.started);
    M.series = xcalloc((nroutes + 2) * NMETHODS, sizeof(struct series));
    return 0;
}

static size_t method_index(const char *method)
{
    for (size_t i = 0; i + 1 < NMETHODS; i++)
        if (strcmp(method, METHODS[i]) == 0)
            return i;
    return NMETHODS - 1;
}

static void count_status(struct series *s, int status)
{
    for (int i = 0; status > 0 && i < NSTATUS; i++) {
        int have = atomic_load_explicit(&s->status[i], memory_order_acquire);
        if (have == 0) {
            int expected = 0;
            if (atomic_compare_exchange_strong(&s->status[i], &expected, status))
                have = status;
            else
                have = expected; /* another thread claimed it first: for which status? */
        }
        if (have == status) {
            atomic_fetch_add_explicit(&s->by_status[i], 1, memory_order_relaxed);
            return;
        }
    }
    atomic_fetch_add_explicit(&s->other_status, 1, memory_order_relaxed);
}

void metrics_observe(long route, const char *method, int status, const struct timespec *started)
{
    if (!M.series)
        return;
    size_t slot;
    if (route >= 0 && (size_t)route < M.nroutes)
        slot = (size_t)route;
    else
        slot = status < 400 ? SLOT_UI : SLOT_UNMATCHED; /* outside the API only the UI answers */
    struct series *s = &M.series[slot * NMETHODS + method_index(method)];

    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ns =
        (int64_t)(now.tv_sec - started->tv_sec) * 1000000000 + (now.tv_nsec - started->tv_nsec);
    uint64_t d = ns > 0 ? (uint64_t)ns : 0;
    size_t b = 0;
    while (b < NBOUNDS && d > BOUNDS_NS[b])
        b++;
    atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_ns, d, memory_order_relaxed);
    count_status(s, status);
}

/* ---- the exposition format ---- */

/* A label value: backslash, double quote and line feed escaped, as the format requires. */
static int put_label_value(struct buf *b, const char *v)
{
    int rc = 0;
    for (const char *p = v; !rc && *p; p++) {
        size_t run = strcspn(p, "\\\"\n");
        if (run) {
            rc = buf_append(b, p, run);
            p += run;
            if (!*p)
                break;
        }
        if (!rc)
            rc = buf_append_str(b, *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" : "\\n");
    }
    return rc;
}

static int put_header(struct buf *b, const char *name, const char *type, const char *help)
{
    return buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *slot_label(size_t slot)
{
    if (slot == SLOT_UNMATCHED)
        return "unmatched";
    if (slot == SLOT_UI)
        return "ui";
    return M.routes[slot].pattern;
}

/* name{route="…",method="…" and the caller closes the braces. */
static int put_series_labels(struct buf *b, const char *name, size_t slot, size_t m)
{
    int rc = buf_printf(b, "%s{route=\"", name);
    if (!rc)
        rc = put_label_value(b, slot_label(slot));
    if (!rc)
        rc = buf_printf(b, "\",method=\"%s\"", METHODS[m]);
    return rc;
}

static uint64_t load(_Atomic uint64_t *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

static int put_requests_total(struct buf *b)
{
    int rc = put_header(b, "varn_http_requests_total", "counter",
                        "HTTP responses by route pattern, method and status.");
    for (size_t slot = 0; !rc && slot < NSLOTS; slot++) {
        for (size_t m = 0; !rc && m < NMETHODS; m++) {
            struct series *s = &M.series[slot * NMETHODS + m];
            for (int i = 0; !rc && i <= NSTATUS; i++) {
                uint64_t n = i < NSTATUS ? load(&s->by_status[i]) : load(&s->other_status);
                if (n == 0)
                    continue;
                rc = put_series_labels(b, "varn_http_requests_total", slot, m);
                if (rc)
                    break;
                if (i < NSTATUS)
                    rc = buf_printf(b, ",status=\"%d\"} %llu\n",
                                    atomic_load_explicit(&s->status[i], memory_order_relaxed),
                                    (unsigned long long)n);
                else
                    rc = buf_printf(b, ",status=\"other\"} %llu\n", (unsigned long long)n);
            }
        }
    }
    return rc;
}

static int put_durations(struct buf *b)
{
    static const char name[] = "varn_http_request_duration_seconds";
    int rc = put_header(b, name, "histogram",
                        "Time from a request's arrival to its response being queued, by route "
                        "pattern and method.");
    for (size_t slot = 0; !rc && slot < NSLOTS; slot++) {
        for (size_t m = 0; !rc && m < NMETHODS; m++) {
            struct series *s = &M.series[slot * NMETHODS + m];
            uint64_t counts[NBOUNDS + 1], total = 0;
            for (size_t i = 0; i <= NBOUNDS; i++)
                total += counts[i] = load(&s->bucket[i]);
            if (total == 0)
                continue;
            uint64_t cumulative = 0;
            for (size_t i = 0; !rc && i <= NBOUNDS; i++) {
                cumulative += counts[i];
                rc = put_series_labels(b, "varn_http_request_duration_seconds_bucket", slot, m);
                if (!rc)
                    rc = buf_printf(b, ",le=\"%s\"} %llu\n", i < NBOUNDS ? BOUNDS_LE[i] : "+Inf",
                                    (unsigned long long)cumulative);
            }
            uint64_t sum = load(&s->sum_ns);
            if (!rc)
                rc = put_series_labels(b, "varn_http_request_duration_seconds_sum", slot, m);
            if (!rc)
                rc = buf_printf(b, "} %llu.%09llu\n", (unsigned long long)(sum / 1000000000),
                                (unsigned long long)(sum % 1000000000));
            if (!rc)
                rc = put_series_labels(b, "varn_http_request_duration_seconds_count", slot, m);
            if (!rc)
                rc = buf_printf(b, "} %llu\n", (unsigned long long)total);
        }
    }
    return rc;
}

int metrics_put_requests(struct buf *b)
{
    if (!M.series)
        return 0;
    int rc = put_requests_total(b);
    return rc ? rc : put_durations(b);
}

/* ---- findings ---- */

static const char *const FINDING_STATUSES[] = {"ok",      "due_soon", "overdue",
                                               "missing", "excepted", "not_tracked"};
#define NFINDING_STATUSES (sizeof(FINDING_STATUSES) / sizeof(FINDING_STATUSES[0]))

/* One organisation and section: every status, zeros included, so that a count that falls to
 * zero reads as 0 rather than vanishing. */
static int put_finding_group(struct buf *b, const char *org, const char *section,
                             const int64_t counts[NFINDING_STATUSES])
{
    int rc = 0;
    for (size_t i = 0; !rc && i < NFINDING_STATUSES; i++) {
        rc = buf_append_str(b, "varn_findings{organisation=\"");
        if (!rc)
            rc = put_label_value(b, org);
        if (!rc)
            rc = buf_append_str(b, "\",section=\"");
        if (!rc)
            rc = put_label_value(b, section);
        if (!rc)
            rc = buf_printf(b, "\",status=\"%s\"} %lld\n", FINDING_STATUSES[i],
                            (long long)counts[i]);
    }
    return rc;
}

static int put_findings(struct req *req, struct db *db, struct buf *b)
{
    struct db_stmt *st;
    int rc = put_header(b, "varn_findings", "gauge",
                        "Findings of the policy engine's last evaluation by organisation, "
                        "section and status, in the caller's organisations.");
    if (!rc)
        rc = metrics_sql_findings_open(db, &req->caller, req->roles, &st);
    if (rc)
        return rc;
    const char *org = NULL, *section = NULL;
    int64_t counts[NFINDING_STATUSES] = {0};
    struct metrics_finding_count row;
    while ((rc = metrics_sql_findings_next(st, &row)) == DB_ROW) {
        if (!org || strcmp(org, row.organisation) != 0 || strcmp(section, row.section) != 0) {
            if (org && (rc = put_finding_group(b, org, section, counts)) != 0)
                break;
            org = arena_strdup(&req->arena, row.organisation);
            section = arena_strdup(&req->arena, row.section);
            memset(counts, 0, sizeof(counts));
        }
        for (size_t i = 0; i < NFINDING_STATUSES; i++)
            if (strcmp(row.status, FINDING_STATUSES[i]) == 0)
                counts[i] += row.count;
    }
    db_finalize(st);
    if (rc == DB_DONE && org)
        rc = put_finding_group(b, org, section, counts);
    if (rc)
        return rc;

    char at[64];
    bool found;
    int64_t t;
    rc = metrics_sql_evaluated_at(db, at, sizeof(at), &found);
    if (rc || !found)
        return rc;
    if (clock_parse(at, &t) != 0)
        return ERR_DB; /* the engine writes it; a malformed one is a bug, not the caller's */
    rc = put_header(b, "varn_findings_evaluated_timestamp_seconds", "gauge",
                    "When the policy engine last evaluated the findings (Unix time).");
    if (!rc)
        rc = buf_printf(b, "varn_findings_evaluated_timestamp_seconds %lld\n", (long long)t);
    return rc;
}

static void free_ptr(void *p)
{
    free(p);
}

int h_metrics(struct req *req, struct resp *resp)
{
    static const char *const none[] = {NULL};
    struct buf b;
    struct db *db;
    int rc = req_query_known(req, none);
    if (rc)
        return rc;
    if (!M.series)
        return ERR_INVALID; /* metrics_init was not called: a bug of the edge */
    buf_init(&b, OUTPUT_MAX);
    rc = put_header(&b, "varn_build_info", "gauge", "The running build of Värn; always 1.");
    if (!rc) {
        rc = buf_append_str(&b, "varn_build_info{version=\"");
        if (!rc)
            rc = put_label_value(&b, VARN_VERSION);
        if (!rc)
            rc = buf_append_str(&b, "\"} 1\n");
    }
    if (!rc)
        rc = put_header(&b, "process_start_time_seconds", "gauge",
                        "Start time of the process since the Unix epoch in seconds.");
    if (!rc)
        rc = buf_printf(&b, "process_start_time_seconds %lld.%03ld\n", (long long)M.started.tv_sec,
                        M.started.tv_nsec / 1000000);
    if (!rc)
        rc = metrics_put_requests(&b);
    if (!rc)
        rc = req_db(req, &db);
    if (!rc)
        rc = put_findings(req, db, &b);
    if (rc) {
        buf_release(&b);
        return rc;
    }
    size_t len;
    char *text = buf_detach(&b, &len);
    arena_defer(&req->arena, free_ptr, text);
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->body = text;
    resp->len = len;
    return 0;
}
