/* The org module's logic: field checks, reach, tree and manager rules, audit, paging. */
#include "org/org.h"
#include "org/org_sql.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const kinds[] = {"it_centre",  "municipality", "company",
                                    "foundation", "supplier",     "external"};

/* ---- problems ---- */

static int reject(struct json_problem *p, int status, const char *code, const char *field,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int reject(struct json_problem *p, int status, const char *code, const char *field,
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

/* A value quoted back in a message: short printable ASCII as it is (codes, user ids and role
 * ids are that), anything else not at all: a query string may hold any bytes. */
static const char *shown(const char *s)
{
    bool plain = s && strlen(s) <= 64;
    for (const char *c = s; plain && *c; c++)
        plain = *c >= 0x20 && *c < 0x7F;
    return plain ? s : "(this value)";
}

static int unknown_org(struct json_problem *p, const char *field, const char *code)
{
    return reject(p, 422, "unknown_organisation", field, "there is no organisation with code '%s'",
                  shown(code));
}

static int unknown_person(struct json_problem *p, const char *field, const char *user_id)
{
    return reject(p, 422, "unknown_person", field, "there is no person with user id '%s'",
                  shown(user_id));
}

/* ---- field checks ---- */

int org_code_normalise(const char *in, char out[ORG_CODE_MAX + 1], const char **why)
{
    static const char msg[] = "a code is 2 to 20 characters of A-Z, 0-9, _ and -";
    size_t n = in ? strlen(in) : 0;
    *why = msg;
    if (n < ORG_CODE_MIN || n > ORG_CODE_MAX)
        return ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return ERR_INVALID;
        out[i] = c;
    }
    out[n] = '\0';
    *why = NULL;
    return 0;
}

int org_number_normalise(const char *in, char out[ORG_NUMBER_LEN + 1], const char **why)
{
    char d[10];
    size_t n = in ? strlen(in) : 0;
    *why = "an organisationsnummer is written NNNNNN-NNNN (or as ten digits)";
    if (n == 11 && in[6] == '-') {
        memcpy(d, in, 6);
        memcpy(d + 6, in + 7, 4);
    } else if (n == 10) {
        memcpy(d, in, 10);
    } else {
        return ERR_INVALID;
    }
    for (int i = 0; i < 10; i++)
        if (d[i] < '0' || d[i] > '9')
            return ERR_INVALID;
    if (d[2] < '2') {
        *why = "the third digit of an organisationsnummer is at least 2; this looks like a "
               "personnummer";
        return ERR_INVALID;
    }
    /* Luhn over all ten digits: double every other digit from the first. */
    int sum = 0;
    for (int i = 0; i < 10; i++) {
        int v = d[i] - '0';
        if (i % 2 == 0) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    if (sum % 10 != 0) {
        *why = "the check digit (the last one) of this organisationsnummer is wrong";
        return ERR_INVALID;
    }
    *why = NULL;
    return str_format(out, ORG_NUMBER_LEN + 1, "%.6s-%.4s", d, d + 6) ? ERR_INVALID : 0;
}

int org_kind_check(const char *kind, const char **why)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kind && strcmp(kind, kinds[i]) == 0)
            return 0;
    *why = "the kind is one of it_centre, municipality, company, foundation, supplier, external";
    return ERR_INVALID;
}

int org_name_check(const char *name, const char **why)
{
    size_t chars = 0;
    bool visible = false;
    for (const unsigned char *s = (const unsigned char *)name; s && *s; s++) {
        if (*s < 0x20 || *s == 0x7F) {
            *why = "a name is one line without control characters";
            return ERR_INVALID;
        }
        if ((*s & 0xC0) != 0x80)
            chars++;
        if (*s != ' ')
            visible = true;
    }
    if (!visible) {
        *why = "a name cannot be empty";
        return ERR_INVALID;
    }
    if (chars > ORG_NAME_MAX) {
        *why = "a name is at most 200 characters";
        return ERR_INVALID;
    }
    return 0;
}

int person_user_id_check(const char *user_id, const char **why)
{
    size_t n = user_id ? strlen(user_id) : 0;
    *why = "a user id is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '-' and '@'";
    if (n < 1 || n > USER_ID_MAX)
        return ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        char c = user_id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@'))
            return ERR_INVALID;
    }
    *why = NULL;
    return 0;
}

int person_email_check(const char *email, const char **why)
{
    size_t n = email ? strlen(email) : 0;
    *why = "an e-mail address is written like name@example.se: one @, a dot in the domain, no "
           "spaces";
    const char *at = n ? strchr(email, '@') : NULL;
    if (n == 0 || n > EMAIL_MAX || !at || at == email || strchr(at + 1, '@'))
        return ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)email[i] <= 0x20 || email[i] == 0x7F)
            return ERR_INVALID;
    const char *domain = at + 1;
    size_t dn = strlen(domain);
    if (dn < 3 || !strchr(domain, '.') || domain[0] == '.' || domain[dn - 1] == '.' ||
        strstr(domain, ".."))
        return ERR_INVALID;
    *why = NULL;
    return 0;
}

