/* HTTP handlers of the audit log: search (JSON pages or a CSV export) and the chain's head. */
#include "audit/audit_http.h"
#include "audit/audit.h"
#include "authz/authz.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "http/request.h"

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_DEFAULT 50
#define FILTER_MAX   200 /* bytes of a text filter */
#define EXPORTS_MAX  2   /* CSV exports built at once: each may hold AUDIT_EXPORT_BYTES */

static const char *const PARAMS[] = {"from",      "to",     "actor", "organisation", "object_kind",
                                     "object_id", "action", "limit", "cursor",       "format"};
#define NPARAMS (sizeof(PARAMS) / sizeof(PARAMS[0]))

static atomic_int exports_running;

struct query_check {
    const char *bad; /* the first unknown or repeated parameter */
    bool repeated;   /* bad is repeated, not unknown */
    int seen[NPARAMS];
};

static enum MHD_Result check_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    (void)value;
    struct query_check *q = cls;
    for (size_t i = 0; i < NPARAMS; i++) {
        if (strcmp(key, PARAMS[i]) == 0) {
            if (q->seen[i]++ == 0)
                return MHD_YES;
            q->repeated = true;
            q->bad = key;
            return MHD_NO;
        }
    }
    q->bad = key;
    return MHD_NO;
}

/* An instant for from (inclusive) or to (exclusive), as stored: "YYYY-MM-DDTHH:MM:SSZ". A
 * bare date in to means the end of that day, so that from=D&to=D is the whole day D. */
static int time_param(struct req *req, const char *name, bool end, int64_t *t, const char **out)
{
    const char *s = req_query(req, name);
    int64_t day;
    *out = NULL;
    if (!s)
        return 0;
    if (strlen(s) > 40 || clock_parse(s, t) != 0)
        return req_problem(req, 422, "invalid_date", name,
                           "%s must be an ISO 8601 date or instant with a zone, such as "
                           "2026-11-22 or 2026-11-22T08:00:00Z",
                           name);
    char *iso = arena_alloc(&req->arena, CLOCK_ISO_LEN);
    clock_format(end && clock_parse_date(s, &day) == 0 ? day + 86400 : *t, iso);
    *out = iso;
    return 0;
}

static int text_param(struct req *req, const char *name, const char **out)
{
    const char *s = req_query(req, name);
    *out = s;
    if (!s)
        return 0;
    if (!*s)
        return req_problem(req, 422, "empty", name, "%s must not be empty; leave it out instead",
                           name);
    if (strlen(s) > FILTER_MAX)
        return req_problem(req, 422, "too_long", name, "%s must be at most %d bytes", name,
                           FILTER_MAX);
    return 0;
}

static int read_filter(struct req *req, struct audit_filter *f, bool *csv)
{
    struct query_check q = {0};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_param, &q);
    if (q.bad && q.repeated)
        return req_problem(req, 422, "repeated_parameter", q.bad, "%s may be given only once",
                           q.bad);
    if (q.bad)
        return req_problem(req, 422, "unknown_parameter", q.bad,
                           "'%.60s' is not a parameter of this resource", q.bad);
    int64_t from = 0, to = 0;
    int rc = time_param(req, "from", false, &from, &f->from);
    if (!rc)
        rc = time_param(req, "to", true, &to, &f->to);
    if (!rc && f->from && f->to && to < from)
        return req_problem(req, 422, "invalid_range", "to", "to must not be before from");
    if (!rc)
        rc = text_param(req, "actor", &f->actor);
    if (!rc)
        rc = text_param(req, "organisation", &f->organisation);
    if (!rc)
        rc = text_param(req, "object_kind", &f->object_kind);
    if (!rc)
        rc = text_param(req, "object_id", &f->object_id);
    if (!rc)
        rc = text_param(req, "action", &f->action);
    if (rc)
        return rc;
    const char *format = req_query(req, "format");
    *csv = format && strcmp(format, "csv") == 0;
    if (format && !*csv && strcmp(format, "json") != 0)
        return req_problem(req, 422, "invalid_value", "format", "format must be json or csv");
    const char *limit = req_query(req, "limit");
    const char *cursor = req_query(req, "cursor");
    if (*csv && (limit || cursor))
        return req_problem(req, 422, "not_for_export", limit ? "limit" : "cursor",
                           "%s pages JSON results; a CSV export holds every matching entry",
                           limit ? "limit" : "cursor");
    f->limit = PAGE_DEFAULT;
    if (limit && str_to_int64(limit, 1, AUDIT_PAGE_MAX, &f->limit) != 0)
        return req_problem(req, 422, "out_of_range", "limit",
                           "limit must be a whole number from 1 to %d", AUDIT_PAGE_MAX);
    if (cursor && str_to_int64(cursor, 1, INT64_MAX, &f->before_seq) != 0)
        return req_problem(req, 422, "invalid_cursor", "cursor",
                           "cursor must be a next_cursor value from an earlier page");
    return 0;
}

