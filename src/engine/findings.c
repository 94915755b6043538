/* The read side of the policy engine (see findings.h). */
#include "engine/findings.h"
#include "catalog/cat_common.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "engine/engine.h"
#include "engine/findings_sql.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CURSOR_RAW_MAX 400
#define CURSOR_MAX     (CURSOR_RAW_MAX * 4 / 3 + 4)
#define NO_DUE         "9999-12-31"

void findings_fresh(struct db *db)
{
    bool refreshed = false;
    int rc = engine_refresh(db, clock_now(), false, &refreshed);
    if (rc)
        log_msg("warn", "findings: the refresh failed (%s); serving the last stored findings",
                err_str(rc));
}

static bool given(const char *s)
{
    return s && *s;
}

/* ---- counts ---- */

static json_t *zero_counts(void)
{
    json_t *c = json_object();
    for (int r = 0; r < FINDING_RANKS; r++)
        json_object_set_new(c, finding_rank_names[r], json_integer(0));
    return c;
}

static void count_add(json_t *counts, const char *status, json_int_t n)
{
    json_t *v = json_object_get(counts, status);
    if (v)
        json_integer_set(v, json_integer_value(v) + n);
}

static json_int_t count_of(json_t *counts, const char *status)
{
    return json_integer_value(json_object_get(counts, status));
}

/* ok and excepted over everything judged (all but not_tracked); null when nothing was. */
static json_t *met_share(json_t *counts)
{
    json_int_t met = count_of(counts, "ok") + count_of(counts, "excepted"), all = 0;
    for (int r = 0; r < FINDING_RANKS; r++)
        if (strcmp(finding_rank_names[r], "not_tracked") != 0)
            all += count_of(counts, finding_rank_names[r]);
    if (all == 0)
        return json_null();
    return json_real((double)((met * 1000 + all / 2) / all) / 1000.0);
}

/* Give obj its counts' met_share and total. */
static void finish_counts(json_t *obj)
{
    json_t *counts = json_object_get(obj, "counts");
    json_int_t total = 0;
    for (int r = 0; r < FINDING_RANKS; r++)
        total += count_of(counts, finding_rank_names[r]);
    json_object_set_new(obj, "total", json_integer(total));
    json_object_set_new(obj, "met_share", met_share(counts));
}

/* ---- the list ---- */

static int bad_cursor(struct json_problem *p)
{
    return cat_reject(p, 422, "invalid_cursor", "cursor",
                      "the cursor is not one this list gave out; start again without it");
}

