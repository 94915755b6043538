/* Reading a policy profile: parse the JSON and check every field against
 * docs/policy-profiles.md, naming the obligation and the field of the first problem. */
#include "engine/rule.h"
#include "authz/authz.h"
#include "core/err.h"
#include "core/str.h"

#include <stdarg.h>
#include <string.h>

const char *const ORG_KINDS[] = {"it_centre", "municipality", "company", "foundation",
                                 "supplier",  "external",     NULL};
static const char *const LIFECYCLES[] = {"planned", "production", "decommissioning", "retired",
                                         NULL};
static const char *const OBLIGATION_KINDS[] = {"duty",       "scope",    "status",
                                               "aspiration", "sanction", NULL};
static const char *const TOP_FIELDS[] = {
    "format", "code", "version", "title", "decided", "sections", "paragraphs", "obligations", NULL};
static const char *const OBLIGATION_FIELDS[] = {
    "id",         "cite",        "section",          "kind", "text", "rule", "params",
    "applies_to", "responsible", "responsible_text", NULL};

struct checker {
    const char *origin;
    const char *obligation; /* the obligation being checked, or NULL for the top level */
    char *msg;
    size_t msglen;
};

__attribute__((format(printf, 3, 4))) static int fail(struct checker *c, const char *field,
                                                      const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (c->obligation)
        str_format(c->msg, c->msglen, "%s: obligation %s: field '%s': %s", c->origin, c->obligation,
                   field, why);
    else
        str_format(c->msg, c->msglen, "%s: field '%s': %s", c->origin, field, why);
    return ERR_INVALID;
}

static int index_of(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

static int only_known(struct checker *c, json_t *obj, const char *const *known, const char *prefix)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        (void)v;
        if (index_of(known, key) < 0) {
            char field[96];
            str_format(field, sizeof(field), "%s%s", prefix, key);
            return fail(c, field, "is not a field of a profile (see docs/policy-profiles.md)");
        }
    }
    return 0;
}

/* A required (or optional, when !required) string of at most max bytes; *out NULL if absent. */
static int text_of(struct checker *c, json_t *obj, const char *name, bool required, size_t max,
                   const char **out)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return fail(c, name, "is required");
        return 0;
    }
    if (!json_is_string(v))
        return fail(c, name, "must be a string");
    size_t len = json_string_length(v);
    if (len == 0 || len > max)
        return fail(c, name, "must be 1 to %zu bytes long", max);
    *out = json_string_value(v);
    return 0;
}

static bool matches(const char *s, const char *allowed, size_t max)
{
    size_t n = strlen(s);
    return n >= 1 && n <= max && strspn(s, allowed) == n;
}

static bool responsible_valid(const char *r, const struct rule_kind *k)
{
    if (rule_person_col(k, r) >= 0)
        return true;
    return role_bit_of(r) != 0;
}

static int check_params(struct checker *c, struct obligation *ob, json_t *params)
{
    const struct param_spec *ps = ob->rule->params;
    if (params && !json_is_object(params))
        return fail(c, "params", "must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(params, key, v)
    {
        const struct param_spec *spec = NULL;
        for (size_t i = 0; ps && ps[i].name; i++)
            if (strcmp(ps[i].name, key) == 0)
                spec = &ps[i];
        char field[96];
        str_format(field, sizeof(field), "params.%s", key);
        if (!spec)
            return fail(c, field, "rule '%s' takes no parameter '%s'", ob->rule->name, key);
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 64)
            return fail(c, field, "must be a string of 1 to 64 bytes");
        struct period p;
        if (spec->type == PARAM_PERIOD && period_parse(json_string_value(v), &p))
            return fail(c, field, "'%s' is not an ISO 8601 period such as P1Y or P30D",
                        json_string_value(v));
    }
    for (size_t i = 0; ps && ps[i].name; i++)
        if (ps[i].required && !json_object_get(params, ps[i].name)) {
            char field[96];
            str_format(field, sizeof(field), "params.%s", ps[i].name);
            return fail(c, field, "rule '%s' needs it", ob->rule->name);
        }
    ob->params = params;
    return 0;
}

