/* The requirement rules' logic: checks, the read-only default set, audit. No SQL, no HTTP. */
#include "classification/requirement_rules.h"
#include "classification/requirement_sql.h"
#include "catalog/cat_common.h"
#include "org/org_sql.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

static const char *member(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static int64_t integer(json_t *o, const char *name)
{
    return json_integer_value(json_object_get(o, name));
}

static int org_ref(struct db *db, const struct org_actor *who, const char *given,
                   struct org_row *org, struct json_problem *p)
{
    char code[ORG_CODE_MAX + 1];
    const char *why;
    if (!given || org_code_normalise(given, code, &why))
        return cat_unknown_org(p, "organisation", given);
    int rc = org_sql_org_find(db, who, code, org);
    if (rc == ERR_NOTFOUND)
        return cat_unknown_org(p, "organisation", code);
    return rc;
}

static bool code_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > RULE_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

/* Check the rule r (the stored one with the request applied) into w. */
static int rule_check(struct db *db, json_t *r, int64_t org_id, int64_t id, struct rule_write *w,
                      struct json_problem *p)
{
    static const char *const aspects[] = {"k", "r", "t", "personal_data"};
    bool known = false, taken = false;
    w->id = id;
    w->organisation_id = org_id;
    w->aspect = member(r, "aspect");
    w->min_level = integer(r, "min_level");
    w->code = member(r, "code");
    w->text_sv = member(r, "text_sv");
    w->text_en = member(r, "text_en");
    w->applies_to_planned = !json_is_false(json_object_get(r, "applies_to_planned"));
    for (size_t i = 0; w->aspect && i < sizeof(aspects) / sizeof(aspects[0]); i++)
        known = known || strcmp(w->aspect, aspects[i]) == 0;
    if (!known)
        return cat_reject(p, 422, "invalid_aspect", "aspect",
                          "the aspect is k, r, t or personal_data");
    bool pd = strcmp(w->aspect, "personal_data") == 0;
    if (pd && (w->min_level < 1 || w->min_level > 2))
        return cat_reject(p, 422, "out_of_range", "min_level",
                          "min_level of personal_data is 1 (personal data) or 2 (sensitive)");
    if (w->min_level < 0 || w->min_level > 4)
        return cat_reject(p, 422, "out_of_range", "min_level", "min_level is 0 to 4");
    if (!code_valid(w->code))
        return cat_reject(p, 422, "invalid_rule_code", "code",
                          "a code is 1 to 40 characters of a-z, 0-9 and '_'");
    if (blank(w->text_sv))
        return cat_reject(p, 422, "invalid_text", "text_sv", "text_sv must not be blank");
    if (blank(w->text_en))
        return cat_reject(p, 422, "invalid_text", "text_en", "text_en must not be blank");
    int rc = req_sql_code_taken(db, org_id, w->code, id, &taken);
    if (!rc && taken)
        rc = cat_reject(p, 409, "duplicate", "code",
                        "a rule with code '%s' already applies to this organisation's systems",
                        w->code);
    return rc;
}

static int audit_rule(struct db *db, const struct org_actor *who, const char *action, int64_t id,
                      int64_t org_id, json_t *before, json_t *after)
{
    char object_id[24];
    int rc = str_format(object_id, sizeof(object_id), "%lld", (long long)id) ? ERR_TOOBIG : 0;
    if (!rc)
        rc = cat_audit(db, who, action, "requirement_rule", object_id, org_id, before, after);
    return rc;
}

int requirement_rule_list(struct db *db, const struct org_actor *who, const char *organisation,
                          json_t **out, struct json_problem *p)
{
    struct org_row org = {0};
    json_t *items = json_array(), *pub = json_array();
    int rc = organisation && *organisation ? org_ref(db, who, organisation, &org, p) : 0;
    if (!rc)
        rc = req_sql_rule_list(db, who, org.id, items);
    for (size_t i = 0; !rc && i < json_array_size(items); i++)
        rc = json_array_append_new(pub, cat_public(json_array_get(items, i))) ? ERR_NOMEM : 0;
    if (!rc)
        *out = json_pack("{s:o, s:O}", "organisation", org.id ? json_string(org.code) : json_null(),
                         "items", pub);
    json_decref(items);
    json_decref(pub);
    return rc;
}

static int create_apply(struct db *db, const struct org_actor *who, json_t *in, json_t **out,
                        struct json_problem *p)
{
    struct org_row org = {0};
    struct rule_write w = {0};
    json_t *row = NULL;
    int rc = org_ref(db, who, member(in, "organisation"), &org, p);
    if (!rc)
        rc = rule_check(db, in, org.id, 0, &w, p);
    if (!rc)
        rc = req_sql_rule_insert(db, &w);
    if (!rc)
        rc = req_sql_rule_find(db, who, w.id, &row);
    if (!rc)
        *out = cat_public(row);
    if (!rc)
        rc = audit_rule(db, who, "requirement_rule.create", w.id, org.id, NULL, *out);
    json_decref(row);
    return rc;
}

int requirement_rule_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                            struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, create_apply(db, who, body, out, p), out);
}

