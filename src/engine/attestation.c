/* Attestations: a responsible person's word, with evidence, that a duty of a policy is met
 * (the rule "attestation"; see docs/policy-profiles.md). */
#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "engine/findings.h"
#include "engine/findings_sql.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define ATT_CURSOR_RAW (CLOCK_ISO_LEN + 24)
#define ATT_CURSOR_MAX (ATT_CURSOR_RAW * 4 / 3 + 4)

static bool given(const char *s)
{
    return s && *s;
}

/* The obligation id in one of the organisation's profiles, as *obligation (a new reference);
 * NULL when none has it. */
static int find_obligation(struct db *db, int64_t org_id, const char *id, json_t **obligation)
{
    json_t *rows = json_array(), *row;
    size_t i;
    *obligation = NULL;
    int rc = att_sql_org_profiles(db, org_id, rows);
    json_array_foreach(rows, i, row)
    {
        if (rc || *obligation)
            break;
        json_t *body = json_loads(json_string_value(json_object_get(row, "body")), 0, NULL), *o;
        size_t k;
        json_array_foreach(json_object_get(body, "obligations"), k, o)
        {
            const char *oid = json_string_value(json_object_get(o, "id"));
            if (oid && strcmp(oid, id) == 0) {
                *obligation = json_incref(o);
                break;
            }
        }
        json_decref(body);
    }
    json_decref(rows);
    return rc;
}

/* A MIME type: type "/" subtype of token characters. */
static bool content_type_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0, slash = 0;
    if (n < 3 || n > 100)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '/')
            slash++;
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   strchr("!#$&^_.+-", c)))
            return false;
    }
    return slash == 1 && s[0] != '/' && s[n - 1] != '/';
}

static bool one_line(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return false;
    return true;
}

/* The attachment {name, content_type, data_base64}: checked, its members into the out
 * parameters (pointers into att). */
static int attachment_of(json_t *att, const char **name, const char **type, const char **data,
                         size_t *size, struct json_problem *p)
{
    const char *key;
    json_t *v;
    *name = *type = *data = NULL;
    *size = 0;
    if (!att || json_is_null(att))
        return 0;
    if (!json_is_object(att))
        return cat_reject(p, 422, "wrong_type", "attachment",
                          "'attachment' must be an object {name, content_type, data_base64}");
    json_object_foreach(att, key, v)
    {
        if (strcmp(key, "name") && strcmp(key, "content_type") && strcmp(key, "data_base64"))
            return cat_reject(p, 422, "unknown_field", "attachment",
                              "'attachment' has name, content_type and data_base64 only");
    }
    *name = json_string_value(json_object_get(att, "name"));
    *type = json_string_value(json_object_get(att, "content_type"));
    *data = json_string_value(json_object_get(att, "data_base64"));
    if (!one_line(*name, 200) || strchr(*name, '/') || strchr(*name, '\\'))
        return cat_reject(p, 422, "invalid_value", "attachment",
                          "the attachment's name is 1 to 200 characters on one line, without / "
                          "or \\");
    if (!content_type_ok(*type))
        return cat_reject(p, 422, "invalid_value", "attachment",
                          "the attachment's content_type is a media type such as "
                          "application/pdf");
    size_t len = *data ? strlen(*data) : 0;
    if (len == 0)
        return cat_reject(p, 422, "invalid_value", "attachment",
                          "the attachment's data_base64 is empty");
    if (len / 4 * 3 > ATTESTATION_FILE_MAX + 3)
        return cat_reject(p, 413, "too_large", "attachment", "an attached file is at most %d bytes",
                          ATTESTATION_FILE_MAX);
    unsigned char *bin = malloc(len / 4 * 3 + 3);
    if (!bin)
        return ERR_NOMEM;
    int bad = sodium_base642bin(bin, len / 4 * 3 + 3, *data, len, NULL, size, NULL,
                                sodium_base64_VARIANT_ORIGINAL);
    free(bin);
    if (bad)
        return cat_reject(p, 422, "invalid_value", "attachment",
                          "the attachment's data_base64 is not base64");
    if (*size > ATTESTATION_FILE_MAX)
        return cat_reject(p, 413, "too_large", "attachment", "an attached file is at most %d bytes",
                          ATTESTATION_FILE_MAX);
    return 0;
}

