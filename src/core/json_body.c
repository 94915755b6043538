/* JSON body validation: syntax via jansson (duplicates rejected), then the route's field table. */
#include "core/json_body.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"

#include <inttypes.h>
#include <string.h>

static int problem(struct json_problem *p, int status, const char *code, const char *field,
                   const char *detail)
{
    p->status = status;
    p->code = code;
    str_copy(p->field, sizeof(p->field), "");
    if (field && str_copy(p->field, sizeof(p->field), field) != 0)
        str_copy(p->field, sizeof(p->field), "(name too long)");
    /* An empty detail means the caller's str_format ran out of room (a long key). */
    if (!detail[0] || str_copy(p->detail, sizeof(p->detail), detail) != 0)
        str_copy(p->detail, sizeof(p->detail), "invalid request body");
    return ERR_INVALID;
}

static const char *type_name(enum field_type t)
{
    switch (t) {
    case FIELD_STRING:
        return "a string";
    case FIELD_INTEGER:
        return "an integer";
    case FIELD_BOOLEAN:
        return "true or false";
    case FIELD_DATE:
        return "a date YYYY-MM-DD";
    case FIELD_OBJECT:
        return "an object";
    case FIELD_ARRAY:
        return "an array";
    }
    return "?";
}

/* Characters, not bytes: jansson has already checked that the string is valid UTF-8. */
static int64_t utf8_length(const char *s, size_t n)
{
    int64_t chars = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            chars++;
    return chars;
}

static int check_value(const struct field *f, json_t *v, struct json_problem *p)
{
    char msg[256];
    if (json_is_null(v)) {
        if (f->flags & FIELD_NULLABLE)
            return 0;
        str_format(msg, sizeof(msg), "'%s' must be %s, not null", f->name, type_name(f->type));
        return problem(p, 422, "wrong_type", f->name, msg);
    }
    switch (f->type) {
    case FIELD_STRING:
    case FIELD_DATE: {
        if (!json_is_string(v))
            break;
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (f->type == FIELD_DATE) {
            int64_t t;
            if (strlen(s) != n || clock_parse_date(s, &t) != 0) {
                str_format(msg, sizeof(msg), "'%s' must be a real date written YYYY-MM-DD",
                           f->name);
                return problem(p, 422, "invalid_date", f->name, msg);
            }
            return 0;
        }
        if (f->flags & FIELD_ONE_LINE) {
            for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c < 0x20 || c == 0x7F) {
                    str_format(msg, sizeof(msg), "'%s' must be one line without control characters",
                               f->name);
                    return problem(p, 422, "invalid_characters", f->name, msg);
                }
            }
        }
        int64_t len = utf8_length(s, n);
        if (len < f->min) {
            str_format(msg, sizeof(msg), "'%s' must be at least %" PRId64 " characters long",
                       f->name, f->min);
            return problem(p, 422, len == 0 ? "empty" : "too_short", f->name, msg);
        }
        if (f->max > 0 && len > f->max) {
            str_format(msg, sizeof(msg), "'%s' must be at most %" PRId64 " characters long",
                       f->name, f->max);
            return problem(p, 422, "too_long", f->name, msg);
        }
        return 0;
    }
    case FIELD_INTEGER: {
        if (!json_is_integer(v))
            break;
        json_int_t i = json_integer_value(v);
        if (i < f->min || i > f->max) {
            str_format(msg, sizeof(msg), "'%s' must be between %" PRId64 " and %" PRId64, f->name,
                       f->min, f->max);
            return problem(p, 422, "out_of_range", f->name, msg);
        }
        return 0;
    }
    case FIELD_BOOLEAN:
        if (json_is_boolean(v))
            return 0;
        break;
    case FIELD_OBJECT:
        if (json_is_object(v))
            return 0;
        break;
    case FIELD_ARRAY: {
        if (!json_is_array(v))
            break;
        int64_t n = (int64_t)json_array_size(v);
        if (n < f->min || (f->max > 0 && n > f->max)) {
            str_format(msg, sizeof(msg), "'%s' must have %" PRId64 " to %" PRId64 " items", f->name,
                       f->min, f->max);
            return problem(p, 422, "out_of_range", f->name, msg);
        }
        return 0;
    }
    }
    str_format(msg, sizeof(msg), "'%s' must be %s", f->name, type_name(f->type));
    return problem(p, 422, "wrong_type", f->name, msg);
}

static const struct field *find_field(const struct field *fields, const char *name)
{
    for (const struct field *f = fields; f && f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

int json_body_parse(const char *data, size_t len, const struct field *fields, json_t **out,
                    struct json_problem *p)
{
    char msg[256];
    json_error_t jerr;
    *out = NULL;
    if (len == 0)
        return problem(p, 400, "empty_body", NULL,
                       "the request body is empty; a JSON object was expected");
    /* Integer overflow is a syntax error in jansson, and numbers beyond int64 are never valid
     * here, so no JSON_DECODE_INT_AS_REAL. Depth is capped by jansson (2048 levels). */
    /* DECODE_ANY so that a bare 42 or "x" is reported as what it is: not an object. */
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root) {
        if (json_error_code(&jerr) == json_error_duplicate_key) {
            /* jansson reports the key as: duplicate object key near '"name"' */
            char key[64] = "";
            const char *q = strstr(jerr.text, "near '\"");
            if (q) {
                q += 7;
                size_t k = 0;
                while (q[k] && q[k] != '"' && k < sizeof(key) - 1) {
                    key[k] = q[k];
                    k++;
                }
                key[k] = '\0';
            }
            str_format(msg, sizeof(msg), "the key '%s' appears more than once", key);
            return problem(p, 400, "duplicate_key", key, msg);
        }
        /* jansson's text for this one names its own flag, which clients have no use for. */
        const char *why = json_error_code(&jerr) == json_error_null_character
                              ? "\\u0000 is not allowed in strings"
                              : jerr.text;
        str_format(msg, sizeof(msg), "the body is not valid JSON: %s (line %d, column %d)", why,
                   jerr.line, jerr.column);
        return problem(p, 400, "malformed_json", NULL, msg);
    }
    int rc = 0;
    if (!json_is_object(root)) {
        rc = problem(p, 400, "not_an_object", NULL, "the body must be a JSON object");
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        const struct field *f = find_field(fields, key);
        if (!f) {
            str_format(msg, sizeof(msg), "'%s' is not a field of this resource", key);
            rc = problem(p, 422, "unknown_field", key, msg);
            goto out;
        }
        rc = check_value(f, v, p);
        if (rc)
            goto out;
    }
    for (const struct field *f = fields; f && f->name; f++) {
        if ((f->flags & FIELD_REQUIRED) && !json_object_get(root, f->name)) {
            str_format(msg, sizeof(msg), "'%s' is required", f->name);
            rc = problem(p, 422, "missing_field", f->name, msg);
            goto out;
        }
    }
out:
    if (rc) {
        json_decref(root);
        return rc;
    }
    *out = root;
    return 0;
}
