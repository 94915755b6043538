/* Classification's logic: K/R/T on the 0-4 scale, the yearly review date, the high-water mark
 * with raises by hand, and the requirements at a system's levels. No SQL and no HTTP here. */
#include "classification/classification.h"
#include "classification/classification_sql.h"
#include "catalog/cat_common.h"
#include "catalog/catalog_sql.h"
#include "org/org_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json_write.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

static const char *const aspects[] = {"k", "r", "t"};

int classification_review_due(const char *classified_at, char out[ORG_DATE_LEN + 1])
{
    char year[5];
    int64_t y;
    if (!classified_at || strlen(classified_at) < ORG_DATE_LEN ||
        str_format(year, sizeof(year), "%.4s", classified_at) || str_to_int64(year, 1, 9998, &y))
        return ERR_INVALID;
    const char *md = classified_at + 5;
    bool leap_day = strncmp(md, "02-29", 5) == 0;
    return str_format(out, ORG_DATE_LEN + 1, "%04lld-%.5s", (long long)(y + 1),
                      leap_day ? "02-28" : md)
               ? ERR_INVALID
               : 0;
}

static const char *member(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static int64_t hidden(json_t *o, const char *name)
{
    return json_integer_value(json_object_get(o, name));
}

static bool changed(json_t *in, json_t *cur, const char *name)
{
    json_t *v = json_object_get(in, name);
    return v && !json_equal(v, json_object_get(cur, name));
}

/* ---- the levels of a system ---- */

/* Recompute and store the levels in force of system_id from its information and raises. */
static int levels_refresh(struct db *db, const struct org_actor *who, int64_t system_id)
{
    json_t *infos = json_array(), *raises = json_array();
    int64_t krt[3] = {0, 0, 0}, personal = 0;
    int rc = cls_sql_linked_info(db, who, system_id, infos);
    if (!rc)
        rc = cls_sql_raises(db, system_id, raises);
    for (size_t i = 0; !rc && i < json_array_size(infos); i++) {
        json_t *info = json_array_get(infos, i);
        for (int a = 0; a < 3; a++) {
            int64_t v = hidden(info, aspects[a]);
            krt[a] = v > krt[a] ? v : krt[a];
        }
        int64_t pd = hidden(info, "personal");
        personal = pd > personal ? pd : personal;
    }
    for (size_t i = 0; !rc && i < json_array_size(raises); i++) {
        json_t *raise = json_array_get(raises, i);
        for (int a = 0; a < 3; a++)
            if (strcmp(member(raise, "aspect"), aspects[a]) == 0 && hidden(raise, "level") > krt[a])
                krt[a] = hidden(raise, "level");
    }
    if (!rc)
        rc = cls_sql_levels_set(db, system_id, krt, personal);
    json_decref(infos);
    json_decref(raises);
    return rc;
}

/* The protection of a system (see classification.h) from its links and raises. */
static int protection_of(struct db *db, const struct org_actor *who, int64_t system_id,
                         json_t **out)
{
    json_t *infos = json_array(), *raises = json_array();
    int rc = cls_sql_linked_info(db, who, system_id, infos);
    if (!rc)
        rc = cls_sql_raises(db, system_id, raises);
    json_t *prot = rc ? NULL : json_object();
    for (int a = 0; prot && a < 3; a++) {
        int64_t inherited = 0, level;
        json_t *driver = NULL, *raised = json_null();
        for (size_t i = 0; i < json_array_size(infos); i++) {
            json_t *info = json_array_get(infos, i);
            if (!driver || hidden(info, aspects[a]) > inherited) {
                inherited = hidden(info, aspects[a]);
                driver = info;
            }
        }
        for (size_t i = 0; i < json_array_size(raises); i++) {
            json_t *r = json_array_get(raises, i);
            if (strcmp(member(r, "aspect"), aspects[a]) == 0)
                raised = json_pack("{s:O, s:O, s:O, s:O, s:O}", "level",
                                   json_object_get(r, "level"), "reason",
                                   json_object_get(r, "reason"), "note", json_object_get(r, "note"),
                                   "by", json_object_get(r, "by"), "at", json_object_get(r, "at"));
        }
        level = inherited;
        if (json_is_object(raised) && hidden(raised, "level") > level)
            level = hidden(raised, "level");
        bool visible = driver && json_is_true(json_object_get(driver, "visible"));
        json_t *driven_by =
            visible ? json_pack("{s:O, s:O}", "external_id", json_object_get(driver, "external_id"),
                                "name", json_object_get(driver, "name"))
                    : json_null();
        json_object_set_new(prot, aspects[a],
                            json_pack("{s:I, s:s, s:I, s:o, s:o}", "level", (json_int_t)level,
                                      "level_name_sv", cat_level_name_sv((int)level), "inherited",
                                      (json_int_t)inherited, "driven_by", driven_by, "raised",
                                      raised));
    }
    /* The information the system processes, as far as the caller reaches it. */
    json_t *linked = prot ? json_array() : NULL;
    static const char *const pd_names[] = {"none", "personal", "sensitive"};
    for (size_t i = 0; linked && i < json_array_size(infos); i++) {
        json_t *info = json_array_get(infos, i);
        int64_t pd = hidden(info, "personal");
        if (!json_is_true(json_object_get(info, "visible")))
            continue;
        json_array_append_new(linked, json_pack("{s:O, s:O, s:I, s:I, s:I, s:s}", "external_id",
                                                json_object_get(info, "external_id"), "name",
                                                json_object_get(info, "name"), "k",
                                                (json_int_t)hidden(info, "k"), "r",
                                                (json_int_t)hidden(info, "r"), "t",
                                                (json_int_t)hidden(info, "t"), "personal_data",
                                                pd_names[pd >= 0 && pd <= 2 ? pd : 0]));
    }
    if (prot)
        json_object_set_new(prot, "information", linked);
    json_decref(infos);
    json_decref(raises);
    *out = prot;
    return rc;
}

static int system_of(struct db *db, const struct org_actor *who, const char *external_id,
                     json_t **sys)
{
    const char *why;
    if (cat_external_id_check(external_id, &why))
        return ERR_NOTFOUND;
    return cat_sql_system_find(db, who, external_id, sys);
}

int system_protection(struct db *db, const struct org_actor *who, const char *external_id,
                      json_t **out)
{
    json_t *sys = NULL;
    int rc = system_of(db, who, external_id, &sys);
    if (!rc)
        rc = protection_of(db, who, hidden(sys, "_id"), out);
    json_decref(sys);
    return rc;
}

static int raise_check(json_t *in, json_t *prot, int *aspect, struct json_problem *p)
{
    static const char *const reasons[] = {"accumulation", "aggregation", "integration", "other"};
    const char *a = member(in, "aspect"), *reason = member(in, "reason");
    bool known = false;
    *aspect = -1;
    for (int i = 0; a && i < 3; i++)
        if (strcmp(a, aspects[i]) == 0)
            *aspect = i;
    if (*aspect < 0)
        return cat_reject(p, 422, "invalid_aspect", "aspect", "the aspect is k, r or t");
    for (size_t i = 0; reason && i < sizeof(reasons) / sizeof(reasons[0]); i++)
        known = known || strcmp(reason, reasons[i]) == 0;
    if (!known)
        return cat_reject(p, 422, "invalid_reason", "reason",
                          "the reason is accumulation, aggregation, integration or other");
    if (strcmp(reason, "other") == 0 && !member(in, "note"))
        return cat_reject(p, 422, "note_required", "note",
                          "a raise for another reason needs a note");
    int64_t inherited = hidden(json_object_get(prot, a), "inherited");
    int64_t level = hidden(in, "level");
    if (level < inherited)
        return cat_reject(p, 422, "below_inherited", "level",
                          "%s cannot be set to %lld: the information the system processes gives "
                          "it %lld, and a level is never set below the inherited one",
                          a, (long long)level, (long long)inherited);
    return 0;
}

static int raise_apply(struct db *db, const struct org_actor *who, const char *external_id,
                       json_t *in, json_t **out, struct json_problem *p)
{
    char at[CLOCK_ISO_LEN];
    json_t *sys = NULL, *before = NULL;
    int aspect;
    int rc = system_of(db, who, external_id, &sys);
    if (!rc)
        rc = protection_of(db, who, hidden(sys, "_id"), &before);
    if (!rc)
        rc = raise_check(in, before, &aspect, p);
    clock_format(clock_now(), at);
    if (!rc)
        rc = cls_sql_raise_put(db, hidden(sys, "_id"), aspects[aspect], hidden(in, "level"),
                               member(in, "reason"), member(in, "note"), who->actor, at);
    if (!rc)
        rc = levels_refresh(db, who, hidden(sys, "_id"));
    if (!rc)
        rc = protection_of(db, who, hidden(sys, "_id"), out);
    if (!rc)
        rc = cat_audit(db, who, "system.raise", "system", external_id,
                       hidden(sys, "_organisation_id"), before, *out);
    json_decref(sys);
    json_decref(before);
    return rc;
}

int system_raise(struct db *db, const struct org_actor *who, const char *external_id, json_t *body,
                 json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, raise_apply(db, who, external_id, body, out, p), out);
}