/* "F<rank>\x1f<due>\x1f<obligation>\x1f<subject>\x1f<id>", base64url; fields point into buf. */
static int cursor_decode(const char *cursor, char *buf, size_t size, struct finding_filter *f,
                         struct json_problem *p)
{
    size_t n = 0;
    char *part[5];
    if (strlen(cursor) >= CURSOR_MAX ||
        sodium_base642bin((unsigned char *)buf, size - 1, cursor, strlen(cursor), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n < 2 || buf[0] != 'F' || memchr(buf, '\0', n))
        return bad_cursor(p);
    buf[n] = '\0';
    char *s = buf + 1;
    for (int i = 0; i < 5; i++) {
        part[i] = s;
        char *sep = strchr(s, '\x1f');
        if ((i < 4) != (sep != NULL))
            return bad_cursor(p);
        if (sep) {
            *sep = '\0';
            s = sep + 1;
        }
    }
    if (str_to_int64(part[0], 0, FINDING_RANKS - 1, &f->after_rank) ||
        str_to_int64(part[4], 0, INT64_MAX, &f->after_id))
        return bad_cursor(p);
    f->after_due = part[1];
    f->after_obligation = part[2];
    f->after_subject = part[3];
    f->has_after = true;
    return 0;
}

static int cursor_encode(json_t *last, json_t **next)
{
    char raw[CURSOR_RAW_MAX], cursor[CURSOR_MAX];
    const char *due = json_string_value(json_object_get(last, "due"));
    if (str_format(raw, sizeof(raw), "F%lld\x1f%s\x1f%s\x1f%s\x1f%lld",
                   (long long)json_integer_value(json_object_get(last, "_rank")),
                   due ? due : NO_DUE, json_string_value(json_object_get(last, "obligation")),
                   json_string_value(json_object_get(last, "_subject_ref")),
                   (long long)json_integer_value(json_object_get(last, "id"))))
        return ERR_TOOBIG;
    sodium_bin2base64(cursor, sizeof(cursor), (const unsigned char *)raw, strlen(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    *next = json_string(cursor);
    return *next ? 0 : ERR_NOMEM;
}

static int status_mask(const char *list, unsigned *mask, struct json_problem *p)
{
    char buf[ORG_FILTER_MAX + 1];
    *mask = (1u << FINDING_RANKS) - 1;
    if (!given(list))
        return 0;
    if (str_copy(buf, sizeof(buf), list))
        return cat_reject(p, 422, "too_long", "status", "'status' is at most %d bytes",
                          ORG_FILTER_MAX);
    *mask = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int r = 0;
        while (r < FINDING_RANKS && strcmp(tok, finding_rank_names[r]) != 0)
            r++;
        if (r == FINDING_RANKS)
            return cat_reject(p, 422, "invalid_value", "status",
                              "status is a comma-separated list of ok, due_soon, overdue, "
                              "missing, excepted and not_tracked");
        *mask |= 1u << r;
    }
    if (!*mask)
        return cat_reject(p, 422, "invalid_value", "status", "status names no status");
    return 0;
}

/* The filter of q (pointers into q, org and buf). */
static int filter_of(const struct org_actor *who, const struct findings_query *q,
                     struct finding_filter *f, char org[ORG_CODE_MAX + 1], char *buf, size_t size,
                     struct json_problem *p)
{
    static const char *const kinds[] = {
        "organisation", "system",          "information", "person", "risk",
        "risk_measure", "risk_assessment", "account",     "grant",  NULL};
    const char *why, *kind = NULL;
    int64_t n = ORG_PAGE_DEFAULT, t;
    memset(f, 0, sizeof(*f));
    int rc = 0;
    if (given(q->limit) && str_to_int64(q->limit, 1, ORG_PAGE_MAX, &n))
        return cat_reject(p, 422, "out_of_range", "limit", "limit is a whole number from 1 to %d",
                          ORG_PAGE_MAX);
    f->limit = (int)n + 1;
    if (given(q->cursor))
        rc = cursor_decode(q->cursor, buf, size, f, p);
    if (!rc)
        rc = cat_filter(q->organisation, "organisation", &f->organisation, p);
    if (!rc && f->organisation)
        f->organisation = org_code_normalise(f->organisation, org, &why) ? "" : org;
    if (!rc)
        rc = cat_filter(q->section, "section", &f->section, p);
    if (!rc)
        rc = status_mask(q->status, &f->status_mask, p);
    if (!rc)
        rc = cat_filter(q->responsible, "responsible", &f->responsible, p);
    if (!rc && f->responsible && strcmp(f->responsible, "me") == 0) {
        f->responsible = NULL;
        f->responsible_id = who->caller && who->caller->person_id ? who->caller->person_id : -1;
    }
    if (!rc)
        rc = cat_filter(q->due_before, "due_before", &f->due_before, p);
    if (!rc && f->due_before &&
        (strlen(f->due_before) != 10 || clock_parse_date(f->due_before, &t)))
        rc = cat_reject(p, 422, "invalid_date", "due_before",
                        "due_before must be a real date written YYYY-MM-DD");
    if (!rc)
        rc = cat_filter(q->obligation, "obligation", &f->obligation, p);
    if (!rc)
        rc = cat_filter(q->profile, "profile", &f->profile, p);
    if (!rc)
        rc = cat_filter(q->subject_kind, "subject_kind", &kind, p);
    if (!rc && kind) {
        int k = 0;
        while (kinds[k] && strcmp(kinds[k], kind) != 0)
            k++;
        if (!kinds[k])
            rc = cat_reject(p, 422, "invalid_value", "subject_kind",
                            "subject_kind is organisation, system, information, person, risk,"
                            " risk_measure, risk_assessment, account or grant");
        f->subject_kind = kind;
    }
    return rc;
}

/* A stored row as the API's item: the subject nested; "_rank" and "_subject_ref" kept hidden
 * for the cursor. */
static json_t *item_of(json_t *row)
{
    json_t *subject = json_pack("{s:O, s:O, s:O}", "kind", json_object_get(row, "subject_kind"),
                                "id", json_object_get(row, "subject_ref"), "name",
                                json_object_get(row, "subject_name"));
    json_t *item = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:o, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id",
        json_object_get(row, "id"), "obligation", json_object_get(row, "obligation"), "cite",
        json_object_get(row, "cite"), "section", json_object_get(row, "section"), "organisation",
        json_object_get(row, "organisation"), "subject", subject, "status",
        json_object_get(row, "status"), "due", json_object_get(row, "due"), "responsible",
        json_object_get(row, "responsible"), "profile", json_object_get(row, "profile"),
        "profile_version", json_object_get(row, "profile_version"), "rule",
        json_object_get(row, "rule"), "_rank", json_object_get(row, "_rank"), "_subject_ref",
        json_object_get(row, "subject_ref"));
    return item;
}

int findings_list(struct db *db, const struct org_actor *who, const struct findings_query *q,
                  json_t **out, struct json_problem *p)
{
    struct finding_filter f;
    char org[ORG_CODE_MAX + 1], buf[CURSOR_RAW_MAX + 1];
    json_t *rows = json_array(), *items = json_array(), *next = json_null();
    int rc = filter_of(who, q, &f, org, buf, sizeof(buf), p);
    if (!rc)
        rc = fnd_sql_list(db, who, &f, rows);
    size_t n = json_array_size(rows), limit = (size_t)f.limit - 1;
    for (size_t i = 0; !rc && i < n && i < limit; i++) {
        json_t *item = item_of(json_array_get(rows, i));
        rc = item ? 0 : ERR_NOMEM;
        if (!rc && n > limit && i == limit - 1) {
            json_decref(next);
            rc = cursor_encode(item, &next);
        }
        if (!rc)
            rc = json_array_append_new(items, cat_public(item)) ? ERR_NOMEM : 0;
        json_decref(item);
    }
    json_decref(rows);
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return *out ? 0 : ERR_NOMEM;
}

static const char *status_sv(const char *s)
{
    static const char *const names[][2] = {
        {"ok", "Uppfyllt"},    {"due_soon", "Förfaller snart"}, {"overdue", "Försenat"},
        {"missing", "Saknas"}, {"excepted", "Undantag"},        {"not_tracked", "Följs inte upp"},
    };
    for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i][0], s) == 0)
            return names[i][1];
    return s ? s : "";
}

