/* The HTTP server: libmicrohttpd with an epoll thread pool, graceful stop on SIGTERM/SIGINT. */
#ifndef VARN_HTTP_SERVER_H
#define VARN_HTTP_SERVER_H

#include "http/route.h"

#include <stddef.h>

struct server_config {
    const char *db_url;         /* database every worker connects to */
    const char *listen;         /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks a free one */
    const struct route *routes; /* the route table */
    size_t nroutes;             /* its length */
    unsigned threads;           /* worker threads; 0: one per core */
    unsigned drain_seconds;     /* how long a stop waits for requests in flight */
};

/* 0 when listen is a usable ADDRESS:PORT, else ERR_INVALID. */
int server_listen_valid(const char *listen);

/* Serve until SIGTERM or SIGINT, then stop accepting, let the requests in flight finish and
 * return 0. Returns a negative error (with a logged reason) when the server cannot start. */
int server_run(const struct server_config *cfg);

#endif