static int system_level_of(json_t *sys, const char *aspect)
{
    if (strcmp(aspect, "personal_data") == 0) {
        const char *pd = member(sys, "personal_data");
        return strcmp(pd, "sensitive") == 0 ? 2 : strcmp(pd, "personal") == 0 ? 1 : 0;
    }
    return (int)hidden(sys, aspect);
}

int system_requirements(struct db *db, const struct org_actor *who, const char *external_id,
                        json_t **out)
{
    json_t *sys = NULL, *rules = json_array(), *items = json_array();
    int rc = system_of(db, who, external_id, &sys);
    if (!rc)
        rc = cls_sql_rules(db, hidden(sys, "_organisation_id"), rules);
    bool planned = !rc && strcmp(member(sys, "lifecycle"), "planned") == 0;
    for (size_t i = 0; !rc && i < json_array_size(rules); i++) {
        json_t *rule = json_array_get(rules, i), *met = json_null();
        if (system_level_of(sys, member(rule, "aspect")) < hidden(rule, "min_level") ||
            (planned && !json_is_true(json_object_get(rule, "applies_to_planned"))))
            continue;
        if (strcmp(member(rule, "code"), "mfa") == 0)
            met = json_boolean(json_is_true(json_object_get(sys, "mfa_enforced")));
        json_object_del(rule, "applies_to_planned");
        json_object_set_new(rule, "met", met);
        rc = json_array_append(items, rule) ? ERR_NOMEM : 0;
    }
    if (!rc)
        *out = json_pack("{s:O, s:O, s:b, s:{s:O, s:O, s:O, s:O}, s:O}", "external_id",
                         json_object_get(sys, "external_id"), "lifecycle",
                         json_object_get(sys, "lifecycle"), "kravlista", planned, "levels", "k",
                         json_object_get(sys, "k"), "r", json_object_get(sys, "r"), "t",
                         json_object_get(sys, "t"), "personal_data",
                         json_object_get(sys, "personal_data"), "items", items);
    json_decref(sys);
    json_decref(rules);
    json_decref(items);
    return rc;
}

