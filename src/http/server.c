/* The HTTP edge: routing, body limits, validation, problem responses, security headers, access
 * log, per-thread database connections and graceful shutdown. */
#include "http/server.h"
#include "http/access.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/static.h"
#include "authz/authz.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "core/xalloc.h"
#include "db/db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_DB_CONNECTIONS 256
/* A chunked body may run on past the limit; it is read and dropped for this much longer so
 * the client gets its 413, then the connection is cut. */
#define DISCARD_MAX (1024 * 1024)

struct server {
    const struct server_config *cfg;    /* what we were started with */
    struct MHD_Daemon *daemon;          /* libmicrohttpd */
    atomic_int in_flight;               /* requests between first callback and completion */
    pthread_mutex_t dbs_lock;           /* guards dbs */
    struct db *dbs[MAX_DB_CONNECTIONS]; /* every worker's connection, closed at stop */
    int ndbs;                           /* entries in dbs */
};

static _Thread_local struct db *thread_db;

static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                          "manifest-src 'self'; base-uri 'none'; form-action 'self'; "
                          "frame-ancestors 'none'; object-src 'none'";

/* ---- request helpers for handlers ---- */

const char *req_param(struct req *req, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < req->params.count; i++) {
        const struct route_param *p = &req->params.p[i];
        if (p->name_len == n && memcmp(p->name, name, n) == 0)
            return arena_strndup(&req->arena, req->path + p->off, p->len);
    }
    return NULL;
}

const char *req_query(struct req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct query_check {
    const char *const *names; /* the parameters the route knows */
    const char *unknown;      /* the first other one */
};

static enum MHD_Result check_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    (void)kind;
    (void)value;
    struct query_check *qc = cls;
    for (const char *const *n = qc->names; *n; n++)
        if (strcmp(*n, key) == 0)
            return MHD_YES;
    qc->unknown = key;
    return MHD_NO;
}

int req_query_known(struct req *req, const char *const *names)
{
    struct query_check qc = {names, NULL};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_query_arg, &qc);
    if (!qc.unknown)
        return 0;
    /* Quote the name back only when it is short, printable ASCII. */
    bool plain = strlen(qc.unknown) <= 40;
    for (const char *c = qc.unknown; plain && *c; c++)
        plain = *c > 0x20 && *c < 0x7F;
    if (!plain)
        return req_problem(req, 422, "unknown_parameter", NULL,
                           "the query string has a parameter this resource does not know");
    return req_problem(req, 422, "unknown_parameter", qc.unknown,
                       "'%s' is not a query parameter of this resource", qc.unknown);
}