int findings_export_rows(struct db *db, const struct org_actor *who, struct findings_query *q,
                         size_t max, json_t **all, struct json_problem *p)
{
    char cursor[CURSOR_MAX];
    json_t *page = NULL;
    int rc = 0;
    *all = json_array();
    q->limit = "500";
    q->cursor = NULL;
    for (;;) {
        rc = findings_list(db, who, q, &page, p);
        if (rc)
            break;
        json_t *items = json_object_get(page, "items"), *item;
        size_t i;
        json_array_foreach(items, i, item)
        {
            json_t *subject = json_object_get(item, "subject");
            const char *name = json_string_value(json_object_get(subject, "name"));
            const char *id = json_string_value(json_object_get(subject, "id"));
            json_t *row = json_pack(
                "{s:O, s:O, s:O, s:O, s:s+++, s:s, s:O, s:O}", "obligation",
                json_object_get(item, "obligation"), "cite", json_object_get(item, "cite"),
                "section", json_object_get(item, "section"), "organisation",
                json_object_get(item, "organisation"), "subject", name ? name : "", " (",
                id ? id : "", ")", "status",
                status_sv(json_string_value(json_object_get(item, "status"))), "due",
                json_object_get(item, "due"), "responsible", json_object_get(item, "responsible"));
            if (!row || json_array_append_new(*all, row)) {
                rc = ERR_NOMEM;
                break;
            }
        }
        const char *next = json_string_value(json_object_get(page, "next_cursor"));
        if (!rc && json_array_size(*all) > max)
            rc = ERR_TOOBIG;
        if (rc || !next || str_copy(cursor, sizeof(cursor), next))
            break;
        q->cursor = cursor;
        json_decref(page);
        page = NULL;
    }
    json_decref(page);
    if (rc) {
        json_decref(*all);
        *all = NULL;
    }
    return rc;
}

/* ---- sections in document order ---- */