static json_t *public_of(json_t *row)
{
    json_t *out = json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(row, "id"), "organisation",
        json_object_get(row, "organisation"), "obligation", json_object_get(row, "obligation"),
        "attested_by", json_object_get(row, "attested_by"), "attested_at",
        json_object_get(row, "attested_at"), "statement", json_object_get(row, "statement"),
        "evidence_reference", json_object_get(row, "evidence_reference"));
    json_t *name = json_object_get(row, "evidence_name");
    if (out)
        json_object_set_new(out, "evidence",
                            json_is_string(name)
                                ? json_pack("{s:O, s:O}", "name", name, "content_type",
                                            json_object_get(row, "evidence_type"))
                                : json_null());
    return out;
}

int attestation_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                       struct json_problem *p)
{
    char org[ORG_CODE_MAX + 1], at[CLOCK_ISO_LEN], object_id[24];
    const char *why, *ev_name = NULL, *ev_type = NULL, *ev_data = NULL;
    const char *code = json_string_value(json_object_get(body, "organisation"));
    const char *obl_id = json_string_value(json_object_get(body, "obligation"));
    json_t *obligation = NULL, *row = NULL;
    int64_t org_id = 0, parent_id = 0, id = 0;
    size_t size = 0;
    bool holds = false, admin = false;
    *out = NULL;
    int rc = org_code_normalise(code, org, &why) ? ERR_NOTFOUND
                                                 : att_sql_org(db, who, org, &org_id, &parent_id);
    if (rc == ERR_NOTFOUND)
        return cat_unknown_org(p, "organisation", code);
    if (!rc)
        rc = find_obligation(db, org_id, obl_id, &obligation);
    if (!rc && !obligation)
        rc = cat_reject(p, 422, "unknown_obligation", "obligation",
                        "no policy profile of %s has an obligation '%s'", org, cat_shown(obl_id));
    const char *rule = json_string_value(json_object_get(obligation, "rule"));
    if (!rc && (!rule || strcmp(rule, "attestation") != 0))
        rc = cat_reject(p, 422, "not_attestation", "obligation",
                        "obligation '%s' is checked by the rule '%s', not by attestation",
                        cat_shown(obl_id), cat_shown(rule));
    const char *role = json_string_value(json_object_get(obligation, "responsible"));
    unsigned bit = role ? role_bit_of(role) : 0;
    if (!rc && bit)
        rc = att_sql_holds(db, who, bit, org_id, parent_id, &holds);
    if (!rc && !holds)
        rc = att_sql_admin_over(db, who, org_id, &admin);
    if (!rc && !holds && !admin)
        rc = cat_reject(p, 403, "not_responsible", "obligation",
                        "only a person holding the role %s in %s or the organisation above it, "
                        "or an administrator, may attest '%s'",
                        role ? cat_shown(role) : "(none)", org, cat_shown(obl_id));
    if (!rc)
        rc = attachment_of(json_object_get(body, "attachment"), &ev_name, &ev_type, &ev_data, &size,
                           p);
    clock_format(clock_now(), at);
    struct attestation_write w = {
        .organisation_id = org_id,
        .obligation = obl_id,
        .attested_by = who->actor,
        .person_id =
            who->caller && who->caller->kind == CALLER_SESSION ? who->caller->person_id : 0,
        .at = at,
        .statement = json_string_value(json_object_get(body, "statement")),
        .evidence_reference = json_string_value(json_object_get(body, "evidence_reference")),
        .evidence_name = ev_name,
        .evidence_type = ev_type,
        .evidence_data = ev_data,
    };
    if (!rc && !w.statement[strspn(w.statement, " \t\r\n")])
        rc = cat_reject(p, 422, "empty", "statement", "'statement' must not be blank");
    if (!rc)
        rc = db_begin(db);
    else {
        json_decref(obligation);
        return rc;
    }
    rc = att_sql_insert(db, &w, &id);
    if (!rc)
        rc = att_sql_get(db, who, id, &row);
    if (!rc) {
        *out = public_of(row);
        rc = *out ? 0 : ERR_NOMEM;
    }
    if (!rc) {
        json_t *after = json_deep_copy(*out);
        if (ev_name)
            json_object_set_new(json_object_get(after, "evidence"), "size",
                                json_integer((json_int_t)size));
        str_format(object_id, sizeof(object_id), "%lld", (long long)id);
        rc =
            cat_audit(db, who, "attestation.create", "attestation", object_id, org_id, NULL, after);
        json_decref(after);
    }
    json_decref(row);
    json_decref(obligation);
    return cat_finish(db, rc, out);
}

