/* Prometheus metrics (text exposition format 0.0.4) at GET /metrics: request counters and
 * latency histograms that the HTTP edge keeps in process memory, and the policy engine's
 * findings counts read from the database at scrape time, limited to the caller's reach. */
#ifndef VARN_HTTP_METRICS_H
#define VARN_HTTP_METRICS_H

#include "http/route.h"

#include <stddef.h>
#include <time.h>

struct req;
struct resp;

/* Size the request counters for the route table (index i of routes is route i, plus one
 * series for requests no route matched and one for the embedded UI) and note the process's
 * start time. Once, before the server takes requests; the storage never grows after. 0 or
 * ERR_INVALID when called again with another table. */
int metrics_init(const struct route *routes, size_t nroutes);

/* Count one response: route is the index of the matched route in the table given to
 * metrics_init, or -1 for none; started is the request's arrival (CLOCK_MONOTONIC).
 * Lock-free (relaxed atomic increments); a no-op before metrics_init. */
void metrics_observe(long route, const char *method, int status, const struct timespec *started);

struct buf;

/* The request metrics (varn_http_requests_total, varn_http_request_duration_seconds) in the
 * exposition format, appended to b; 0 or ERR_TOOBIG. A no-op before metrics_init. */
int metrics_put_requests(struct buf *b);

/* GET /metrics. */
int h_metrics(struct req *req, struct resp *resp);

#endif
