/* The catalog's logic: field checks (CPE 2.3, country, lifecycle), references in reach, the
 * system owner's role, audit. No SQL and no HTTP here. */
#include "catalog/catalog.h"
#include "catalog/cat_common.h"
#include "catalog/catalog_sql.h"
#include "org/org_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json_write.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

/* ---- field checks ---- */

static bool one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

int lifecycle_check(const char *s, const char **why)
{
    static const char *const set[] = {"planned", "production", "decommissioning", "retired", NULL};
    *why = "the lifecycle is planned, production, decommissioning or retired";
    return one_of(s, set) ? 0 : ERR_INVALID;
}

int hosting_check(const char *s, const char **why)
{
    static const char *const set[] = {"own", "it_centre", "supplier", "cloud", NULL};
    *why = "the hosting is own, it_centre, supplier or cloud";
    return one_of(s, set) ? 0 : ERR_INVALID;
}

int country_check(const char *code, const char **why)
{
    *why = "a country is an ISO 3166-1 alpha-2 code: two capital letters such as SE or IE";
    if (!code || strlen(code) != 2)
        return ERR_INVALID;
    for (int i = 0; i < 2; i++)
        if (code[i] < 'A' || code[i] > 'Z')
            return ERR_INVALID;
    return 0;
}

static bool cpe_plain(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

/* The quoted characters of CPE 2.3 §5.3.2: a backslash may precede exactly these. */
static bool cpe_quotable(char c)
{
    return c && strchr("\\*?!\"#$%&'()+,/:;<=>@[]^`{|}~", c) != NULL;
}

/* An attribute value s[0..n): "*", "-", or a string with optional wildcards at its ends. */
static bool cpe_value(const char *s, size_t n)
{
    size_t i = 0, body = 0;
    if (n == 1 && (s[0] == '*' || s[0] == '-'))
        return true;
    if (i < n && s[i] == '*')
        i++;
    else
        while (i < n && s[i] == '?')
            i++;
    while (i < n) {
        if (cpe_plain(s[i])) {
            i++;
        } else if (s[i] == '\\' && i + 1 < n && cpe_quotable(s[i + 1])) {
            i += 2;
        } else {
            break;
        }
        body++;
    }
    if (i < n && s[i] == '*')
        i++;
    else
        while (i < n && s[i] == '?')
            i++;
    return body > 0 && i == n;
}

static bool alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* "*", "-", or a language tag: 2-3 letters, optionally "-" and 2 letters or 3 digits. */
static bool cpe_language(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 1 && (s[0] == '*' || s[0] == '-'))
        return true;
    while (i < n && i < 3 && alpha(s[i]))
        i++;
    if (i < 2)
        return false;
    if (i == n)
        return true;
    if (s[i] != '\\' || i + 2 >= n || s[i + 1] != '-')
        return false; /* the hyphen of a tag is quoted in a formatted string */
    const char *r = s + i + 2;
    size_t rn = n - i - 2;
    if (rn == 2)
        return alpha(r[0]) && alpha(r[1]);
    return rn == 3 && r[0] >= '0' && r[0] <= '9' && r[1] >= '0' && r[1] <= '9' && r[2] >= '0' &&
           r[2] <= '9';
}

int cpe_check(const char *cpe, const char **why)
{
    const char *comp[11];
    size_t len[11], n = 0;
    *why = "a CPE 2.3 string is cpe:2.3: followed by 11 parts separated by ':' (part a, o or "
           "h, then vendor, product, version, update, edition, language, sw_edition, target_sw, "
           "target_hw, other), each '*', '-' or letters, digits, '_', '-', '.' and "
           "\\-escaped punctuation";
    if (!cpe || strlen(cpe) > CPE_MAX || strncmp(cpe, "cpe:2.3:", 8) != 0)
        return ERR_INVALID;
    const char *s = cpe + 8, *start = s;
    for (;; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            continue;
        }
        if (*s == ':' || *s == '\0') {
            if (n == 11)
                return ERR_INVALID;
            comp[n] = start;
            len[n++] = (size_t)(s - start);
            start = s + 1;
        }
        if (*s == '\0')
            break;
    }
    if (n != 11 || len[0] != 1 || !strchr("aoh", comp[0][0]))
        return ERR_INVALID;
    for (size_t i = 1; i < 11; i++)
        if (!(i == 6 ? cpe_language(comp[i], len[i]) : cpe_value(comp[i], len[i])))
            return ERR_INVALID;
    *why = NULL;
    return 0;
}

