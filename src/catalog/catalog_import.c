/* Import of systems, components and information from CSV (and a CycloneDX SBOM): all or nothing. */
#include "catalog/catalog.h"
#include "catalog/cat_common.h"
#include "classification/classification.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "core/xalloc.h"
#include "db/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS_MAX    16
#define LINK_MAX       256 /* systems one information asset names */
#define SBOM_SHOWN_MAX 96  /* a component named in a message */

enum col_type { T_TEXT, T_LINE, T_ID, T_BOOL, T_DATE, T_LEVEL, T_COUNT, T_LIST, T_CODE, T_USER };

struct column {
    const char *name;   /* in the file and (where it maps 1:1) in the body */
    enum col_type type; /* how the value is checked and put in the body */
    bool required;      /* the header must have it */
    bool value;         /* a row must give a value */
};

struct kind {
    const char *name;                    /* "systems" */
    const char *list;                    /* the columns, for the message */
    struct column cols[COLUMNS_MAX + 1]; /* NULL-terminated */
};

static const struct kind kinds[] = {
    {"systems",
     "external_id, name, organisation, system_owner, lifecycle, internet_facing, mfa_enforced, "
     "last_significant_change, description, administrator, supplier, hosting, hosting_country "
     "and sso",
     {{"external_id", T_ID, true, true},
      {"name", T_TEXT, true, true},
      {"organisation", T_CODE, true, true},
      {"system_owner", T_USER, true, true},
      {"lifecycle", T_TEXT, true, true},
      {"internet_facing", T_BOOL, true, false},
      {"mfa_enforced", T_BOOL, true, false},
      {"last_significant_change", T_DATE, true, false},
      {"description", T_TEXT, false, false},
      {"administrator", T_USER, false, false},
      {"supplier", T_CODE, false, false},
      {"hosting", T_TEXT, false, false},
      {"hosting_country", T_TEXT, false, false},
      {"sso", T_BOOL, false, false},
      {NULL, T_TEXT, false, false}}},
    {"components",
     "system_external_id, kind, name, vendor, product, version, cpe, licence_count, "
     "licences_in_use, licence_expiry, end_of_support and licence_cost",
     {{"system_external_id", T_ID, true, true},
      {"kind", T_TEXT, true, true},
      {"name", T_TEXT, true, true},
      {"vendor", T_LINE, true, false},
      {"product", T_LINE, true, false},
      {"version", T_LINE, true, false},
      {"cpe", T_TEXT, true, false},
      {"licence_count", T_COUNT, true, false},
      {"licences_in_use", T_COUNT, true, false},
      {"licence_expiry", T_DATE, true, false},
      {"end_of_support", T_DATE, true, false},
      {"licence_cost", T_COUNT, false, false},
      {NULL, T_TEXT, false, false}}},
    {"information",
     "external_id, name, organisation, information_owner, k, r, t, personal_data, "
     "classified_at, systems, description and secrecy_reference",
     {{"external_id", T_ID, true, true},
      {"name", T_TEXT, true, true},
      {"organisation", T_CODE, true, true},
      {"information_owner", T_USER, true, true},
      {"k", T_LEVEL, true, true},
      {"r", T_LEVEL, true, true},
      {"t", T_LEVEL, true, true},
      {"personal_data", T_TEXT, true, true},
      {"classified_at", T_DATE, true, false},
      {"systems", T_LIST, true, false},
      {"description", T_TEXT, false, false},
      {"secrecy_reference", T_LINE, false, false},
      {NULL, T_TEXT, false, false}}},
};

struct import {
    const struct kind *k;
    const char *file;
    struct import_report *rep;
    int ncols;               /* fields in the header */
    int map[CSV_FIELDS_MAX]; /* header position -> column, or -1 */
    bool present[COLUMNS_MAX];
    json_t *seen; /* key -> the line it was first on */
    bool began;   /* the transaction is open */
};

