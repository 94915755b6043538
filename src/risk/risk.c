/* Risk management's logic: matrices and bands, assessments and their participants, risks and
 * their acceptance, measures. No SQL and no HTTP here. */
#include "risk/risk.h"
#include "risk/risk_sql.h"
#include "catalog/cat_common.h"
#include "catalog/catalog_sql.h"
#include "classification/classification_sql.h"
#include "engine/rule.h"
#include "org/org_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CURSOR_MAX 96

static const char *const SCOPES[] = {"system", "systems", "organisation", NULL};
static const char *const TRIGGERS[] = {"yearly", "significant_change", "incident",
                                       "new_information", NULL};
static const char *const STATUSES[] = {"draft", "in_progress", "approved", NULL};
static const char *const TREATMENTS[] = {"reduce", "accept", "avoid", "transfer", NULL};
static const char *const MEASURE_STATUSES[] = {"planned", "in_progress", "done", "cancelled", NULL};

static const char *member(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static int64_t hidden(json_t *o, const char *name)
{
    return json_integer_value(json_object_get(o, name));
}

static bool one_of(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static bool given(const char *s)
{
    return s && *s;
}

/* A path id: a positive integer, else nothing there. */
static int path_id(const char *s, int64_t *id)
{
    return s && str_to_int64(s, 1, INT64_MAX / 2, id) == 0 ? 0 : ERR_NOTFOUND;
}

static void today(char out[ORG_DATE_LEN + 1])
{
    char at[CLOCK_ISO_LEN];
    clock_format(clock_now(), at);
    memcpy(out, at, ORG_DATE_LEN);
    out[ORG_DATE_LEN] = '\0';
}

static void id_text(int64_t id, char out[24])
{
    str_format(out, 24, "%lld", (long long)id);
}

/* The person the caller is, or 0 (a token, the command line). */
static int64_t caller_person(const struct org_actor *who)
{
    return who->caller && who->caller->kind == CALLER_SESSION ? who->caller->person_id : 0;
}

/* ---- cursors: base64url of "<kind>:<key>:<id>" ---- */

static void cursor_make(char kind, int64_t key, int64_t id, char out[CURSOR_MAX])
{
    char raw[64];
    str_format(raw, sizeof(raw), "%c:%lld:%lld", kind, (long long)key, (long long)id);
    sodium_bin2base64(out, CURSOR_MAX, (const unsigned char *)raw, strlen(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int cursor_read(const char *cursor, char kind, int64_t *key, int64_t *id,
                       struct json_problem *p)
{
    unsigned char raw[64];
    size_t n = 0;
    char text[64], *colon;
    if (strlen(cursor) >= CURSOR_MAX ||
        sodium_base642bin(raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n < 5 || raw[0] != (unsigned char)kind || raw[1] != ':')
        goto bad;
    memcpy(text, raw + 2, n - 2);
    text[n - 2] = '\0';
    colon = strchr(text, ':');
    if (!colon)
        goto bad;
    *colon = '\0';
    if (str_to_int64(text, -1, INT64_MAX / 2, key) || str_to_int64(colon + 1, 0, INT64_MAX / 2, id))
        goto bad;
    return 0;
bad:
    return cat_reject(p, 422, "invalid_cursor", "cursor",
                      "the cursor is not one this list gave out; start again without it");
}

static int page_limit(const char *limit, int *out, struct json_problem *p)
{
    int64_t n = ORG_PAGE_DEFAULT;
    if (given(limit) && str_to_int64(limit, 1, ORG_PAGE_MAX, &n))
        return cat_reject(p, 422, "out_of_range", "limit", "limit is a whole number from 1 to %d",
                          ORG_PAGE_MAX);
    *out = (int)n;
    return 0;
}

/* ---- the matrix ---- */

json_t *risk_matrix_default(void)
{
    return json_pack("{s:[s,s,s,s], s:[s,s,s,s], s:[{s:s,s:s,s:i},{s:s,s:s,s:i},{s:s,s:s,s:i}],"
                     " s:i, s:s}",
                     "likelihood_names", "Mycket liten", "Liten", "Stor", "Mycket stor",
                     "consequence_names", "Försumbar", "Måttlig", "Betydande", "Allvarlig", "bands",
                     "name", "Låg", "colour", "#2e7d32", "max", 4, "name", "Medel", "colour",
                     "#f9a825", "max", 8, "name", "Hög", "colour", "#c62828", "max", 16,
                     "acceptance_threshold", 8, "acceptance_validity", "P1Y");
}

/* Characters (not bytes) of a UTF-8 string. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int names_check(json_t *names, const char *field, struct json_problem *p)
{
    size_t n = json_array_size(names);
    if (!json_is_array(names) || n < RISK_LEVELS_MIN || n > RISK_LEVELS_MAX)
        return cat_reject(p, 422, "invalid_matrix", field, "%s has %d to %d names, level 1 first",
                          field, RISK_LEVELS_MIN, RISK_LEVELS_MAX);
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(names, i));
        const char *why;
        if (!s || org_name_check(s, &why) || utf8_chars(s) > RISK_NAME_MAX)
            return cat_reject(p, 422, "invalid_name", field,
                              "level %zu of %s needs a name of one line, at most %d characters",
                              i + 1, field, RISK_NAME_MAX);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s, json_string_value(json_array_get(names, j))) == 0)
                return cat_reject(p, 422, "duplicate_name", field,
                                  "levels %zu and %zu of %s have the same name", j + 1, i + 1,
                                  field);
    }
    return 0;
}

static bool colour_ok(const char *c)
{
    if (!c || strlen(c) != 7 || c[0] != '#')
        return false;
    for (int i = 1; i < 7; i++)
        if (!((c[i] >= '0' && c[i] <= '9') || (c[i] >= 'a' && c[i] <= 'f') ||
              (c[i] >= 'A' && c[i] <= 'F')))
            return false;
    return true;
}

int risk_matrix_check(json_t *m, struct json_problem *p)
{
    json_t *ln = json_object_get(m, "likelihood_names"),
           *cn = json_object_get(m, "consequence_names");
    json_t *bands = json_object_get(m, "bands");
    int rc = names_check(ln, "likelihood_names", p);
    if (!rc)
        rc = names_check(cn, "consequence_names", p);
    if (rc)
        return rc;
    int64_t largest = (int64_t)(json_array_size(ln) * json_array_size(cn)), prev = 0;
    size_t nb = json_array_size(bands);
    if (!json_is_array(bands) || nb < 1 || nb > RISK_BANDS_MAX)
        return cat_reject(p, 422, "invalid_bands", "bands", "bands has 1 to %d bands",
                          RISK_BANDS_MAX);
    for (size_t i = 0; i < nb; i++) {
        json_t *b = json_array_get(bands, i), *max = json_object_get(b, "max");
        const char *name = member(b, "name"), *why;
        if (!json_is_object(b) || json_object_size(b) != 3 || !name || org_name_check(name, &why) ||
            utf8_chars(name) > RISK_NAME_MAX)
            return cat_reject(p, 422, "invalid_bands", "bands",
                              "band %zu is {\"name\", \"colour\", \"max\"} with a name of one line",
                              i + 1);
        if (!colour_ok(member(b, "colour")))
            return cat_reject(p, 422, "invalid_colour", "bands",
                              "the colour of band %zu is written #rrggbb", i + 1);
        if (!json_is_integer(max) || json_integer_value(max) <= prev)
            return cat_reject(p, 422, "bands_not_rising", "bands",
                              "the max of band %zu is a whole number above the one before it "
                              "(bands rise)",
                              i + 1);
        prev = json_integer_value(max);
    }
    if (prev < largest)
        return cat_reject(p, 422, "bands_incomplete", "bands",
                          "the last band ends at %lld, but the largest score is %lld; the bands "
                          "must cover it",
                          (long long)prev, (long long)largest);
    json_t *th = json_object_get(m, "acceptance_threshold");
    if (!json_is_integer(th) || json_integer_value(th) < 1 || json_integer_value(th) > largest)
        return cat_reject(p, 422, "out_of_range", "acceptance_threshold",
                          "acceptance_threshold is a score from 1 to %lld", (long long)largest);
    struct period per;
    const char *validity = member(m, "acceptance_validity");
    if (!validity || strlen(validity) > RISK_VALIDITY_MAX || period_parse(validity, &per) ||
        per.years + per.months + per.days == 0)
        return cat_reject(p, 422, "invalid_period", "acceptance_validity",
                          "acceptance_validity is an ISO 8601 period such as P1Y or P6M");
    return 0;
}

json_t *risk_band_of(json_t *m, int64_t score)
{
    json_t *bands = json_object_get(m, "bands"), *band = NULL;
    for (size_t i = 0; i < json_array_size(bands); i++) {
        band = json_array_get(bands, i);
        if (score <= hidden(band, "max"))
            break;
    }
    if (!band)
        return json_null();
    return json_pack("{s:O, s:O}", "name", json_object_get(band, "name"), "colour",
                     json_object_get(band, "colour"));
}

/* The matrix in force for org_id: {source, likelihood_names, ...}. */
static int matrix_of(struct db *db, int64_t org_id, json_t **out)
{
    json_t *row = NULL;
    int rc = risk_sql_matrix_get(db, org_id, &row);
    if (rc == ERR_NOTFOUND) {
        *out = risk_matrix_default();
        if (!*out)
            return ERR_NOMEM;
        json_object_set_new(*out, "source", json_string("default"));
        json_object_set_new(*out, "updated_at", json_null());
        return 0;
    }
    if (rc)
        return rc;
    json_t *m = json_object();
    json_object_set_new(m, "source", json_string("organisation"));
    static const char *const arrays[] = {"likelihood_names", "consequence_names", "bands"};
    for (int i = 0; i < 3 && !rc; i++) {
        json_t *v = json_loads(member(row, arrays[i]), 0, NULL);
        rc = json_is_array(v) ? 0 : ERR_DB;
        json_object_set_new(m, arrays[i], v ? v : json_null());
    }
    json_object_set(m, "acceptance_threshold", json_object_get(row, "acceptance_threshold"));
    json_object_set(m, "acceptance_validity", json_object_get(row, "acceptance_validity"));
    json_object_set(m, "updated_at", json_object_get(row, "updated_at"));
    json_decref(row);
    if (rc) {
        json_decref(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* The matrix of org_id from cache (an object keyed by id), loaded on first use. Borrowed. */
static int matrix_cached(struct db *db, json_t *cache, int64_t org_id, json_t **m)
{
    char key[24];
    id_text(org_id, key);
    *m = json_object_get(cache, key);
    if (*m)
        return 0;
    json_t *loaded = NULL;
    int rc = matrix_of(db, org_id, &loaded);
    if (!rc) {
        json_object_set_new(cache, key, loaded);
        *m = loaded;
    }
    return rc;
}

static int org_ref(struct db *db, const struct org_actor *who, const char *given_code,
                   const char *field, struct org_row *org, struct json_problem *p)
{
    char code[ORG_CODE_MAX + 1];
    const char *why;
    if (!given_code || org_code_normalise(given_code, code, &why))
        return cat_unknown_org(p, field, given_code);
    int rc = org_sql_org_find(db, who, code, org);
    if (rc == ERR_NOTFOUND)
        return cat_unknown_org(p, field, code);
    return rc;
}

static int org_in_reach(struct db *db, const struct org_actor *who, const char *given_code,
                        struct org_row *org)
{
    char code[ORG_CODE_MAX + 1];
    const char *why;
    if (!given_code || org_code_normalise(given_code, code, &why))
        return ERR_NOTFOUND;
    return org_sql_org_find(db, who, code, org);
}

static json_t *matrix_public(json_t *m, const char *code)
{
    json_t *out = json_pack("{s:s}", "organisation", code);
    static const char *const keys[] = {"source",
                                       "likelihood_names",
                                       "consequence_names",
                                       "bands",
                                       "acceptance_threshold",
                                       "acceptance_validity",
                                       "updated_at",
                                       NULL};
    for (int i = 0; out && keys[i]; i++)
        json_object_set(out, keys[i], json_object_get(m, keys[i]));
    return out;
}

int risk_matrix_get(struct db *db, const struct org_actor *who, const char *code, json_t **out)
{
    struct org_row org = {0};
    json_t *m = NULL;
    int rc = org_in_reach(db, who, code, &org);
    if (!rc)
        rc = matrix_of(db, org.id, &m);
    if (!rc)
        *out = matrix_public(m, org.code);
    json_decref(m);
    return rc;
}

static int matrix_apply(struct db *db, const struct org_actor *who, const char *code, json_t *body,
                        json_t **out, struct json_problem *p)
{
    struct org_row org = {0};
    json_t *before = NULL, *m = NULL, *b = NULL, *after = NULL;
    char at[CLOCK_ISO_LEN];
    int64_t used_l = 0, used_c = 0;
    char *ln = NULL, *cn = NULL, *bands = NULL;
    int rc = org_in_reach(db, who, code, &org);
    if (!rc)
        rc = risk_matrix_check(body, p);
    if (!rc)
        rc = risk_sql_levels_used(db, org.id, &used_l, &used_c);
    if (!rc && used_l > (int64_t)json_array_size(json_object_get(body, "likelihood_names")))
        rc = cat_reject(p, 422, "levels_in_use", "likelihood_names",
                        "risks of %s use likelihood %lld; the matrix cannot be made smaller",
                        org.code, (long long)used_l);
    if (!rc && used_c > (int64_t)json_array_size(json_object_get(body, "consequence_names")))
        rc = cat_reject(p, 422, "levels_in_use", "consequence_names",
                        "risks of %s use consequence %lld; the matrix cannot be made smaller",
                        org.code, (long long)used_c);
    if (!rc)
        rc = matrix_of(db, org.id, &m);
    if (!rc) {
        before = matrix_public(m, org.code);
        clock_format(clock_now(), at);
        ln = json_dumps(json_object_get(body, "likelihood_names"), JSON_COMPACT);
        cn = json_dumps(json_object_get(body, "consequence_names"), JSON_COMPACT);
        bands = json_dumps(json_object_get(body, "bands"), JSON_COMPACT | JSON_PRESERVE_ORDER);
        rc = ln && cn && bands ? 0 : ERR_NOMEM;
    }
    if (!rc)
        rc = risk_sql_matrix_put(db, org.id, ln, cn, bands, hidden(body, "acceptance_threshold"),
                                 member(body, "acceptance_validity"), at);
    if (!rc)
        rc = matrix_of(db, org.id, &b);
    if (!rc)
        after = matrix_public(b, org.code);
    if (!rc)
        rc = cat_audit(db, who, "risk_matrix.update", "organisation", org.code, org.id, before,
                       after);
    if (!rc)
        *out = json_incref(after);
    free(ln);
    free(cn);
    free(bands);
    json_decref(before);
    json_decref(after);
    json_decref(m);
    json_decref(b);
    return rc;
}

int risk_matrix_put(struct db *db, const struct org_actor *who, const char *code, json_t *body,
                    json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, matrix_apply(db, who, code, body, out, p), out);
}

/* ---- references ---- */

static int person_ref(struct db *db, const struct org_actor *who, const char *uid,
                      const char *field, int64_t *id, struct json_problem *p)
{
    struct person_row person = {0};
    const char *why;
    if (!uid || person_user_id_check(uid, &why))
        return cat_unknown_person(p, field, uid);
    int rc = org_sql_person_find(db, who, uid, &person);
    if (rc == ERR_NOTFOUND)
        return cat_unknown_person(p, field, uid);
    *id = person.id;
    return rc;
}

/* The ids of the systems (information false) or information assets named in list, in reach;
 * duplicates once. */
static int links_ref(struct db *db, const struct org_actor *who, json_t *list, bool information,
                     const char *field, int64_t *ids, size_t *n, struct json_problem *p)
{
    *n = 0;
    if (json_array_size(list) > RISK_LINKS_MAX)
        return cat_reject(p, 422, "too_many", field, "%s names at most %d", field, RISK_LINKS_MAX);
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *ext = json_string_value(json_array_get(list, i)), *why;
        json_t *row = NULL;
        int rc = !ext || cat_external_id_check(ext, &why) ? ERR_NOTFOUND
                 : information                            ? cls_sql_info_find(db, who, ext, &row)
                                                          : cat_sql_system_find(db, who, ext, &row);
        if (rc == ERR_NOTFOUND)
            return cat_reject(p, 422, information ? "unknown_information" : "unknown_system", field,
                              "there is no %s with external id '%s'",
                              information ? "information asset" : "system",
                              ext ? cat_shown(ext) : "(not a string)");
        if (rc)
            return rc;
        int64_t id = hidden(row, "_id");
        json_decref(row);
        bool dup = false;
        for (size_t j = 0; j < *n; j++)
            dup = dup || ids[j] == id;
        if (!dup)
            ids[(*n)++] = id;
    }
    return 0;
}

/* ---- assessments ---- */

static int assessment_full(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    json_t *row = NULL, *systems = json_array(), *parts = json_array(), *pub = json_array();
    int64_t count = 0;
    int rc = risk_sql_assessment_by_id(db, id, &row);
    if (!rc)
        rc = risk_sql_assessment_systems(db, who, id, systems);
    if (!rc)
        rc = risk_sql_participants(db, id, parts);
    if (!rc)
        rc = risk_sql_risk_count(db, id, &count);
    for (size_t i = 0; !rc && i < json_array_size(parts); i++)
        json_array_append_new(pub, cat_public(json_array_get(parts, i)));
    if (!rc) {
        json_object_set(row, "systems", systems);
        json_object_set(row, "participants", pub);
        json_object_set_new(row, "risk_count", json_integer(count));
        *out = row;
        row = NULL;
    }
    json_decref(row);
    json_decref(systems);
    json_decref(parts);
    json_decref(pub);
    return rc;
}

static int assessment_find(struct db *db, const struct org_actor *who, const char *id_s,
                           json_t **row)
{
    int64_t id;
    int rc = path_id(id_s, &id);
    if (!rc)
        rc = risk_sql_assessment_find(db, who, id, row);
    return rc;
}

int risk_assessment_get(struct db *db, const struct org_actor *who, const char *id, json_t **out)
{
    json_t *row = NULL, *full = NULL;
    int rc = assessment_find(db, who, id, &row);
    if (!rc)
        rc = assessment_full(db, who, hidden(row, "id"), &full);
    if (!rc)
        *out = cat_public(full);
    json_decref(row);
    json_decref(full);
    return rc;
}

/* Check the status change from cur_status to status, setting the approval in w. */
static int approval(struct db *db, const struct org_actor *who, const char *cur_status, json_t *cur,
                    struct assessment_write *w, const char *at, struct json_problem *p)
{
    if (strcmp(w->status, "approved") != 0) {
        w->approved_by = 0;
        w->approved_at = NULL;
        return 0;
    }
    if (cur_status && strcmp(cur_status, "approved") == 0) {
        w->approved_by = hidden(cur, "_approved_by");
        w->approved_at = member(cur, "approved_at");
        return 0;
    }
    int64_t person = caller_person(who);
    bool holds = false;
    if (!person)
        return cat_reject(p, 403, "person_required", "status",
                          "an assessment is approved by a person, not by an API token");
    int rc = risk_sql_holds_any(db, person, RISK_APPROVE_ROLES, w->organisation_id, &holds);
    if (!rc && !holds)
        return cat_reject(p, 403, "not_authorised_to_approve", "status",
                          "only a system owner, CISO, security officer or administrator of the "
                          "organisation approves a risk assessment");
    w->approved_by = person;
    w->approved_at = at;
    return rc;
}

static int assessment_apply(struct db *db, const struct org_actor *who, json_t *in, json_t *cur,
                            json_t **out, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], idt[24];
    struct assessment_write w = {0};
    struct org_row org = {0};
    int64_t ids[RISK_LINKS_MAX];
    size_t n = 0;
    json_t *next = cur ? json_deep_copy(cur) : json_object(), *before = NULL, *full = NULL;
    json_t *systems = json_object_get(in, "systems");
    int rc = 0;
    clock_format(clock_now(), at);
    json_object_update(next, in);
    if (!cur) {
        rc = org_ref(db, who, member(in, "organisation"), "organisation", &org, p);
        w.organisation_id = org.id;
    } else {
        w.id = hidden(cur, "id");
        w.organisation_id = hidden(cur, "_organisation_id");
    }
    w.title = member(next, "title");
    w.scope = member(next, "scope");
    w.assessed_on = member(next, "assessed_on");
    w.trigger_kind = member(next, "trigger_kind");
    w.method = member(next, "method");
    w.status = member(next, "status") ? member(next, "status") : "draft";
    if (!rc && !one_of(w.scope, SCOPES))
        rc = cat_reject(p, 422, "invalid_value", "scope",
                        "scope is system, systems or organisation");
    if (!rc && !one_of(w.trigger_kind, TRIGGERS))
        rc = cat_reject(p, 422, "invalid_value", "trigger_kind",
                        "trigger_kind is yearly, significant_change, incident or new_information");
    if (!rc && !one_of(w.status, STATUSES))
        rc = cat_reject(p, 422, "invalid_value", "status",
                        "status is draft, in_progress or approved");
    if (!rc && systems)
        rc = links_ref(db, who, systems, false, "systems", ids, &n, p);
    size_t count = systems ? n : json_array_size(json_object_get(cur, "systems"));
    if (!rc && strcmp(w.scope, "system") == 0 && count != 1)
        rc = cat_reject(p, 422, "scope_mismatch", "systems",
                        "an assessment of scope system names exactly one system");
    if (!rc && strcmp(w.scope, "systems") == 0 && count < 1)
        rc = cat_reject(p, 422, "scope_mismatch", "systems",
                        "an assessment of scope systems names at least one system");
    if (!rc)
        rc = approval(db, who, cur ? member(cur, "status") : NULL, cur, &w, at, p);
    if (!rc && cur)
        before = cat_public(cur);
    if (!rc)
        rc = cur ? risk_sql_assessment_update(db, &w, at) : risk_sql_assessment_insert(db, &w, at);
    if (!rc && systems)
        rc = risk_sql_assessment_systems_set(db, w.id, ids, n);
    if (!rc && systems)
        rc = risk_sql_invite(db, w.id);
    if (!rc)
        rc = assessment_full(db, who, w.id, &full);
    if (!rc)
        *out = cat_public(full);
    id_text(w.id, idt);
    if (!rc)
        rc = cat_audit(db, who, cur ? "risk_assessment.update" : "risk_assessment.create",
                       "risk_assessment", idt, w.organisation_id, before, *out);
    json_decref(next);
    json_decref(before);
    json_decref(full);
    return rc;
}

int risk_assessment_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                           struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, assessment_apply(db, who, body, NULL, out, p), out);
}

static int assessment_update_apply(struct db *db, const struct org_actor *who, const char *id,
                                   json_t *body, json_t **out, struct json_problem *p)
{
    json_t *row = NULL, *cur = NULL;
    int rc = assessment_find(db, who, id, &row);
    if (!rc)
        rc = assessment_full(db, who, hidden(row, "id"), &cur);
    if (!rc)
        rc = assessment_apply(db, who, body, cur, out, p);
    json_decref(row);
    json_decref(cur);
    return rc;
}

int risk_assessment_update(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                           json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, assessment_update_apply(db, who, id, body, out, p), out);
}

int risk_assessment_list(struct db *db, const struct org_actor *who,
                         const struct risk_assessment_query *q, bool all, json_t **out,
                         struct json_problem *p)
{
    struct assessment_filter f = {0};
    char like[2 * ORG_FILTER_MAX + 3];
    const char *text = NULL;
    int64_t key = 0;
    int rc = page_limit(q->limit, &f.limit, p);
    if (!rc && given(q->cursor) && !all)
        rc = cursor_read(q->cursor, 'A', &key, &f.after_id, p);
    if (!rc)
        rc = cat_filter(q->organisation, "organisation", &f.organisation, p);
    if (!rc)
        rc = cat_filter(q->system, "system", &f.system, p);
    if (!rc)
        rc = cat_filter(q->status, "status", &f.status, p);
    if (!rc && f.status && !one_of(f.status, STATUSES))
        rc = cat_reject(p, 422, "invalid_value", "status",
                        "status is draft, in_progress or approved");
    if (!rc)
        rc = cat_filter(q->trigger_kind, "trigger_kind", &f.trigger_kind, p);
    if (!rc && f.trigger_kind && !one_of(f.trigger_kind, TRIGGERS))
        rc = cat_reject(p, 422, "invalid_value", "trigger_kind",
                        "trigger_kind is yearly, significant_change, incident or new_information");
    if (!rc)
        rc = cat_filter(q->q, "q", &text, p);
    if (!rc && text) {
        rc = db_like_pattern(text, like, sizeof(like));
        f.like = like;
    }
    if (rc)
        return rc;
    json_t *items = json_array(), *rows = json_array();
    int page = all ? 500 : f.limit;
    f.limit = all ? 500 : page + 1; /* one more tells whether a next page exists */
    for (;;) {
        json_array_clear(rows);
        rc = risk_sql_assessment_list(db, who, &f, rows);
        size_t n = json_array_size(rows);
        for (size_t i = 0; !rc && i < n && i < (size_t)page; i++) {
            json_t *row = json_array_get(rows, i), *systems = json_array();
            int64_t count = 0;
            rc = risk_sql_assessment_systems(db, who, hidden(row, "id"), systems);
            if (!rc)
                rc = risk_sql_risk_count(db, hidden(row, "id"), &count);
            json_object_set_new(row, "systems", systems);
            json_object_set_new(row, "risk_count", json_integer(count));
            json_array_append_new(items, cat_public(row));
        }
        if (rc || !all || n < (size_t)f.limit)
            break;
        if (json_array_size(items) > RISK_EXPORT_MAX) {
            rc = ERR_TOOBIG;
            break;
        }
        f.after_id = hidden(json_array_get(rows, n - 1), "id");
    }
    json_t *next = json_null();
    if (!rc && !all && json_array_size(rows) > (size_t)page) {
        char cursor[CURSOR_MAX];
        cursor_make('A', 0, hidden(json_array_get(rows, (size_t)page - 1), "id"), cursor);
        next = json_string(cursor);
    }
    json_decref(rows);
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return 0;
}

/* ---- participation ---- */

static int participation_apply(struct db *db, const struct org_actor *who, const char *id,
                               const char *user_id, json_t *body, json_t **out,
                               struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], idt[24];
    struct person_row person = {0};
    json_t *row = NULL, *before = NULL, *full = NULL;
    const char *why;
    bool editor = false;
    int rc = assessment_find(db, who, id, &row);
    if (!rc)
        rc = !user_id || person_user_id_check(user_id, &why)
                 ? ERR_NOTFOUND
                 : org_sql_person_find(db, who, user_id, &person);
    int64_t me = caller_person(who), org_id = row ? hidden(row, "_organisation_id") : 0;
    if (!rc && person.id != me) {
        rc = me ? risk_sql_holds_any(db, me, RISK_APPROVE_ROLES, org_id, &editor) : 0;
        if (!rc && !me)
            editor = who->everything || (who->roles & RISK_APPROVE_ROLES) != 0;
        if (!rc && !editor)
            rc = cat_reject(p, 403, "not_authorised", NULL,
                            "only the person themself or an editor of the assessment records "
                            "participation");
    }
    if (!rc)
        rc = assessment_full(db, who, hidden(row, "id"), &before);
    clock_format(clock_now(), at);
    if (!rc)
        rc = risk_sql_participant_set(db, hidden(row, "id"), person.id,
                                      json_is_true(json_object_get(body, "participated")) ? at
                                                                                          : NULL);
    if (!rc)
        rc = assessment_full(db, who, hidden(row, "id"), &full);
    if (!rc)
        *out = cat_public(full);
    if (!rc) {
        json_t *b = cat_public(before);
        id_text(hidden(row, "id"), idt);
        rc = cat_audit(db, who, "risk_assessment.participation", "risk_assessment", idt, org_id,
                       json_object_get(b, "participants"), json_object_get(*out, "participants"));
        json_decref(b);
    }
    json_decref(row);
    json_decref(before);
    json_decref(full);
    return rc;
}

int risk_participation(struct db *db, const struct org_actor *who, const char *id,
                       const char *user_id, json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, participation_apply(db, who, id, user_id, body, out, p), out);
}

/* ---- risks ---- */

/* Scores, bands, links and acceptance of a risk row (from risk_sql), in place. */
static int risk_decorate(struct db *db, const json_t *reach, json_t *cache, json_t *row,
                         const char *day)
{
    json_t *m = NULL, *systems = json_array(), *info = json_array();
    int64_t id = hidden(row, "id");
    int rc = matrix_cached(db, cache, hidden(row, "_organisation_id"), &m);
    if (!rc)
        rc = risk_sql_risk_links(db, reach, id, false, systems);
    if (!rc)
        rc = risk_sql_risk_links(db, reach, id, true, info);
    json_object_set_new(row, "systems", systems);
    json_object_set_new(row, "information", info);
    if (rc)
        return rc;
    int64_t is = hidden(row, "inherent_likelihood") * hidden(row, "inherent_consequence");
    json_object_set_new(row, "inherent_score", json_integer(is));
    json_object_set_new(row, "inherent_band", risk_band_of(m, is));
    if (json_is_integer(json_object_get(row, "residual_likelihood"))) {
        int64_t rs = hidden(row, "residual_likelihood") * hidden(row, "residual_consequence");
        json_object_set_new(row, "residual_score", json_integer(rs));
        json_object_set_new(row, "residual_band", risk_band_of(m, rs));
    } else {
        json_object_set_new(row, "residual_score", json_null());
        json_object_set_new(row, "residual_band", json_null());
    }
    const char *expires = member(row, "acceptance_expires");
    json_object_set_new(row, "acceptance_valid",
                        json_boolean(expires && strcmp(expires, day) >= 0));
    return 0;
}

static int risk_full(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    char day[ORG_DATE_LEN + 1];
    json_t *row = NULL, *cache = json_object(), *reach = NULL;
    today(day);
    int rc = risk_sql_risk_by_id(db, id, &row);
    if (!rc)
        rc = risk_sql_reach(db, who, &reach);
    if (!rc)
        rc = risk_decorate(db, reach, cache, row, day);
    if (!rc) {
        *out = row;
        row = NULL;
    }
    json_decref(row);
    json_decref(cache);
    json_decref(reach);
    return rc;
}

static int risk_find(struct db *db, const struct org_actor *who, const char *id_s, json_t **row)
{
    int64_t id;
    int rc = path_id(id_s, &id);
    if (!rc)
        rc = risk_sql_risk_find(db, who, id, row);
    return rc;
}

int risk_get(struct db *db, const struct org_actor *who, const char *id, json_t **out)
{
    json_t *row = NULL, *full = NULL;
    int rc = risk_find(db, who, id, &row);
    if (!rc)
        rc = risk_full(db, who, hidden(row, "id"), &full);
    if (!rc)
        *out = cat_public(full);
    json_decref(row);
    json_decref(full);
    return rc;
}

static int level_check(json_t *next, const char *name, json_t *names, struct json_problem *p)
{
    json_t *v = json_object_get(next, name);
    size_t n = json_array_size(names);
    if (json_is_null(v) || !v)
        return 0;
    int64_t l = json_integer_value(v);
    if (!json_is_integer(v) || l < 1 || l > (int64_t)n)
        return cat_reject(p, 422, "out_of_range", name,
                          "%s is a level from 1 (%s) to %zu (%s) on the organisation's matrix",
                          name, json_string_value(json_array_get(names, 0)), n,
                          json_string_value(json_array_get(names, n - 1)));
    return 0;
}

static bool changed(json_t *in, json_t *cur, const char *name)
{
    json_t *v = json_object_get(in, name);
    return v && !json_equal(v, json_object_get(cur, name));
}

/* The strings of a list, sorted and each once (links given in any order). */
static json_t *string_set(json_t *list)
{
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *s = json_string_value(json_array_get(list, i));
        size_t at = json_array_size(out);
        bool dup = false;
        for (size_t j = 0; s && j < json_array_size(out); j++) {
            int c = strcmp(s, json_string_value(json_array_get(out, j)));
            dup = dup || c == 0;
            if (c < 0 && at == json_array_size(out))
                at = j;
        }
        if (s && !dup)
            json_array_insert_new(out, at, json_string(s));
    }
    return out;
}