int attestation_list(struct db *db, const struct org_actor *who, const char *organisation,
                     const char *obligation, const char *limit, const char *cursor, json_t **out,
                     struct json_problem *p)
{
    char org[ORG_CODE_MAX + 1], raw[ATT_CURSOR_RAW + 1], next[ATT_CURSOR_MAX];
    const char *why;
    int64_t n = ORG_PAGE_DEFAULT;
    struct attestation_filter f = {0};
    json_t *rows = json_array(), *items = json_array(), *nx = json_null();
    int rc = 0;
    if (given(limit) && str_to_int64(limit, 1, ORG_PAGE_MAX, &n))
        rc = cat_reject(p, 422, "out_of_range", "limit", "limit is a whole number from 1 to %d",
                        ORG_PAGE_MAX);
    f.limit = (int)n + 1;
    if (!rc && given(cursor)) {
        size_t len = 0;
        char *sep = NULL;
        if (strlen(cursor) >= ATT_CURSOR_MAX ||
            sodium_base642bin((unsigned char *)raw, sizeof(raw) - 1, cursor, strlen(cursor), NULL,
                              &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
            len < 3 || raw[0] != 'A' || memchr(raw, '\0', len))
            rc = ERR_INVALID;
        if (!rc) {
            raw[len] = '\0';
            sep = strchr(raw, '\x1f');
            rc = sep ? 0 : ERR_INVALID;
        }
        if (!rc) {
            *sep = '\0';
            f.after_at = raw + 1;
            f.has_after = true;
            rc = str_to_int64(sep + 1, 1, INT64_MAX, &f.after_id) ? ERR_INVALID : 0;
        }
        if (rc)
            rc = cat_reject(p, 422, "invalid_cursor", "cursor",
                            "the cursor is not one this list gave out; start again without it");
    }
    if (!rc)
        rc = cat_filter(organisation, "organisation", &f.organisation, p);
    if (!rc && f.organisation)
        f.organisation = org_code_normalise(f.organisation, org, &why) ? "" : org;
    if (!rc)
        rc = cat_filter(obligation, "obligation", &f.obligation, p);
    if (!rc)
        rc = att_sql_list(db, who, &f, rows);
    size_t count = json_array_size(rows);
    for (size_t i = 0; !rc && i < count && i < (size_t)n; i++) {
        json_t *row = json_array_get(rows, i);
        rc = json_array_append_new(items, public_of(row)) ? ERR_NOMEM : 0;
        if (!rc && count > (size_t)n && i == (size_t)n - 1) {
            char buf[ATT_CURSOR_RAW];
            if (str_format(buf, sizeof(buf), "A%s\x1f%lld",
                           json_string_value(json_object_get(row, "attested_at")),
                           (long long)json_integer_value(json_object_get(row, "id"))))
                rc = ERR_TOOBIG;
            if (!rc) {
                sodium_bin2base64(next, sizeof(next), (const unsigned char *)buf, strlen(buf),
                                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
                json_decref(nx);
                nx = json_string(next);
            }
        }
    }
    json_decref(rows);
    if (rc) {
        json_decref(items);
        json_decref(nx);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", nx);
    return *out ? 0 : ERR_NOMEM;
}

int attestation_evidence(struct db *db, const struct org_actor *who, const char *id, char **name,
                         char **content_type, unsigned char **data, size_t *len)
{
    int64_t n;
    json_t *row = NULL;
    *name = *content_type = NULL;
    *data = NULL;
    *len = 0;
    if (!id || str_to_int64(id, 1, INT64_MAX, &n))
        return ERR_NOTFOUND;
    int rc = att_sql_evidence(db, who, n, &row);
    if (!rc) {
        const char *b64 = json_string_value(json_object_get(row, "data"));
        size_t blen = b64 ? strlen(b64) : 0;
        *data = malloc(blen / 4 * 3 + 4);
        *name = strdup(json_string_value(json_object_get(row, "name")));
        *content_type = strdup(json_string_value(json_object_get(row, "content_type")));
        rc = *data && *name && *content_type ? 0 : ERR_NOMEM;
        if (!rc && sodium_base642bin(*data, blen / 4 * 3 + 4, b64, blen, NULL, len, NULL,
                                     sodium_base64_VARIANT_ORIGINAL) != 0)
            rc = ERR_DB;
    }
    json_decref(row);
    if (rc) {
        free(*name);
        free(*content_type);
        free(*data);
        *name = *content_type = NULL;
        *data = NULL;
    }
    return rc;
}
