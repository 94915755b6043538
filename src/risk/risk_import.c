/* Import of a risk register from CSV: all rows or none, as the other imports (docs/import.md). */
#include "risk/risk.h"
#include "catalog/cat_common.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "core/xalloc.h"
#include "db/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum col_type { T_ID, T_LINE, T_TEXT, T_DATE, T_LEVEL, T_LIST, T_CODE, T_USER, T_TREATMENT };

struct column {
    const char *name;
    enum col_type type;
    bool required; /* the header must have it */
    bool value;    /* a row must give a value */
};

static const struct column COLUMNS[] = {
    {"external_id", T_ID, true, true},
    {"assessment_title", T_LINE, true, true},
    {"organisation", T_CODE, true, true},
    {"assessed_on", T_DATE, true, true},
    {"title", T_LINE, true, true},
    {"threat", T_TEXT, true, false},
    {"vulnerability", T_TEXT, true, false},
    {"systems", T_LIST, true, false},
    {"inherent_likelihood", T_LEVEL, true, true},
    {"inherent_consequence", T_LEVEL, true, true},
    {"residual_likelihood", T_LEVEL, true, false},
    {"residual_consequence", T_LEVEL, true, false},
    {"treatment", T_TREATMENT, true, false},
    {"owner", T_USER, true, true},
    {"information", T_LIST, false, false},
    {NULL, T_TEXT, false, false},
};
#define NCOLUMNS 15

static const char COLUMN_LIST[] =
    "external_id, assessment_title, organisation, assessed_on, title, threat, vulnerability, "
    "systems, inherent_likelihood, inherent_consequence, residual_likelihood, "
    "residual_consequence, treatment, owner and information";

struct import {
    const char *file;
    struct import_report *rep;
    int ncols;
    int map[CSV_FIELDS_MAX];
    bool present[NCOLUMNS];
    json_t *seen;
    bool began;
};

static void problem(struct import *im, long line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct import *im, long line, const char *column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    import_report_vproblem(im->rep, im->file, line, column, fmt, ap);
    va_end(ap);
}

static void read_header(struct import *im, const struct csv_record *rec)
{
    char name[64];
    im->ncols = rec->count;
    for (int i = 0; i < rec->count; i++) {
        const char *in = rec->fields[i];
        while (*in == ' ')
            in++;
        size_t n = 0;
        for (; in[n] && n + 1 < sizeof(name); n++)
            name[n] = (in[n] >= 'A' && in[n] <= 'Z') ? (char)(in[n] - 'A' + 'a') : in[n];
        while (n && name[n - 1] == ' ')
            n--;
        name[n] = '\0';
        int c = -1;
        for (int j = 0; COLUMNS[j].name; j++)
            if (strcmp(COLUMNS[j].name, name) == 0)
                c = j;
        im->map[i] = c;
        if (!name[0])
            problem(im, rec->line, NULL, "column %d of the header has no name", i + 1);
        else if (c < 0)
            problem(im, rec->line, name, "not a column of risks; the columns are %s", COLUMN_LIST);
        else if (im->present[c])
            problem(im, rec->line, name, "appears twice in the header");
        else
            im->present[c] = true;
    }
    for (int c = 0; COLUMNS[c].name; c++)
        if (COLUMNS[c].required && !im->present[c])
            problem(im, rec->line, COLUMNS[c].name, "missing from the header");
}

/* "A|B|C" as an array of external ids; NULL with *why on a bad one. */
static json_t *split_list(const char *v, const char **why)
{
    char buf[CSV_FIELD_MAX + 1];
    json_t *ids = json_array();
    str_copy(buf, sizeof(buf), v);
    for (char *s = buf; s && *s;) {
        char *bar = strchr(s, '|');
        if (bar)
            *bar = '\0';
        if (json_array_size(ids) == RISK_LINKS_MAX) {
            *why = "more than 100 external ids";
            json_decref(ids);
            return NULL;
        }
        if (cat_external_id_check(s, why)) {
            json_decref(ids);
            return NULL;
        }
        json_array_append_new(ids, json_string(s));
        s = bar ? bar + 1 : NULL;
    }
    return ids;
}

static bool put_value(struct import *im, long line, const struct column *col, const char *v,
                      json_t *body)
{
    const char *why = NULL;
    int64_t n;
    json_t *list;
    switch (col->type) {
    case T_ID:
        if (cat_external_id_check(v, &why))
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    case T_DATE:
        if (org_date_check(v, &why))
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    case T_LEVEL:
        why = "a level is a whole number from 1 to 5 (up to the size of the organisation's matrix)";
        if (str_to_int64(v, 1, 5, &n))
            break;
        return json_object_set_new(body, col->name, json_integer(n)) == 0;
    case T_LINE:
        if (org_name_check(v, &why))
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    case T_TEXT:
        why = "longer than 4000 bytes";
        if (strlen(v) > RISK_TEXT_MAX)
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    case T_TREATMENT:
        why = "treatment is reduce, accept, avoid or transfer";
        if (strcmp(v, "reduce") && strcmp(v, "accept") && strcmp(v, "avoid") &&
            strcmp(v, "transfer"))
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    case T_LIST:
        list = split_list(v, &why);
        if (!list)
            break;
        return json_object_set_new(body, col->name, list) == 0;
    case T_CODE:
    case T_USER:
        why = "longer than 64 bytes";
        if (strlen(v) > 64)
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    }
    problem(im, line, col->name, "%s", why ? why : "not acceptable");
    return false;
}