/* Does in give cur's values only (a write that changes nothing writes nothing)? */
static bool risk_unchanged(json_t *in, json_t *cur)
{
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        bool same;
        if (strcmp(key, "systems") == 0 || strcmp(key, "information") == 0) {
            json_t *a = string_set(v), *b = string_set(json_object_get(cur, key));
            same = json_equal(a, b);
            json_decref(a);
            json_decref(b);
        } else {
            json_t *c = json_object_get(cur, key);
            same = json_equal(v, c ? c : json_null());
        }
        if (!same)
            return false;
    }
    return true;
}

static int risk_apply(struct db *db, const struct org_actor *who, json_t *in, json_t *cur,
                      json_t **out, enum org_outcome *outcome, struct json_problem *p)
{
    if (cur && risk_unchanged(in, cur)) {
        if (outcome)
            *outcome = ORG_UNCHANGED;
        *out = cat_public(cur);
        return *out ? 0 : ERR_NOMEM;
    }
    char at[CLOCK_ISO_LEN], idt[24];
    struct risk_write w = {0};
    int64_t sys[RISK_LINKS_MAX], info[RISK_LINKS_MAX];
    size_t nsys = 0, ninfo = 0;
    json_t *next = cur ? json_deep_copy(cur) : json_object(), *before = NULL, *full = NULL;
    json_t *assessment = NULL, *m = NULL, *cache = json_object();
    int rc = 0;
    clock_format(clock_now(), at);
    json_object_update(next, in);
    if (!cur) {
        rc = risk_sql_assessment_find(db, who, hidden(in, "assessment"), &assessment);
        if (rc == ERR_NOTFOUND)
            rc = cat_reject(p, 422, "unknown_assessment", "assessment",
                            "there is no risk assessment with id %lld",
                            (long long)hidden(in, "assessment"));
        w.assessment_id = hidden(in, "assessment");
        w.organisation_id = assessment ? hidden(assessment, "_organisation_id") : 0;
        w.owner_id = 0;
    } else {
        w.id = hidden(cur, "id");
        w.assessment_id = hidden(cur, "_assessment_id");
        w.organisation_id = hidden(cur, "_organisation_id");
        w.owner_id = hidden(cur, "_owner_id");
        w.accepted_by = 0;
    }
    w.external_id = member(next, "external_id");
    w.title = member(next, "title");
    w.threat = member(next, "threat");
    w.vulnerability = member(next, "vulnerability");
    w.treatment = member(next, "treatment");
    w.il = hidden(next, "inherent_likelihood");
    w.ic = hidden(next, "inherent_consequence");
    w.rl = hidden(next, "residual_likelihood");
    w.rc = hidden(next, "residual_consequence");
    const char *why;
    if (!rc && w.external_id && (!cur || changed(in, cur, "external_id"))) {
        bool taken = false;
        if (cat_external_id_check(w.external_id, &why))
            rc = cat_reject(p, 422, "invalid_external_id", "external_id", "%s", why);
        if (!rc)
            rc = risk_sql_risk_taken(db, w.external_id, &taken);
        if (!rc && taken)
            rc = cat_reject(p, 409, "duplicate", "external_id",
                            "a risk with external id '%s' exists", w.external_id);
    }
    if (!rc)
        rc = matrix_cached(db, cache, w.organisation_id, &m);
    if (!rc)
        rc = level_check(next, "inherent_likelihood", json_object_get(m, "likelihood_names"), p);
    if (!rc)
        rc = level_check(next, "inherent_consequence", json_object_get(m, "consequence_names"), p);
    if (!rc)
        rc = level_check(next, "residual_likelihood", json_object_get(m, "likelihood_names"), p);
    if (!rc)
        rc = level_check(next, "residual_consequence", json_object_get(m, "consequence_names"), p);
    if (!rc && (w.rl == 0) != (w.rc == 0))
        rc = cat_reject(p, 422, "incomplete_rating",
                        w.rl ? "residual_consequence" : "residual_likelihood",
                        "a residual rating has both a likelihood and a consequence");
    if (!rc && w.treatment && !one_of(w.treatment, TREATMENTS))
        rc = cat_reject(p, 422, "invalid_value", "treatment",
                        "treatment is reduce, accept, avoid or transfer");
    if (!rc && (!cur || changed(in, cur, "owner")))
        rc = person_ref(db, who, member(next, "owner"), "owner", &w.owner_id, p);
    if (!rc && json_object_get(in, "systems"))
        rc = links_ref(db, who, json_object_get(in, "systems"), false, "systems", sys, &nsys, p);
    if (!rc && json_object_get(in, "information"))
        rc = links_ref(db, who, json_object_get(in, "information"), true, "information", info,
                       &ninfo, p);
    /* A new residual rating is a new risk to accept. */
    bool keep = cur && !changed(in, cur, "residual_likelihood") &&
                !changed(in, cur, "residual_consequence");
    if (keep) {
        w.accepted_at = member(cur, "accepted_at");
        w.acceptance_expires = member(cur, "acceptance_expires");
        w.accepted_by = w.accepted_at ? hidden(cur, "_accepted_by") : 0;
    }
    if (!rc && cur)
        before = cat_public(cur);
    if (!rc)
        rc = cur ? risk_sql_risk_update(db, &w, at) : risk_sql_risk_insert(db, &w, at);
    if (!rc && json_object_get(in, "systems"))
        rc = risk_sql_risk_links_set(db, w.id, false, sys, nsys);
    if (!rc && json_object_get(in, "information"))
        rc = risk_sql_risk_links_set(db, w.id, true, info, ninfo);
    if (!rc)
        rc = risk_full(db, who, w.id, &full);
    if (!rc)
        *out = cat_public(full);
    id_text(w.id, idt);
    bool same = !rc && before && json_equal(before, *out);
    if (!rc && !same)
        rc = cat_audit(db, who, cur ? "risk.update" : "risk.create", "risk", idt, w.organisation_id,
                       before, *out);
    if (outcome)
        *outcome = !cur ? ORG_CREATED : same ? ORG_UNCHANGED : ORG_UPDATED;
    json_decref(next);
    json_decref(before);
    json_decref(full);
    json_decref(assessment);
    json_decref(cache);
    return rc;
}

