/* CSV exports of the system and information lists: the audit export's cells, audited alike. */
#include "catalog/catalog_export.h"
#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "http/request.h"

#include <stdlib.h>
#include <string.h>

#define EXPORT_BYTES (64u * 1024u * 1024u) /* the most one CSV export may take */

int cat_export_format(struct req *req, int *csv)
{
    const char *format = req_query(req, "format");
    *csv = format && strcmp(format, "csv") == 0;
    if (format && !*csv && strcmp(format, "json") != 0)
        return req_problem(req, 422, "invalid_value", "format", "format must be json or csv");
    return 0;
}

/* A member as the text of a cell. */
static const char *cell_text(json_t *v, char *tmp, size_t size)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v) && str_format(tmp, size, "%lld", (long long)json_integer_value(v)) == 0)
        return tmp;
    if (json_is_boolean(v))
        return json_is_true(v) ? "ja" : "nej";
    return "";
}

static void free_ptr(void *p)
{
    free(p);
}

static int record(struct db *db, struct req *req, const char *action, const char *object_kind,
                  const char *const *params, size_t rows)
{
    int64_t org_id = 0;
    json_t *filter = json_object();
    for (size_t i = 0; params[i]; i++) {
        const char *v = req_query(req, params[i]);
        if (v && *v && strcmp(params[i], "format") != 0 && strcmp(params[i], "limit") != 0 &&
            strcmp(params[i], "cursor") != 0)
            json_object_set_new(filter, params[i], json_string(v));
    }
    json_t *after =
        json_pack("{s:s, s:o, s:I}", "format", "csv", "filter", filter, "rows", (json_int_t)rows);
    int rc = audit_sql_caller_org(db, &req->caller, &org_id);
    struct audit_event ev = {.actor = req->caller.actor,
                             .address = req->caller.address,
                             .action = action,
                             .object_kind = object_kind,
                             .organisation_id = org_id,
                             .after = after};
    if (!rc)
        rc = audit_append_alone(db, &ev);
    json_decref(after);
    return rc;
}

int cat_export_csv(struct req *req, struct resp *resp, struct db *db, const char *action,
                   const char *object_kind, const char *filename,
                   const struct cat_export_column *cols, json_t *items,
                   const char *const *filter_params)
{
    struct buf csv;
    char tmp[32];
    int rc = 0;
    if (json_array_size(items) > CAT_EXPORT_MAX)
        return req_problem(req, 422, "too_many_rows", NULL,
                           "the export would hold more than %d rows; narrow the filter",
                           CAT_EXPORT_MAX);
    buf_init(&csv, EXPORT_BYTES);
    rc = buf_append_str(&csv, "\xEF\xBB\xBF");
    for (size_t c = 0; !rc && cols[c].member; c++)
        rc = csv_write_cell(&csv, cols[c].header, cols[c + 1].member ? ';' : '\n');
    for (size_t i = 0; !rc && i < json_array_size(items); i++) {
        json_t *item = json_array_get(items, i);
        for (size_t c = 0; !rc && cols[c].member; c++)
            rc = csv_write_cell(&csv,
                                cell_text(json_object_get(item, cols[c].member), tmp, sizeof(tmp)),
                                cols[c + 1].member ? ';' : '\n');
    }
    if (!rc && strcmp(req->method, "HEAD") != 0)
        rc = record(db, req, action, object_kind, filter_params, json_array_size(items));
    if (!rc) {
        size_t len;
        char *body = buf_detach(&csv, &len);
        arena_defer(&req->arena, free_ptr, body);
        resp->status = 200;
        resp->content_type = "text/csv; charset=utf-8";
        resp->disposition = filename;
        resp->body = body;
        resp->len = len;
    }
    buf_release(&csv);
    return rc;
}