/* {"<profile>\x1f<section>": index} over every loaded profile's sections. */
static json_t *section_order(struct db *db)
{
    json_t *rows = json_array(), *order = json_object(), *row;
    size_t i;
    if (fnd_sql_profiles(db, rows) == 0) {
        json_array_foreach(rows, i, row)
        {
            json_t *body = json_loads(json_string_value(json_object_get(row, "body")), 0, NULL);
            json_t *sections = json_object_get(body, "sections"), *s;
            size_t k;
            json_array_foreach(sections, k, s)
            {
                char key[512];
                if (!str_format(key, sizeof(key), "%s\x1f%s",
                                json_string_value(json_object_get(row, "code")),
                                json_string_value(s)))
                    json_object_set_new(order, key, json_integer((json_int_t)k));
            }
            json_decref(body);
        }
    }
    json_decref(rows);
    return order;
}

static json_int_t section_index(json_t *order, const char *profile, const char *section)
{
    char key[512];
    if (str_format(key, sizeof(key), "%s\x1f%s", profile, section))
        return 1 << 20;
    json_t *v = json_object_get(order, key);
    return v ? json_integer_value(v) : 1 << 20;
}

/* qsort_r's comparator: profile, then the section's place in the profile (order). */
static int by_section(const void *a, const void *b, void *order)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *px = json_string_value(json_object_get(x, "profile"));
    const char *py = json_string_value(json_object_get(y, "profile"));
    int c = strcmp(px, py);
    if (c)
        return c;
    json_int_t ix = section_index(order, px, json_string_value(json_object_get(x, "section")));
    json_int_t iy = section_index(order, py, json_string_value(json_object_get(y, "section")));
    if (ix != iy)
        return ix < iy ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "section")),
                  json_string_value(json_object_get(y, "section")));
}

/* Sort an array of {profile, section, ...} objects in document order (a copy). */
static json_t *sorted_sections(json_t *obj_by_key, json_t *order)
{
    size_t n = json_object_size(obj_by_key), i = 0;
    json_t **v = n ? calloc(n, sizeof(*v)) : NULL, *arr = json_array(), *x;
    const char *key;
    if (!v)
        return arr; /* nothing to sort (or no memory for it) */
    json_object_foreach(obj_by_key, key, x)
    {
        v[i++] = x;
    }
    qsort_r(v, n, sizeof(*v), by_section, order);
    for (i = 0; i < n; i++) {
        finish_counts(v[i]);
        json_array_append(arr, v[i]);
    }
    free(v);
    return arr;
}

/* The member key of obj, created as {profile, section, counts} when missing. */
static json_t *section_entry(json_t *obj, const char *profile, const char *section)
{
    char key[512];
    if (str_format(key, sizeof(key), "%s\x1f%s", profile, section))
        return NULL;
    json_t *e = json_object_get(obj, key);
    if (!e) {
        e = json_pack("{s:s, s:s, s:o}", "profile", profile, "section", section, "counts",
                      zero_counts());
        json_object_set_new(obj, key, e);
    }
    return e;
}

int findings_summary(struct db *db, const struct org_actor *who, const char *organisation,
                     json_t **out, struct json_problem *p)
{
    char org[ORG_CODE_MAX + 1];
    const char *code = NULL, *why;
    json_t *rows = json_array(), *orgs = json_array(), *region_sections = json_object();
    json_t *region = json_pack("{s:o}", "counts", zero_counts()), *order = NULL;
    json_t *cur = NULL, *cur_sections = NULL, *row;
    size_t i;
    int rc = cat_filter(organisation, "organisation", &code, p);
    if (!rc && code)
        code = org_code_normalise(code, org, &why) ? "" : org;
    if (!rc)
        rc = fnd_sql_summary(db, who, code, rows);
    if (!rc)
        order = section_order(db);
    json_array_foreach(rows, i, row)
    {
        if (rc)
            break;
        const char *oc = json_string_value(json_object_get(row, "organisation"));
        const char *profile = json_string_value(json_object_get(row, "profile"));
        const char *section = json_string_value(json_object_get(row, "section"));
        const char *status = json_string_value(json_object_get(row, "status"));
        json_int_t n = json_integer_value(json_object_get(row, "count"));
        if (!cur || strcmp(json_string_value(json_object_get(cur, "organisation")), oc) != 0) {
            if (cur) {
                json_object_set_new(cur, "sections", sorted_sections(cur_sections, order));
                finish_counts(cur);
                json_decref(cur_sections);
            }
            cur = json_pack("{s:s, s:O, s:o}", "organisation", oc, "name",
                            json_object_get(row, "organisation_name"), "counts", zero_counts());
            cur_sections = json_object();
            json_array_append_new(orgs, cur);
        }
        json_t *e = section_entry(cur_sections, profile, section);
        json_t *re = section_entry(region_sections, profile, section);
        if (!e || !re) {
            rc = ERR_TOOBIG;
            break;
        }
        count_add(json_object_get(e, "counts"), status, n);
        count_add(json_object_get(re, "counts"), status, n);
        count_add(json_object_get(cur, "counts"), status, n);
        count_add(json_object_get(region, "counts"), status, n);
    }
    if (cur) {
        json_object_set_new(cur, "sections", sorted_sections(cur_sections, order));
        finish_counts(cur);
        json_decref(cur_sections);
    }
    json_object_set_new(region, "sections", sorted_sections(region_sections, order));
    finish_counts(region);
    json_decref(rows);
    json_decref(order);
    json_decref(region_sections);
    if (rc) {
        json_decref(orgs);
        json_decref(region);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "organisations", orgs, "region", region);
    return *out ? 0 : ERR_NOMEM;
}