/* ---- systems ---- */

static int with_relations(struct db *db, const struct org_actor *who, int64_t system_id,
                          json_t *out);

static const char *member(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static bool changed(json_t *in, json_t *cur, const char *name)
{
    json_t *v = json_object_get(in, name);
    return v && !json_equal(v, json_object_get(cur, name));
}

/* A person named by field of in, in reach; when role is given they must hold it in org_id or
 * above. The id goes to *id (0 for null). */
static int person_ref(struct db *db, const struct org_actor *who, json_t *next, const char *field,
                      const char *role, int64_t org_id, int64_t *id, struct json_problem *p)
{
    struct person_row person = {0};
    const char *why, *uid = member(next, field);
    bool holds = true;
    *id = 0;
    if (!uid)
        return 0;
    if (person_user_id_check(uid, &why))
        return cat_unknown_person(p, field, uid);
    int rc = org_sql_person_find(db, who, uid, &person);
    if (rc == ERR_NOTFOUND)
        return cat_unknown_person(p, field, uid);
    if (!rc && role)
        rc = cat_sql_holds_role(db, person.id, role, org_id, &holds);
    if (!rc && !holds)
        return cat_reject(p, 422, "missing_role", field,
                          "%s does not hold the role %s in the owning organisation or above it",
                          person.user_id, role);
    *id = person.id;
    return rc;
}

/* An organisation named by field of next, in reach (and of kind supplier when asked). */
static int org_ref(struct db *db, const struct org_actor *who, json_t *next, const char *field,
                   bool supplier, int64_t *id, struct json_problem *p)
{
    struct org_row org = {0};
    char code[ORG_CODE_MAX + 1];
    const char *why, *given = member(next, field);
    *id = 0;
    if (!given)
        return 0;
    if (org_code_normalise(given, code, &why))
        return cat_unknown_org(p, field, given);
    int rc = org_sql_org_find(db, who, code, &org);
    if (rc == ERR_NOTFOUND)
        return cat_unknown_org(p, field, code);
    if (!rc && supplier && strcmp(org.kind, "supplier") != 0)
        return cat_reject(p, 422, "not_a_supplier", field,
                          "'%s' is not an organisation of kind supplier", org.code);
    *id = org.id;
    return rc;
}

static int64_t hidden(json_t *o, const char *name)
{
    return json_integer_value(json_object_get(o, name));
}

/* The references of next: resolved again only where they change. */
static int system_refs(struct db *db, const struct org_actor *who, json_t *in, json_t *cur,
                       json_t *next, struct system_write *w, struct json_problem *p)
{
    int rc = 0;
    bool org_changed = !cur || changed(in, cur, "organisation");
    w->organisation_id = hidden(cur, "_organisation_id");
    w->owner_id = hidden(cur, "_owner_id");
    w->administrator_id = hidden(cur, "_administrator_id");
    w->supplier_id = hidden(cur, "_supplier_id");
    if (org_changed)
        rc = org_ref(db, who, next, "organisation", false, &w->organisation_id, p);
    if (!rc && (org_changed || changed(in, cur, "system_owner")))
        rc = person_ref(db, who, next, "system_owner", "system_owner", w->organisation_id,
                        &w->owner_id, p);
    if (!rc && (!cur || changed(in, cur, "administrator")))
        rc = person_ref(db, who, next, "administrator", NULL, 0, &w->administrator_id, p);
    if (!rc && (!cur || changed(in, cur, "supplier")))
        rc = org_ref(db, who, next, "supplier", true, &w->supplier_id, p);
    return rc;
}

/* next = cur with in applied, checked into w. */
static int system_apply(struct db *db, const struct org_actor *who, json_t *in, json_t *cur,
                        json_t *next, struct system_write *w, struct json_problem *p)
{
    const char *why;
    json_object_update(next, in);
    w->external_id = member(next, "external_id");
    w->name = member(next, "name");
    w->description = member(next, "description");
    w->lifecycle = member(next, "lifecycle");
    w->hosting = member(next, "hosting");
    w->hosting_country = member(next, "hosting_country");
    w->last_significant_change = member(next, "last_significant_change");
    w->internet_facing = json_is_true(json_object_get(next, "internet_facing"));
    w->sso = json_is_true(json_object_get(next, "sso"));
    w->mfa_enforced = json_is_true(json_object_get(next, "mfa_enforced"));
    if (changed(in, cur, "name") && org_name_check(w->name, &why))
        return cat_reject(p, 422, "invalid_name", "name", "%s", why);
    if (changed(in, cur, "lifecycle") && lifecycle_check(w->lifecycle, &why))
        return cat_reject(p, 422, "invalid_lifecycle", "lifecycle", "%s", why);
    if (changed(in, cur, "hosting") && hosting_check(w->hosting, &why))
        return cat_reject(p, 422, "invalid_hosting", "hosting", "%s", why);
    if (changed(in, cur, "hosting_country") && w->hosting_country &&
        country_check(w->hosting_country, &why))
        return cat_reject(p, 422, "invalid_country", "hosting_country", "%s", why);
    if (strcmp(w->hosting, "cloud") == 0 && !w->hosting_country)
        return cat_reject(p, 422, "country_required", "hosting_country",
                          "a system in the cloud needs the country its data is kept in");
    return system_refs(db, who, in, json_object_size(cur) ? cur : NULL, next, w, p);
}

static json_t *with_level_name(json_t *o)
{
    int level = (int)json_integer_value(json_object_get(o, "level"));
    json_object_set_new(o, "level_name_sv", json_string(cat_level_name_sv(level)));
    return o;
}

static int system_write_out(struct db *db, const struct org_actor *who, const char *action,
                            json_t *cur, struct system_write *w, json_t **out)
{
    char at[CLOCK_ISO_LEN];
    json_t *after = NULL, *before = json_object_size(cur) ? cat_public(cur) : NULL;
    clock_format(clock_now(), at);
    int rc = before ? cat_sql_system_update(db, w, at) : cat_sql_system_insert(db, w, at);
    if (!rc)
        rc = cat_sql_system_by_id(db, w->id, &after);
    if (!rc)
        *out = cat_public(after);
    if (!rc)
        rc = cat_audit(db, who, action, "system", w->external_id, w->organisation_id, before, *out);
    json_decref(before);
    json_decref(after);
    return rc;
}

static int system_save(struct db *db, const struct org_actor *who, const char *key, json_t *in,
                       json_t **out, enum org_outcome *outcome, struct json_problem *p)
{
    json_t *cur = NULL, *next = NULL, *none = json_object();
    struct system_write w = {0};
    const char *why;
    bool taken = false;
    int rc = 0;
    if (key) {
        rc = cat_external_id_check(key, &why) ? ERR_NOTFOUND
                                              : cat_sql_system_find(db, who, key, &cur);
        if (!rc && changed(in, cur, "external_id"))
            rc = cat_reject(p, 422, "immutable", "external_id",
                            "the external id of a system cannot change");
    } else {
        cur = json_pack("{s:s, s:s, s:s, s:n, s:n, s:n, s:n, s:b, s:b, s:b}", "description", "",
                        "lifecycle", "production", "hosting", "own", "hosting_country",
                        "administrator", "supplier", "last_significant_change", "internet_facing",
                        0, "sso", 0, "mfa_enforced", 0);
        rc = cat_external_id_check(member(in, "external_id"), &why)
                 ? cat_reject(p, 422, "invalid_external_id", "external_id", "%s", why)
                 : cat_sql_system_taken(db, member(in, "external_id"), &taken);
        if (!rc && taken)
            rc = cat_reject(p, 409, "duplicate", "external_id",
                            "a system with external id '%s' exists", member(in, "external_id"));
    }
    if (!rc) {
        next = json_deep_copy(cur);
        rc = system_apply(db, who, in, key ? cur : none, next, &w, p);
    }
    w.id = hidden(cur, "_id");
    if (outcome)
        *outcome = !key ? ORG_CREATED : json_equal(cur, next) ? ORG_UNCHANGED : ORG_UPDATED;
    if (!rc && key && json_equal(cur, next))
        *out = cat_public(cur); /* nothing changes: nothing written, nothing audited */
    else if (!rc)
        rc = system_write_out(db, who, key ? "system.update" : "system.create", key ? cur : NULL,
                              &w, out);
    if (!rc)
        with_level_name(*out);
    if (!rc)
        rc = with_relations(db, who, w.id, *out);
    json_decref(cur);
    json_decref(next);
    json_decref(none);
    return rc;
}

int system_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                  struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, system_save(db, who, NULL, body, out, NULL, p), out);
}