int risk_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, risk_apply(db, who, body, NULL, out, NULL, p), out);
}

static int risk_current(struct db *db, const struct org_actor *who, int64_t id, json_t **cur)
{
    json_t *full = NULL;
    int rc = risk_full(db, who, id, &full);
    if (!rc)
        *cur = full;
    return rc;
}

static int risk_update_apply(struct db *db, const struct org_actor *who, const char *id,
                             json_t *body, json_t **out, struct json_problem *p)
{
    json_t *row = NULL, *cur = NULL;
    int rc = risk_find(db, who, id, &row);
    if (!rc)
        rc = risk_current(db, who, hidden(row, "id"), &cur);
    if (!rc)
        rc = risk_apply(db, who, body, cur, out, NULL, p);
    json_decref(row);
    json_decref(cur);
    return rc;
}

int risk_update(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, risk_update_apply(db, who, id, body, out, p), out);
}

int risk_import_save(struct db *db, const struct org_actor *who, json_t *body,
                     enum org_outcome *outcome, struct json_problem *p)
{
    struct org_row org = {0};
    json_t *cur = NULL, *row = NULL, *out = NULL;
    int64_t aid = 0;
    char idt[24];
    int rc = org_ref(db, who, member(body, "organisation"), "organisation", &org, p);
    if (!rc)
        rc = risk_sql_assessment_lookup(db, org.id, member(body, "assessment_title"),
                                        member(body, "assessed_on"), &aid);
    if (!rc && !aid) {
        char at[CLOCK_ISO_LEN];
        struct assessment_write w = {.organisation_id = org.id,
                                     .title = member(body, "assessment_title"),
                                     .scope = "organisation",
                                     .assessed_on = member(body, "assessed_on"),
                                     .trigger_kind = "yearly",
                                     .method = "",
                                     .status = "draft"};
        clock_format(clock_now(), at);
        rc = risk_sql_assessment_insert(db, &w, at);
        aid = w.id;
        json_t *full = NULL;
        if (!rc)
            rc = assessment_full(db, who, aid, &full);
        id_text(aid, idt);
        json_t *pub = full ? cat_public(full) : NULL;
        if (!rc)
            rc = cat_audit(db, who, "risk_assessment.create", "risk_assessment", idt, org.id, NULL,
                           pub);
        json_decref(pub);
        json_decref(full);
    }
    json_object_del(body, "organisation");
    json_object_del(body, "assessment_title");
    json_object_del(body, "assessed_on");
    const char *ext = member(body, "external_id");
    if (!rc && ext) {
        rc = risk_sql_risk_find_external(db, who, ext, &row);
        if (rc == ERR_NOTFOUND) {
            bool taken = false;
            rc = risk_sql_risk_taken(db, ext, &taken);
            if (!rc && taken)
                rc = ERR_NOTFOUND; /* out of reach: the caller reports it */
            else if (!rc)
                row = NULL;
        }
    }
    if (!rc && row && hidden(row, "_organisation_id") != org.id)
        rc = cat_reject(p, 422, "organisation_mismatch", "organisation",
                        "the risk '%s' belongs to another organisation", ext);
    if (!rc && row)
        rc = risk_current(db, who, hidden(row, "id"), &cur);
    if (!rc && !row)
        json_object_set_new(body, "assessment", json_integer(aid));
    if (!rc && row) {
        json_object_del(body, "external_id");
        if (hidden(cur, "_assessment_id") != aid)
            rc = cat_reject(p, 422, "assessment_mismatch", "assessment_title",
                            "the risk '%s' belongs to another assessment", ext);
    }
    if (!rc)
        rc = risk_apply(db, who, body, cur, &out, outcome, p);
    json_decref(out);
    json_decref(cur);
    json_decref(row);
    return rc;
}