int org_date_check(const char *date, const char **why)
{
    int64_t t;
    if (!date || strlen(date) != ORG_DATE_LEN || clock_parse_date(date, &t) != 0) {
        *why = "a date is a real calendar date written YYYY-MM-DD";
        return ERR_INVALID;
    }
    return 0;
}

int org_bool_parse(const char *s, bool *out, const char **why)
{
    if (s && (strcasecmp(s, "true") == 0 || strcasecmp(s, "ja") == 0)) {
        *out = true;
        return 0;
    }
    if (s && (strcasecmp(s, "false") == 0 || strcasecmp(s, "nej") == 0)) {
        *out = false;
        return 0;
    }
    *why = "a yes/no value is true, false, ja or nej";
    return ERR_INVALID;
}

/* ---- representations ---- */

static json_t *text_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

static json_t *org_json(const struct org_row *r)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:b}", "code", r->code, "name", r->name, "kind",
                     r->kind, "parent_code", text_or_null(r->parent_code), "org_number",
                     r->org_number, "mfa_required", r->mfa_required);
}

static json_t *person_json(const struct person_row *r)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:b, s:o, s:o}", "user_id",
                     r->user_id, "name", r->name, "email", r->email, "organisation",
                     r->organisation, "manager_user_id", text_or_null(r->manager_user_id),
                     "employment_start", text_or_null(r->employment_start), "employment_end",
                     text_or_null(r->employment_end), "privileged", r->privileged, "disabled",
                     r->disabled, "title", text_or_null(r->title), "role_changed_at",
                     text_or_null(r->role_changed_at));
}

static json_t *assignment_json(const struct role_assignment_row *r)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)r->id, "user_id", r->user_id,
                     "person_name", r->person_name, "role", r->role, "organisation",
                     r->organisation);
}

/* ---- audit and transactions ---- */