int findings_trend(struct db *db, const struct org_actor *who, const char *organisation,
                   const char *days, int64_t now, json_t **out, struct json_problem *p)
{
    char org[ORG_CODE_MAX + 1], from[CLOCK_ISO_LEN], to[CLOCK_ISO_LEN];
    const char *code = NULL, *why;
    int64_t n = 90;
    json_t *rows = json_array(), *points = json_array(), *cur = NULL, *row;
    size_t i;
    int rc = 0;
    if (given(days) && str_to_int64(days, 1, 366, &n))
        rc = cat_reject(p, 422, "out_of_range", "days", "days is a whole number from 1 to 366");
    if (!rc)
        rc = cat_filter(organisation, "organisation", &code, p);
    if (!rc && code)
        code = org_code_normalise(code, org, &why) ? "" : org;
    clock_format(now - (n - 1) * 86400, from);
    clock_format(now, to);
    from[10] = to[10] = '\0';
    if (!rc)
        rc = fnd_sql_trend(db, who, code, from, to, rows);
    json_array_foreach(rows, i, row)
    {
        if (rc)
            break;
        const char *day = json_string_value(json_object_get(row, "day"));
        if (!cur || strcmp(json_string_value(json_object_get(cur, "day")), day) != 0) {
            if (cur)
                finish_counts(cur);
            cur = json_pack("{s:s, s:o}", "day", day, "counts", zero_counts());
            json_array_append_new(points, cur);
        }
        count_add(json_object_get(cur, "counts"), json_string_value(json_object_get(row, "status")),
                  json_integer_value(json_object_get(row, "count")));
    }
    if (cur)
        finish_counts(cur);
    json_decref(rows);
    if (rc) {
        json_decref(points);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:I, s:o}", "from", from, "to", to, "days", (json_int_t)n,
                     "points", points);
    return *out ? 0 : ERR_NOMEM;
}

/* ---- profiles ---- */

/* {"<profile>": [organisation codes in reach]} */
static int profile_orgs(struct db *db, const struct org_actor *who, json_t **by_profile)
{
    json_t *rows = json_array(), *row;
    size_t i;
    int rc = fnd_sql_profile_orgs(db, who, rows);
    *by_profile = json_object();
    json_array_foreach(rows, i, row)
    {
        const char *profile = json_string_value(json_object_get(row, "profile"));
        json_t *list = json_object_get(*by_profile, profile);
        if (!list) {
            list = json_array();
            json_object_set_new(*by_profile, profile, list);
        }
        json_array_append(list, json_object_get(row, "organisation"));
    }
    json_decref(rows);
    return rc;
}