int system_update(struct db *db, const struct org_actor *who, const char *external_id, json_t *body,
                  json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, system_save(db, who, external_id, body, out, NULL, p), out);
}

int system_get(struct db *db, const struct org_actor *who, const char *external_id, json_t **out)
{
    json_t *row = NULL;
    const char *why;
    if (cat_external_id_check(external_id, &why))
        return ERR_NOTFOUND;
    int rc = cat_sql_system_find(db, who, external_id, &row);
    if (!rc)
        *out = with_level_name(cat_public(row));
    if (!rc)
        rc = with_relations(db, who, hidden(row, "_id"), *out);
    if (rc && *out) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(row);
    return rc;
}

static int personal_level(const char *s, int64_t *out, struct json_problem *p)
{
    static const char *const names[] = {"none", "personal", "sensitive"};
    *out = -1;
    for (int i = 0; s && *s && i < 3; i++)
        if (strcmp(s, names[i]) == 0)
            *out = i;
    if (s && *s && *out < 0)
        return cat_reject(p, 422, "invalid_value", "personal_data",
                          "personal_data is none, personal or sensitive");
    return 0;
}

/* Check the query and step the page's rows into pg (collected or written). */
static int system_page(struct db *db, const struct org_actor *who,
                       const struct system_list_query *q, struct cat_page *pg,
                       struct json_problem *p)
{
    struct system_filter f = {0};
    char org[ORG_CODE_MAX + 1];
    const char *why;
    int rc = cat_page_start(pg, q->limit, q->cursor, q->sort, q->q, p);
    if (!rc)
        rc = cat_filter(q->organisation, "organisation", &f.list.organisation, p);
    if (!rc && f.list.organisation)
        f.list.organisation = org_code_normalise(f.list.organisation, org, &why) ? "" : org;
    if (!rc)
        rc = cat_filter(q->owner, "owner", &f.list.owner, p);
    if (!rc && q->lifecycle && *q->lifecycle && lifecycle_check(q->lifecycle, &why))
        rc = cat_reject(p, 422, "invalid_value", "lifecycle", "%s", why);
    if (!rc && q->lifecycle && *q->lifecycle)
        f.lifecycle = q->lifecycle;
    if (!rc)
        rc = cat_level_filter(q->level, "level", &f.level, p);
    if (!rc)
        rc = personal_level(q->personal_data, &f.personal, p);
    f.mine = q->mine;
    cat_list_filter_page(&f.list, pg);
    if (!rc)
        rc = cat_sql_system_list(db, who, &f, pg);
    return rc;
}

