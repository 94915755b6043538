/* Shared plumbing of the catalog and classification modules (see cat_common.h). */
#include "catalog/cat_common.h"
#include "catalog/cat_list.h"
#include "audit/audit.h"
#include "core/err.h"
#include "core/json_write.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CURSOR_RAW_MAX (CAT_CURSOR_KEY_MAX + CAT_EXTERNAL_ID_MAX + 4)
#define CURSOR_MAX     (CURSOR_RAW_MAX * 4 / 3 + 4)

int cat_reject(struct json_problem *p, int status, const char *code, const char *field,
               const char *fmt, ...)
{
    p->status = status;
    p->code = code;
    str_copy(p->field, sizeof(p->field), field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(p->detail))
        str_copy(p->detail, sizeof(p->detail), "the request was refused");
    return ERR_REJECTED;
}

const char *cat_shown(const char *s)
{
    bool plain = s && strlen(s) <= 64;
    for (const char *c = s; plain && *c; c++)
        plain = *c >= 0x20 && *c < 0x7F;
    return plain ? s : "(this value)";
}

int cat_unknown_org(struct json_problem *p, const char *field, const char *code)
{
    return cat_reject(p, 422, "unknown_organisation", field,
                      "there is no organisation with code '%s'", cat_shown(code));
}

int cat_unknown_person(struct json_problem *p, const char *field, const char *user_id)
{
    return cat_reject(p, 422, "unknown_person", field, "there is no person with user id '%s'",
                      cat_shown(user_id));
}

int cat_external_id_check(const char *s, const char **why)
{
    size_t n = s ? strlen(s) : 0;
    *why = "an external id is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'";
    if (n < 1 || n > CAT_EXTERNAL_ID_MAX)
        return ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return ERR_INVALID;
    }
    *why = NULL;
    return 0;
}

const char *cat_level_name_sv(int level)
{
    static const char *const names[] = {"Ingen eller försumbar skada", "Måttlig skada",
                                        "Betydande skada", "Allvarlig skada",
                                        "Synnerligen allvarlig skada"};
    return level >= 0 && level <= 4 ? names[level] : "";
}

int cat_finish(struct db *db, int rc, json_t **out)
{
    if (!rc)
        rc = db_commit(db);
    if (rc) {
        db_rollback(db);
        if (out && *out) {
            json_decref(*out);
            *out = NULL;
        }
    }
    return rc;
}

int cat_audit(struct db *db, const struct org_actor *who, const char *action,
              const char *object_kind, const char *object_id, int64_t org_id, json_t *before,
              json_t *after)
{
    struct audit_event ev = {.actor = who->actor,
                             .address = who->address,
                             .action = action,
                             .object_kind = object_kind,
                             .object_id = object_id,
                             .organisation_id = org_id,
                             .before = before,
                             .after = after};
    return audit_append(db, &ev);
}

int cat_bind_scope(struct db_stmt *st, const struct org_actor *who)
{
    static const struct caller nobody = {.kind = CALLER_ANONYMOUS};
    const struct caller *c = who->caller && !who->everything ? who->caller : &nobody;
    int rc = authz_bind_scope(st, c, who->everything ? 0 : who->roles);
    if (!rc)
        rc = db_bind_int(st, ":everything", who->everything ? 1 : 0);
    return rc;
}