static int viewer(struct req *req, struct db *db, struct audit_viewer *v)
{
    unsigned held = 0;
    int rc = authz_caller_roles(db, &req->caller, &held);
    v->caller = &req->caller;
    v->roles = req->roles;
    v->administrator = (held & ROLE_ADMINISTRATOR) != 0;
    return rc;
}

static void free_ptr(void *p)
{
    free(p);
}

/* The export is built in a bounded buffer, not streamed: streaming would hold a read
 * statement open on this worker thread's shared connection for as long as a slow client takes
 * to download. It is recorded in the audit log in a transaction of its own before a byte of it
 * leaves: an export that cannot be recorded is not sent. */
static int export_csv(struct req *req, struct resp *resp, struct db *db,
                      const struct audit_viewer *v, const struct audit_filter *f)
{
    struct buf csv;
    int64_t rows = 0;
    buf_init(&csv, AUDIT_EXPORT_BYTES);
    if (atomic_fetch_add(&exports_running, 1) >= EXPORTS_MAX) {
        atomic_fetch_sub(&exports_running, 1);
        return ERR_BUSY;
    }
    int rc = audit_export_csv(db, v, f, &csv, &rows);
    if (rc == ERR_TOOBIG) {
        rc = req_problem(req, 422, "too_many_entries", NULL,
                         "the export would hold more than %d entries or %u MiB; narrow the "
                         "filter (from, to, organisation, ...)",
                         AUDIT_EXPORT_MAX, AUDIT_EXPORT_BYTES / (1024u * 1024u));
        goto out;
    }
    if (!rc && strcmp(req->method, "HEAD") != 0)
        rc = audit_export_record(db, &req->caller, f, rows);
    if (rc)
        goto out;
    size_t len;
    char *body = buf_detach(&csv, &len);
    arena_defer(&req->arena, free_ptr, body);
    resp->status = 200;
    resp->content_type = "text/csv; charset=utf-8";
    resp->disposition = "attachment; filename=\"granskningslogg.csv\"";
    resp->body = body;
    resp->len = len;
out:
    buf_release(&csv);
    atomic_fetch_sub(&exports_running, 1);
    return rc;
}

int h_audit_search(struct req *req, struct resp *resp)
{
    struct audit_filter f = {0};
    struct audit_viewer v;
    struct db *db;
    bool csv = false;
    json_t *page = NULL;
    int rc = read_filter(req, &f, &csv);
    if (!rc)
        rc = req_db(req, &db);
    if (!rc)
        rc = viewer(req, db, &v);
    if (rc)
        return rc;
    if (csv)
        return export_csv(req, resp, db, &v, &f);
    rc = audit_search(db, &v, &f, &page);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, page);
}

int h_audit_head(struct req *req, struct resp *resp)
{
    struct db *db;
    int64_t seq = 0;
    char hash[AUDIT_HASH_LEN];
    int rc = req_db(req, &db);
    if (!rc)
        rc = audit_head(db, &seq, hash);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "hash", hash));
}