int system_list(struct db *db, const struct org_actor *who, const struct system_list_query *q,
                json_t **out, struct json_problem *p)
{
    struct cat_page pg = {.kind = 's'};
    int rc = system_page(db, who, q, &pg, p);
    for (size_t i = 0; !rc && i < json_array_size(pg.items); i++)
        with_level_name(json_array_get(pg.items, i));
    return cat_page_end(&pg, rc, out);
}

int system_list_write(struct db *db, const struct org_actor *who, const struct system_list_query *q,
                      struct buf *out, struct json_problem *p)
{
    struct cat_page pg = {.kind = 's', .out = out}; /* the stored items (system_item_render) */
    return cat_page_end_written(&pg, system_page(db, who, q, &pg, p));
}

/* ---- components ---- */

static int system_of(struct db *db, const struct org_actor *who, const char *external_id,
                     json_t **sys)
{
    const char *why;
    if (cat_external_id_check(external_id, &why))
        return ERR_NOTFOUND;
    return cat_sql_system_find(db, who, external_id, sys);
}

int component_list(struct db *db, const struct org_actor *who, const char *system_external_id,
                   json_t **out)
{
    json_t *sys = NULL, *items = json_array(), *pub = json_array();
    int rc = system_of(db, who, system_external_id, &sys);
    if (!rc)
        rc = cat_sql_component_list(db, hidden(sys, "_id"), items);
    for (size_t i = 0; !rc && i < json_array_size(items); i++)
        rc = json_array_append_new(pub, cat_public(json_array_get(items, i))) ? ERR_NOMEM : 0;
    if (!rc)
        *out = json_pack("{s:O, s:n}", "items", pub, "next_cursor");
    json_decref(sys);
    json_decref(items);
    json_decref(pub);
    return rc;
}

