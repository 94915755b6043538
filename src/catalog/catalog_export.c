/* CSV and XLSX exports of the system and information lists, audited like the audit export. */
#include "catalog/catalog_export.h"
#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "http/request.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define EXPORT_BYTES (64u * 1024u * 1024u) /* the most one CSV export may take */

int cat_export_format(struct req *req, int *format)
{
    const char *f = req_query(req, "format");
    *format = !f || strcmp(f, "json") == 0 ? CAT_FORMAT_JSON
              : strcmp(f, "csv") == 0      ? CAT_FORMAT_CSV
              : strcmp(f, "xlsx") == 0     ? CAT_FORMAT_XLSX
                                           : -1;
    if (*format < 0)
        return req_problem(req, 422, "invalid_value", "format", "format must be json, csv or xlsx");
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
                  const char *format, const char *const *params, size_t rows)
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
        json_pack("{s:s, s:o, s:I}", "format", format, "filter", filter, "rows", (json_int_t)rows);
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

/* The CSV of items into csv. */
static int build_csv(struct buf *csv, const struct cat_export_column *cols, json_t *items)
{
    char tmp[32];
    int rc = buf_append_str(csv, "\xEF\xBB\xBF");
    for (size_t c = 0; !rc && cols[c].member; c++)
        rc = csv_write_cell(csv, cols[c].header, cols[c + 1].member ? ';' : '\n');
    for (size_t i = 0; !rc && i < json_array_size(items); i++) {
        json_t *item = json_array_get(items, i);
        for (size_t c = 0; !rc && cols[c].member; c++)
            rc = csv_write_cell(csv,
                                cell_text(json_object_get(item, cols[c].member), tmp, sizeof(tmp)),
                                cols[c + 1].member ? ';' : '\n');
    }
    return rc;
}

/* Read the whole file at path into out (bounded by its limit). */
static int slurp(const char *path, struct buf *out)
{
    char chunk[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ERR_IO;
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? ERR_IO : 0;
            break;
        }
        rc = buf_append(out, chunk, (size_t)n);
        if (rc)
            break;
    }
    close(fd);
    return rc;
}

/* The workbook of items (one sheet named sheet: a bold header row, column widths, every value
 * text but the levels, formula-like text with a leading apostrophe) into out, built in a
 * temporary file that is removed again. */
static int build_xlsx(struct buf *out, const char *sheet, const struct cat_export_column *cols,
                      json_t *items)
{
    char path[256], tmp[32], cell[CAT_EXPORT_CELL_MAX + 2];
    const char *dir = getenv("TMPDIR");
    if (str_format(path, sizeof(path), "%s/varn-export-XXXXXX", dir && *dir ? dir : "/tmp"))
        return ERR_IO;
    int fd = mkstemp(path);
    if (fd < 0)
        return ERR_IO;
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
    lxw_format *bold = wb ? workbook_add_format(wb) : NULL;
    int rc = ws && bold ? 0 : ERR_NOMEM;
    if (!rc)
        format_set_bold(bold);
    for (lxw_col_t c = 0; !rc && cols[c].member; c++) {
        size_t width = strlen(cols[c].header) + 4;
        worksheet_set_column(ws, c, c, (double)(width < 14 ? 14 : width), NULL);
        if (worksheet_write_string(ws, 0, c, cols[c].header, bold) != LXW_NO_ERROR)
            rc = ERR_IO;
    }
    for (size_t i = 0; !rc && i < json_array_size(items); i++) {
        json_t *item = json_array_get(items, i);
        lxw_row_t row = (lxw_row_t)(i + 1);
        for (lxw_col_t c = 0; !rc && cols[c].member; c++) {
            json_t *v = json_object_get(item, cols[c].member);
            lxw_error e;
            if (json_is_integer(v)) {
                e = worksheet_write_number(ws, row, c, (double)json_integer_value(v), NULL);
            } else {
                const char *s = cell_text(v, tmp, sizeof(tmp));
                if (csv_formula_like(s) && str_format(cell, sizeof(cell), "'%s", s) == 0)
                    s = cell;
                e = *s ? worksheet_write_string(ws, row, c, s, NULL) : LXW_NO_ERROR;
            }
            if (e != LXW_NO_ERROR)
                rc = ERR_IO;
        }
    }
    if (wb && workbook_close(wb) != LXW_NO_ERROR && !rc)
        rc = ERR_IO;
    if (!rc)
        rc = slurp(path, out);
    unlink(path);
    return rc;
}

int cat_export(struct req *req, struct resp *resp, struct db *db, int format,
               const struct cat_export_names *names, const struct cat_export_column *cols,
               json_t *items, const char *const *filter_params)
{
    struct buf file;
    if (json_array_size(items) > CAT_EXPORT_MAX)
        return req_problem(req, 422, "too_many_rows", NULL,
                           "the export would hold more than %d rows; narrow the filter",
                           CAT_EXPORT_MAX);
    bool xlsx = format == CAT_FORMAT_XLSX;
    buf_init(&file, EXPORT_BYTES);
    int rc = xlsx ? build_xlsx(&file, names->sheet, cols, items) : build_csv(&file, cols, items);
    if (!rc && strcmp(req->method, "HEAD") != 0)
        rc = record(db, req, names->action, names->object_kind, xlsx ? "xlsx" : "csv",
                    filter_params, json_array_size(items));
    if (!rc) {
        size_t len;
        char *body = buf_detach(&file, &len);
        arena_defer(&req->arena, free_ptr, body);
        resp->status = 200;
        resp->content_type =
            xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                 : "text/csv; charset=utf-8";
        resp->disposition = xlsx ? names->disposition_xlsx : names->disposition_csv;
        resp->body = body;
        resp->len = len;
    }
    buf_release(&file);
    return rc;
}