/* ---- links ---- */

static int link_apply(struct db *db, const struct org_actor *who, const char *sys_ext,
                      const char *info_ext, bool link)
{
    json_t *sys = NULL, *info = NULL, *entry = NULL;
    const char *why;
    bool exists = false;
    int rc = system_of(db, who, sys_ext, &sys);
    if (!rc)
        rc = cat_external_id_check(info_ext, &why) ? ERR_NOTFOUND
                                                   : cls_sql_info_find(db, who, info_ext, &info);
    if (!rc)
        rc = cls_sql_link_exists(db, hidden(sys, "_id"), hidden(info, "_id"), &exists);
    if (!rc && !link && !exists)
        rc = ERR_NOTFOUND;
    if (!rc && link != exists) {
        rc = link ? cls_sql_link_insert(db, hidden(sys, "_id"), hidden(info, "_id"))
                  : cls_sql_link_delete(db, hidden(sys, "_id"), hidden(info, "_id"));
        entry = json_pack("{s:s, s:s}", "system", sys_ext, "information", info_ext);
        if (!rc)
            rc = levels_refresh(db, who, hidden(sys, "_id"));
        if (!rc)
            rc = cat_audit(
                db, who, link ? "system_information.create" : "system_information.delete", "system",
                sys_ext, hidden(sys, "_organisation_id"), link ? NULL : entry, link ? entry : NULL);
    }
    json_decref(sys);
    json_decref(info);
    json_decref(entry);
    return rc;
}

int information_link(struct db *db, const struct org_actor *who, const char *system_external_id,
                     const char *info_external_id, bool link)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, link_apply(db, who, system_external_id, info_external_id, link), NULL);
}

/* ---- information assets ---- */