static void problem(struct import *im, long line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "FILE:LINE: column 'x': reason"; rows are checked in the order of their lines, so the
 * first IMPORT_MESSAGES_MAX found are the first in the file. */
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
        for (int j = 0; im->k->cols[j].name; j++)
            if (strcmp(im->k->cols[j].name, name) == 0)
                c = j;
        im->map[i] = c;
        if (!name[0])
            problem(im, rec->line, NULL, "column %d of the header has no name", i + 1);
        else if (c < 0)
            problem(im, rec->line, name, "not a column of %s; the columns are %s", im->k->name,
                    im->k->list);
        else if (im->present[c])
            problem(im, rec->line, name, "appears twice in the header");
        else
            im->present[c] = true;
    }
    for (int c = 0; im->k->cols[c].name; c++)
        if (im->k->cols[c].required && !im->present[c])
            problem(im, rec->line, im->k->cols[c].name, "missing from the header");
}

/* Split "A|B|C" into ids (pointing into buf); -1 with *why on a bad one. */
static int split_list(char *buf, const char **ids, int *n, const char **why)
{
    *n = 0;
    for (char *s = buf; s && *s;) {
        char *bar = strchr(s, '|');
        if (bar)
            *bar = '\0';
        if (*n == LINK_MAX) {
            *why = "more than 256 systems";
            return -1;
        }
        if (cat_external_id_check(s, why))
            return -1;
        ids[(*n)++] = s;
        s = bar ? bar + 1 : NULL;
    }
    return 0;
}

