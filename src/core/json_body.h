/* Validation of JSON request bodies against a per-route field table, before any handler runs. */
#ifndef VARN_CORE_JSON_BODY_H
#define VARN_CORE_JSON_BODY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum field_type {
    FIELD_STRING,  /* a JSON string; min/max bound its length in characters */
    FIELD_INTEGER, /* a JSON integer; min/max bound its value */
    FIELD_BOOLEAN, /* true or false */
    FIELD_DATE,    /* a string YYYY-MM-DD that is a real calendar date */
    FIELD_OBJECT,  /* a JSON object; the handler checks its members */
    FIELD_ARRAY,   /* a JSON array; min/max bound its length; the handler checks its items */
};

enum field_flags {
    FIELD_REQUIRED = 1 << 0, /* must be present */
    FIELD_NULLABLE = 1 << 1, /* null is accepted (it clears the value) */
    FIELD_ONE_LINE = 1 << 2, /* a string without control characters (names, titles) */
};

struct field {
    const char *name;     /* JSON key; a NULL name ends the table */
    enum field_type type; /* what the value must be */
    unsigned flags;       /* enum field_flags */
    int64_t min;          /* least value or length */
    int64_t max;          /* greatest value or length; 0 for strings means no bound */
    const char *doc;      /* one line for the API document */
};

/* What was wrong with a body: an RFC 9457 problem in the making. */
struct json_problem {
    int status;       /* 400 for syntax, 422 for content */
    const char *code; /* stable machine-readable code, e.g. "unknown_field" */
    char field[64];   /* the offending field, or "" */
    char detail[512]; /* a sentence for people */
};

/* Parse data[0..len) as a JSON object and check it against fields (terminated by a NULL
 * name). Duplicate keys, unknown keys, missing required keys, wrong types and values out of
 * range are refused. On success *out holds a new reference; on failure returns ERR_INVALID,
 * fills *p and leaves *out NULL. */
int json_body_parse(const char *data, size_t len, const struct field *fields, json_t **out,
                    struct json_problem *p);

#endif
