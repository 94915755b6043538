/* A request in flight and the response a handler builds; what handlers may use. */
#ifndef VARN_HTTP_REQUEST_H
#define VARN_HTTP_REQUEST_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/json_body.h"
#include "authz/authz.h"
#include "http/route.h"

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

struct server;
struct db;
struct MHD_Connection;

struct req {
    struct arena arena;          /* everything below that is allocated lives here */
    struct server *srv;          /* the server it arrived at */
    struct MHD_Connection *conn; /* libmicrohttpd's connection */
    const char *method;          /* "GET", ... */
    const char *path;            /* decoded path, without the query string */
    const struct route *route;   /* the matched route, or NULL */
    struct route_params params;  /* path parameters of the match */
    char id[33];                 /* request id: 128 random bits in hex */
    struct timespec started;     /* monotonic time of arrival */
    struct buf body;             /* the body, bounded by the route's body_max */
    size_t body_discarded;       /* bytes thrown away after the limit was passed */
    bool body_too_large;         /* the body passed body_max */
    json_t *json;                /* the validated JSON body, or NULL */
    struct json_problem problem; /* the first problem recorded (problem.status != 0) */
    struct caller caller;        /* who is asking (anonymous until resolved) */
    unsigned roles;              /* the roles the matrix gives the matched route */
    const char *set_cookie;      /* a Set-Cookie header to send, or NULL */
    int status;                  /* the status sent, for the access log */
    bool responded;              /* a response has been queued */
};

struct resp {
    int status;                   /* HTTP status; 0 means the handler set nothing */
    const char *content_type;     /* Content-Type of body */
    const void *body;             /* arena or static memory that outlives the request */
    size_t len;                   /* bytes of body */
    const char *cache_control;    /* NULL: "no-store" */
    const char *etag;             /* ETag header, or NULL */
    const char *content_encoding; /* "gzip", or NULL */
    const char *vary;             /* Vary header, or NULL */
    const char *allow;            /* Allow header (405), or NULL */
    const char *retry_after;      /* Retry-After header (503), or NULL */
    const char *disposition;      /* Content-Disposition header (downloads), or NULL */
};

/* The value of path parameter name ("id" for {id}), copied into the request arena; NULL when
 * the route has no such parameter. */
const char *req_param(struct req *req, const char *name);

/* A query-string argument, or NULL. */
const char *req_query(struct req *req, const char *name);

/* Refuse any query parameter not in names (NULL-terminated) with 422 unknown_parameter naming
 * it, so that a mistyped filter cannot silently list everything. 0 when all are known. */
int req_query_known(struct req *req, const char *const *names);

/* A request header, or NULL. */
const char *req_header(struct req *req, const char *name);

/* The server's route table (for the API document). */
const struct route *req_routes(struct req *req, size_t *n);

/* This worker thread's database connection, opened on first use. */
int req_db(struct req *req, struct db **out);
/* A read's start: req_query_known(names), then req_db. */
int req_query_db(struct req *req, const char *const *names, struct db **out);

/* Record a problem for the response (the first one wins) and return ERR_REJECTED, so that a
 * handler can write: return req_problem(req, 409, "duplicate", "code", "..."); */
int req_problem(struct req *req, int status, const char *code, const char *field, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));

/* Bind the caller's scope (AUTHZ_SCOPE_CTE parameters) for the route being served. */
int req_bind_scope(struct req *req, struct db_stmt *st);

/* Append an audit entry for this request's caller; inside the handler's transaction. */
int req_audit(struct req *req, struct db *db, const char *action, const char *object_kind,
              const char *object_id, int64_t organisation_id, json_t *before, json_t *after);

/* A module's problem (rc == ERR_REJECTED, described by p) becomes this request's problem;
 * any other rc passes through unchanged. For modules that report problems without knowing
 * about requests. */
int req_fail(struct req *req, int rc, const struct json_problem *p);
/* A module's answer: obj (taken) with status when rc is 0, else as req_fail. */
int req_answer(struct req *req, struct resp *resp, int rc, int status, json_t *obj,
               const struct json_problem *p);

/* Render obj (ownership taken) as the JSON response with the given status. */
int resp_json(struct req *req, struct resp *resp, int status, json_t *obj);
/* Send the JSON text in b (taken over: b is empty afterwards) with the given status. */
int resp_json_text(struct req *req, struct resp *resp, int status, struct buf *b);

#endif