/* The organisation's own rule id (text), in reach; a default one is refused. */
static int own_rule(struct db *db, const struct org_actor *who, const char *id, json_t **cur,
                    struct json_problem *p)
{
    int64_t n;
    if (str_to_int64(id, 1, INT64_MAX, &n) != 0)
        return ERR_NOTFOUND;
    int rc = req_sql_rule_find(db, who, n, cur);
    if (!rc && json_is_null(json_object_get(*cur, "organisation")))
        rc = cat_reject(p, 409, "read_only_default", NULL,
                        "rule %lld belongs to the default set, which cannot be changed; add an "
                        "organisation's own rule instead",
                        (long long)n);
    return rc;
}

static int update_apply(struct db *db, const struct org_actor *who, const char *id, json_t *in,
                        json_t **out, struct json_problem *p)
{
    struct rule_write w = {0};
    json_t *cur = NULL, *next = NULL, *row = NULL, *before = NULL;
    int rc = own_rule(db, who, id, &cur, p);
    if (!rc) {
        next = json_deep_copy(cur);
        json_object_update(next, in);
        rc = rule_check(db, next, integer(cur, "_organisation_id"), integer(cur, "id"), &w, p);
    }
    if (!rc && json_equal(cur, next)) {
        *out = cat_public(cur); /* nothing changes: nothing written, nothing audited */
    } else if (!rc) {
        rc = req_sql_rule_update(db, &w);
        if (!rc)
            rc = req_sql_rule_find(db, who, w.id, &row);
        if (!rc) {
            *out = cat_public(row);
            before = cat_public(cur);
            rc = audit_rule(db, who, "requirement_rule.update", w.id, w.organisation_id, before,
                            *out);
        }
    }
    json_decref(cur);
    json_decref(next);
    json_decref(row);
    json_decref(before);
    return rc;
}

int requirement_rule_update(struct db *db, const struct org_actor *who, const char *id,
                            json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, update_apply(db, who, id, body, out, p), out);
}

static int delete_apply(struct db *db, const struct org_actor *who, const char *id,
                        struct json_problem *p)
{
    json_t *cur = NULL, *before = NULL;
    int rc = own_rule(db, who, id, &cur, p);
    if (!rc)
        rc = req_sql_rule_delete(db, integer(cur, "id"));
    if (!rc) {
        before = cat_public(cur);
        rc = audit_rule(db, who, "requirement_rule.delete", integer(cur, "id"),
                        integer(cur, "_organisation_id"), before, NULL);
    }
    json_decref(cur);
    json_decref(before);
    return rc;
}

int requirement_rule_delete(struct db *db, const struct org_actor *who, const char *id,
                            struct json_problem *p)
{
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, delete_apply(db, who, id, p), NULL);
}