/* where: {"lifecycle": [...]} for systems, {"kind": [...]} for organisations. */
static int check_where(struct checker *c, struct obligation *ob, json_t *where)
{
    const char *key;
    json_t *v;
    if (!json_is_object(where))
        return fail(c, "applies_to.where", "must be an object");
    json_object_foreach(where, key, v)
    {
        const char *const *values;
        unsigned *bits;
        if (ob->rule->subject == SUBJECT_SYSTEM && strcmp(key, "lifecycle") == 0) {
            values = LIFECYCLES;
            bits = &ob->lifecycles;
        } else if (ob->rule->subject == SUBJECT_ORGANISATION && strcmp(key, "kind") == 0) {
            values = ORG_KINDS;
            bits = &ob->org_kinds;
        } else {
            char field[96];
            str_format(field, sizeof(field), "applies_to.where.%s", key);
            return fail(c, field, "cannot filter %s subjects",
                        subject_kind_name(ob->rule->subject));
        }
        char field[96];
        str_format(field, sizeof(field), "applies_to.where.%s", key);
        if (!json_is_array(v) || json_array_size(v) == 0)
            return fail(c, field, "must be a non-empty list");
        *bits = 0;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            int at = index_of(values, json_string_value(item));
            if (at < 0)
                return fail(c, field, "'%s' is not one of its values",
                            json_is_string(item) ? json_string_value(item) : "(not a string)");
            *bits |= 1u << at;
        }
    }
    return 0;
}

static int check_applies_to(struct checker *c, struct obligation *ob, json_t *applies)
{
    ob->lifecycles = LC_PLANNED | LC_PRODUCTION | LC_DECOMMISSIONING; /* not retired ones */
    ob->org_kinds = 0;
    if (!applies || json_is_null(applies))
        return 0;
    if (!json_is_object(applies))
        return fail(c, "applies_to", "must be an object");
    static const char *const fields[] = {"kind", "where", NULL};
    int rc = only_known(c, applies, fields, "applies_to.");
    const char *kind = json_string_value(json_object_get(applies, "kind"));
    if (!rc && (!kind || strcmp(kind, subject_kind_name(ob->rule->subject)) != 0))
        rc = fail(c, "applies_to.kind", "rule '%s' judges %s subjects, not '%s'", ob->rule->name,
                  subject_kind_name(ob->rule->subject), kind ? kind : "(none)");
    json_t *where = json_object_get(applies, "where");
    if (!rc && where)
        rc = check_where(c, ob, where);
    return rc;
}

static int check_obligation(struct checker *c, json_t *o, json_t *paragraphs, json_t *sections,
                            struct obligation *ob)
{
    const char *rule = NULL;
    int rc = only_known(c, o, OBLIGATION_FIELDS, "");
    if (!rc)
        rc = text_of(c, o, "cite", true, 64, &ob->cite);
    if (!rc && !json_object_get(paragraphs, ob->cite))
        rc = fail(c, "cite", "'%s' is not a paragraph of this profile", ob->cite);
    if (!rc)
        rc = text_of(c, o, "section", true, 128, &ob->section);
    bool known_section = false;
    for (size_t i = 0; !rc && i < json_array_size(sections); i++)
        known_section |= strcmp(json_string_value(json_array_get(sections, i)), ob->section) == 0;
    if (!rc && !known_section)
        rc = fail(c, "section", "'%s' is not one of the profile's sections", ob->section);
    if (!rc)
        rc = text_of(c, o, "kind", false, 16, &ob->kind);
    if (!rc && !ob->kind)
        ob->kind = "duty";
    if (!rc && index_of(OBLIGATION_KINDS, ob->kind) < 0)
        rc = fail(c, "kind", "'%s' is not duty, scope, status, aspiration or sanction", ob->kind);
    if (!rc)
        rc = text_of(c, o, "text", true, 2000, &ob->text);
    if (!rc)
        rc = text_of(c, o, "rule", true, 64, &rule);
    if (!rc && !(ob->rule = rule_kind_find(rule)))
        rc = fail(c, "rule", "unknown rule kind '%s'", rule);
    if (!rc)
        rc = check_params(c, ob, json_object_get(o, "params"));
    if (!rc)
        rc = check_applies_to(c, ob, json_object_get(o, "applies_to"));
    if (!rc)
        rc = text_of(c, o, "responsible", false, 64, &ob->responsible);
    if (!rc && ob->rule->subject == SUBJECT_NONE && ob->responsible)
        rc = fail(c, "responsible", "an information row has nobody responsible: use null");
    if (!rc && ob->rule->subject != SUBJECT_NONE && !ob->responsible)
        rc = fail(c, "responsible", "is required for rule '%s'", ob->rule->name);
    if (!rc && ob->responsible && !responsible_valid(ob->responsible, ob->rule))
        rc = fail(c, "responsible", "'%s' is neither a role id nor who answers for a %s",
                  ob->responsible, subject_kind_name(ob->rule->subject));
    if (!rc)
        rc = text_of(c, o, "responsible_text", false, 200, &ob->responsible_text);
    return rc;
}