int risk_list(struct db *db, const struct org_actor *who, const struct risk_list_query *q, bool all,
              json_t **out, struct json_problem *p)
{
    struct risk_filter f = {.score_min = 0, .score_max = 1000};
    char like[2 * ORG_FILTER_MAX + 3], day[ORG_DATE_LEN + 1];
    const char *text = NULL, *band = NULL;
    int rc = page_limit(q->limit, &f.limit, p);
    today(day);
    if (!rc && given(q->sort) && strcmp(q->sort, "residual_score") == 0)
        f.by_score = true;
    else if (!rc && given(q->sort) && strcmp(q->sort, "id") != 0)
        rc = cat_reject(p, 422, "invalid_value", "sort", "sort is id or residual_score");
    f.after_score = 1000;
    if (!rc && given(q->cursor) && !all)
        rc = cursor_read(q->cursor, f.by_score ? 'S' : 'R', &f.after_score, &f.after_id, p);
    if (!rc)
        rc = cat_filter(q->organisation, "organisation", &f.organisation, p);
    if (!rc)
        rc = cat_filter(q->system, "system", &f.system, p);
    if (!rc)
        rc = cat_filter(q->owner, "owner", &f.owner, p);
    if (!rc)
        rc = cat_filter(q->treatment, "treatment", &f.treatment, p);
    if (!rc && f.treatment && !one_of(f.treatment, TREATMENTS))
        rc = cat_reject(p, 422, "invalid_value", "treatment",
                        "treatment is reduce, accept, avoid or transfer");
    if (!rc && given(q->assessment) && str_to_int64(q->assessment, 1, INT64_MAX / 2, &f.assessment))
        rc = cat_reject(p, 422, "invalid_value", "assessment", "assessment is an assessment's id");
    if (!rc)
        rc = cat_filter(q->band, "band", &band, p);
    if (!rc && band) {
        struct org_row org = {0};
        json_t *m = NULL;
        if (!f.organisation)
            rc = cat_reject(p, 422, "organisation_required", "band",
                            "bands are an organisation's: filter by band together with "
                            "organisation");
        if (!rc && org_in_reach(db, who, f.organisation, &org) == 0)
            rc = matrix_of(db, org.id, &m);
        json_t *bands = json_object_get(m, "bands");
        bool found = false;
        int64_t prev = 0;
        for (size_t i = 0; !rc && m && i < json_array_size(bands); i++) {
            json_t *b = json_array_get(bands, i);
            if (strcmp(member(b, "name"), band) == 0) {
                f.score_min = prev + 1;
                f.score_max = hidden(b, "max");
                found = true;
            }
            prev = hidden(b, "max");
        }
        if (!rc && m && !found)
            rc = cat_reject(p, 422, "invalid_value", "band",
                            "'%s' is not a band of the organisation's matrix", cat_shown(band));
        if (!rc && !m)
            f.score_min = f.score_max = -1; /* an organisation out of reach: nothing */
        json_decref(m);
    }
    if (!rc)
        rc = cat_filter(q->q, "q", &text, p);
    if (!rc && text) {
        rc = db_like_pattern(text, like, sizeof(like));
        f.like = like;
    }
    if (rc)
        return rc;
    json_t *items = json_array(), *rows = json_array(), *cache = json_object(), *reach = NULL;
    rc = risk_sql_reach(db, who, &reach);
    int page = all ? 500 : f.limit;
    f.limit = all ? 500 : page + 1; /* one more tells whether a next page exists */
    for (;;) {
        json_array_clear(rows);
        if (!rc)
            rc = risk_sql_risk_list(db, who, &f, rows);
        size_t n = json_array_size(rows);
        for (size_t i = 0; !rc && i < n && i < (size_t)page; i++) {
            json_t *row = json_array_get(rows, i);
            rc = risk_decorate(db, reach, cache, row, day);
            if (!rc)
                json_array_append_new(items, cat_public(row));
        }
        if (rc || !all || n < (size_t)f.limit)
            break;
        if (json_array_size(items) > RISK_EXPORT_MAX) {
            rc = ERR_TOOBIG;
            break;
        }
        json_t *last = json_array_get(rows, n - 1);
        f.after_id = hidden(last, "id");
        f.after_score = hidden(last, "_score");
    }
    json_t *next = json_null();
    if (!rc && !all && json_array_size(rows) > (size_t)page) {
        char cursor[CURSOR_MAX];
        json_t *last = json_array_get(rows, (size_t)page - 1);
        cursor_make(f.by_score ? 'S' : 'R', f.by_score ? hidden(last, "_score") : 0,
                    hidden(last, "id"), cursor);
        next = json_string(cursor);
    }
    json_decref(rows);
    json_decref(cache);
    json_decref(reach);
    if (rc) {
        json_decref(items);
        json_decref(next);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return 0;
}

/* ---- acceptance ---- */

static int accept_apply(struct db *db, const struct org_actor *who, const char *id, json_t **out,
                        struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], day[ORG_DATE_LEN + 1], expires[ORG_DATE_LEN + 1], idt[24];
    json_t *row = NULL, *cur = NULL, *m = NULL, *full = NULL;
    struct period per = {0};
    bool holds = false;
    int rc = risk_find(db, who, id, &row);
    if (!rc)
        rc = risk_current(db, who, hidden(row, "id"), &cur);
    int64_t person = caller_person(who), org_id = row ? hidden(row, "_organisation_id") : 0;
    if (!rc && !person)
        rc = cat_reject(p, 403, "person_required", NULL,
                        "a residual risk is accepted by a person, not by an API token");
    if (!rc)
        rc = matrix_of(db, org_id, &m);
    int64_t score = cur ? hidden(cur, "_score") : 0;
    int64_t threshold = m ? hidden(m, "acceptance_threshold") : 0;
    if (!rc)
        rc = risk_sql_holds_any(db, person, RISK_ACCEPT_ROLES, org_id, &holds);
    if (!rc && !holds && (score > threshold || person != hidden(cur, "_owner_id")))
        rc = cat_reject(p, 403, "not_authorised_to_accept", NULL,
                        score > threshold
                            ? "the residual risk scores %lld, above the organisation's threshold "
                              "%lld: only a CISO, head of administration or administrator accepts "
                              "it"
                            : "the residual risk scores %lld (threshold %lld): its owner, a CISO, "
                              "head of administration or administrator accepts it",
                        (long long)score, (long long)threshold);
    clock_format(clock_now(), at);
    today(day);
    if (!rc &&
        (period_parse(member(m, "acceptance_validity"), &per) || period_add(day, per, expires)))
        rc = ERR_DB;
    if (!rc) {
        struct risk_write w = {.id = hidden(cur, "id"),
                               .assessment_id = hidden(cur, "_assessment_id"),
                               .organisation_id = org_id,
                               .owner_id = hidden(cur, "_owner_id"),
                               .external_id = member(cur, "external_id"),
                               .title = member(cur, "title"),
                               .threat = member(cur, "threat"),
                               .vulnerability = member(cur, "vulnerability"),
                               .treatment = member(cur, "treatment"),
                               .il = hidden(cur, "inherent_likelihood"),
                               .ic = hidden(cur, "inherent_consequence"),
                               .rl = hidden(cur, "residual_likelihood"),
                               .rc = hidden(cur, "residual_consequence"),
                               .accepted_by = person,
                               .accepted_at = at,
                               .acceptance_expires = expires};
        rc = risk_sql_risk_update(db, &w, at);
    }
    if (!rc)
        rc = risk_full(db, who, hidden(cur, "id"), &full);
    if (!rc)
        *out = cat_public(full);
    if (!rc) {
        json_t *before = cat_public(cur);
        id_text(hidden(cur, "id"), idt);
        rc = cat_audit(db, who, "risk.accept", "risk", idt, org_id, before, *out);
        json_decref(before);
    }
    json_decref(row);
    json_decref(cur);
    json_decref(m);
    json_decref(full);
    return rc;
}