const char *req_header(struct req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const struct route *req_routes(struct req *req, size_t *n)
{
    *n = req->srv->cfg->nroutes;
    return req->srv->cfg->routes;
}

int req_query_db(struct req *req, const char *const *names, struct db **out)
{
    int rc = req_query_known(req, names);
    return rc ? rc : req_db(req, out);
}

int req_db(struct req *req, struct db **out)
{
    struct server *srv = req->srv;
    if (!thread_db) {
        char msg[512];
        struct db *db;
        int rc = db_open(srv->cfg->db_url, 0, &db, msg, sizeof(msg));
        if (rc) {
            log_msg("error", "request %s: %s", req->id, msg);
            return ERR_BUSY;
        }
        pthread_mutex_lock(&srv->dbs_lock);
        if (srv->ndbs < MAX_DB_CONNECTIONS) {
            srv->dbs[srv->ndbs++] = db;
            thread_db = db;
        }
        pthread_mutex_unlock(&srv->dbs_lock);
        if (!thread_db) {
            db_close(db);
            return ERR_BUSY;
        }
    }
    *out = thread_db;
    return 0;
}

int req_problem(struct req *req, int status, const char *code, const char *field, const char *fmt,
                ...)
{
    if (req->problem.status)
        return ERR_REJECTED;
    req->problem.status = status;
    req->problem.code = code;
    str_copy(req->problem.field, sizeof(req->problem.field), field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(req->problem.detail, sizeof(req->problem.detail), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(req->problem.detail))
        str_copy(req->problem.detail, sizeof(req->problem.detail), "the request was refused");
    return ERR_REJECTED;
}

int req_fail(struct req *req, int rc, const struct json_problem *p)
{
    if (rc != ERR_REJECTED)
        return rc;
    return req_problem(req, p->status, p->code, p->field[0] ? p->field : NULL, "%s", p->detail);
}

int req_answer(struct req *req, struct resp *resp, int rc, int status, json_t *obj,
               const struct json_problem *p)
{
    if (rc) {
        json_decref(obj);
        return req_fail(req, rc, p);
    }
    return resp_json(req, resp, status, obj);
}

static void decref(void *p)
{
    json_decref(p);
}

static void free_ptr(void *p)
{
    free(p);
}

int resp_json(struct req *req, struct resp *resp, int status, json_t *obj)
{
    char *s = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!s)
        return ERR_NOMEM;
    arena_defer(&req->arena, free_ptr, s);
    resp->status = status;
    resp->content_type = "application/json";
    resp->body = s;
    resp->len = strlen(s);
    return 0;
}

int resp_json_text(struct req *req, struct resp *resp, int status, struct buf *b)
{
    size_t len;
    char *s = buf_detach(b, &len);
    arena_defer(&req->arena, free_ptr, s);
    resp->status = status;
    resp->content_type = "application/json";
    resp->body = s;
    resp->len = len;
    return 0;
}

/* ---- responses ---- */

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

static void add_headers(struct MHD_Response *r, const struct req *req, const struct resp *resp)
{
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(r, "Permissions-Policy",
                            "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
    MHD_add_response_header(r, "X-Request-Id", req->id);
    if (req->set_cookie)
        MHD_add_response_header(r, "Set-Cookie", req->set_cookie);
    MHD_add_response_header(r, "Cache-Control",
                            resp->cache_control ? resp->cache_control : "no-store");
    if (resp->content_type)
        MHD_add_response_header(r, "Content-Type", resp->content_type);
    if (resp->etag)
        MHD_add_response_header(r, "ETag", resp->etag);
    if (resp->content_encoding)
        MHD_add_response_header(r, "Content-Encoding", resp->content_encoding);
    if (resp->vary)
        MHD_add_response_header(r, "Vary", resp->vary);
    if (resp->allow)
        MHD_add_response_header(r, "Allow", resp->allow);
    if (resp->retry_after)
        MHD_add_response_header(r, "Retry-After", resp->retry_after);
    if (resp->disposition)
        MHD_add_response_header(r, "Content-Disposition", resp->disposition);
}

static enum MHD_Result send_resp(struct req *req, const struct resp *resp)
{
    /* PERSISTENT: MHD only reads the buffer, which outlives the response (arena or static);
     * its API takes void * all the same. */
    void *body = (void *)(uintptr_t)resp->body;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(resp->len, body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    add_headers(r, req, resp);
    enum MHD_Result ok = MHD_queue_response(req->conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    req->status = resp->status;
    req->responded = true;
    /* Every response passes here: count it for /metrics, by the matched route's position in
     * the table (never the raw path), timed from arrival to now, when it is queued. */
    metrics_observe(req->route ? (long)(req->route - req->srv->cfg->routes) : -1, req->method,
                    resp->status, &req->started);
    return ok;
}

/* Every error leaves as RFC 9457 problem+json with a stable code. */
static enum MHD_Result send_problem(struct req *req, const struct json_problem *p,
                                    const struct resp *extra)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "type",
                          arena_printf(&req->arena, "urn:varn:problem:%s", p->code), "title",
                          status_title(p->status), "status", p->status, "detail", p->detail, "code",
                          p->code, "instance", req->path, "request_id", req->id);
    if (p->field[0])
        json_object_set_new(o, "field", json_string(p->field));
    struct resp resp = {0};
    if (extra)
        resp = *extra;
    resp_json(req, &resp, p->status, o);
    resp.content_type = "application/problem+json";
    return send_resp(req, &resp);
}

static enum MHD_Result problem_now(struct req *req, int status, const char *code, const char *field,
                                   const char *detail)
{
    req_problem(req, status, code, field, "%s", detail);
    return send_problem(req, &req->problem, NULL);
}

/* The one place where error codes become HTTP statuses. */
static enum MHD_Result send_error(struct req *req, int rc, const struct resp *hdrs)
{
    /* Keep the headers a handler chose (Retry-After, Allow), drop anything else it set. */
    struct resp extra = {0};
    if (hdrs) {
        extra.retry_after = hdrs->retry_after;
        extra.allow = hdrs->allow;
    }
    if (req->problem.status)
        return send_problem(req, &req->problem, &extra);
    switch (rc) {
    case ERR_NOTFOUND:
        req_problem(req, 404, "not_found", NULL, "no such resource");
        break;
    case ERR_CONFLICT:
        req_problem(req, 409, "conflict", NULL, "the change conflicts with existing data");
        break;
    case ERR_INVALID:
        req_problem(req, 422, "invalid", NULL, "the request was not valid");
        break;
    case ERR_TOOBIG:
        req_problem(req, 413, "too_large", NULL, "the request or its result is too large");
        break;
    case ERR_BUSY:
        extra.retry_after = "1";
        req_problem(req, 503, "busy", NULL, "the database is busy; try again shortly");
        break;
    case ERR_UNSUPPORTED:
        req_problem(req, 501, "not_supported", NULL, "not supported by this installation");
        break;
    default:
        /* Details go to the log, never to the client. */
        log_msg("error", "request %s %s %s failed: %s", req->id, req->method, req->path,
                err_str(rc));
        req_problem(req, 500, "internal_error", NULL,
                    "an internal error occurred; quote the request id when reporting it");
        break;
    }
    return send_problem(req, &req->problem, &extra);
}

/* ---- the UI ---- */

static bool accepts_gzip(struct req *req)
{
    const char *ae = req_header(req, "Accept-Encoding");
    return ae && strstr(ae, "gzip") != NULL;
}

/* GET of any path outside the API: a file of the UI, or index.html so that the UI's own
 * router can show the page. Paths that name a file that does not exist get 404. */
static enum MHD_Result serve_static(struct req *req)
{
    const struct static_file *f = static_find(req->path);
    if (!f) {
        const char *last = strrchr(req->path, '/');
        if (last && strchr(last, '.'))
            return problem_now(req, 404, "not_found", NULL, "no such file");
        f = static_find("/index.html");
        if (!f)
            return problem_now(req, 404, "not_found", NULL, "the web UI is not built in");
    }
    struct resp resp = {.status = 200,
                        .content_type = f->mime,
                        .body = f->data,
                        .len = f->len,
                        .cache_control = "no-cache",
                        .etag = f->etag,
                        .vary = "Accept-Encoding"};
    const char *inm = req_header(req, "If-None-Match");
    if (inm && strstr(inm, f->etag)) {
        resp.status = 304;
        resp.body = "";
        resp.len = 0;
        resp.content_type = NULL;
        return send_resp(req, &resp);
    }
    if (f->gz && accepts_gzip(req)) {
        resp.body = f->gz;
        resp.len = f->gz_len;
        resp.content_encoding = "gzip";
    }
    return send_resp(req, &resp);
}

/* ---- the request life cycle ---- */

static void new_request_id(char out[33])
{
    unsigned char raw[16];
    static const char hex[] = "0123456789abcdef";
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        log_msg("error", "getrandom failed: %s", strerror(errno));
        abort(); /* no randomness means no safe tokens either: stop rather than guess */
    }
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[32] = '\0';
}

/* Is ct the media type (in any case), alone or with "; charset=utf-8"? */
static bool is_content_type(const char *ct, const char *type)
{
    if (!ct)
        return false;
    size_t n = strlen(type);
    if (strncasecmp(ct, type, n) != 0)
        return false;
    const char *rest = ct + n;
    while (*rest == ' ')
        rest++;
    if (*rest == '\0')
        return true;
    if (*rest != ';')
        return false;
    rest++;
    while (*rest == ' ')
        rest++;
    return strncasecmp(rest, "charset=utf-8", 13) == 0 && rest[13] == '\0';
}

/* The media type a route's body must have: text/csv for ROUTE_CSV_BODY, else JSON. */
static const char *body_type(const struct route *r)
{
    return route_takes_csv(r) ? "text/csv" : "application/json";
}

static bool body_type_ok(struct req *req)
{
    return is_content_type(req_header(req, "Content-Type"), body_type(req->route));
}

static enum MHD_Result unsupported_type(struct req *req)
{
    char d[96];
    str_format(d, sizeof(d), "send the body as Content-Type: %s", body_type(req->route));
    return problem_now(req, 415, "unsupported_media_type", NULL, d);
}

/* First callback: route, check access and the declared body, before any body is read. */
static enum MHD_Result on_headers(struct req *req)
{
    struct server *srv = req->srv;
    char allow[64];
    enum route_result m = route_match(srv->cfg->routes, srv->cfg->nroutes, req->method, req->path,
                                      &req->route, &req->params, allow, sizeof(allow));
    if (m == ROUTE_NOT_FOUND) {
        if (str_starts_with(req->path, "/api/") || strcmp(req->path, "/api") == 0)
            return problem_now(req, 404, "not_found", NULL, "no such resource");
        if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
            return serve_static(req);
        str_copy(allow, sizeof(allow), "GET, HEAD");
        m = ROUTE_METHOD_NOT_ALLOWED;
    }
    if (m == ROUTE_METHOD_NOT_ALLOWED) {
        struct resp extra = {.allow = arena_strdup(&req->arena, allow)};
        req_problem(req, 405, "method_not_allowed", NULL, "%s is not allowed here; allowed: %s",
                    req->method, allow);
        return send_problem(req, &req->problem, &extra);
    }
    int rc = access_check(req);
    if (rc)
        return send_error(req, rc, NULL);

    const char *cl = req_header(req, "Content-Length");
    int64_t declared = 0;
    if (cl && str_to_int64(cl, 0, INT64_MAX, &declared) != 0)
        return problem_now(req, 400, "bad_content_length", NULL, "Content-Length is not a number");
    if (declared > (int64_t)req->route->body_max) {
        char d[160];
        str_format(d, sizeof(d), "the body is %lld bytes; this resource accepts at most %zu",
                   (long long)declared, req->route->body_max);
        return problem_now(req, 413, "too_large", NULL, d);
    }
    bool has_body = declared > 0 || req_header(req, "Transfer-Encoding");
    if (req->route->fields && has_body && !body_type_ok(req))
        return unsupported_type(req);
    buf_init(&req->body, req->route->body_max);
    return MHD_YES;
}

static void on_body(struct req *req, const char *data, size_t size)
{
    if (!req->body_too_large && buf_append(&req->body, data, size) == 0)
        return;
    req->body_too_large = true;
    req->body_discarded += size;
}

/* Last callback: the whole body is here. Validate it and run the handler. */
static enum MHD_Result on_complete(struct req *req)
{
    const struct route *r = req->route;
    if (req->body_too_large) {
        char d[160];
        str_format(d, sizeof(d), "the body is larger than the %zu bytes this resource accepts",
                   r->body_max);
        return problem_now(req, 413, "too_large", NULL, d);
    }
    if (route_takes_csv(r)) {
        if (req->body.len > 0 && !body_type_ok(req)) /* the handler reads req->body as it is */
            return unsupported_type(req);
    } else if (r->fields) {
        if (!body_type_ok(req))
            return unsupported_type(req);
        if (json_body_parse(buf_str(&req->body), req->body.len, r->fields, &req->json,
                            &req->problem) != 0)
            return send_problem(req, &req->problem, NULL);
        arena_defer(&req->arena, decref, req->json);
    } else if (req->body.len > 0) {
        return problem_now(req, 413, "too_large", NULL, "this resource takes no body");
    }
    struct resp resp = {0};
    int rc = r->handler(req, &resp);
    if (rc == 0 && resp.status)
        return send_resp(req, &resp);
    return send_error(req, rc ? rc : ERR_DB, &resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct server *srv = cls;
    struct req *req = *con_cls;
    if (!req) {
        req = xcalloc(1, sizeof(*req));
        arena_init(&req->arena);
        req->srv = srv;
        req->conn = conn;
        req->method = arena_strdup(&req->arena, method);
        req->path = arena_strdup(&req->arena, url);
        clock_gettime(CLOCK_MONOTONIC, &req->started);
        new_request_id(req->id);
        buf_init(&req->body, 0);
        *con_cls = req;
        atomic_fetch_add(&srv->in_flight, 1);
        return on_headers(req);
    }
    if (req->responded) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        on_body(req, upload_data, *upload_data_size);
        *upload_data_size = 0; /* always consume: unconsumed data makes MHD answer 500 */
        return req->body_discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    return on_complete(req);
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return "completed";
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
        return "error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read_error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "client_abort";
    }
    return "unknown";
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct server *srv = cls;
    struct req *req = *con_cls;
    if (!req)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - req->started.tv_sec) * 1e3 +
                (double)(now.tv_nsec - req->started.tv_nsec) / 1e6;
    json_t *line = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:s}", "msg", "request", "request_id",
                             req->id, "method", req->method, "path", req->path, "status",
                             req->status, "duration_ms", ms, "outcome", termination_name(toe));
    log_json(req->status >= 500 ? "error" : "info", line);
    buf_release(&req->body);
    arena_release(&req->arena);
    free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_msg("warn", "libmicrohttpd: %s", msg);
}