/* next = cur with in applied, checked. */
static int component_apply(json_t *in, json_t *cur, json_t *next, struct json_problem *p)
{
    static const char *const kinds[] = {"hardware", "software", "licence", NULL};
    const char *why;
    json_object_update(next, in);
    if (changed(in, cur, "kind") && !one_of(member(next, "kind"), kinds))
        return cat_reject(p, 422, "invalid_kind", "kind",
                          "the kind of a component is hardware, software or licence");
    if (changed(in, cur, "name") && org_name_check(member(next, "name"), &why))
        return cat_reject(p, 422, "invalid_name", "name", "%s", why);
    if (changed(in, cur, "cpe") && member(next, "cpe") && cpe_check(member(next, "cpe"), &why))
        return cat_reject(p, 422, "invalid_cpe", "cpe", "%s", why);
    return 0;
}

/* Store next (a new component when cur is empty) and audit it. */
static int component_store(struct db *db, const struct org_actor *who, json_t *sys, json_t *cur,
                           json_t *next, json_t **out)
{
    char at[CLOCK_ISO_LEN], object_id[24];
    json_t *after = NULL, *before = json_object_size(cur) ? cat_public(cur) : NULL;
    int64_t cid = 0;
    clock_format(clock_now(), at);
    int rc = cat_sql_component_save(db, hidden(sys, "_id"), next, at, &cid);
    if (!rc)
        rc = cat_sql_component_find(db, hidden(sys, "_id"), cid, &after);
    if (!rc)
        *out = cat_public(after);
    str_format(object_id, sizeof(object_id), "%lld", (long long)cid);
    if (!rc)
        rc = cat_audit(db, who, before ? "component.update" : "component.create", "component",
                       object_id, hidden(sys, "_organisation_id"), before, *out);
    json_decref(before);
    json_decref(after);
    return rc;
}

static int component_save(struct db *db, const struct org_actor *who, const char *sys_id,
                          const char *id, json_t *in, json_t **out, enum org_outcome *outcome,
                          struct json_problem *p)
{
    json_t *sys = NULL, *cur = NULL, *next = NULL;
    int64_t n = 0;
    int rc = system_of(db, who, sys_id, &sys);
    if (!rc && id && str_to_int64(id, 1, INT64_MAX, &n))
        rc = ERR_NOTFOUND;
    if (!rc)
        rc = id ? cat_sql_component_find(db, hidden(sys, "_id"), n, &cur)
                : ((cur = json_object()) ? 0 : ERR_NOMEM);
    if (!rc) {
        next = json_deep_copy(cur);
        rc = component_apply(in, cur, next, p);
    }
    if (outcome)
        *outcome = !id ? ORG_CREATED : json_equal(cur, next) ? ORG_UNCHANGED : ORG_UPDATED;
    if (!rc && id && json_equal(cur, next))
        *out = cat_public(cur); /* nothing changes */
    else if (!rc)
        rc = component_store(db, who, sys, cur, next, out);
    json_decref(sys);
    json_decref(cur);
    json_decref(next);
    return rc;
}

int component_create(struct db *db, const struct org_actor *who, const char *system_external_id,
                     json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, component_save(db, who, system_external_id, NULL, body, out, NULL, p),
                      out);
}

int component_update(struct db *db, const struct org_actor *who, const char *system_external_id,
                     const char *id, json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    if (!id)
        return ERR_NOTFOUND;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, component_save(db, who, system_external_id, id, body, out, NULL, p), out);
}

static int component_remove(struct db *db, const struct org_actor *who, const char *sys_id,
                            const char *id)
{
    json_t *sys = NULL, *cur = NULL, *before = NULL;
    int64_t n = 0;
    int rc = system_of(db, who, sys_id, &sys);
    if (!rc && (!id || str_to_int64(id, 1, INT64_MAX, &n)))
        rc = ERR_NOTFOUND;
    if (!rc)
        rc = cat_sql_component_find(db, hidden(sys, "_id"), n, &cur);
    if (!rc)
        rc = cat_sql_component_delete(db, n);
    if (!rc) {
        before = cat_public(cur);
        rc = cat_audit(db, who, "component.delete", "component", id,
                       hidden(sys, "_organisation_id"), before, NULL);
    }
    json_decref(sys);
    json_decref(cur);
    json_decref(before);
    return rc;
}