static int person_ref(struct db *db, const struct org_actor *who, const char *uid, int64_t org_id,
                      int64_t *id, struct json_problem *p)
{
    struct person_row person = {0};
    const char *why;
    bool holds = false;
    if (!uid || person_user_id_check(uid, &why))
        return cat_unknown_person(p, "information_owner", uid);
    int rc = org_sql_person_find(db, who, uid, &person);
    if (rc == ERR_NOTFOUND)
        return cat_unknown_person(p, "information_owner", uid);
    if (!rc)
        rc = cat_sql_holds_role(db, person.id, "information_owner", org_id, &holds);
    if (!rc && !holds)
        return cat_reject(p, 422, "missing_role", "information_owner",
                          "%s does not hold the role information_owner in the owning organisation "
                          "or above it",
                          person.user_id);
    *id = person.id;
    return rc;
}

static int org_ref(struct db *db, const struct org_actor *who, const char *given, int64_t *id,
                   struct json_problem *p)
{
    struct org_row org = {0};
    char code[ORG_CODE_MAX + 1];
    const char *why;
    if (!given || org_code_normalise(given, code, &why))
        return cat_unknown_org(p, "organisation", given);
    int rc = org_sql_org_find(db, who, code, &org);
    if (rc == ERR_NOTFOUND)
        return cat_unknown_org(p, "organisation", code);
    *id = org.id;
    return rc;
}

/* next = cur with in applied, checked into w; *classify when k, r or t was given. */
static int info_apply(struct db *db, const struct org_actor *who, json_t *in, json_t *cur,
                      json_t *next, struct information_write *w, struct json_problem *p)
{
    static const char *const pd[] = {"none", "personal", "sensitive"};
    const char *why;
    bool known = false, org_changed = changed(in, cur, "organisation");
    json_object_update(next, in);
    w->external_id = member(next, "external_id");
    w->name = member(next, "name");
    w->description = member(next, "description");
    w->personal_data = member(next, "personal_data");
    w->secrecy_reference = member(next, "secrecy_reference");
    w->k = hidden(next, "k");
    w->r = hidden(next, "r");
    w->t = hidden(next, "t");
    w->organisation_id = hidden(cur, "_organisation_id");
    w->owner_id = hidden(cur, "_owner_id");
    if (changed(in, cur, "name") && org_name_check(w->name, &why))
        return cat_reject(p, 422, "invalid_name", "name", "%s", why);
    for (size_t i = 0; w->personal_data && i < 3; i++)
        known = known || strcmp(w->personal_data, pd[i]) == 0;
    if (!known)
        return cat_reject(p, 422, "invalid_personal_data", "personal_data",
                          "personal_data is none, personal or sensitive (GDPR art. 9)");
    int rc =
        org_changed ? org_ref(db, who, member(next, "organisation"), &w->organisation_id, p) : 0;
    if (!rc && (org_changed || changed(in, cur, "information_owner")))
        rc = person_ref(db, who, member(next, "information_owner"), w->organisation_id,
                        &w->owner_id, p);
    return rc;
}

static int info_write_out(struct db *db, const struct org_actor *who, json_t *cur,
                          struct information_write *w, bool classify, const char *classified_on,
                          json_t **out)
{
    char at[CLOCK_ISO_LEN], due[ORG_DATE_LEN + 1];
    json_t *after = NULL, *ids = json_array(), *before = cur ? cat_public(cur) : NULL;
    clock_format(clock_now(), at);
    if (classified_on && str_format(at, sizeof(at), "%.10sT00:00:00Z", classified_on))
        clock_format(clock_now(), at);
    if (classify) {
        w->classified_at = at;
        w->classified_by = who->actor;
        w->review_due = classification_review_due(at, due) ? NULL : due;
    }
    int rc = cur ? cls_sql_info_update(db, w, at) : cls_sql_info_insert(db, w, at);
    if (!rc && cur)
        rc = cls_sql_systems_of_info(db, w->id, ids);
    for (size_t i = 0; !rc && i < json_array_size(ids); i++)
        rc = levels_refresh(db, who, hidden(json_array_get(ids, i), "_id"));
    if (!rc)
        rc = cls_sql_info_by_id(db, w->id, &after);
    if (!rc)
        *out = cat_public(after);
    if (!rc)
        rc = cat_audit(db, who, cur ? "information.update" : "information.create", "information",
                       w->external_id, w->organisation_id, before, *out);
    json_decref(before);
    json_decref(after);
    json_decref(ids);
    return rc;
}

static json_t *with_level_names(json_t *o)
{
    json_t *names = json_object();
    for (int a = 0; a < 3; a++)
        json_object_set_new(names, aspects[a],
                            json_string(cat_level_name_sv((int)hidden(o, aspects[a]))));
    json_object_set_new(o, "level_names_sv", names);
    return o;
}

