/* libFuzzer target: json_body_parse keeps its contract on any bytes, accepts only valid bodies. */
#include "core/err.h"
#include "core/json_body.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every field type and flag, with bounds on both sides. */
static const struct field fields[] = {
    {"name", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, 10, "one line, 1 to 10"},
    {"code", FIELD_STRING, 0, 3, 5, "3 to 5"},
    {"notes", FIELD_STRING, FIELD_NULLABLE, 0, 0, "unbounded, nullable"},
    {"count", FIELD_INTEGER, 0, -100, 100, "-100 to 100"},
    {"big", FIELD_INTEGER, FIELD_NULLABLE, INT64_MIN, INT64_MAX, "any integer"},
    {"active", FIELD_BOOLEAN, 0, 0, 0, "a flag"},
    {"due", FIELD_DATE, FIELD_NULLABLE, 0, 0, "a date or null"},
    {"start", FIELD_DATE, 0, 0, 0, "a date"},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct field *find(const char *name)
{
    for (const struct field *f = fields; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static int64_t chars(const char *s, size_t n)
{
    int64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static int date_ok(const char *s)
{
    /* Shape only; the calendar itself is the unit tests' business. */
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

/* An accepted body must satisfy the table: re-check it independently. */
static void check_accepted(json_t *o)
{
    if (!json_is_object(o))
        abort();
    for (const struct field *f = fields; f->name; f++)
        if ((f->flags & FIELD_REQUIRED) && !json_object_get(o, f->name))
            abort();
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        const struct field *f = find(key);
        if (!f)
            abort();
        if (json_is_null(v)) {
            if (!(f->flags & FIELD_NULLABLE))
                abort();
            continue;
        }
        switch (f->type) {
        case FIELD_STRING: {
            if (!json_is_string(v))
                abort();
            const char *s = json_string_value(v);
            size_t n = json_string_length(v);
            int64_t c = chars(s, n);
            if (c < f->min || (f->max > 0 && c > f->max))
                abort();
            if (f->flags & FIELD_ONE_LINE)
                for (size_t i = 0; i < n; i++)
                    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
                        abort();
            break;
        }
        case FIELD_INTEGER:
            if (!json_is_integer(v) || json_integer_value(v) < f->min ||
                json_integer_value(v) > f->max)
                abort();
            break;
        case FIELD_BOOLEAN:
            if (!json_is_boolean(v))
                abort();
            break;
        case FIELD_DATE:
            if (!json_is_string(v) || !date_ok(json_string_value(v)))
                abort();
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *out = json_true(); /* a canary (a static singleton): must be replaced */
    struct json_problem p;
    memset(&p, 0xA5, sizeof(p));
    int rc = json_body_parse((const char *)data, size, fields, &out, &p);
    if (rc == 0) {
        if (!out)
            abort();
        check_accepted(out);
        json_decref(out);
        return 0;
    }
    if (rc != ERR_INVALID || out != NULL || !p.code || (p.status != 400 && p.status != 422))
        abort();
    if (!memchr(p.field, '\0', sizeof(p.field)) || !memchr(p.detail, '\0', sizeof(p.detail)))
        abort();
    if (p.detail[0] == '\0')
        abort();
    static const char *const codes400[] = {"empty_body", "malformed_json", "duplicate_key",
                                           "not_an_object"};
    static const char *const codes422[] = {"unknown_field", "missing_field",      "wrong_type",
                                           "out_of_range",  "too_long",           "too_short",
                                           "empty",         "invalid_characters", "invalid_date"};
    int known = 0;
    if (p.status == 400)
        for (size_t i = 0; i < sizeof(codes400) / sizeof(codes400[0]); i++)
            known |= strcmp(p.code, codes400[i]) == 0;
    else
        for (size_t i = 0; i < sizeof(codes422) / sizeof(codes422[0]); i++)
            known |= strcmp(p.code, codes422[i]) == 0;
    if (!known)
        abort();
    /* A 400 concerns the body as a whole (a duplicate key names the key); a 422 names the field,
     * which is empty only for an unknown key that is itself "". */
    if (p.status == 400 && p.field[0] != '\0' && strcmp(p.code, "duplicate_key") != 0)
        abort();
    if (p.status == 422 && p.field[0] == '\0' && strcmp(p.code, "unknown_field") != 0)
        abort();
    return 0;
}
