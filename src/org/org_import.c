/* CSV import of organisations and people: check every row, then apply all in one transaction. */
#include "org/org.h"
#include "core/arena.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "core/xalloc.h"
#include "db/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS_MAX 10

/* The columns of each kind, in a fixed order; the first `required` of them must be present. */
struct kind_columns {
    const char *noun;                   /* "organisations" */
    const char *names[COLUMNS_MAX + 1]; /* NULL-terminated */
    int required;                       /* how many of names are required */
};

enum org_col { OC_CODE, OC_NAME, OC_KIND, OC_PARENT, OC_NUMBER, OC_MFA };
enum person_col {
    PC_USER_ID,
    PC_NAME,
    PC_EMAIL,
    PC_ORG,
    PC_MANAGER,
    PC_START,
    PC_END,
    PC_PRIVILEGED,
    PC_DISABLED,
    PC_TITLE
};

static const struct kind_columns kind_columns[] = {
    [IMPORT_ORGANISATIONS] = {"organisations",
                              {"code", "name", "kind", "parent_code", "org_number", "mfa_required",
                               NULL},
                              5},
    [IMPORT_PEOPLE] = {"people",
                       {"user_id", "name", "email", "organisation", "manager_user_id",
                        "employment_start", "employment_end", "privileged", "disabled", "title",
                        NULL},
                       8},
};

struct row {
    long line;            /* where the record starts */
    char *v[COLUMNS_MAX]; /* values by column; NULL when empty or the column is absent */
    bool bad;             /* a check failed; not applied */
    int ref;              /* the row of its parent or manager in the file, or -1 */
    int state;            /* ordering: 0 new, 1 on the path, 2 placed, 3 blocked */
};

struct import {
    const struct kind_columns *kc;
    enum import_kind kind;
    const char *file;                /* the file's name, for messages */
    struct import_report *rep;       /* where problems go */
    struct arena arena;              /* row values */
    int ncols;                       /* columns in the header */
    int map[CSV_FIELDS_MAX];         /* header position -> column, or -1 */
    bool present[COLUMNS_MAX];       /* which columns the header has */
    struct row *rows;                /* the data rows */
    int nrows, cap;                  /* used and allocated */
    int *by_key;                     /* row indices sorted by key (good keys only) */
    int nkeys;                       /* entries in by_key */
    long lines[IMPORT_MESSAGES_MAX]; /* the line of each kept message */
    int seq[IMPORT_MESSAGES_MAX];    /* the order it was found in */
};

static void problem(struct import *im, long line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Keep the IMPORT_MESSAGES_MAX messages of the lowest lines (in the order found for the same
 * line): the checks run in several passes, and people fix a file from the top. */
static void keep(struct import *im, long line, const char *column, const char *why, const char *msg)
{
    struct import_report *rep = im->rep;
    int slot = rep->nmessages;
    if (slot == IMPORT_MESSAGES_MAX) {
        slot = 0; /* the kept message that comes last */
        for (int i = 1; i < IMPORT_MESSAGES_MAX; i++)
            if (im->lines[i] > im->lines[slot] ||
                (im->lines[i] == im->lines[slot] && im->seq[i] > im->seq[slot]))
                slot = i;
        if (im->lines[slot] <= line)
            return;
        free(rep->messages[slot]);
        free(rep->problems[slot].column);
        free(rep->problems[slot].reason);
    } else {
        rep->nmessages++;
    }
    rep->messages[slot] = xstrdup(msg);
    rep->problems[slot] = (struct import_problem){
        .line = line, .column = column ? xstrdup(column) : NULL, .reason = xstrdup(why)};
    im->lines[slot] = line;
    im->seq[slot] = rep->errors;
}

static bool message_before(const struct import *im, int a, int b)
{
    return im->lines[a] < im->lines[b] || (im->lines[a] == im->lines[b] && im->seq[a] < im->seq[b]);
}

/* Put the kept messages in the order of their lines (an insertion sort of at most 100). */
static void sort_messages(struct import *im)
{
    struct import_report *rep = im->rep;
    for (int i = 1; i < rep->nmessages; i++) {
        for (int j = i; j > 0 && !message_before(im, j - 1, j); j--) {
            char *m = rep->messages[j - 1];
            rep->messages[j - 1] = rep->messages[j];
            rep->messages[j] = m;
            struct import_problem ip = rep->problems[j - 1];
            rep->problems[j - 1] = rep->problems[j];
            rep->problems[j] = ip;
            long l = im->lines[j - 1];
            im->lines[j - 1] = im->lines[j];
            im->lines[j] = l;
            int q = im->seq[j - 1];
            im->seq[j - 1] = im->seq[j];
            im->seq[j] = q;
        }
    }
}

/* Record "FILE:LINE: column 'x': reason"; the first IMPORT_MESSAGES_MAX are kept. */
static void problem(struct import *im, long line, const char *column, const char *fmt, ...)
{
    char why[512], msg[5120];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(why))
        str_copy(why, sizeof(why), "a value is not acceptable");
    int rc = column ? str_format(msg, sizeof(msg), "%s:%ld: column '%s': %s", im->file, line,
                                 column, why)
                    : str_format(msg, sizeof(msg), "%s:%ld: %s", im->file, line, why);
    if (rc)
        str_format(msg, sizeof(msg), "line %ld: %s", line, why);
    keep(im, line, column, why, msg);
    im->rep->errors++;
}