int component_delete(struct db *db, const struct org_actor *who, const char *system_external_id,
                     const char *id, struct json_problem *p)
{
    (void)p;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, component_remove(db, who, system_external_id, id), NULL);
}

/* ---- for the import: inside the caller's transaction ---- */

int system_import_save(struct db *db, const struct org_actor *who, json_t *body,
                       enum org_outcome *outcome, struct json_problem *p)
{
    json_t *out = NULL;
    const char *ext = member(body, "external_id");
    bool taken = false;
    int rc = cat_sql_system_taken(db, ext, &taken);
    if (!rc)
        rc = system_save(db, who, taken ? ext : NULL, body, &out, outcome, p);
    json_decref(out);
    return rc;
}

int component_import_save(struct db *db, const struct org_actor *who,
                          const char *system_external_id, json_t *body, enum org_outcome *outcome,
                          struct json_problem *p)
{
    json_t *sys = NULL, *items = json_array(), *out = NULL;
    char id[24] = "";
    int rc = system_of(db, who, system_external_id, &sys);
    if (rc == ERR_NOTFOUND)
        rc = cat_reject(p, 422, "unknown_system", "system_external_id",
                        "there is no system with external id '%s'", cat_shown(system_external_id));
    if (!rc)
        rc = cat_sql_component_list(db, hidden(sys, "_id"), items);
    for (size_t i = 0; !rc && !id[0] && i < json_array_size(items); i++) {
        json_t *c = json_array_get(items, i);
        const char *kind = member(c, "kind"), *name = member(c, "name");
        if (kind && name && strcmp(kind, member(body, "kind")) == 0 &&
            strcmp(name, member(body, "name")) == 0)
            str_format(id, sizeof(id), "%lld",
                       (long long)json_integer_value(json_object_get(c, "id")));
    }
    if (!rc)
        rc = component_save(db, who, system_external_id, id[0] ? id : NULL, body, &out, outcome, p);
    json_decref(sys);
    json_decref(items);
    json_decref(out);
    return rc;
}

/* ---- organisations using a system and its dependencies ---- */

/* The users and dependencies of sys added to out as "users" and "dependencies". */
static int with_relations(struct db *db, const struct org_actor *who, int64_t system_id,
                          json_t *out)
{
    json_t *users = json_array(), *deps = json_array();
    int rc = cat_sql_relations(db, who, CAT_REL_USER, system_id, users);
    if (!rc)
        rc = cat_sql_relations(db, who, CAT_REL_DEPENDENCY, system_id, deps);
    if (!rc)
        rc = json_object_set(out, "users", users) || json_object_set(out, "dependencies", deps)
                 ? ERR_NOMEM
                 : 0;
    json_decref(users);
    json_decref(deps);
    return rc;
}

static int relation_apply(struct db *db, const struct org_actor *who, const char *sys_ext,
                          bool dependency, const char *other, bool on, struct json_problem *p)
{
    json_t *sys = NULL, *dep = NULL, *entry = NULL;
    struct org_row org = {0};
    char code[ORG_CODE_MAX + 1];
    const char *why;
    int64_t other_id = 0;
    bool exists = false;
    int rc = system_of(db, who, sys_ext, &sys);
    if (!rc && dependency) {
        rc = system_of(db, who, other, &dep);
        other_id = rc ? 0 : hidden(dep, "_id");
        if (!rc && other_id == hidden(sys, "_id"))
            rc = cat_reject(p, 422, "self_dependency", NULL, "a system cannot depend on itself");
    } else if (!rc) {
        rc = !other || org_code_normalise(other, code, &why)
                 ? ERR_NOTFOUND
                 : org_sql_org_find(db, who, code, &org);
        other_id = org.id;
    }
    if (!rc)
        rc = cat_sql_relation_exists(db, dependency ? CAT_REL_DEPENDENCY : CAT_REL_USER,
                                     hidden(sys, "_id"), other_id, &exists);
    if (!rc && !on && !exists)
        rc = ERR_NOTFOUND;
    if (!rc && on != exists) {
        rc = cat_sql_relation_set(db, dependency ? CAT_REL_DEPENDENCY : CAT_REL_USER,
                                  hidden(sys, "_id"), other_id, on);
        entry =
            json_pack("{s:s, s:s}", "system", sys_ext, dependency ? "depends_on" : "organisation",
                      dependency ? other : org.code);
        if (!rc && !entry)
            rc = ERR_NOMEM;
        if (!rc)
            rc = cat_audit(db, who,
                           dependency
                               ? (on ? "system_dependency.create" : "system_dependency.delete")
                               : (on ? "system_user.create" : "system_user.delete"),
                           "system", sys_ext, hidden(sys, "_organisation_id"), on ? NULL : entry,
                           on ? entry : NULL);
    }
    json_decref(sys);
    json_decref(dep);
    json_decref(entry);
    return rc;
}