static int apply_row(struct import *im, struct db *db, const struct org_actor *who,
                     const struct csv_record *rec)
{
    json_t *body = json_object();
    bool ok = true;
    int rc = 0;
    if (rec->count != im->ncols) {
        problem(im, rec->line, NULL, "the row has %d fields, the header %d", rec->count, im->ncols);
        json_decref(body);
        return 0;
    }
    for (int i = 0; i < rec->count; i++) {
        const struct column *col = &COLUMNS[im->map[i]];
        const char *v = rec->fields[i];
        if (!v[0]) {
            if (col->value) {
                problem(im, rec->line, col->name, "empty; a value is required");
                ok = false;
            } else if (col->type == T_LIST) {
                json_object_set_new(body, col->name, json_array());
            } else if (col->type == T_LEVEL || col->type == T_TREATMENT) {
                json_object_set_new(body, col->name, json_null());
            } else {
                json_object_set_new(body, col->name, json_string(""));
            }
            continue;
        }
        ok = put_value(im, rec->line, col, v, body) && ok;
    }
    const char *ext = json_string_value(json_object_get(body, "external_id"));
    if (ok) {
        json_t *was = json_object_get(im->seen, ext);
        if (was) {
            problem(im, rec->line, "external_id", "'%s' is also on line %lld", ext,
                    (long long)json_integer_value(was));
            ok = false;
        } else {
            json_object_set_new(im->seen, ext, json_integer(rec->line));
        }
    }
    if (ok) {
        struct json_problem p = {0};
        enum org_outcome outcome = ORG_UNCHANGED;
        char shown[CAT_EXTERNAL_ID_MAX + 1];
        str_copy(shown, sizeof(shown), ext);
        rc = risk_import_save(db, who, body, &outcome, &p);
        if (rc == ERR_NOTFOUND) {
            problem(im, rec->line, "external_id", "a risk with external id '%s' exists", shown);
            rc = 0;
        } else if (rc == ERR_REJECTED) {
            problem(im, rec->line, p.field[0] ? p.field : NULL, "%s", p.detail);
            rc = 0;
        } else if (!rc) {
            im->rep->created += outcome == ORG_CREATED;
            im->rep->updated += outcome == ORG_UPDATED;
        }
    }
    json_decref(body);
    return rc;
}

int risk_import(struct db *db, const struct import_options *opt, const char *actor,
                const char *file, const char *data, size_t len, struct import_report *rep)
{
    struct import im = {.file = file, .rep = rep, .seen = json_object()};
    struct org_actor cli = {.everything = true, .actor = actor};
    const struct org_actor *who = opt && opt->who ? opt->who : &cli;
    struct csv_reader csv;
    struct csv_record rec;
    long bad_line = 0;
    int rc = 0;
    memset(rep, 0, sizeof(*rep));
    size_t bom = csv_bom_length(data, len);
    data += bom;
    len -= bom;
    csv_init(&csv, data, len, csv_detect_separator(data, len));
    int got = csv_utf8_check(data, len, &bad_line) ? ERR_INVALID : csv_next(&csv, &rec);
    if (got == ERR_INVALID && bad_line)
        problem(&im, bad_line, NULL,
                "not UTF-8 text; save the file as \"CSV UTF-8\" (or UTF-8 without BOM)");
    else if (got < 0)
        problem(&im, csv.error_line, NULL, "%s", csv.error);
    else if (got == 0)
        problem(&im, 1, NULL, "the file is empty; its first line must name the columns");
    else
        read_header(&im, &rec);
    if (!rep->errors) {
        rc = db_begin(db);
        im.began = !rc;
    }
    while (im.began && !rc && (got = csv_next(&csv, &rec)) != 0) {
        if (got < 0) {
            problem(&im, csv.error_line, NULL, "%s", csv.error);
            break;
        }
        bool blank = true;
        for (int i = 0; i < rec.count; i++)
            blank = blank && !rec.fields[i][0];
        if (blank)
            continue;
        rep->rows++;
        rc = apply_row(&im, db, who, &rec);
    }
    csv_release(&csv);
    if (im.began) {
        if (!rc && !rep->errors && !(opt && opt->dry_run))
            rc = db_commit(db);
        else
            db_rollback(db);
    }
    if (!rc && rep->errors) {
        rep->created = rep->updated = 0;
        rc = ERR_INVALID;
    }
    json_decref(im.seen);
    return rc;
}