int policies_list(struct db *db, const struct org_actor *who, json_t **out)
{
    json_t *rows = json_array(), *items = json_array(), *orgs = NULL, *row;
    size_t i;
    int rc = fnd_sql_profiles(db, rows);
    if (!rc)
        rc = profile_orgs(db, who, &orgs);
    json_array_foreach(rows, i, row)
    {
        if (rc)
            break;
        const char *code = json_string_value(json_object_get(row, "code"));
        json_t *mine = json_object_get(orgs, code);
        json_t *item = json_pack(
            "{s:O, s:O, s:O, s:O, s:O, s:o}", "code", json_object_get(row, "code"), "version",
            json_object_get(row, "version"), "title", json_object_get(row, "title"), "builtin",
            json_object_get(row, "builtin"), "updated_at", json_object_get(row, "updated_at"),
            "organisations", mine ? json_incref(mine) : json_array());
        rc = item && !json_array_append_new(items, item) ? 0 : ERR_NOMEM;
    }
    json_decref(rows);
    json_decref(orgs);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o, s:n}", "items", items, "next_cursor");
    return *out ? 0 : ERR_NOMEM;
}

static json_t *or_null(json_t *v)
{
    return v ? json_incref(v) : json_null();
}

int policy_get(struct db *db, const struct org_actor *who, const char *code, json_t **out)
{
    json_t *row = NULL, *body = NULL, *counts = json_array(), *by_obl = json_object();
    json_t *orgs = NULL, *obligations = json_array(), *c, *o;
    size_t i;
    if (!given(code) || strlen(code) > 32)
        return ERR_NOTFOUND;
    int rc = fnd_sql_profile(db, code, &row);
    if (!rc) {
        body = json_loads(json_string_value(json_object_get(row, "body")), 0, NULL);
        rc = json_is_object(body) ? 0 : ERR_INVALID;
    }
    if (!rc)
        rc = fnd_sql_obligation_counts(db, who, code, counts);
    if (!rc)
        rc = profile_orgs(db, who, &orgs);
    json_array_foreach(counts, i, c)
    {
        const char *obl = json_string_value(json_object_get(c, "obligation"));
        json_t *e = json_object_get(by_obl, obl);
        if (!e) {
            e = zero_counts();
            json_object_set_new(by_obl, obl, e);
        }
        count_add(e, json_string_value(json_object_get(c, "status")),
                  json_integer_value(json_object_get(c, "count")));
    }
    json_t *paragraphs = json_object_get(body, "paragraphs");
    json_array_foreach(json_object_get(body, "obligations"), i, o)
    {
        if (rc)
            break;
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *cite = json_string_value(json_object_get(o, "cite"));
        json_t *cnt = json_object_get(by_obl, id ? id : "");
        json_t *kind = json_object_get(o, "kind");
        json_t *item = json_pack(
            "{s:O, s:O, s:O, s:o, s:O, s:o, s:O, s:o, s:o, s:o, s:o, s:o}", "id",
            json_object_get(o, "id"), "cite", json_object_get(o, "cite"), "section",
            json_object_get(o, "section"), "kind", kind ? json_incref(kind) : json_string("duty"),
            "text", json_object_get(o, "text"), "paragraph",
            or_null(cite ? json_object_get(paragraphs, cite) : NULL), "rule",
            json_object_get(o, "rule"), "params", or_null(json_object_get(o, "params")),
            "applies_to", or_null(json_object_get(o, "applies_to")), "responsible",
            or_null(json_object_get(o, "responsible")), "responsible_text",
            or_null(json_object_get(o, "responsible_text")), "counts",
            cnt ? json_incref(cnt) : zero_counts());
        if (!item) {
            rc = ERR_INVALID;
            break;
        }
        finish_counts(item);
        json_array_append_new(obligations, item);
    }
    if (!rc) {
        json_t *mine = json_object_get(orgs, code);
        *out = json_pack(
            "{s:O, s:O, s:O, s:o, s:O, s:O, s:o, s:o, s:o}", "code", json_object_get(row, "code"),
            "version", json_object_get(row, "version"), "title", json_object_get(row, "title"),
            "decided", or_null(json_object_get(body, "decided")), "builtin",
            json_object_get(row, "builtin"), "updated_at", json_object_get(row, "updated_at"),
            "sections", or_null(json_object_get(body, "sections")), "organisations",
            mine ? json_incref(mine) : json_array(), "obligations", obligations);
        obligations = NULL;
        rc = *out ? 0 : ERR_NOMEM;
    }
    json_decref(obligations);
    json_decref(row);
    json_decref(body);
    json_decref(counts);
    json_decref(by_obl);
    json_decref(orgs);
    return rc;
}