void import_report_vproblem(struct import_report *rep, const char *file, long line,
                            const char *column, const char *fmt, va_list ap)
{
    char why[512], msg[1024];
    int n = vsnprintf(why, sizeof(why), fmt, ap);
    if (n < 0 || (size_t)n >= sizeof(why))
        str_copy(why, sizeof(why), "a value is not acceptable");
    int rc = column
                 ? str_format(msg, sizeof(msg), "%s:%ld: column '%s': %s", file, line, column, why)
                 : str_format(msg, sizeof(msg), "%s:%ld: %s", file, line, why);
    if (rc)
        str_format(msg, sizeof(msg), "line %ld: %s", line, why);
    if (rep->nmessages < IMPORT_MESSAGES_MAX) {
        rep->problems[rep->nmessages] = (struct import_problem){
            .line = line, .column = column ? xstrdup(column) : NULL, .reason = xstrdup(why)};
        rep->messages[rep->nmessages++] = xstrdup(msg);
    }
    rep->errors++;
}

void import_report_release(struct import_report *rep)
{
    for (int i = 0; i < rep->nmessages; i++) {
        free(rep->messages[i]);
        free(rep->problems[i].column);
        free(rep->problems[i].reason);
    }
    rep->nmessages = 0;
}

/* ---- the header ---- */