static int audit(struct db *db, const struct org_actor *who, const char *action,
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

/* Commit after success, roll back after anything else; *out is dropped when nothing stuck. */
static int finish(struct db *db, int rc, json_t **out)
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

/* ---- organisations ---- */

static bool municipal_kind(const char *kind)
{
    return strcmp(kind, "supplier") != 0 && strcmp(kind, "external") != 0;
}

/* Find what the write is about: cur (and *exists) for an update, the new code otherwise. */
static int org_locate(struct db *db, const struct org_actor *who, enum org_mode mode,
                      const char *key, const struct org_input *in, struct org_row *cur,
                      bool *exists, struct json_problem *p)
{
    char code[ORG_CODE_MAX + 1], given[ORG_CODE_MAX + 1];
    const char *why;
    bool taken = false;
    *exists = false;
    if (mode == ORG_UPDATE) {
        if (org_code_normalise(key, code, &why))
            return ERR_NOTFOUND;
        int rc = org_sql_org_find(db, who, code, cur);
        if (rc)
            return rc;
        *exists = true;
        if ((in->set & ORG_F_CODE) &&
            (org_code_normalise(in->code, given, &why) || strcmp(given, code) != 0))
            return reject(p, 422, "immutable", "code", "the code of an organisation cannot change");
        return 0;
    }
    if (org_code_normalise(in->code, code, &why))
        return reject(p, 422, "invalid_code", "code", "%s", why);
    int rc = mode == ORG_UPSERT ? org_sql_org_find(db, who, code, cur) : ERR_NOTFOUND;
    if (!rc) {
        *exists = true;
        return 0;
    }
    if (rc != ERR_NOTFOUND)
        return rc;
    rc = org_sql_org_code_taken(db, code, &taken);
    if (!rc && taken)
        return reject(p, 409, "duplicate", "code", "an organisation with code '%s' exists", code);
    str_copy(cur->code, sizeof(cur->code), code);
    return rc;
}

/* The parent named by in (when it changes): in reach, not the organisation or below it. */
static int org_parent(struct db *db, const struct org_actor *who, const struct org_input *in,
                      bool exists, const struct org_row *cur, struct org_row *next,
                      struct org_row *parent, struct json_problem *p)
{
    char code[ORG_CODE_MAX + 1];
    const char *why;
    bool cycle = false;
    if (!(in->set & ORG_F_PARENT)) {
        if (!exists && !who->everything)
            return reject(p, 422, "parent_required", "parent_code",
                          "an organisation needs a parent that you reach");
        return 0;
    }
    if (!in->parent_code) {
        if (!who->everything && (!exists || cur->parent_id))
            return reject(p, 422, "parent_required", "parent_code",
                          "an organisation needs a parent that you reach; root organisations "
                          "are made with 'varn import organisations'");
        next->parent_id = 0;
        next->parent_code[0] = '\0';
        return 0;
    }
    if (org_code_normalise(in->parent_code, code, &why))
        return unknown_org(p, "parent_code", in->parent_code);
    if (exists && strcmp(code, cur->parent_code) == 0)
        return 0; /* unchanged: not checked again */
    int rc = org_sql_org_find(db, who, code, parent);
    if (rc == ERR_NOTFOUND)
        return unknown_org(p, "parent_code", code);
    if (!rc && exists)
        rc = org_sql_org_reaches(db, parent->id, cur->id, &cycle);
    if (!rc && cycle)
        return reject(p, 422, "cycle", "parent_code",
                      "'%s' is this organisation or one below it; the tree would have a cycle",
                      code);
    if (!rc) {
        next->parent_id = parent->id;
        str_copy(next->parent_code, sizeof(next->parent_code), parent->code);
    }
    return rc;
}

/* Suppliers and external parties sit beside the municipal tree: nothing of it below them. */
static int org_kind_rules(struct db *db, bool exists, const struct org_row *cur,
                          const struct org_row *next, struct org_row *parent,
                          struct json_problem *p)
{
    bool kind_changed = !exists || strcmp(cur->kind, next->kind) != 0;
    bool parent_changed = !exists || cur->parent_id != next->parent_id;
    int64_t children = 0;
    int rc = 0;
    if (!kind_changed && !parent_changed)
        return 0;
    if (next->parent_id && municipal_kind(next->kind)) {
        if (parent->id != next->parent_id)
            rc = org_sql_org_by_id(db, next->parent_id, parent);
        if (!rc && !municipal_kind(parent->kind))
            return reject(p, 422, "invalid_parent", parent_changed ? "parent_code" : "kind",
                          "a %s cannot sit under a supplier or an external party", next->kind);
    }
    if (!rc && exists && kind_changed && !municipal_kind(next->kind))
        rc = org_sql_org_tree_children(db, cur->id, &children);
    if (!rc && children > 0)
        return reject(p, 422, "invalid_parent", "kind",
                      "municipal organisations sit under this one; a supplier or an external "
                      "party cannot have them");
    return rc;
}

/* next = cur with the given fields applied and checked. */
static int org_apply(struct db *db, const struct org_actor *who, const struct org_input *in,
                     bool exists, const struct org_row *cur, struct org_row *next,
                     struct json_problem *p)
{
    struct org_row parent = {0};
    char number[ORG_NUMBER_LEN + 1], owner[ORG_CODE_MAX + 1] = "";
    const char *why = "the value is too long";
    unsigned required = ORG_F_NAME | ORG_F_KIND | ORG_F_NUMBER;
    *next = *cur;
    if (!exists) {
        next->mfa_required = true;
        if ((in->set & required) != required)
            return reject(p, 422, "missing_field", NULL,
                          "a new organisation needs a name, a kind and an organisationsnummer");
    }
    if ((in->set & ORG_F_NAME) &&
        (org_name_check(in->name, &why) || str_copy(next->name, sizeof(next->name), in->name)))
        return reject(p, 422, "invalid_name", "name", "%s", why);
    if ((in->set & ORG_F_KIND) &&
        (org_kind_check(in->kind, &why) || str_copy(next->kind, sizeof(next->kind), in->kind)))
        return reject(p, 422, "invalid_kind", "kind", "%s", why);
    if ((in->set & ORG_F_NUMBER) && org_number_normalise(in->org_number, number, &why))
        return reject(p, 422, "invalid_org_number", "org_number", "%s", why);
    if (in->set & ORG_F_NUMBER)
        str_copy(next->org_number, sizeof(next->org_number), number);
    if (in->set & ORG_F_MFA)
        next->mfa_required = in->mfa_required;
    int rc = org_parent(db, who, in, exists, cur, next, &parent, p);
    if (!rc)
        rc = org_kind_rules(db, exists, cur, next, &parent, p);
    if (!rc && (!exists || strcmp(cur->org_number, next->org_number) != 0))
        rc = org_sql_org_number_owner(db, next->org_number, next->code, owner);
    if (!rc && owner[0] && who->everything)
        return reject(p, 409, "duplicate", "org_number",
                      "organisationsnummer %s belongs to organisation '%s'", next->org_number,
                      owner);
    if (!rc && owner[0])
        return reject(p, 409, "duplicate", "org_number",
                      "another organisation has organisationsnummer %s", next->org_number);
    return rc;
}

static bool org_same(const struct org_row *a, const struct org_row *b)
{
    return strcmp(a->name, b->name) == 0 && strcmp(a->kind, b->kind) == 0 &&
           a->parent_id == b->parent_id && strcmp(a->org_number, b->org_number) == 0 &&
           a->mfa_required == b->mfa_required;
}

int org_save(struct db *db, const struct org_actor *who, enum org_mode mode, const char *key,
             const struct org_input *in, json_t **out, enum org_outcome *outcome,
             struct json_problem *p)
{
    struct org_row cur = {0}, next;
    char at[CLOCK_ISO_LEN];
    bool exists;
    json_t *before = NULL, *after = NULL;
    int rc = org_locate(db, who, mode, key, in, &cur, &exists, p);
    if (!rc)
        rc = org_apply(db, who, in, exists, &cur, &next, p);
    if (rc)
        return rc;
    *outcome = !exists ? ORG_CREATED : org_same(&cur, &next) ? ORG_UNCHANGED : ORG_UPDATED;
    if (*outcome != ORG_UNCHANGED) {
        clock_format(clock_now(), at);
        rc = exists ? org_sql_org_update(db, &next, at) : org_sql_org_insert(db, &next, at);
        before = exists ? org_json(&cur) : NULL;
        after = org_json(&next);
        if (!rc)
            rc = audit(db, who, exists ? "organisation.update" : "organisation.create",
                       "organisation", next.code, next.id, before, after);
    }
    if (!rc && out)
        *out = after ? json_incref(after) : org_json(&cur);
    json_decref(before);
    json_decref(after);
    return rc;
}

int org_create(struct db *db, const struct org_actor *who, const struct org_input *in, json_t **out,
               struct json_problem *p)
{
    enum org_outcome outcome;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return finish(db, org_save(db, who, ORG_CREATE, NULL, in, out, &outcome, p), out);
}

int org_update(struct db *db, const struct org_actor *who, const char *code,
               const struct org_input *in, json_t **out, struct json_problem *p)
{
    enum org_outcome outcome;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return finish(db, org_save(db, who, ORG_UPDATE, code, in, out, &outcome, p), out);
}

int org_get(struct db *db, const struct org_actor *who, const char *code, json_t **out)
{
    struct org_row row = {0};
    char norm[ORG_CODE_MAX + 1];
    const char *why;
    if (org_code_normalise(code, norm, &why))
        return ERR_NOTFOUND;
    int rc = org_sql_org_find(db, who, norm, &row);
    if (!rc)
        *out = org_json(&row);
    return rc;
}

/* ---- people ---- */

/* Changing a holder of the administrator role takes an administrator over their organisation:
 * otherwise a CISO could, say, change an administrator's e-mail address. */
static int admin_guard(struct db *db, const struct org_actor *who, int64_t person_id,
                       int64_t org_id, struct json_problem *p)
{
    int64_t roles = 0;
    bool admin = false;
    int rc = org_sql_person_admin_roles(db, person_id, &roles);
    if (!rc && roles > 0)
        rc = org_sql_admin_over(db, who, org_id, &admin);
    if (!rc && roles > 0 && !admin)
        return reject(p, 403, "forbidden_role", NULL,
                      "only an administrator may change a person who holds the administrator "
                      "role");
    return rc;
}

static int person_locate(struct db *db, const struct org_actor *who, enum org_mode mode,
                         const char *key, const struct person_input *in, struct person_row *cur,
                         bool *exists, struct json_problem *p)
{
    const char *why;
    bool taken = false;
    *exists = false;
    if (mode == ORG_UPDATE) {
        if (person_user_id_check(key, &why))
            return ERR_NOTFOUND;
        int rc = org_sql_person_find(db, who, key, cur);
        if (rc)
            return rc;
        *exists = true;
        if ((in->set & PERSON_F_USER_ID) && (!in->user_id || strcmp(in->user_id, key) != 0))
            return reject(p, 422, "immutable", "user_id", "the user id of a person cannot change");
        return admin_guard(db, who, cur->id, cur->organisation_id, p);
    }
    if (person_user_id_check(in->user_id, &why))
        return reject(p, 422, "invalid_user_id", "user_id", "%s", why);
    int rc = mode == ORG_UPSERT ? org_sql_person_find(db, who, in->user_id, cur) : ERR_NOTFOUND;
    if (!rc) {
        *exists = true;
        return admin_guard(db, who, cur->id, cur->organisation_id, p);
    }
    if (rc != ERR_NOTFOUND)
        return rc;
    rc = org_sql_person_taken(db, in->user_id, &taken);
    if (!rc && taken)
        return reject(p, 409, "duplicate", "user_id", "a person with user id '%s' exists",
                      in->user_id);
    str_copy(cur->user_id, sizeof(cur->user_id), in->user_id);
    return rc;
}

static int person_organisation(struct db *db, const struct org_actor *who,
                               const struct person_input *in, bool exists,
                               const struct person_row *cur, struct person_row *next,
                               struct json_problem *p)
{
    struct org_row org = {0};
    char code[ORG_CODE_MAX + 1];
    const char *why;
    if (!(in->set & PERSON_F_ORG))
        return 0;
    if (org_code_normalise(in->organisation, code, &why))
        return unknown_org(p, "organisation", in->organisation);
    if (exists && strcmp(code, cur->organisation) == 0)
        return 0;
    int rc = org_sql_org_find(db, who, code, &org);
    if (rc == ERR_NOTFOUND)
        return unknown_org(p, "organisation", code);
    if (!rc) {
        next->organisation_id = org.id;
        str_copy(next->organisation, sizeof(next->organisation), org.code);
    }
    return rc;
}

static int person_manager(struct db *db, const struct org_actor *who, const struct person_input *in,
                          bool exists, const struct person_row *cur, struct person_row *next,
                          struct json_problem *p)
{
    struct person_row m = {0};
    const char *why;
    bool cycle = false;
    if (!(in->set & PERSON_F_MANAGER))
        return 0;
    if (!in->manager_user_id) {
        next->manager_id = 0;
        next->manager_user_id[0] = '\0';
        return 0;
    }
    if (exists && strcmp(in->manager_user_id, cur->manager_user_id) == 0)
        return 0;
    if (strcmp(in->manager_user_id, cur->user_id) == 0)
        return reject(p, 422, "cycle", "manager_user_id", "a person cannot be their own manager");
    if (person_user_id_check(in->manager_user_id, &why))
        return unknown_person(p, "manager_user_id", in->manager_user_id);
    int rc = org_sql_person_find(db, who, in->manager_user_id, &m);
    if (rc == ERR_NOTFOUND)
        return unknown_person(p, "manager_user_id", in->manager_user_id);
    if (!rc && exists)
        rc = org_sql_person_reaches(db, m.id, cur->id, &cycle);
    if (!rc && cycle)
        return reject(p, 422, "cycle", "manager_user_id",
                      "'%s' reports, directly or through others, to this person; the chain of "
                      "managers would have a cycle",
                      m.user_id);
    if (!rc) {
        next->manager_id = m.id;
        str_copy(next->manager_user_id, sizeof(next->manager_user_id), m.user_id);
    }
    return rc;
}

static int person_date(const char *value, const char *field, char *dst, size_t size,
                       struct json_problem *p)
{
    const char *why;
    if (!value) {
        dst[0] = '\0';
        return 0;
    }
    if (org_date_check(value, &why) || str_copy(dst, size, value))
        return reject(p, 422, "invalid_date", field, "%s", why);
    return 0;
}

/* A job title: optional (null or "" clears it), one line of at most PERSON_TITLE_MAX
 * characters, as a name. */
static int person_title(const char *title, struct person_row *next, struct json_problem *p)
{
    const char *why = "the value is too long";
    if (!title || !title[0]) {
        next->title[0] = '\0';
        return 0;
    }
    if (org_name_check(title, &why) || str_copy(next->title, sizeof(next->title), title))
        return reject(p, 422, "invalid_title", "title", "%s", why);
    return 0;
}

static int person_apply(struct db *db, const struct org_actor *who, const struct person_input *in,
                        bool exists, const struct person_row *cur, struct person_row *next,
                        struct json_problem *p)
{
    const char *why = "the value is too long";
    unsigned required = PERSON_F_NAME | PERSON_F_EMAIL | PERSON_F_ORG;
    *next = *cur;
    if (!exists && (in->set & required) != required)
        return reject(p, 422, "missing_field", NULL,
                      "a new person needs a name, an e-mail address and an organisation");
    if ((in->set & PERSON_F_NAME) &&
        (org_name_check(in->name, &why) || str_copy(next->name, sizeof(next->name), in->name)))
        return reject(p, 422, "invalid_name", "name", "%s", why);
    if ((in->set & PERSON_F_EMAIL) && (!exists || strcmp(in->email, cur->email) != 0) &&
        (person_email_check(in->email, &why) ||
         str_copy(next->email, sizeof(next->email), in->email)))
        return reject(p, 422, "invalid_email", "email", "%s", why);
    int rc = 0;
    if (in->set & PERSON_F_START)
        rc = person_date(in->employment_start, "employment_start", next->employment_start,
                         sizeof(next->employment_start), p);
    if (!rc && (in->set & PERSON_F_END))
        rc = person_date(in->employment_end, "employment_end", next->employment_end,
                         sizeof(next->employment_end), p);
    if (!rc && next->employment_start[0] && next->employment_end[0] &&
        strcmp(next->employment_end, next->employment_start) < 0)
        return reject(p, 422, "end_before_start",
                      (in->set & PERSON_F_END) ? "employment_end" : "employment_start",
                      "the employment cannot end (%s) before it starts (%s)", next->employment_end,
                      next->employment_start);
    if (in->set & PERSON_F_PRIVILEGED)
        next->privileged = in->privileged;
    if (in->set & PERSON_F_DISABLED)
        next->disabled = in->disabled;
    if (!rc && (in->set & PERSON_F_TITLE))
        rc = person_title(in->title, next, p);
    if (!rc)
        rc = person_organisation(db, who, in, exists, cur, next, p);
    if (!rc)
        rc = person_manager(db, who, in, exists, cur, next, p);
    return rc;
}

static bool person_same(const struct person_row *a, const struct person_row *b)
{
    return strcmp(a->name, b->name) == 0 && strcmp(a->email, b->email) == 0 &&
           a->organisation_id == b->organisation_id && a->manager_id == b->manager_id &&
           strcmp(a->employment_start, b->employment_start) == 0 &&
           strcmp(a->employment_end, b->employment_end) == 0 && a->privileged == b->privileged &&
           a->disabled == b->disabled && strcmp(a->title, b->title) == 0;
}

/* A new title, organisation or manager is a change of role: the person's access is reviewed
 * after it (ITC-ATK-6). A title or manager recorded where there was none is not: the first
 * import with a title column would otherwise send everyone's access to review. */
static bool role_changes(const struct person_row *a, const struct person_row *b)
{
    return (a->title[0] && strcmp(a->title, b->title) != 0) ||
           a->organisation_id != b->organisation_id ||
           (a->manager_id && a->manager_id != b->manager_id);
}

/* A change that leaves no active administrator, where there was one before (before), would
 * leave nobody to administer Värn. Call after the change, inside its transaction. */
static int keep_an_administrator(struct db *db, int64_t before, struct json_problem *p)
{
    int64_t admins = 0;
    int rc = org_sql_active_admins(db, &admins);
    if (!rc && before > 0 && admins == 0)
        return reject(p, 409, "last_administrator", NULL,
                      "this is the last active administrator; make someone else administrator "
                      "first");
    return rc;
}

int person_save(struct db *db, const struct org_actor *who, enum org_mode mode, const char *key,
                const struct person_input *in, json_t **out, enum org_outcome *outcome,
                struct json_problem *p)
{
    struct person_row cur = {0}, next;
    char at[CLOCK_ISO_LEN];
    bool exists;
    json_t *before = NULL, *after = NULL;
    int rc = person_locate(db, who, mode, key, in, &cur, &exists, p);
    if (!rc)
        rc = person_apply(db, who, in, exists, &cur, &next, p);
    if (rc)
        return rc;
    *outcome = !exists ? ORG_CREATED : person_same(&cur, &next) ? ORG_UNCHANGED : ORG_UPDATED;
    bool disabling = exists && next.disabled && !cur.disabled;
    int64_t admins = 0;
    if (*outcome != ORG_UNCHANGED) {
        clock_format(clock_now(), at);
        if (exists && role_changes(&cur, &next))
            memcpy(next.role_changed_at, at, sizeof(at));
        if (disabling)
            rc = org_sql_active_admins(db, &admins);
        if (!rc)
            rc = exists ? org_sql_person_update(db, &next, at)
                        : org_sql_person_insert(db, &next, at);
        if (!rc && disabling)
            rc = keep_an_administrator(db, admins, p);
        before = exists ? person_json(&cur) : NULL;
        after = person_json(&next);
        if (!rc)
            rc = audit(db, who, exists ? "person.update" : "person.create", "person", next.user_id,
                       next.organisation_id, before, after);
    }
    if (!rc && out)
        *out = after ? json_incref(after) : person_json(&cur);
    json_decref(before);
    json_decref(after);
    return rc;
}

int person_create(struct db *db, const struct org_actor *who, const struct person_input *in,
                  json_t **out, struct json_problem *p)
{
    enum org_outcome outcome;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return finish(db, person_save(db, who, ORG_CREATE, NULL, in, out, &outcome, p), out);
}

int person_update(struct db *db, const struct org_actor *who, const char *user_id,
                  const struct person_input *in, json_t **out, struct json_problem *p)
{
    enum org_outcome outcome;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return finish(db, person_save(db, who, ORG_UPDATE, user_id, in, out, &outcome, p), out);
}

int person_get(struct db *db, const struct org_actor *who, const char *user_id, json_t **out)
{
    struct person_row row = {0};
    const char *why;
    if (person_user_id_check(user_id, &why))
        return ERR_NOTFOUND;
    int rc = org_sql_person_find(db, who, user_id, &row);
    if (!rc)
        *out = person_json(&row);
    return rc;
}

/* ---- role assignments ---- */

static int assignment_insert(struct db *db, const struct org_actor *who, const char *user_id,
                             const char *role, const char *organisation, json_t **out,
                             struct json_problem *p)
{
    struct person_row person = {0};
    struct org_row org = {0};
    struct role_assignment_row ra = {0};
    char code[ORG_CODE_MAX + 1], at[CLOCK_ISO_LEN], id[24];
    const char *why;
    bool admin = true, exists = false;
    if (!role_bit_of(role))
        return reject(p, 422, "unknown_role", "role",
                      "'%s' is not a role; GET /api/v1/roles lists them", shown(role));
    if (person_user_id_check(user_id, &why))
        return unknown_person(p, "user_id", user_id);
    int rc = org_sql_person_find(db, who, user_id, &person);
    if (rc == ERR_NOTFOUND)
        return unknown_person(p, "user_id", user_id);
    if (!rc && org_code_normalise(organisation, code, &why))
        return unknown_org(p, "organisation", organisation);
    if (!rc && (rc = org_sql_org_find(db, who, code, &org)) == ERR_NOTFOUND)
        return unknown_org(p, "organisation", code);
    if (!rc && strcmp(role, "administrator") == 0)
        rc = org_sql_admin_over(db, who, org.id, &admin);
    if (!rc && !admin)
        return reject(p, 403, "forbidden_role", "role",
                      "only an administrator may give the administrator role");
    if (!rc)
        rc = org_sql_assignment_exists(db, person.id, role, org.id, &exists);
    if (!rc && exists)
        return reject(p, 409, "duplicate", "role", "%s already holds the role %s in %s",
                      person.user_id, role, org.code);
    ra.person_id = person.id;
    ra.organisation_id = org.id;
    str_copy(ra.user_id, sizeof(ra.user_id), person.user_id);
    str_copy(ra.person_name, sizeof(ra.person_name), person.name);
    str_copy(ra.role, sizeof(ra.role), role);
    str_copy(ra.organisation, sizeof(ra.organisation), org.code);
    clock_format(clock_now(), at);
    if (!rc)
        rc = org_sql_assignment_insert(db, &ra, at);
    if (!rc)
        *out = assignment_json(&ra);
    str_format(id, sizeof(id), "%lld", (long long)ra.id);
    if (!rc)
        rc = audit(db, who, "role_assignment.create", "role_assignment", id, org.id, NULL, *out);
    return rc;
}

int role_assignment_create(struct db *db, const struct org_actor *who, const char *user_id,
                           const char *role, const char *organisation, json_t **out,
                           struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return finish(db, assignment_insert(db, who, user_id, role, organisation, out, p), out);
}

static int assignment_remove(struct db *db, const struct org_actor *who, int64_t id,
                             struct json_problem *p)
{
    struct role_assignment_row ra = {0};
    char object_id[24];
    bool admin = true;
    int64_t admins = 0;
    int rc = org_sql_assignment_find(db, who, id, &ra);
    bool admin_role = !rc && strcmp(ra.role, "administrator") == 0;
    if (admin_role)
        rc = org_sql_admin_over(db, who, ra.organisation_id, &admin);
    if (!rc && !admin)
        return reject(p, 403, "forbidden_role", "role",
                      "only an administrator may take the administrator role away");
    if (!rc && admin_role)
        rc = org_sql_active_admins(db, &admins);
    if (!rc)
        rc = org_sql_assignment_delete(db, id);
    if (!rc && admin_role)
        rc = keep_an_administrator(db, admins, p);
    if (rc)
        return rc;
    json_t *before = assignment_json(&ra);
    str_format(object_id, sizeof(object_id), "%lld", (long long)id);
    rc = audit(db, who, "role_assignment.delete", "role_assignment", object_id, ra.organisation_id,
               before, NULL);
    json_decref(before);
    return rc;
}

int role_assignment_delete(struct db *db, const struct org_actor *who, const char *id,
                           struct json_problem *p)
{
    int64_t n;
    if (str_to_int64(id, 1, INT64_MAX, &n) != 0)
        return ERR_NOTFOUND;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return finish(db, assignment_remove(db, who, n, p), NULL);
}

/* ---- lists ---- */

/* Cursors are opaque to clients: base64url of "<resource letter>:<last key>". */
#define CURSOR_KEY_MAX 64
#define CURSOR_MAX     128

static int cursor_encode(char kind, const char *key, char out[CURSOR_MAX])
{
    char raw[CURSOR_KEY_MAX + 3];
    if (str_format(raw, sizeof(raw), "%c:%s", kind, key))
        return ERR_TOOBIG;
    sodium_bin2base64(out, CURSOR_MAX, (const unsigned char *)raw, strlen(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

static int cursor_decode(char kind, const char *cursor, char key[CURSOR_KEY_MAX + 1],
                         struct json_problem *p)
{
    unsigned char raw[CURSOR_KEY_MAX + 3];
    size_t n = 0;
    if (strlen(cursor) >= CURSOR_MAX ||
        sodium_base642bin(raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n < 3 || raw[0] != (unsigned char)kind || raw[1] != ':' || memchr(raw, '\0', n))
        return reject(p, 422, "invalid_cursor", "cursor",
                      "the cursor is not one this list gave out; start again without it");
    memcpy(key, raw + 2, n - 2);
    key[n - 2] = '\0';
    return 0;
}

static bool given(const char *s)
{
    return s && *s;
}

/* A filter value: NULL when absent; too long is refused. */
static int filter_value(const char *value, const char *name, const char **out,
                        struct json_problem *p)
{
    *out = NULL;
    if (!given(value))
        return 0;
    if (strlen(value) > ORG_FILTER_MAX)
        return reject(p, 422, "too_long", name, "'%s' is at most %d bytes", name, ORG_FILTER_MAX);
    *out = value;
    return 0;
}

struct page {
    char kind;                         /* the cursor's resource letter */
    const char *key;                   /* the item member that orders the list */
    int limit;                         /* items per page */
    char after[CURSOR_KEY_MAX + 1];    /* from the cursor */
    char like[2 * ORG_FILTER_MAX + 3]; /* from q */
    json_t *items;                     /* collected, one more than limit at most */
};

static int page_start(struct page *pg, const struct org_list_query *q, struct org_sql_filter *f,
                      struct json_problem *p)
{
    int64_t limit = ORG_PAGE_DEFAULT;
    memset(f, 0, sizeof(*f));
    if (given(q->limit) && str_to_int64(q->limit, 1, ORG_PAGE_MAX, &limit))
        return reject(p, 422, "out_of_range", "limit", "limit is a whole number from 1 to %d",
                      ORG_PAGE_MAX);
    pg->limit = (int)limit;
    f->limit = pg->limit + 1; /* one more tells whether there is a next page */
    int rc = given(q->cursor) ? cursor_decode(pg->kind, q->cursor, pg->after, p) : 0;
    if (!rc && given(q->cursor))
        f->after = pg->after;
    const char *text = NULL;
    if (!rc)
        rc = filter_value(q->q, "q", &text, p);
    if (!rc && text) {
        rc = db_like_pattern(text, pg->like, sizeof(pg->like));
        f->like = pg->like;
    }
    pg->items = json_array();
    return rc;
}

static int page_end(struct page *pg, int rc, json_t **out)
{
    char cursor[CURSOR_MAX];
    json_t *next = json_null();
    if (!rc && json_array_size(pg->items) > (size_t)pg->limit) {
        json_array_remove(pg->items, (size_t)pg->limit);
        json_t *v = json_object_get(json_array_get(pg->items, (size_t)pg->limit - 1), pg->key);
        char num[24];
        const char *key = json_string_value(v);
        if (json_is_integer(v)) {
            str_format(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            key = num;
        }
        rc = key ? cursor_encode(pg->kind, key, cursor) : ERR_DB;
        if (!rc)
            next = json_string(cursor);
    }
    if (rc) {
        json_decref(pg->items);
        json_decref(next);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", pg->items, "next_cursor", next);
    return 0;
}

static int append(json_t *items, json_t *item)
{
    return item && json_array_append_new(items, item) == 0 ? 0 : ERR_DB;
}

static int each_org(void *ctx, const struct org_row *row)
{
    return append(ctx, org_json(row));
}

static int each_person(void *ctx, const struct person_row *row)
{
    return append(ctx, person_json(row));
}

static int each_assignment(void *ctx, const struct role_assignment_row *row)
{
    return append(ctx, assignment_json(row));
}

int org_list(struct db *db, const struct org_actor *who, const struct org_list_query *q,
             json_t **out, struct json_problem *p)
{
    struct page pg = {.kind = 'o', .key = "code"};
    struct org_sql_filter f;
    char parent[ORG_CODE_MAX + 1];
    const char *why;
    int rc = page_start(&pg, q, &f, p);
    if (!rc && given(q->kind) && org_kind_check(q->kind, &why))
        rc = reject(p, 422, "invalid_kind", "kind", "%s", why);
    if (!rc && given(q->kind))
        f.kind = q->kind;
    if (!rc)
        rc = filter_value(q->parent, "parent", &f.parent, p);
    /* A parent that cannot be a code has no children: the list is empty, as for an unknown. */
    if (!rc && f.parent)
        f.parent = org_code_normalise(f.parent, parent, &why) ? "" : parent;
    if (!rc)
        rc = org_sql_org_list(db, who, &f, each_org, pg.items);
    return page_end(&pg, rc, out);
}

int person_list(struct db *db, const struct org_actor *who, const struct org_list_query *q,
                json_t **out, struct json_problem *p)
{
    struct page pg = {.kind = 'p', .key = "user_id"};
    struct org_sql_filter f;
    char org[ORG_CODE_MAX + 1];
    const char *why;
    int rc = page_start(&pg, q, &f, p);
    if (!rc)
        rc = filter_value(q->organisation, "organisation", &f.organisation, p);
    if (!rc && f.organisation)
        f.organisation = org_code_normalise(f.organisation, org, &why) ? "" : org;
    if (!rc)
        rc = org_sql_person_list(db, who, &f, each_person, pg.items);
    return page_end(&pg, rc, out);
}

int role_assignment_list(struct db *db, const struct org_actor *who, const struct org_list_query *q,
                         json_t **out, struct json_problem *p)
{
    struct page pg = {.kind = 'a', .key = "id"};
    struct org_sql_filter f;
    char org[ORG_CODE_MAX + 1];
    const char *why;
    int rc = page_start(&pg, q, &f, p);
    if (!rc && f.after && str_to_int64(f.after, 1, INT64_MAX, &f.after_id))
        rc = reject(p, 422, "invalid_cursor", "cursor",
                    "the cursor is not one this list gave out; start again without it");
    f.after = NULL;
    if (!rc && given(q->role) && !role_bit_of(q->role))
        rc = reject(p, 422, "unknown_role", "role",
                    "'%s' is not a role; GET /api/v1/roles lists them", shown(q->role));
    if (!rc && given(q->role))
        f.role = q->role;
    if (!rc)
        rc = filter_value(q->person, "person", &f.person, p);
    if (!rc)
        rc = filter_value(q->organisation, "organisation", &f.organisation, p);
    if (!rc && f.organisation)
        f.organisation = org_code_normalise(f.organisation, org, &why) ? "" : org;
    if (!rc)
        rc = org_sql_assignment_list(db, who, &f, each_assignment, pg.items);
    return page_end(&pg, rc, out);
}

static int each_role(void *ctx, const struct role_row *row)
{
    return append(ctx, json_pack("{s:s, s:s, s:s}", "id", row->id, "name_sv", row->name_sv,
                                 "name_en", row->name_en));
}

int role_list(struct db *db, json_t **out)
{
    json_t *items = json_array();
    int rc = org_sql_role_list(db, each_role, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o, s:n}", "items", items, "next_cursor");
    return 0;
}