json_t *cat_row_json(struct db_stmt *st)
{
    json_t *o = json_object();
    int n = db_col_count(st);
    for (int i = 0; o && i < n; i++) {
        const char *name = db_col_name(st, i);
        json_t *v;
        if (db_col_is_null(st, i))
            v = json_null();
        else if (name[0] == '_' || name[0] == '#')
            v = json_integer(db_col_int(st, i));
        else if (name[0] == '?')
            v = json_boolean(db_col_int(st, i) != 0);
        else
            v = json_string(db_col_text(st, i));
        if (name[0] == '#' || name[0] == '?')
            name++;
        if (json_object_set_new(o, name, v) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *cat_public(json_t *obj)
{
    json_t *copy = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (key[0] != '_')
            json_object_set(copy, key, v);
    }
    return copy;
}

int cat_one_row(struct db_stmt *st, int rc, json_t **out)
{
    if (!rc) {
        rc = db_step(st);
        if (rc == DB_ROW) {
            *out = cat_row_json(st);
            rc = *out ? 0 : ERR_NOMEM;
        } else if (rc == DB_DONE) {
            rc = ERR_NOTFOUND;
        }
    }
    db_finalize(st);
    return rc;
}

int cat_row_by_id(struct db *db, const char *sql, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    return cat_one_row(st, db_bind_int(st, ":id", id), out);
}

int cat_row_scoped(struct db *db, const char *sql, const struct org_actor *who, const char *name,
                   int64_t id, const char *text, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = text ? db_bind_text(st, name, text) : db_bind_int(st, name, id);
    return cat_one_row(st, rc, out);
}

int cat_all_rows(struct db_stmt *st, int rc, json_t *items)
{
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        json_t *row = cat_row_json(st);
        rc = row && json_array_append_new(items, row) == 0 ? 0 : ERR_NOMEM;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* ---- pages ---- */

static bool given(const char *s)
{
    return s && *s;
}

int cat_filter(const char *value, const char *name, const char **out, struct json_problem *p)
{
    *out = NULL;
    if (!given(value))
        return 0;
    if (strlen(value) > ORG_FILTER_MAX)
        return cat_reject(p, 422, "too_long", name, "'%s' is at most %d bytes", name,
                          ORG_FILTER_MAX);
    *out = value;
    return 0;
}

int cat_level_filter(const char *value, const char *name, int64_t *out, struct json_problem *p)
{
    *out = -1;
    if (given(value) && str_to_int64(value, 0, 4, out))
        return cat_reject(p, 422, "out_of_range", name, "'%s' is a level from 0 to 4", name);
    return 0;
}

static int bad_cursor(struct json_problem *p)
{
    return cat_reject(p, 422, "invalid_cursor", "cursor",
                      "the cursor is not one this list gave out; start again without it");
}

/* Cursors are opaque: base64url of "<kind><sort letter>:<sort value>\x1f<external_id>". */
static int cursor_decode(struct cat_page *pg, const char *cursor, struct json_problem *p)
{
    unsigned char raw[CURSOR_RAW_MAX + 1];
    size_t n = 0;
    if (strlen(cursor) >= CURSOR_MAX ||
        sodium_base642bin(raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n < 4 || raw[0] != (unsigned char)pg->kind || raw[1] != (unsigned char)pg->sort[0] ||
        raw[2] != ':' || memchr(raw, '\0', n))
        return bad_cursor(p);
    raw[n] = '\0';
    char *sep = strchr((char *)raw + 3, '\x1f');
    if (!sep)
        return bad_cursor(p);
    *sep = '\0';
    if (str_copy(pg->after_key, sizeof(pg->after_key), (char *)raw + 3) ||
        str_copy(pg->after_id, sizeof(pg->after_id), sep + 1))
        return bad_cursor(p);
    pg->has_after = true;
    return 0;
}

int cat_page_start(struct cat_page *pg, const char *limit, const char *cursor, const char *sort,
                   const char *q, struct json_problem *p)
{
    int64_t n = ORG_PAGE_DEFAULT;
    const char *text = NULL;
    pg->items = NULL;
    if (given(limit) && str_to_int64(limit, 1, ORG_PAGE_MAX, &n))
        return cat_reject(p, 422, "out_of_range", "limit", "limit is a whole number from 1 to %d",
                          ORG_PAGE_MAX);
    pg->limit = (int)n;
    pg->sort = "external_id";
    if (given(sort) && strcmp(sort, "name") == 0)
        pg->sort = "name";
    else if (given(sort) && strcmp(sort, "external_id") != 0)
        return cat_reject(p, 422, "invalid_value", "sort", "sort is external_id or name");
    int rc = given(cursor) ? cursor_decode(pg, cursor, p) : 0;
    if (!rc)
        rc = cat_filter(q, "q", &text, p);
    if (!rc && text)
        rc = db_like_pattern(text, pg->like, sizeof(pg->like));
    if (!rc && !pg->out)
        pg->items = json_array();
    /* One allocation for a usual page (a system is some 700 bytes of JSON) instead of a
     * doubling series that copies what was written each time. */
    if (!rc && pg->out)
        rc = buf_reserve(pg->out, (size_t)(pg->limit < 64 ? pg->limit : 64) * 1024);
    if (!rc && pg->out)
        rc = jw_raw(pg->out, "{\"items\":[");
    return rc;
}

int cat_col_index(struct db_stmt *st, const char *name)
{
    int n = db_col_count(st);
    for (int i = 0; i < n; i++)
        if (strcmp(db_col_name(st, i), name) == 0)
            return i;
    return -1;
}

/* The column named name, or else _name (a row whose item is stored reads its cursor's
 * columns hidden). */
static int col_index_shown_or_hidden(struct db_stmt *st, const char *name)
{
    char hidden[64];
    int i = cat_col_index(st, name);
    if (i < 0 && !str_format(hidden, sizeof(hidden), "_%s", name))
        i = cat_col_index(st, hidden);
    return i;
}

/* Work out, from the first row's column names, how every row is written: the JSON key of
 * each column (with its comma) once, instead of per row. */
static int plan_make(struct cat_page *pg, struct db_stmt *st)
{
    struct cat_row_plan *pl = &pg->plan;
    struct buf keys;
    int n = db_col_count(st), rc = 0;
    bool first = true;
    if (n > CAT_ROW_COLS_MAX)
        return ERR_TOOBIG;
    buf_init(&keys, sizeof(pl->keys) - 1);
    for (int i = 0; !rc && i < n; i++) {
        const char *name = db_col_name(st, i);
        pl->type[i] = name[0] == '_'                                       ? 0
                      : name[0] == '#' || name[0] == '?' || name[0] == '=' ? name[0]
                                                                           : 's';
        if (!pl->type[i])
            continue;
        size_t start = keys.len;
        rc = first ? 0 : jw_raw(&keys, ",");
        if (!rc)
            rc = jw_key(&keys, pl->type[i] == 's' ? name : name + 1);
        pl->key_off[i] = (unsigned short)start;
        pl->key_len[i] = (unsigned short)(keys.len - start);
        first = false;
    }
    if (!rc)
        memcpy(pl->keys, buf_str(&keys), keys.len);
    buf_release(&keys);
    for (int t = 0; t < CAT_ROW_TAIL_MAX; t++)
        pl->tail[t] = pg->tail_cols[t] ? cat_col_index(st, pg->tail_cols[t]) : -1;
    pl->sort_col = pg->sort ? col_index_shown_or_hidden(st, pg->sort) : -1; /* no page: none */
    pl->id_col = col_index_shown_or_hidden(st, "external_id");
    pl->org_col = cat_col_index(st, "_organisation_id");
    pl->item_col = cat_col_index(st, "=item");
    pl->row_id_col = cat_col_index(st, "_id");
    pl->ncols = n;
    return rc;
}

/* A row that is its stored item: the item as it is, or rendered now when it is missing. */
static int item_write(struct cat_page *pg, struct db_stmt *st)
{
    const struct cat_row_plan *pl = &pg->plan;
    const char *item = db_col_text(st, pl->item_col);
    if (item)
        return jw_put(pg->out, item, strlen(item));
    if (!db_col_is_null(st, pl->item_col))
        return ERR_NOMEM;
    if (!pg->item_kind || pl->row_id_col < 0)
        return ERR_DB;
    return cat_item_write(pg->item_db, pg->item_kind, pg->out, db_col_int(st, pl->row_id_col));
}

/* The current row as the JSON object cat_public(cat_row_json(st)) would dump to: the columns
 * in their order, hidden ones left out, then the tail's members. */
static int row_write(struct cat_page *pg, struct db_stmt *st)
{
    const struct cat_row_plan *pl = &pg->plan;
    struct buf *b = pg->out;
    if (pl->item_col >= 0)
        return item_write(pg, st);
    int rc = jw_put(b, "{", 1);
    for (int i = 0; !rc && i < pl->ncols; i++) {
        char type = pl->type[i];
        if (!type)
            continue;
        rc = jw_put(b, pl->keys + pl->key_off[i], pl->key_len[i]);
        if (rc)
            break;
        if (type == 's') {
            /* Text first: NULL only for SQL NULL (or SQLite out of memory), so one call. */
            const char *text = db_col_text(st, i);
            rc = text ? jw_string(b, text) : db_col_is_null(st, i) ? jw_null(b) : ERR_NOMEM;
        } else {
            /* NULL reads as 0, so only a 0 needs the second look. */
            int64_t v = db_col_int(st, i);
            if (v == 0 && db_col_is_null(st, i))
                rc = jw_null(b);
            else
                rc = type == '#' ? jw_int(b, v) : jw_bool(b, v != 0);
        }
    }
    if (!rc && pg->tail)
        rc = pg->tail(b, st, pl->tail);
    if (!rc)
        rc = jw_put(b, "}", 1);
    /* Stored text that is not UTF-8 is the database's fault, not the request's: a 500, as
     * json_string's refusal gave on the collected path. */
    return rc == ERR_INVALID ? ERR_DB : rc;
}

int cat_row_write(struct cat_page *pg, struct db_stmt *st)
{
    int rc = pg->plan.ncols ? 0 : plan_make(pg, st);
    return rc ? rc : row_write(pg, st);
}

/* Keep the sort value and external_id of the row that may end the page, for its cursor. */
static void remember_last(struct cat_page *pg, struct db_stmt *st)
{
    int k = pg->plan.sort_col, id = pg->plan.id_col;
    pg->last_ok = k >= 0 && id >= 0 && !db_col_is_null(st, k) && !db_col_is_null(st, id) &&
                  !str_copy(pg->last_key, sizeof(pg->last_key), db_col_text(st, k)) &&
                  !str_copy(pg->last_id, sizeof(pg->last_id), db_col_text(st, id));
}

/* Is the current row one the page may show? Always without a reach; with one, a row without
 * _organisation_id is a statement that cannot be checked, and fails. */
static int row_in_reach(const struct cat_page *pg, struct db_stmt *st, bool *yes)
{
    int col = pg->plan.org_col;
    *yes = true;
    if (!pg->reach)
        return 0;
    if (col < 0)
        return ERR_DB;
    int64_t org = db_col_int(st, col);
    *yes = (org != 0 || !db_col_is_null(st, col)) && authz_reach_has(pg->reach, org);
    return 0;
}

/* The collected path: every row (in reach) as JSON into items. */
static int rows_collect(struct cat_page *pg, struct db_stmt *st, int rc)
{
    bool first = true;
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        bool keep = true;
        if (first)
            pg->plan.org_col = cat_col_index(st, "_organisation_id");
        first = false;
        rc = row_in_reach(pg, st, &keep);
        if (rc || !keep)
            continue;
        json_t *row = cat_row_json(st);
        rc = row && json_array_append_new(pg->items, row) == 0 ? 0 : ERR_NOMEM;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int cat_page_rows(struct cat_page *pg, struct db_stmt *st, int rc)
{
    if (!pg->out)
        return pg->reach ? rows_collect(pg, st, rc) : cat_all_rows(st, rc, pg->items);
    while (!rc && pg->rows <= pg->limit && (rc = db_step(st)) == DB_ROW) {
        bool keep = true;
        rc = pg->plan.ncols ? 0 : plan_make(pg, st);
        if (!rc)
            rc = row_in_reach(pg, st, &keep);
        if (rc || !keep)
            continue;
        if (pg->rows < pg->limit) {
            rc = pg->rows ? jw_put(pg->out, ",", 1) : 0;
            if (!rc)
                rc = row_write(pg, st);
            if (!rc && pg->rows == pg->limit - 1)
                remember_last(pg, st);
        }
        pg->rows++;
    }
    db_finalize(st);
    return rc == DB_DONE || rc == DB_ROW ? 0 : rc;
}

int cat_page_end_written(struct cat_page *pg, int rc)
{
    char raw[CURSOR_RAW_MAX], cursor[CURSOR_MAX];
    if (!rc)
        rc = jw_raw(pg->out, "],\"next_cursor\":");
    if (!rc && pg->rows > pg->limit) {
        rc = pg->last_ok && !str_format(raw, sizeof(raw), "%c%c:%s\x1f%s", pg->kind, pg->sort[0],
                                        pg->last_key, pg->last_id)
                 ? 0
                 : ERR_DB;
        if (!rc) {
            sodium_bin2base64(cursor, sizeof(cursor), (const unsigned char *)raw, strlen(raw),
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING);
            rc = jw_string(pg->out, cursor);
        }
    } else if (!rc) {
        rc = jw_null(pg->out);
    }
    if (!rc)
        rc = jw_raw(pg->out, "}");
    return rc;
}

int cat_page_end(struct cat_page *pg, int rc, json_t **out)
{
    char raw[CURSOR_RAW_MAX], cursor[CURSOR_MAX];
    json_t *next = json_null(), *items = json_array();
    size_t n = json_array_size(pg->items);
    for (size_t i = 0; !rc && i < n && i < (size_t)pg->limit; i++)
        rc = json_array_append_new(items, cat_public(json_array_get(pg->items, i))) ? ERR_NOMEM : 0;
    if (!rc && n > (size_t)pg->limit) {
        json_t *last = json_array_get(pg->items, (size_t)pg->limit - 1);
        const char *key = json_string_value(json_object_get(last, pg->sort));
        const char *id = json_string_value(json_object_get(last, "external_id"));
        rc = key && id &&
                     !str_format(raw, sizeof(raw), "%c%c:%s\x1f%s", pg->kind, pg->sort[0], key, id)
                 ? 0
                 : ERR_DB;
        if (!rc) {
            sodium_bin2base64(cursor, sizeof(cursor), (const unsigned char *)raw, strlen(raw),
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING);
            next = json_string(cursor);
        }
    }
    json_decref(pg->items);
    pg->items = NULL;
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return 0;
}