static void header_name(const char *in, char *out, size_t size)
{
    while (*in == ' ')
        in++;
    size_t n = 0;
    for (; in[n] && n + 1 < size; n++)
        out[n] = (in[n] >= 'A' && in[n] <= 'Z') ? (char)(in[n] - 'A' + 'a') : in[n];
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static int column_of(const struct kind_columns *kc, const char *name)
{
    for (int c = 0; kc->names[c]; c++)
        if (strcmp(kc->names[c], name) == 0)
            return c;
    return -1;
}

static void read_header(struct import *im, const struct csv_record *rec)
{
    char name[64];
    im->ncols = rec->count;
    for (int i = 0; i < rec->count; i++) {
        header_name(rec->fields[i], name, sizeof(name));
        int c = column_of(im->kc, name);
        im->map[i] = c;
        if (!name[0])
            problem(im, rec->line, NULL, "column %d of the header has no name", i + 1);
        else if (c < 0)
            problem(im, rec->line, name, "not a column of %s; the columns are %s", im->kc->noun,
                    im->kind == IMPORT_ORGANISATIONS
                        ? "code, name, kind, parent_code, org_number and mfa_required"
                        : "user_id, name, email, organisation, manager_user_id, "
                          "employment_start, employment_end, privileged, disabled and title");
        else if (im->present[c])
            problem(im, rec->line, name, "appears twice in the header");
        else
            im->present[c] = true;
    }
    for (int c = 0; c < im->kc->required; c++)
        if (!im->present[c])
            problem(im, rec->line, im->kc->names[c], "missing from the header");
}

/* ---- rows ---- */

static bool blank(const struct csv_record *rec)
{
    for (int i = 0; i < rec->count; i++)
        if (rec->fields[i][0])
            return false;
    return true;
}

static void store_row(struct import *im, const struct csv_record *rec)
{
    if (im->nrows == im->cap) {
        im->cap = im->cap ? im->cap * 2 : 256;
        im->rows = xrealloc(im->rows, (size_t)im->cap * sizeof(*im->rows));
    }
    struct row *r = &im->rows[im->nrows++];
    memset(r, 0, sizeof(*r));
    r->line = rec->line;
    r->ref = -1;
    int n = rec->count < im->ncols ? rec->count : im->ncols;
    for (int i = 0; i < n; i++)
        if (im->map[i] >= 0 && rec->fields[i][0])
            r->v[im->map[i]] = arena_strdup(&im->arena, rec->fields[i]);
    if (rec->count < im->ncols) {
        int missing = im->map[rec->count];
        problem(im, rec->line, missing >= 0 ? im->kc->names[missing] : NULL,
                "missing: the row has %d fields, the header %d", rec->count, im->ncols);
        r->bad = true;
    } else if (rec->count > im->ncols) {
        problem(im, rec->line, NULL,
                "column %d: not in the header (the row has %d fields, the "
                "header %d)",
                im->ncols + 1, rec->count, im->ncols);
        r->bad = true;
    }
}

static void bad_value(struct import *im, struct row *r, int col, const char *why)
{
    problem(im, r->line, im->kc->names[col], "%s", why ? why : "not acceptable");
    r->bad = true;
}

typedef int (*value_check)(const char *value, const char **why);

/* Check the value in col (when there is one) with fn; a failure makes the row bad. */
static void check_value(struct import *im, struct row *r, int col, value_check fn)
{
    const char *why = NULL;
    if (r->v[col] && fn(r->v[col], &why) != 0)
        bad_value(im, r, col, why);
}

static void check_required(struct import *im, struct row *r, int ncols)
{
    for (int c = 0; c < ncols; c++) {
        bool needed = im->kind == IMPORT_ORGANISATIONS
                          ? c != OC_PARENT && c != OC_MFA
                          : c == PC_USER_ID || c == PC_NAME || c == PC_EMAIL || c == PC_ORG;
        if (needed && !r->v[c] && im->present[c])
            bad_value(im, r, c, "empty; a value is required");
    }
}

/* Upper-case a code in place after checking it. */
static void check_code(struct import *im, struct row *r, int col)
{
    char norm[ORG_CODE_MAX + 1];
    const char *why = NULL;
    if (!r->v[col])
        return;
    if (org_code_normalise(r->v[col], norm, &why) != 0)
        bad_value(im, r, col, why);
    else
        memcpy(r->v[col], norm, strlen(norm) + 1); /* the same length */
}

static int bool_check(const char *value, const char **why)
{
    bool b;
    return org_bool_parse(value, &b, why);
}

static void check_org_row(struct import *im, struct row *r)
{
    char number[ORG_NUMBER_LEN + 1];
    const char *why = NULL;
    check_required(im, r, OC_MFA + 1);
    check_code(im, r, OC_CODE);
    check_value(im, r, OC_NAME, org_name_check);
    check_value(im, r, OC_KIND, org_kind_check);
    check_code(im, r, OC_PARENT);
    if (r->v[OC_NUMBER] && org_number_normalise(r->v[OC_NUMBER], number, &why) != 0)
        bad_value(im, r, OC_NUMBER, why);
    else if (r->v[OC_NUMBER])
        r->v[OC_NUMBER] = arena_strdup(&im->arena, number);
    check_value(im, r, OC_MFA, bool_check);
    if (r->v[OC_CODE] && r->v[OC_PARENT] && strcmp(r->v[OC_CODE], r->v[OC_PARENT]) == 0)
        bad_value(im, r, OC_PARENT, "an organisation cannot be its own parent");
}

static void check_person_row(struct import *im, struct row *r)
{
    const char *why = NULL;
    check_required(im, r, PC_DISABLED + 1);
    check_value(im, r, PC_USER_ID, person_user_id_check);
    check_value(im, r, PC_NAME, org_name_check);
    check_value(im, r, PC_EMAIL, person_email_check);
    check_code(im, r, PC_ORG);
    check_value(im, r, PC_MANAGER, person_user_id_check);
    check_value(im, r, PC_START, org_date_check);
    check_value(im, r, PC_END, org_date_check);
    if (r->v[PC_START] && r->v[PC_END] && !org_date_check(r->v[PC_START], &why) &&
        !org_date_check(r->v[PC_END], &why) && strcmp(r->v[PC_END], r->v[PC_START]) < 0)
        bad_value(im, r, PC_END, "the employment cannot end before it starts");
    check_value(im, r, PC_PRIVILEGED, bool_check);
    check_value(im, r, PC_DISABLED, bool_check);
    check_value(im, r, PC_TITLE, org_name_check);
    if (r->v[PC_USER_ID] && r->v[PC_MANAGER] && strcmp(r->v[PC_USER_ID], r->v[PC_MANAGER]) == 0)
        bad_value(im, r, PC_MANAGER, "a person cannot be their own manager");
}

static int read_rows(struct import *im, struct csv_reader *csv)
{
    struct csv_record rec;
    int rc;
    while ((rc = csv_next(csv, &rec)) == 1) {
        if (blank(&rec))
            continue;
        store_row(im, &rec);
        struct row *r = &im->rows[im->nrows - 1];
        if (r->bad) /* the wrong number of fields: its values are not where they belong */
            ;
        else if (im->kind == IMPORT_ORGANISATIONS)
            check_org_row(im, r);
        else
            check_person_row(im, r);
        im->rep->rows++;
    }
    if (rc < 0)
        problem(im, csv->error_line, NULL, "%s", csv->error);
    return rc < 0 ? ERR_INVALID : 0;
}

/* ---- keys, duplicates and references within the file ---- */

/* The key column (code, user id) and the one that refers to another row (parent, manager). */
static int key_col(const struct import *im)
{
    return im->kind == IMPORT_ORGANISATIONS ? OC_CODE : PC_USER_ID;
}

static int ref_col(const struct import *im)
{
    return im->kind == IMPORT_ORGANISATIONS ? OC_PARENT : PC_MANAGER;
}

struct sort_ctx {
    const struct import *im; /* whose rows */
    int col;                 /* by which column */
};

static int by_value(const void *a, const void *b, void *arg)
{
    const struct sort_ctx *ctx = arg;
    const struct row *ra = &ctx->im->rows[*(const int *)a];
    const struct row *rb = &ctx->im->rows[*(const int *)b];
    int c = strcmp(ra->v[ctx->col], rb->v[ctx->col]);
    return c ? c : (ra->line < rb->line ? -1 : ra->line > rb->line);
}

/* Row indices with a value in col, sorted by it; the same value twice is reported (as "also on
 * line N") on the later row. Returns the index array (free it) and its length in *n. */
static int *sorted_by(struct import *im, int col, const char *what, int *n)
{
    int *idx = xcalloc((size_t)im->nrows + 1, sizeof(*idx));
    *n = 0;
    for (int i = 0; i < im->nrows; i++)
        if (im->rows[i].v[col])
            idx[(*n)++] = i;
    struct sort_ctx ctx = {im, col};
    qsort_r(idx, (size_t)*n, sizeof(*idx), by_value, &ctx);
    for (int i = 1; i < *n; i++) {
        struct row *prev = &im->rows[idx[i - 1]], *r = &im->rows[idx[i]];
        if (strcmp(prev->v[col], r->v[col]) == 0) {
            problem(im, r->line, im->kc->names[col], "%s '%s' is also on line %ld", what, r->v[col],
                    prev->line);
            r->bad = true;
        }
    }
    return idx;
}

static int find_key(const struct import *im, const char *key)
{
    int lo = 0, hi = im->nkeys - 1, col = key_col(im);
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        const struct row *r = &im->rows[im->by_key[mid]];
        int c = strcmp(r->v[col], key);
        if (c == 0) {
            /* The first row with this key (duplicates are already reported). */
            while (mid > 0 && strcmp(im->rows[im->by_key[mid - 1]].v[col], key) == 0)
                mid--;
            return im->by_key[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static void find_duplicates_and_refs(struct import *im)
{
    int n;
    im->by_key = sorted_by(im, key_col(im), im->kind == IMPORT_ORGANISATIONS ? "code" : "user id",
                           &im->nkeys);
    if (im->kind == IMPORT_ORGANISATIONS)
        free(sorted_by(im, OC_NUMBER, "organisationsnummer", &n));
    int rc = ref_col(im);
    for (int i = 0; i < im->nrows; i++) {
        struct row *r = &im->rows[i];
        if (r->v[rc] && (!r->v[key_col(im)] || strcmp(r->v[rc], r->v[key_col(im)]) != 0))
            r->ref = find_key(im, r->v[rc]);
    }
}

/* Order rows so that each comes after the row it refers to. References form a forest plus
 * perhaps cycles (each row names at most one other): follow each chain up to a placed row or
 * the database, then place the chain top down. A chain that meets itself is a cycle, reported
 * on each of its rows; rows hanging below a cycle are left out without a report of their own. */
static int *dependency_order(struct import *im, int *count)
{
    int *order = xcalloc((size_t)im->nrows + 1, sizeof(*order));
    int *path = xcalloc((size_t)im->nrows + 1, sizeof(*path));
    *count = 0;
    for (int i = 0; i < im->nrows; i++) {
        int len = 0, j = i;
        while (j >= 0 && im->rows[j].state == 0) {
            im->rows[j].state = 1;
            path[len++] = j;
            j = im->rows[j].ref;
        }
        int start = len; /* where a cycle begins on the path, if it does */
        if (j >= 0 && im->rows[j].state == 1)
            for (start = 0; path[start] != j; start++)
                ;
        bool blocked = (j >= 0 && im->rows[j].state == 3) || start < len;
        for (int k = start; k < len; k++) {
            struct row *r = &im->rows[path[k]];
            problem(im, r->line, im->kc->names[ref_col(im)],
                    "'%s' leads back to this row (a cycle of %d rows, from line %ld)",
                    r->v[ref_col(im)], len - start, im->rows[path[start]].line);
            r->bad = true;
        }
        for (int k = len - 1; k >= 0; k--) {
            im->rows[path[k]].state = blocked ? 3 : 2;
            if (!blocked)
                order[(*count)++] = path[k];
        }
    }
    free(path);
    return order;
}

/* ---- applying ---- */

static struct org_input org_input_of(const struct import *im, const struct row *r)
{
    struct org_input in = {.set =
                               ORG_F_CODE | ORG_F_NAME | ORG_F_KIND | ORG_F_PARENT | ORG_F_NUMBER};
    const char *why;
    in.code = r->v[OC_CODE];
    in.name = r->v[OC_NAME];
    in.kind = r->v[OC_KIND];
    in.parent_code = r->v[OC_PARENT];
    in.org_number = r->v[OC_NUMBER];
    in.mfa_required = true;
    if (im->present[OC_MFA]) {
        in.set |= ORG_F_MFA;
        if (r->v[OC_MFA])
            org_bool_parse(r->v[OC_MFA], &in.mfa_required, &why);
    }
    return in;
}

static struct person_input person_input_of(const struct import *im, const struct row *r)
{
    struct person_input in = {.set = PERSON_F_USER_ID | PERSON_F_NAME | PERSON_F_EMAIL |
                                     PERSON_F_ORG | PERSON_F_MANAGER | PERSON_F_START |
                                     PERSON_F_END | PERSON_F_PRIVILEGED};
    const char *why;
    in.user_id = r->v[PC_USER_ID];
    in.name = r->v[PC_NAME];
    in.email = r->v[PC_EMAIL];
    in.organisation = r->v[PC_ORG];
    in.manager_user_id = r->v[PC_MANAGER];
    in.employment_start = r->v[PC_START];
    in.employment_end = r->v[PC_END];
    if (r->v[PC_PRIVILEGED])
        org_bool_parse(r->v[PC_PRIVILEGED], &in.privileged, &why);
    if (im->present[PC_DISABLED]) {
        in.set |= PERSON_F_DISABLED;
        if (r->v[PC_DISABLED])
            org_bool_parse(r->v[PC_DISABLED], &in.disabled, &why);
    }
    if (im->present[PC_TITLE]) { /* an empty cell clears the title */
        in.set |= PERSON_F_TITLE;
        in.title = r->v[PC_TITLE];
    }
    return in;
}

/* Apply the rows in order inside the caller's transaction; a row that is bad, or whose parent
 * or manager in the file did not make it, is skipped. */
static int apply(struct import *im, struct db *db, const struct org_actor *who, const int *order,
                 int n)
{
    for (int k = 0; k < n; k++) {
        struct row *r = &im->rows[order[k]];
        if (r->bad || (r->ref >= 0 && im->rows[r->ref].bad)) {
            r->bad = true;
            continue;
        }
        struct json_problem p = {0};
        enum org_outcome outcome = ORG_UNCHANGED;
        int rc;
        if (im->kind == IMPORT_ORGANISATIONS) {
            struct org_input in = org_input_of(im, r);
            rc = org_save(db, who, ORG_UPSERT, NULL, &in, NULL, &outcome, &p);
        } else {
            struct person_input in = person_input_of(im, r);
            rc = person_save(db, who, ORG_UPSERT, NULL, &in, NULL, &outcome, &p);
        }
        if (rc == ERR_REJECTED) {
            problem(im, r->line, p.field[0] ? p.field : NULL, "%s", p.detail);
            r->bad = true;
            continue;
        }
        if (rc)
            return rc;
        im->rep->created += outcome == ORG_CREATED;
        im->rep->updated += outcome == ORG_UPDATED;
    }
    return 0;
}

/* Check and apply the rows; file problems go to rep, database failures are returned. */
static int import_rows(struct import *im, struct db *db, const struct import_options *opt,
                       struct csv_reader *csv)
{
    int n = 0;
    if (read_rows(im, csv) != 0)
        return 0; /* a malformed file: where its rows are is not known */
    find_duplicates_and_refs(im);
    int *order = dependency_order(im, &n);
    int rc = db_begin(db);
    if (!rc) {
        rc = apply(im, db, opt->who, order, n);
        if (!rc && !im->rep->errors && !opt->dry_run)
            rc = db_commit(db); /* rolls back itself when it fails */
        else
            db_rollback(db);
    }
    free(order);
    return rc;
}

int org_import(struct db *db, enum import_kind kind, const char *actor, const char *file,
               const char *data, size_t len, struct import_report *rep)
{
    return org_import_with(db, kind, NULL, actor, file, data, len, rep);
}

int org_import_with(struct db *db, enum import_kind kind, const struct import_options *opt,
                    const char *actor, const char *file, const char *data, size_t len,
                    struct import_report *rep)
{
    struct org_actor cli = {.everything = true, .actor = actor};
    struct import_options as = {.who = &cli};
    if (opt)
        as = *opt;
    if (!as.who)
        as.who = &cli;
    struct import im = {.kc = &kind_columns[kind], .kind = kind, .file = file, .rep = rep};
    struct csv_reader csv;
    struct csv_record header;
    long bad_line = 0;
    int rc = 0;
    memset(rep, 0, sizeof(*rep));
    arena_init(&im.arena);
    size_t bom = csv_bom_length(data, len);
    data += bom;
    len -= bom;
    csv_init(&csv, data, len, csv_detect_separator(data, len));
    int got = csv_utf8_check(data, len, &bad_line) ? ERR_INVALID : csv_next(&csv, &header);
    if (got == ERR_INVALID && bad_line)
        problem(&im, bad_line, NULL,
                "not UTF-8 text; save the file as \"CSV UTF-8\" (or UTF-8 without BOM)");
    else if (got < 0)
        problem(&im, csv.error_line, NULL, "%s", csv.error);
    else if (got == 0)
        problem(&im, 1, NULL, "the file is empty; its first line must name the columns");
    else
        read_header(&im, &header);
    if (!rep->errors)
        rc = import_rows(&im, db, &as, &csv);
    if (!rc && rep->errors) {
        rep->created = rep->updated = 0;
        rc = ERR_INVALID;
    }
    sort_messages(&im);
    free(im.by_key);
    free(im.rows);
    csv_release(&csv);
    arena_release(&im.arena);
    return rc;
}