static void release_json(void *p)
{
    json_decref(p);
}

static int check_top(struct checker *c, json_t *root, struct profile *p)
{
    int rc = only_known(c, root, TOP_FIELDS, "");
    json_t *format = json_object_get(root, "format");
    if (!rc && !(json_is_integer(format) && json_integer_value(format) == 1))
        rc = fail(c, "format", "must be 1");
    if (!rc)
        rc = text_of(c, root, "code", true, 32, &p->code);
    if (!rc && !matches(p->code, "abcdefghijklmnopqrstuvwxyz0123456789_-", 32))
        rc = fail(c, "code", "'%s' must be lower-case letters, digits, '_' or '-'", p->code);
    if (!rc)
        rc = text_of(c, root, "version", true, 32, &p->version);
    if (!rc)
        rc = text_of(c, root, "title", true, 200, &p->title);
    json_t *sections = json_object_get(root, "sections");
    if (!rc && (!json_is_array(sections) || json_array_size(sections) == 0))
        rc = fail(c, "sections", "must be a non-empty list of section names");
    for (size_t i = 0; !rc && i < json_array_size(sections); i++)
        if (!json_is_string(json_array_get(sections, i)))
            rc = fail(c, "sections", "item %zu is not a string", i + 1);
    json_t *paragraphs = json_object_get(root, "paragraphs");
    if (!rc && !json_is_object(paragraphs))
        rc = fail(c, "paragraphs", "must be an object of § ids and their text");
    const char *key;
    json_t *v;
    json_object_foreach(rc ? NULL : paragraphs, key, v)
    {
        (void)key;
        if (!json_is_string(v)) {
            rc = fail(c, "paragraphs", "the text of '%s' is not a string", key);
            break;
        }
    }
    json_t *obligations = json_object_get(root, "obligations");
    if (!rc && (!json_is_array(obligations) || json_array_size(obligations) == 0))
        rc = fail(c, "obligations", "must be a non-empty list");
    return rc;
}

int profile_parse(const char *text, const char *origin, struct arena *a, struct profile *p,
                  char *msg, size_t msglen)
{
    struct checker c = {.origin = origin, .msg = msg, .msglen = msglen};
    json_error_t jerr;
    memset(p, 0, sizeof(*p));
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        str_format(msg, msglen, "%s: line %d: %s", origin, jerr.line, jerr.text);
        return ERR_INVALID;
    }
    arena_defer(a, release_json, root);
    p->root = root;
    if (!json_is_object(root)) {
        str_format(msg, msglen, "%s: a profile is one JSON object", origin);
        return ERR_INVALID;
    }
    int rc = check_top(&c, root, p);
    json_t *obligations = json_object_get(root, "obligations");
    if (!rc) {
        p->n = json_array_size(obligations);
        p->obligations = arena_alloc(a, p->n * sizeof(*p->obligations));
    }
    for (size_t i = 0; !rc && i < p->n; i++) {
        json_t *o = json_array_get(obligations, i);
        struct obligation *ob = &p->obligations[i];
        c.obligation = NULL;
        char where[32];
        str_format(where, sizeof(where), "obligations[%zu]", i);
        if (!json_is_object(o)) {
            rc = fail(&c, where, "must be an object");
            break;
        }
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!id ||
            !matches(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-", 32)) {
            rc = fail(&c, where, "its 'id' must be a requirement id such as ITC-ATK-5");
            break;
        }
        ob->id = id;
        c.obligation = id;
        for (size_t j = 0; !rc && j < i; j++)
            if (strcmp(p->obligations[j].id, id) == 0)
                rc = fail(&c, "id", "appears twice in the profile");
        if (!rc)
            rc = check_obligation(&c, o, json_object_get(root, "paragraphs"),
                                  json_object_get(root, "sections"), ob);
    }
    return rc;
}
