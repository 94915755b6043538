/* Searching the audit log as a caller may see it: JSON pages and the CSV export. */
#include "audit/audit.h"
#include "audit/audit_sql.h"
#include "authz/authz.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Stored JSON as a value; text that does not parse (it never should) is returned as it is. */
static json_t *parsed(const char *s)
{
    if (!s)
        return json_null();
    json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(s);
}

static json_t *item(const struct audit_record *r, const char *org_code)
{
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer(r->seq));
    json_object_set_new(o, "at", text_or_null(r->at));
    json_object_set_new(o, "actor", text_or_null(r->actor));
    json_object_set_new(o, "address", text_or_null(r->address));
    json_object_set_new(o, "action", text_or_null(r->action));
    json_object_set_new(o, "object_kind", text_or_null(r->object_kind));
    json_object_set_new(o, "object_id", text_or_null(r->object_id));
    json_object_set_new(o, "organisation", text_or_null(org_code));
    json_object_set_new(o, "before", parsed(r->before));
    json_object_set_new(o, "after", parsed(r->after));
    return o;
}

int audit_search(struct db *db, const struct audit_viewer *v, const struct audit_filter *f,
                 json_t **out)
{
    /* One more than asked for tells whether another page follows. */
    struct audit_filter g = *f;
    g.limit = f->limit + 1;
    struct db_stmt *st = NULL;
    struct audit_record r;
    const char *org;
    json_t *items = json_array();
    int64_t last = 0;
    bool more = false;
    int rc = audit_sql_search_open(db, v, &g, &st);
    if (rc)
        goto out;
    while ((rc = audit_sql_search_next(st, &r, &org)) == DB_ROW) {
        if ((int64_t)json_array_size(items) == f->limit) {
            more = true;
            break;
        }
        json_array_append_new(items, item(&r, org));
        last = r.seq;
    }
    if (rc < 0)
        goto out;
    rc = 0;
    json_t *cursor = json_null();
    if (more) {
        char c[24];
        str_format(c, sizeof(c), "%lld", (long long)last);
        json_decref(cursor);
        cursor = json_string(c);
    }
    *out = json_pack("{s:O, s:o}", "items", items, "next_cursor", cursor);
out:
    db_finalize(st);
    json_decref(items);
    return rc;
}

/* The byte order mark makes Excel read UTF-8; the header row is Swedish. */
static const char CSV_HEAD[] = "\xEF\xBB\xBF"
                               "Tid;Aktör;Adress;Händelse;Objekttyp;Objekt;Organisation;Före;"
                               "Efter\r\n";

int audit_export_csv(struct db *db, const struct audit_viewer *v, const struct audit_filter *f,
                     struct buf *csv, int64_t *rows)
{
    struct audit_filter g = *f;
    g.before_seq = 0;
    g.limit = AUDIT_EXPORT_MAX + 1;
    struct db_stmt *st = NULL;
    struct audit_record r;
    const char *org;
    *rows = 0;
    int rc = buf_append_str(csv, CSV_HEAD);
    if (!rc)
        rc = audit_sql_search_open(db, v, &g, &st);
    if (rc)
        goto out;
    while ((rc = audit_sql_search_next(st, &r, &org)) == DB_ROW) {
        if (*rows == AUDIT_EXPORT_MAX) {
            rc = ERR_TOOBIG;
            goto out;
        }
        const char *cells[] = {r.at,        r.actor, r.address, r.action, r.object_kind,
                               r.object_id, org,     r.before,  r.after};
        size_t n = sizeof(cells) / sizeof(cells[0]);
        rc = 0;
        for (size_t i = 0; !rc && i < n; i++)
            rc = csv_write_cell(csv, cells[i], i + 1 == n ? '\n' : ';');
        if (rc)
            goto out;
        (*rows)++;
    }
    if (rc > 0)
        rc = 0;
out:
    db_finalize(st);
    return rc;
}

static json_t *filter_json(const struct audit_filter *f, int64_t rows)
{
    json_t *o = json_object();
    const char *names[] = {"from",        "to",        "actor", "organisation",
                           "object_kind", "object_id", "action"};
    const char *values[] = {f->from,        f->to,        f->actor, f->organisation,
                            f->object_kind, f->object_id, f->action};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (values[i])
            json_object_set_new(o, names[i], json_string(values[i]));
    return json_pack("{s:s, s:o, s:I}", "format", "csv", "filter", o, "rows", (json_int_t)rows);
}

int audit_export_record(struct db *db, const struct caller *c, const struct audit_filter *f,
                        int64_t rows)
{
    int64_t org_id = 0;
    int rc = audit_sql_caller_org(db, c, &org_id);
    if (rc)
        return rc;
    json_t *after = filter_json(f, rows);
    struct audit_event ev = {.actor = c->actor,
                             .address = c->address,
                             .action = "audit.export",
                             .object_kind = "audit_log",
                             .organisation_id = org_id,
                             .after = after};
    rc = audit_append_alone(db, &ev);
    json_decref(after);
    return rc;
}

int audit_head(struct db *db, int64_t *seq, char hash[AUDIT_HASH_LEN])
{
    return audit_sql_head(db, seq, hash);
}