/* ---- start and stop ---- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen)
        return ERR_INVALID;
    int64_t port;
    if (str_to_int64(colon + 1, 0, 65535, &port) != 0)
        return ERR_INVALID;
    size_t hl = (size_t)(colon - listen);
    if (listen[0] == '[') {
        if (hl < 3 || listen[hl - 1] != ']')
            return ERR_INVALID;
        if (hl - 2 >= sizeof(host))
            return ERR_INVALID;
        memcpy(host, listen + 1, hl - 2);
        host[hl - 2] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        memset(ss, 0, sizeof(*ss));
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return ERR_INVALID;
        *len = sizeof(*a);
        return 0;
    }
    if (hl >= sizeof(host))
        return ERR_INVALID;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    memset(ss, 0, sizeof(*ss));
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return ERR_INVALID;
    *len = sizeof(*a);
    return 0;
}

int server_listen_valid(const char *listen)
{
    struct sockaddr_storage ss;
    socklen_t len;
    return parse_listen(listen, &ss, &len);
}

static int check_routes(const struct server_config *cfg)
{
    for (size_t i = 0; i < cfg->nroutes; i++) {
        const struct route *r = &cfg->routes[i];
        if (!route_pattern_valid(r->pattern) || !r->handler || !r->summary) {
            log_msg("error", "route %s %s is malformed", r->method, r->pattern);
            return ERR_INVALID;
        }
    }
    return 0;
}

int server_run(const struct server_config *cfg)
{
    struct sockaddr_storage addr;
    socklen_t addrlen;
    if (parse_listen(cfg->listen, &addr, &addrlen) != 0) {
        log_msg("error", "cannot listen on '%s': expected ADDRESS:PORT such as 127.0.0.1:8080",
                cfg->listen);
        return ERR_INVALID;
    }
    if (check_routes(cfg) != 0)
        return ERR_INVALID;
    char msg[256];
    if (authz_load(cfg->routes, cfg->nroutes, msg, sizeof(msg)) != 0) {
        log_msg("error", "%s", msg);
        return ERR_INVALID;
    }
    if (metrics_init(cfg->routes, cfg->nroutes) != 0) { /* fixed-size counters for /metrics */
        log_msg("error", "the request metrics are already sized for another route table");
        return ERR_INVALID;
    }

    struct server *srv = xcalloc(1, sizeof(*srv));
    srv->cfg = cfg;
    atomic_init(&srv->in_flight, 0);
    pthread_mutex_init(&srv->dbs_lock, NULL);

    /* Block the stop signals before any thread starts, so that only sigwait sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : (unsigned)(cores > 0 ? cores : 1);
    if (threads > 64)
        threads = 64;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* Options are varargs: each value must have exactly the type MHD reads. The logger comes
     * first so that MHD reports problems with the later options through it. */
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, &on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, &on_mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024, MHD_OPTION_NOTIFY_COMPLETED,
        &on_completed, srv, MHD_OPTION_END);
    if (!srv->daemon) {
        log_msg("error", "cannot listen on %s: %s", cfg->listen,
                errno ? strerror(errno) : "libmicrohttpd refused to start");
        free(srv);
        return ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : 0;
    json_t *ready = json_pack("{s:s, s:s, s:i, s:i}", "msg", "listening", "listen", cfg->listen,
                              "port", (int)port, "threads", (int)threads);
    log_json("info", ready);

    int sig = 0;
    sigwait(&stop, &sig);
    /* Stop accepting at once, let what is in flight finish, then stop. MHD's worker threads
     * may still hold the listening socket, so it is only shut down here (new connections are
     * refused) and closed after MHD_stop_daemon, as MHD_quiesce_daemon requires. */
    MHD_socket lsock = MHD_quiesce_daemon(srv->daemon);
    if (lsock != MHD_INVALID_SOCKET)
        shutdown(lsock, SHUT_RDWR);
    int pending = atomic_load(&srv->in_flight);
    log_json("info", json_pack("{s:s, s:s, s:i}", "msg", "stopping", "signal",
                               sig == SIGTERM ? "SIGTERM" : "SIGINT", "in_flight", pending));
    unsigned drain = cfg->drain_seconds ? cfg->drain_seconds : 30;
    for (unsigned waited = 0; atomic_load(&srv->in_flight) > 0 && waited < drain * 100; waited++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(srv->daemon);
    if (lsock != MHD_INVALID_SOCKET)
        close(lsock);
    for (int i = 0; i < srv->ndbs; i++)
        db_close(srv->dbs[i]);
    pthread_mutex_destroy(&srv->dbs_lock);
    free(srv);
    log_msg("info", "stopped");
    return 0;
}