int risk_accept(struct db *db, const struct org_actor *who, const char *id, json_t **out,
                struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, accept_apply(db, who, id, out, p), out);
}

/* ---- measures ---- */

static json_t *measure_public(json_t *row, const char *day)
{
    json_t *out = cat_public(row);
    const char *status = member(row, "status"), *due = member(row, "due");
    bool open = status && strcmp(status, "done") != 0 && strcmp(status, "cancelled") != 0;
    json_object_set_new(out, "overdue", json_boolean(open && due && strcmp(due, day) < 0));
    return out;
}

int risk_measure_list(struct db *db, const struct org_actor *who, const char *risk_id, json_t **out)
{
    char day[ORG_DATE_LEN + 1];
    json_t *row = NULL, *rows = json_array(), *items = json_array();
    today(day);
    int rc = risk_find(db, who, risk_id, &row);
    if (!rc)
        rc = risk_sql_measures(db, hidden(row, "id"), rows);
    for (size_t i = 0; !rc && i < json_array_size(rows); i++)
        json_array_append_new(items, measure_public(json_array_get(rows, i), day));
    if (!rc)
        *out = json_pack("{s:O}", "items", items);
    json_decref(row);
    json_decref(rows);
    json_decref(items);
    return rc;
}

static int measure_apply(struct db *db, const struct org_actor *who, const char *risk_id,
                         const char *id, json_t *in, json_t **out, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN], day[ORG_DATE_LEN + 1], idt[24];
    struct measure_write w = {0};
    json_t *risk = NULL, *cur = NULL, *next = NULL, *after = NULL, *before = NULL, *row = NULL;
    int64_t mid = 0;
    int rc = risk_find(db, who, risk_id, &risk);
    if (!rc && id)
        rc = path_id(id, &mid);
    if (!rc && id)
        rc = risk_sql_measure_find(db, hidden(risk, "id"), mid, &cur);
    if (rc)
        goto done;
    today(day);
    clock_format(clock_now(), at);
    next = cur ? json_deep_copy(cur) : json_object();
    json_object_update(next, in);
    w.id = mid;
    w.risk_id = hidden(risk, "id");
    w.owner_id = cur ? hidden(cur, "_owner_id") : 0;
    w.title = member(next, "title");
    w.due = member(next, "due");
    w.status = member(next, "status") ? member(next, "status") : "planned";
    w.done_on = member(next, "done_on");
    w.evidence = member(next, "evidence");
    if (!one_of(w.status, MEASURE_STATUSES))
        rc = cat_reject(p, 422, "invalid_value", "status",
                        "status is planned, in_progress, done or cancelled");
    if (!rc && strcmp(w.status, "done") == 0 && !w.done_on)
        rc = cat_reject(p, 422, "done_on_required", "done_on",
                        "a measure that is done needs the date it was done (done_on)");
    if (!rc && strcmp(w.status, "done") != 0 && w.done_on)
        rc = cat_reject(p, 422, "done_on_without_done", "done_on",
                        "done_on is only for a measure whose status is done");
    if (!rc && w.done_on && strcmp(w.done_on, day) > 0)
        rc = cat_reject(p, 422, "in_the_future", "done_on", "done_on cannot be after today");
    if (!rc && (!cur || changed(in, cur, "owner")))
        rc = person_ref(db, who, member(next, "owner"), "owner", &w.owner_id, p);
    if (!rc && cur)
        before = measure_public(cur, day);
    if (!rc)
        rc = cur ? risk_sql_measure_update(db, &w, at) : risk_sql_measure_insert(db, &w, at);
    if (!rc)
        rc = risk_sql_measure_find(db, w.risk_id, w.id, &row);
    if (!rc)
        after = measure_public(row, day);
    id_text(w.id, idt);
    if (!rc)
        rc = cat_audit(db, who, cur ? "risk_measure.update" : "risk_measure.create", "risk_measure",
                       idt, hidden(risk, "_organisation_id"), before, after);
    if (!rc)
        *out = json_incref(after);