static int info_save(struct db *db, const struct org_actor *who, const char *key, json_t *in,
                     json_t **out, enum org_outcome *outcome, struct json_problem *p)
{
    const char *classified_on = member(in, "classified_at"); /* the import's date, or NULL */
    json_t *cur = NULL, *next = NULL, *none = json_object();
    struct information_write w = {0};
    const char *why;
    bool taken = false;
    bool classify =
        !key || json_object_get(in, "k") || json_object_get(in, "r") || json_object_get(in, "t");
    int rc = 0;
    if (key) {
        rc =
            cat_external_id_check(key, &why) ? ERR_NOTFOUND : cls_sql_info_find(db, who, key, &cur);
        if (!rc && changed(in, cur, "external_id"))
            rc = cat_reject(p, 422, "immutable", "external_id",
                            "the external id of an information asset cannot change");
    } else {
        cur = json_pack("{s:s, s:s, s:n}", "description", "", "personal_data", "none",
                        "secrecy_reference");
        rc = cat_external_id_check(member(in, "external_id"), &why)
                 ? cat_reject(p, 422, "invalid_external_id", "external_id", "%s", why)
                 : cls_sql_info_taken(db, member(in, "external_id"), &taken);
        if (!rc && taken)
            rc = cat_reject(p, 409, "duplicate", "external_id",
                            "an information asset with external id '%s' exists",
                            member(in, "external_id"));
    }
    if (!rc) {
        next = json_deep_copy(cur);
        rc = info_apply(db, who, in, key ? cur : none, next, &w, p);
    }
    w.id = hidden(cur, "_id");
    w.classified_at = member(cur, "classified_at");
    w.classified_by = member(cur, "classified_by");
    w.review_due = member(cur, "review_due");
    if (outcome)
        *outcome = !key                                 ? ORG_CREATED
                   : !classify && json_equal(cur, next) ? ORG_UNCHANGED
                                                        : ORG_UPDATED;
    if (!rc && key && !classify && json_equal(cur, next))
        *out = cat_public(cur); /* nothing changes: nothing written, nothing audited */
    else if (!rc)
        rc = info_write_out(db, who, key ? cur : NULL, &w, classify, classified_on, out);
    if (!rc)
        with_level_names(*out);
    json_decref(cur);
    json_decref(next);
    json_decref(none);
    return rc;
}

int information_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                       struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, info_save(db, who, NULL, body, out, NULL, p), out);
}

int information_update(struct db *db, const struct org_actor *who, const char *external_id,
                       json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, info_save(db, who, external_id, body, out, NULL, p), out);
}

int information_get(struct db *db, const struct org_actor *who, const char *external_id,
                    json_t **out)
{
    json_t *row = NULL;
    const char *why;
    if (cat_external_id_check(external_id, &why))
        return ERR_NOTFOUND;
    int rc = cls_sql_info_find(db, who, external_id, &row);
    if (!rc)
        *out = with_level_names(cat_public(row));
    json_decref(row);
    return rc;
}

/* Check the query and step the page's rows into pg (collected or written). */
static int information_page(struct db *db, const struct org_actor *who,
                            const struct information_list_query *q, struct cat_page *pg,
                            struct json_problem *p)
{
    struct information_filter f = {0};
    char org[ORG_CODE_MAX + 1];
    const char *why;
    int rc = cat_page_start(pg, q->limit, q->cursor, q->sort, q->q, p);
    if (!rc)
        rc = cat_filter(q->organisation, "organisation", &f.list.organisation, p);
    if (!rc && f.list.organisation)
        f.list.organisation = org_code_normalise(f.list.organisation, org, &why) ? "" : org;
    if (!rc)
        rc = cat_filter(q->owner, "owner", &f.list.owner, p);
    if (!rc)
        rc = cat_level_filter(q->k, "k", &f.k, p);
    if (!rc)
        rc = cat_level_filter(q->r, "r", &f.r, p);
    if (!rc)
        rc = cat_level_filter(q->t, "t", &f.t, p);
    if (!rc)
        rc = cat_filter(q->personal_data, "personal_data", &f.personal_data, p);
    if (!rc && f.personal_data && strcmp(f.personal_data, "none") != 0 &&
        strcmp(f.personal_data, "personal") != 0 && strcmp(f.personal_data, "sensitive") != 0)
        rc = cat_reject(p, 422, "invalid_value", "personal_data",
                        "personal_data is none, personal or sensitive");
    if (!rc)
        rc = cat_filter(q->review_due_before, "review_due_before", &f.review_before, p);
    if (!rc && f.review_before && org_date_check(f.review_before, &why))
        rc = cat_reject(p, 422, "invalid_value", "review_due_before", "%s", why);
    f.mine = q->mine;
    cat_list_filter_page(&f.list, pg);
    if (!rc)
        rc = cls_sql_info_list(db, who, &f, pg);
    return rc;
}

