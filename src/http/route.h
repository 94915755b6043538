/* The route table: method, path pattern with parameters, handler, body limit, who may call. */
#ifndef VARN_HTTP_ROUTE_H
#define VARN_HTTP_ROUTE_H

#include "core/json_body.h"

#include <stdbool.h>
#include <stddef.h>

struct req;
struct resp;

/* Fill resp, or return a negative error (the edge turns it into a problem response). */
typedef int (*route_handler)(struct req *req, struct resp *resp);

/* Who may call a route. Which roles an ACCESS_ROLES route admits is data: the permission
 * matrix src/authz/permissions.csv. */
enum route_access {
    ACCESS_PUBLIC, /* anyone: health checks, the UI, the API document, logging in */
    ACCESS_LOGIN,  /* a person with a session, even before its MFA step (MFA, logout, me) */
    ACCESS_ROLES,  /* a caller past MFA, or a token, holding a role the matrix gives the route */
};

struct route {
    const char *method;         /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *pattern;        /* "/api/v1/systems/{id}": {name} matches one path segment */
    route_handler handler;      /* thin: validate, call the module, render */
    size_t body_max;            /* largest accepted body in bytes; 0: no body */
    enum route_access access;   /* who may call it */
    const struct field *fields; /* JSON body schema; NULL when the route takes no body */
    const char *summary;        /* one line for the API document */
};

/* The fields of a route whose body is a CSV file (Content-Type text/csv, optionally with
 * charset=utf-8) instead of a JSON object: the edge applies the route's body limit and its 413
 * and 415 answers as for JSON, does not parse the body, and the handler reads req->body. */
extern const struct field route_csv_body[];
#define ROUTE_CSV_BODY route_csv_body

/* Does r take a CSV body (fields == ROUTE_CSV_BODY)? */
bool route_takes_csv(const struct route *r);

#define ROUTE_MAX_PARAMS 8

struct route_param {
    const char *name; /* points into the pattern, after '{' */
    size_t name_len;  /* up to '}' */
    size_t off;       /* value's offset in the path */
    size_t len;       /* value's length */
};

struct route_params {
    int count;                              /* parameters captured */
    struct route_param p[ROUTE_MAX_PARAMS]; /* in pattern order */
};

enum route_result {
    ROUTE_MATCH,              /* *out is the route for this method and path */
    ROUTE_NOT_FOUND,          /* no pattern matches the path: 404 */
    ROUTE_METHOD_NOT_ALLOWED, /* the path exists for other methods, listed in allow: 405 */
};

/* Find the route for method and path. HEAD is answered by GET routes. On 405, allow gets the
 * permitted methods as an Allow header value ("GET, HEAD, POST"). */
enum route_result route_match(const struct route *routes, size_t n, const char *method,
                              const char *path, const struct route **out,
                              struct route_params *params, char *allow, size_t allow_len);

/* Is the pattern well formed (starts with '/', braces balanced, names non-empty, at most
 * ROUTE_MAX_PARAMS)? Checked for the whole table at start-up. */
bool route_pattern_valid(const char *pattern);

#endif