int system_relation(struct db *db, const struct org_actor *who, const char *system_external_id,
                    bool dependency, const char *other, bool on, struct json_problem *p)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, relation_apply(db, who, system_external_id, dependency, other, on, p),
                      NULL);
}

/* ---- supplier contracts ---- */

/* A supplier in reach by code; another kind is ERR_NOTFOUND, or not_a_supplier when p. */
static int supplier_of(struct db *db, const struct org_actor *who, const char *given,
                       struct org_row *org, struct json_problem *p)
{
    char code[ORG_CODE_MAX + 1];
    const char *why;
    int rc = !given || org_code_normalise(given, code, &why) ? ERR_NOTFOUND
                                                             : org_sql_org_find(db, who, code, org);
    if (!rc && strcmp(org->kind, "supplier") != 0)
        rc = p ? cat_reject(p, 422, "not_a_supplier", NULL,
                            "'%s' is not an organisation of kind supplier: only suppliers have a "
                            "contract",
                            org->code)
               : ERR_NOTFOUND;
    return rc;
}

/* The contract of org as its API object (nulls when none is recorded). */
static int contract_of(struct db *db, const struct org_row *org, json_t **out)
{
    json_t *row = NULL;
    int rc = cat_sql_contract_get(db, org->id, &row);
    if (rc == ERR_NOTFOUND) {
        rc = 0;
        row = json_pack("{s:n, s:n, s:n}", "contract_reference", "contract_end", "updated_at");
    }
    if (!rc && !row)
        rc = ERR_NOMEM;
    if (!rc && json_object_set_new(row, "organisation", json_string(org->code)))
        rc = ERR_NOMEM;
    if (!rc)
        *out = row;
    else
        json_decref(row);
    return rc;
}

int supplier_contract_get(struct db *db, const struct org_actor *who, const char *code,
                          json_t **out)
{
    struct org_row org = {0};
    int rc = supplier_of(db, who, code, &org, NULL);
    return rc ? rc : contract_of(db, &org, out);
}

static int contract_save(struct db *db, const struct org_actor *who, const char *code, json_t *in,
                         json_t **out, struct json_problem *p)
{
    struct org_row org = {0};
    char at[CLOCK_ISO_LEN];
    json_t *cur = NULL;
    const char *why, *ref = member(in, "contract_reference"), *end = member(in, "contract_end");
    int rc = supplier_of(db, who, code, &org, p);
    if (!rc && end && org_date_check(end, &why))
        rc = cat_reject(p, 422, "invalid_date", "contract_end", "%s", why);
    if (!rc)
        rc = contract_of(db, &org, &cur);
    if (!rc &&
        json_equal(json_object_get(cur, "contract_reference"),
                   json_object_get(in, "contract_reference")) &&
        (end ? json_equal(json_object_get(cur, "contract_end"), json_object_get(in, "contract_end"))
             : json_is_null(json_object_get(cur, "contract_end")))) {
        *out = cur; /* nothing changes: nothing written, nothing audited */
        return 0;
    }
    clock_format(clock_now(), at);
    if (!rc)
        rc = cat_sql_contract_put(db, org.id, ref, end, at);
    if (!rc)
        rc = contract_of(db, &org, out);
    if (!rc)
        rc = cat_audit(db, who, "supplier_contract.update", "organisation", org.code, org.id,
                       json_is_null(json_object_get(cur, "contract_reference")) ? NULL : cur, *out);
    json_decref(cur);
    return rc;
}

int supplier_contract_put(struct db *db, const struct org_actor *who, const char *code,
                          json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, contract_save(db, who, code, body, out, p), out);
}