int information_list(struct db *db, const struct org_actor *who,
                     const struct information_list_query *q, json_t **out, struct json_problem *p)
{
    struct cat_page pg = {.kind = 'i'};
    int rc = information_page(db, who, q, &pg, p);
    for (size_t i = 0; !rc && i < json_array_size(pg.items); i++)
        with_level_names(json_array_get(pg.items, i));
    return cat_page_end(&pg, rc, out);
}

int information_list_write(struct db *db, const struct org_actor *who,
                           const struct information_list_query *q, struct buf *out,
                           struct json_problem *p)
{
    struct cat_page pg = {.kind = 'i', .out = out}; /* the stored items (information_item_render) */
    return cat_page_end_written(&pg, information_page(db, who, q, &pg, p));
}

/* ---- for the import: inside the caller's transaction ---- */

static bool listed(const char *const *systems, int n, const char *ext)
{
    for (int i = 0; i < n; i++)
        if (strcmp(systems[i], ext) == 0)
            return true;
    return false;
}

/* Make the systems of info_ext exactly systems[0..n): link the missing, unlink the others;
 * *changed when anything was. */
static int links_set(struct db *db, const struct org_actor *who, const char *info_ext,
                     const char *const *systems, int n, bool *changed_any, struct json_problem *p)
{
    json_t *info = NULL, *ids = json_array(), *sys = NULL;
    bool exists = false;
    int rc = cls_sql_info_find(db, who, info_ext, &info);
    for (int i = 0; !rc && i < n; i++) {
        rc = system_of(db, who, systems[i], &sys);
        if (rc == ERR_NOTFOUND)
            rc = cat_reject(p, 422, "unknown_system", "systems",
                            "there is no system with external id '%s'", cat_shown(systems[i]));
        if (!rc)
            rc = cls_sql_link_exists(db, hidden(sys, "_id"), hidden(info, "_id"), &exists);
        if (!rc && !exists) {
            rc = link_apply(db, who, systems[i], info_ext, true);
            *changed_any = true;
        }
        json_decref(sys);
        sys = NULL;
    }
    if (!rc)
        rc = cls_sql_systems_of_info(db, hidden(info, "_id"), ids);
    for (size_t i = 0; !rc && i < json_array_size(ids); i++) {
        rc = cat_sql_system_by_id(db, hidden(json_array_get(ids, i), "_id"), &sys);
        const char *ext = rc ? NULL : member(sys, "external_id");
        if (ext && !listed(systems, n, ext)) {
            rc = link_apply(db, who, ext, info_ext, false);
            *changed_any = true;
        }
        json_decref(sys);
        sys = NULL;
    }
    json_decref(info);
    json_decref(ids);
    return rc;
}

int information_import_save(struct db *db, const struct org_actor *who, json_t *body,
                            const char *const *systems, int nsystems, enum org_outcome *outcome,
                            struct json_problem *p)
{
    json_t *cur = NULL, *out = NULL;
    const char *ext = member(body, "external_id");
    bool taken = false, links_changed = false;
    int rc = cls_sql_info_taken(db, ext, &taken);
    if (!rc && taken)
        rc = cls_sql_info_find(db, who, ext, &cur);
    if (!rc && cur) {
        /* The same levels (and date, when given) are no new classification: a re-import of
         * the same file changes nothing. */
        const char *on = member(body, "classified_at"), *at = member(cur, "classified_at");
        bool same = (!on || (at && strncmp(on, at, ORG_DATE_LEN) == 0));
        for (int a = 0; a < 3; a++)
            same = same &&
                   json_equal(json_object_get(body, aspects[a]), json_object_get(cur, aspects[a]));
        if (same) {
            for (int a = 0; a < 3; a++)
                json_object_del(body, aspects[a]);
            json_object_del(body, "classified_at");
        }
    }
    if (!rc)
        rc = info_save(db, who, taken ? ext : NULL, body, &out, outcome, p);
    if (!rc)
        rc = links_set(db, who, ext, systems, nsystems, &links_changed, p);
    if (!rc && links_changed && *outcome == ORG_UNCHANGED)
        *outcome = ORG_UPDATED;
    json_decref(cur);
    json_decref(out);
    return rc;
}
