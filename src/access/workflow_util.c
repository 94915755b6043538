/* Small helpers the access workflows share (see workflow_util.h). */
#include "access/workflow_util.h"
#include "access/workflow.h"
#include "catalog/cat_common.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>
#include <string.h>

const char *wf_member(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

int64_t wf_hidden(json_t *o, const char *name)
{
    return json_integer_value(json_object_get(o, name));
}

bool wf_given(const char *s)
{
    return s && *s;
}

bool wf_one_of(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

int wf_path_id(const char *s, int64_t *id)
{
    return s && str_to_int64(s, 1, INT64_MAX / 2, id) == 0 ? 0 : ERR_NOTFOUND;
}

void wf_id_text(int64_t id, char out[24])
{
    str_format(out, 24, "%lld", (long long)id);
}

void wf_now(char out[CLOCK_ISO_LEN])
{
    clock_format(clock_now(), out);
}

void wf_today(char out[ORG_DATE_LEN + 1])
{
    char at[CLOCK_ISO_LEN];
    clock_format(clock_now(), at);
    memcpy(out, at, ORG_DATE_LEN);
    out[ORG_DATE_LEN] = '\0';
}

int wf_days_after(const char *date, int days, char out[ORG_DATE_LEN + 1])
{
    int64_t t;
    char at[CLOCK_ISO_LEN];
    int rc = clock_parse_date(date, &t);
    if (rc)
        return rc;
    clock_format(t + (int64_t)days * 86400, at);
    memcpy(out, at, ORG_DATE_LEN);
    out[ORG_DATE_LEN] = '\0';
    return 0;
}

int64_t wf_days_between(const char *a, const char *b)
{
    int64_t ta, tb;
    if (!a || !b || clock_parse_date(a, &ta) || clock_parse_date(b, &tb))
        return 0;
    return (tb - ta) / 86400;
}

int64_t wf_caller_person(const struct org_actor *who)
{
    return who->caller && who->caller->kind == CALLER_SESSION ? who->caller->person_id : 0;
}

int wf_page_limit(const char *limit, int *out, struct json_problem *p)
{
    int64_t n = ORG_PAGE_DEFAULT;
    if (wf_given(limit) && str_to_int64(limit, 1, ORG_PAGE_MAX, &n))
        return cat_reject(p, 422, "out_of_range", "limit", "limit är ett heltal från 1 till %d",
                          ORG_PAGE_MAX);
    *out = (int)n;
    return 0;
}

void wf_cursor_make(char kind, int64_t id, char out[WF_CURSOR_MAX])
{
    char raw[32];
    str_format(raw, sizeof(raw), "%c:%lld", kind, (long long)id);
    sodium_bin2base64(out, WF_CURSOR_MAX, (const unsigned char *)raw, strlen(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int wf_cursor_read(const char *cursor, char kind, int64_t *id, struct json_problem *p)
{
    unsigned char raw[40];
    size_t n = 0;
    char text[40];
    if (strlen(cursor) >= WF_CURSOR_MAX ||
        sodium_base642bin(raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n < 3 || raw[0] != (unsigned char)kind || raw[1] != ':')
        goto bad;
    memcpy(text, raw + 2, n - 2);
    text[n - 2] = '\0';
    if (str_to_int64(text, 0, INT64_MAX / 2, id))
        goto bad;
    return 0;
bad:
    return cat_reject(p, 422, "invalid_cursor", "cursor",
                      "cursor är inte en som den här listan gav ut; börja om utan den");
}

int wf_bool_filter(const char *v, const char *name, bool *out, struct json_problem *p)
{
    *out = false;
    if (!wf_given(v) || strcmp(v, "false") == 0)
        return 0;
    if (strcmp(v, "true") == 0) {
        *out = true;
        return 0;
    }
    return cat_reject(p, 422, "invalid_value", name, "%s är true eller false", name);
}

json_t *wf_page(json_t *rows, int page, char kind)
{
    json_t *items = json_array(), *next = json_null();
    size_t n = json_array_size(rows);
    for (size_t i = 0; i < n && i < (size_t)page; i++)
        json_array_append_new(items, cat_public(json_array_get(rows, i)));
    if (n > (size_t)page) {
        char cursor[WF_CURSOR_MAX];
        wf_cursor_make(kind, wf_hidden(json_array_get(rows, (size_t)page - 1), "id"), cursor);
        json_decref(next);
        next = json_string(cursor);
    }
    json_decref(rows);
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
}

int wf_bind_caller(struct db_stmt *st, const struct org_actor *who)
{
    struct org_actor narrow = *who;
    narrow.roles &= WORKFLOW_IT_ROLES;
    int rc = cat_bind_scope(st, &narrow);
    return rc ? rc : db_bind_int(st, ":me", wf_caller_person(who));
}

int wf_find(struct db *db, const struct org_actor *who, const char *sql, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = wf_bind_caller(st, who);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return cat_one_row(st, rc, out);
}