/* One value checked into body; false (and reported) when bad. */
static bool put_value(struct import *im, long line, const struct column *col, const char *v,
                      json_t *body)
{
    const char *why = NULL;
    bool b;
    int64_t n;
    switch (col->type) {
    case T_ID:
        if (cat_external_id_check(v, &why))
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    case T_BOOL:
        if (org_bool_parse(v, &b, &why))
            break;
        return json_object_set_new(body, col->name, json_boolean(b)) == 0;
    case T_DATE:
        if (org_date_check(v, &why))
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    case T_LEVEL:
        why = "a level is a whole number from 0 to 4";
        if (str_to_int64(v, 0, 4, &n))
            break;
        return json_object_set_new(body, col->name, json_integer(n)) == 0;
    case T_COUNT:
        why = "a whole number from 0";
        if (str_to_int64(v, 0, strcmp(col->name, "licence_cost") ? 100000000 : 1000000000000, &n))
            break;
        return json_object_set_new(body, col->name, json_integer(n)) == 0;
    case T_LINE: /* as the API's one-line fields: 1-200 characters (a version 100 bytes) */
        if (org_name_check(v, &why))
            break;
        why = "a version is at most 100 bytes";
        if (strcmp(col->name, "version") == 0 && strlen(v) > 100)
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    case T_TEXT:
        why = "longer than 4000 bytes";
        if (strlen(v) > CAT_TEXT_MAX)
            break;
        return json_object_set_new(body, col->name, json_string(v)) == 0;
    case T_LIST:
        return true; /* the caller splits it */
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

/* A key seen twice in the file is reported on the later line (as shown, or as the key). */
static bool first_time(struct import *im, long line, const char *column, const char *key,
                       const char *shown)
{
    json_t *was = json_object_get(im->seen, key);
    if (was) {
        problem(im, line, column, "%s is also on line %lld", shown ? shown : key,
                (long long)json_integer_value(was));
        return false;
    }
    json_object_set_new(im->seen, key, json_integer(line));
    return true;
}

/* Columns whose empty cell keeps the stored value (or the default) rather than clearing it. */
static bool keeps_when_empty(const char *column)
{
    return strcmp(column, "hosting") == 0 || strcmp(column, "description") == 0 ||
           strcmp(column, "classified_at") == 0;
}

static int apply_row(struct import *im, struct db *db, const struct org_actor *who,
                     const struct csv_record *rec)
{
    json_t *body = json_object();
    char list[CSV_FIELD_MAX + 1] = "", key[256], sys_id[CAT_EXTERNAL_ID_MAX + 1];
    const char *ids[LINK_MAX], *why, *system = NULL;
    int nids = 0, rc = 0;
    bool ok = true;
    if (rec->count != im->ncols) {
        problem(im, rec->line, NULL, "the row has %d fields, the header %d", rec->count, im->ncols);
        json_decref(body);
        return 0;
    }
    for (int i = 0; i < rec->count; i++) {
        int c = im->map[i];
        const struct column *col = &im->k->cols[c];
        const char *v = rec->fields[i];
        if (!v[0]) {
            if (col->value) {
                problem(im, rec->line, col->name, "empty; a value is required");
                ok = false;
            } else if (col->type == T_BOOL) {
                json_object_set_new(body, col->name, json_false()); /* empty is no */
            } else if (col->type != T_LIST && !keeps_when_empty(col->name)) {
                json_object_set_new(body, col->name, json_null()); /* no value */
            }
            continue;
        }
        if (col->type == T_LIST) {
            str_copy(list, sizeof(list), v);
            if (split_list(list, ids, &nids, &why)) {
                problem(im, rec->line, col->name, "%s", why);
                ok = false;
            }
            continue;
        }
        ok = put_value(im, rec->line, col, v, body) && ok;
    }
    const char *kind = im->k->name;
    if (strcmp(kind, "components") == 0) {
        system = json_string_value(json_object_get(body, "system_external_id"));
        str_copy(sys_id, sizeof(sys_id), system ? system : "");
        system = sys_id;
        const char *ckind = json_string_value(json_object_get(body, "kind"));
        const char *cname = json_string_value(json_object_get(body, "name"));
        char shown[400];
        if (ok && str_format(key, sizeof(key), "%s|%s|%s", system, ckind, cname) == 0 &&
            str_format(shown, sizeof(shown), "the %s component '%s' of %s", ckind, cname, system) ==
                0)
            ok = first_time(im, rec->line, "name", key, shown);
        json_object_del(body, "system_external_id");
    } else if (ok) {
        char shown[CAT_EXTERNAL_ID_MAX + 3];
        const char *ext = json_string_value(json_object_get(body, "external_id"));
        str_format(shown, sizeof(shown), "'%s'", ext);
        ok = first_time(im, rec->line, "external_id", ext, shown);
    }
    if (ok) {
        struct json_problem p = {0};
        enum org_outcome outcome = ORG_UNCHANGED;
        if (strcmp(kind, "systems") == 0)
            rc = system_import_save(db, who, body, &outcome, &p);
        else if (strcmp(kind, "components") == 0)
            rc = component_import_save(db, who, system, body, &outcome, &p);
        else
            rc = information_import_save(db, who, body, ids, nids, &outcome, &p);
        if (rc == ERR_NOTFOUND && strcmp(kind, "components") != 0) {
            /* The key exists out of the caller's reach (only an HTTP import has a reach): the
             * same answer as the create route gives for it. */
            problem(im, rec->line, "external_id", "%s with external id '%s' exists",
                    strcmp(kind, "systems") == 0 ? "a system" : "an information asset",
                    json_string_value(json_object_get(body, "external_id")));
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

static int import_csv(struct import *im, struct db *db, const struct org_actor *who,
                      const char *data, size_t len)
{
    struct csv_reader csv;
    struct csv_record rec;
    long bad_line = 0;
    int rc = 0;
    size_t bom = csv_bom_length(data, len);
    data += bom;
    len -= bom;
    csv_init(&csv, data, len, csv_detect_separator(data, len));
    int got = csv_utf8_check(data, len, &bad_line) ? ERR_INVALID : csv_next(&csv, &rec);
    if (got == ERR_INVALID && bad_line)
        problem(im, bad_line, NULL,
                "not UTF-8 text; save the file as \"CSV UTF-8\" (or UTF-8 without BOM)");
    else if (got < 0)
        problem(im, csv.error_line, NULL, "%s", csv.error);
    else if (got == 0)
        problem(im, 1, NULL, "the file is empty; its first line must name the columns");
    else
        read_header(im, &rec);
    if (!im->rep->errors) {
        rc = db_begin(db);
        im->began = !rc;
    }
    while (im->began && !rc && (got = csv_next(&csv, &rec)) != 0) {
        if (got < 0) {
            problem(im, csv.error_line, NULL, "%s", csv.error);
            break;
        }
        bool blank = true;
        for (int i = 0; i < rec.count; i++)
            blank = blank && !rec.fields[i][0];
        if (blank)
            continue;
        im->rep->rows++;
        rc = apply_row(im, db, who, &rec);
    }
    csv_release(&csv);
    return rc;
}

/* ---- CycloneDX ---- */

static const char *text(json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s && *s ? s : NULL;
}

static int import_sbom(struct import *im, struct db *db, const struct org_actor *who,
                       const char *system, const char *data, size_t len)
{
    json_error_t jerr;
    json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *comps = json_object_get(doc, "components");
    int rc = 0;
    if (!doc) {
        problem(im, jerr.line > 0 ? jerr.line : 1, NULL, "not JSON: %s", jerr.text);
        return 0;
    }
    if (!json_is_object(doc) ||
        strcmp(text(doc, "bomFormat") ? text(doc, "bomFormat") : "", "CycloneDX") != 0)
        problem(im, 1, NULL, "not a CycloneDX SBOM: bomFormat is not \"CycloneDX\"");
    else if (!json_is_array(comps))
        problem(im, 1, NULL, "the SBOM has no components array");
    json_t *sys = NULL;
    if (!im->rep->errors && system_get(db, who, system, &sys) == ERR_NOTFOUND)
        problem(im, 1, NULL, "there is no system with external id '%s' (--system)",
                cat_shown(system));
    json_decref(sys);
    if (!im->rep->errors) {
        rc = db_begin(db);
        im->began = !rc;
    }
    for (size_t i = 0; !rc && im->began && i < json_array_size(comps); i++) {
        json_t *c = json_array_get(comps, i), *body;
        const char *name = text(c, "name"), *vendor = text(c, "publisher");
        char where[48], key[512];
        str_format(where, sizeof(where), "components[%zu]", i);
        if (!vendor)
            vendor = text(json_object_get(c, "supplier"), "name");
        im->rep->rows++;
        if (!json_is_object(c) || !name) {
            problem(im, 1, where, "a component needs a name");
            continue;
        }
        const char *why = NULL, *version = text(c, "version");
        if (org_name_check(name, &why) || (vendor && org_name_check(vendor, &why)) ||
            (version && org_name_check(version, &why))) {
            problem(im, 1, where, "the name, publisher or version: %s", why);
            continue;
        }
        if (version && strlen(version) > 100) {
            problem(im, 1, where, "a version is at most 100 bytes");
            continue;
        }
        char shown[SBOM_SHOWN_MAX];
        str_format(key, sizeof(key), "%s", name);
        str_format(shown, sizeof(shown), "the component '%s'", cat_shown(name));
        if (!first_time(im, 1, where, key, shown))
            continue;
        body =
            json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "kind", "software", "name", name, "product",
                      name, "vendor", vendor ? json_string(vendor) : json_null(), "version",
                      text(c, "version") ? json_string(text(c, "version")) : json_null(), "cpe",
                      text(c, "cpe") ? json_string(text(c, "cpe")) : json_null());
        struct json_problem p = {0};
        enum org_outcome outcome = ORG_UNCHANGED;
        rc = body ? component_import_save(db, who, system, body, &outcome, &p) : ERR_NOMEM;
        if (rc == ERR_REJECTED) {
            problem(im, 1, where, "%s: %s", p.field[0] ? p.field : "component", p.detail);
            rc = 0;
        } else if (!rc) {
            im->rep->created += outcome == ORG_CREATED;
            im->rep->updated += outcome == ORG_UPDATED;
        }
        json_decref(body);
    }
    json_decref(doc);
    return rc;
}

int catalog_import(struct db *db, const char *kind, const char *system_external_id,
                   const char *actor, const char *file, const char *data, size_t len,
                   struct import_report *rep)
{
    return catalog_import_with(db, kind, system_external_id, NULL, actor, file, data, len, rep);
}

int catalog_import_with(struct db *db, const char *kind, const char *system_external_id,
                        const struct import_options *opt, const char *actor, const char *file,
                        const char *data, size_t len, struct import_report *rep)
{
    struct import im = {.file = file, .rep = rep, .seen = json_object()};
    struct org_actor cli = {.everything = true, .actor = actor};
    const struct org_actor *who = opt && opt->who ? opt->who : &cli;
    bool dry_run = opt && opt->dry_run;
    bool sbom = strcmp(kind, "sbom") == 0;
    int rc = 0;
    memset(rep, 0, sizeof(*rep));
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].name, kind) == 0)
            im.k = &kinds[i];
    if (!im.k && !sbom) {
        json_decref(im.seen);
        return ERR_INVALID;
    }
    if (sbom)
        rc = import_sbom(&im, db, who, system_external_id, data, len);
    else
        rc = import_csv(&im, db, who, data, len);
    if (im.began) {
        if (!rc && !rep->errors && !dry_run)
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