done:
    json_decref(row);
    json_decref(risk);
    json_decref(cur);
    json_decref(next);
    json_decref(after);
    json_decref(before);
    return rc;
}

int risk_measure_create(struct db *db, const struct org_actor *who, const char *risk_id,
                        json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, measure_apply(db, who, risk_id, NULL, body, out, p), out);
}

int risk_measure_update(struct db *db, const struct org_actor *who, const char *risk_id,
                        const char *id, json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, measure_apply(db, who, risk_id, id ? id : "", body, out, p), out);
}

/* ---- exports ---- */

static const char *sv(const char *v, const char *const map[][2])
{
    for (size_t i = 0; v && map[i][0]; i++)
        if (strcmp(v, map[i][0]) == 0)
            return map[i][1];
    return v ? v : "";
}

static json_t *joined(json_t *list)
{
    char text[4096] = "";
    size_t len = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *s = json_string_value(json_array_get(list, i));
        if (str_format(text + len, sizeof(text) - len, "%s%s", i ? ", " : "", s ? s : ""))
            break;
        len = strlen(text);
    }
    return json_string(text);
}

json_t *risk_register_rows(json_t *items)
{
    static const char *const treatments[][2] = {{"reduce", "Reducera"},
                                                {"accept", "Acceptera"},
                                                {"avoid", "Undvika"},
                                                {"transfer", "Överföra"},
                                                {NULL, NULL}};
    json_t *rows = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i), *row = json_deep_copy(it);
        json_object_set_new(row, "systems", joined(json_object_get(it, "systems")));
        json_object_set_new(row, "information", joined(json_object_get(it, "information")));
        json_t *ib = json_object_get(it, "inherent_band"),
               *rb = json_object_get(it, "residual_band");
        json_object_set(row, "inherent_band",
                        json_is_object(ib) ? json_object_get(ib, "name") : json_null());
        json_object_set(row, "residual_band",
                        json_is_object(rb) ? json_object_get(rb, "name") : json_null());
        const char *t = member(it, "treatment");
        json_object_set_new(row, "treatment", t ? json_string(sv(t, treatments)) : json_null());
        json_array_append_new(rows, row);
    }
    return rows;
}

json_t *risk_assessment_rows(json_t *items)
{
    static const char *const statuses[][2] = {
        {"draft", "Utkast"}, {"in_progress", "Pågår"}, {"approved", "Godkänd"}, {NULL, NULL}};
    static const char *const triggers[][2] = {{"yearly", "Årlig"},
                                              {"significant_change", "Väsentlig förändring"},
                                              {"incident", "Incident"},
                                              {"new_information", "Ny informationstyp"},
                                              {NULL, NULL}};
    static const char *const scopes[][2] = {{"system", "System"},
                                            {"systems", "Flera system"},
                                            {"organisation", "Organisation"},
                                            {NULL, NULL}};
    json_t *rows = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i), *row = json_deep_copy(it);
        json_object_set_new(row, "systems", joined(json_object_get(it, "systems")));
        json_object_set_new(row, "status", json_string(sv(member(it, "status"), statuses)));
        json_object_set_new(row, "trigger_kind",
                            json_string(sv(member(it, "trigger_kind"), triggers)));
        json_object_set_new(row, "scope", json_string(sv(member(it, "scope"), scopes)));
        json_array_append_new(rows, row);
    }
    return rows;
}
