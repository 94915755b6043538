/* Import of accounts or grants from CSV as a snapshot of the systems it names: every line is
 * checked first (all or nothing, as the other imports), systems and people are resolved through
 * hash tables filled by one query each, and the rows are applied by access_snapshot_apply. */
#include "access/access.h"
#include "access/access_sql.h"
#include "catalog/cat_common.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/str.h"
#include "core/xalloc.h"
#include "db/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col {
    C_SYSTEM,
    C_USERNAME,
    C_USER_ID,
    C_SHARED,
    C_PRIVILEGED,
    C_MFA,
    C_LAST_LOGIN,
    C_STATUS,
    C_ENTITLEMENT,
    C_GRANTED_AT,
    NCOLS
};

static const char *const COL_NAMES[NCOLS] = {"system",      "username",     "user_id",    "shared",
                                             "privileged",  "mfa_enrolled", "last_login", "status",
                                             "entitlement", "granted_at"};

static const char ACCOUNT_COLUMNS[] =
    "system, username, user_id, shared, privileged, mfa_enrolled, last_login and status";
static const char GRANT_COLUMNS[] = "system, username, user_id, shared, privileged, mfa_enrolled, "
                                    "last_login, status, entitlement and granted_at";

/* ---- a string map (external id or user id to id and organisation) ---- */

struct smap {
    const char **keys;
    int64_t *ids;
    size_t cap; /* a power of two */
};

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

#define FNV_START 14695981039346656037ull

static void smap_init(struct smap *m, size_t expect)
{
    m->cap = 64;
    while (m->cap < expect * 2)
        m->cap <<= 1;
    m->keys = xcalloc(m->cap, sizeof(*m->keys));
    m->ids = xcalloc(m->cap, sizeof(*m->ids));
}

static void smap_release(struct smap *m)
{
    free(m->keys);
    free(m->ids);
}

static size_t smap_slot(const struct smap *m, const char *key)
{
    size_t i = fnv(key, strlen(key), FNV_START) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void smap_grow(struct smap *m);

static void smap_put(struct smap *m, size_t *n, const char *key, int64_t id)
{
    if ((*n + 1) * 2 > m->cap)
        smap_grow(m);
    size_t i = smap_slot(m, key);
    if (!m->keys[i])
        (*n)++;
    m->keys[i] = key;
    m->ids[i] = id;
}

static void smap_grow(struct smap *m)
{
    struct smap old = *m;
    size_t n = 0;
    m->cap = old.cap * 2;
    m->keys = xcalloc(m->cap, sizeof(*m->keys));
    m->ids = xcalloc(m->cap, sizeof(*m->ids));
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i])
            smap_put(m, &n, old.keys[i], old.ids[i]);
    smap_release(&old);
}

static bool smap_get(const struct smap *m, const char *key, int64_t *id)
{
    size_t i = smap_slot(m, key);
    if (!m->keys[i])
        return false;
    *id = m->ids[i];
    return true;
}

/* ---- the import ---- */

struct import {
    enum access_import_kind kind;
    const char *file;
    struct import_report *rep;
    struct arena arena;      /* the rows' strings and the maps' keys */
    struct smap systems;     /* external id to system id */
    size_t nsystems_known;   /* entries in systems */
    struct smap people;      /* user id to person id */
    size_t npeople;          /* entries in people */
    int map[CSV_FIELDS_MAX]; /* file column to enum col (-1: none) */
    bool present[NCOLS];
    int64_t fixed_system;    /* --system: its id (0: from the column) */
    const char *fixed_ext;   /* --system as given */
    struct access_row *rows; /* checked rows */
    long *lines;             /* their lines */
    size_t nrows, caprows;
    const char *memo_in[2], *memo_out[2]; /* the last instant read per column, and its value */
    int32_t *accounts; /* open-addressed: first row of each (system, username); -1 empty */
    int32_t *grants;   /* and of each (system, username, entitlement) */
    size_t hcap;
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

static int put_system(void *ctx, const char *key, int64_t id, int64_t org_id)
{
    struct import *im = ctx;
    (void)org_id;
    smap_put(&im->systems, &im->nsystems_known, arena_strdup(&im->arena, key), id);
    return 0;
}

static int put_person(void *ctx, const char *key, int64_t id, int64_t org_id)
{
    struct import *im = ctx;
    (void)org_id;
    smap_put(&im->people, &im->npeople, arena_strdup(&im->arena, key), id);
    return 0;
}

static void read_header(struct import *im, const struct csv_record *rec)
{
    char name[64];
    int ncols = im->kind == ACCESS_IMPORT_GRANTS ? NCOLS : C_ENTITLEMENT;
    const char *list = im->kind == ACCESS_IMPORT_GRANTS ? GRANT_COLUMNS : ACCOUNT_COLUMNS;
    const char *what = im->kind == ACCESS_IMPORT_GRANTS ? "grants" : "accounts";
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
        for (int j = 0; j < ncols; j++)
            if (strcmp(COL_NAMES[j], name) == 0)
                c = j;
        im->map[i] = c;
        if (!name[0])
            problem(im, rec->line, NULL, "column %d of the header has no name", i + 1);
        else if (c < 0)
            problem(im, rec->line, name, "not a column of %s; the columns are %s", what, list);
        else if (im->present[c])
            problem(im, rec->line, name, "appears twice in the header");
        else
            im->present[c] = true;
    }
    for (int c = 0; c < ncols; c++)
        if (!im->present[c] && !(c == C_SYSTEM && im->fixed_ext))
            problem(im, rec->line, COL_NAMES[c], "%s",
                    c == C_SYSTEM ? "missing from the header (or name the system with --system)"
                                  : "missing from the header");
}

/* A username or entitlement: 1 to max bytes without control characters. */
static const char *name_problem(const char *v, size_t max)
{
    size_t n = strlen(v);
    if (n > max)
        return "too long";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return "holds a line break or another control character";
    return NULL;
}

/* An instant as stored: YYYY-MM-DD or ISO 8601 with a zone, as UTC "YYYY-MM-DDTHH:MM:SSZ".
 * which is 0 (last_login) or 1 (granted_at): a value like the column's last is not parsed again
 * (an account's rows repeat theirs). */
static const char *instant(struct import *im, int which, const char *v)
{
    int64_t t;
    char at[CLOCK_ISO_LEN];
    if (im->memo_in[which] && strcmp(im->memo_in[which], v) == 0)
        return im->memo_out[which];
    if (clock_parse(v, &t))
        return NULL;
    clock_format(t, at);
    im->memo_in[which] = arena_strdup(&im->arena, v);
    im->memo_out[which] = arena_strdup(&im->arena, at);
    return im->memo_out[which];
}

static uint64_t account_hash(const struct access_row *r, bool with_entitlement)
{
    uint64_t h = fnv(&r->system_id, sizeof(r->system_id), FNV_START);
    h = fnv(r->username, strlen(r->username) + 1, h);
    if (with_entitlement && r->entitlement)
        h = fnv(r->entitlement, strlen(r->entitlement), h);
    return h;
}

static bool same_key(const struct access_row *a, const struct access_row *b, bool with_entitlement)
{
    if (a->system_id != b->system_id || strcmp(a->username, b->username) != 0)
        return false;
    if (!with_entitlement)
        return true;
    if (!a->entitlement || !b->entitlement)
        return a->entitlement == b->entitlement;
    return strcmp(a->entitlement, b->entitlement) == 0;
}

/* The first row with r's key in table (r itself when none), inserting r then. */
static size_t first_with_key(struct import *im, int32_t *table, size_t idx, bool with_entitlement)
{
    const struct access_row *r = &im->rows[idx];
    size_t i = account_hash(r, with_entitlement) & (im->hcap - 1);
    while (table[i] >= 0) {
        if (same_key(&im->rows[table[i]], r, with_entitlement))
            return (size_t)table[i];
        i = (i + 1) & (im->hcap - 1);
    }
    table[i] = (int32_t)idx;
    return idx;
}

static void rehash(struct import *im)
{
    size_t cap = im->hcap ? im->hcap * 2 : 1024;
    free(im->accounts);
    free(im->grants);
    im->hcap = cap;
    im->accounts = xmalloc(cap * sizeof(*im->accounts));
    im->grants = xmalloc(cap * sizeof(*im->grants));
    memset(im->accounts, 0xff, cap * sizeof(*im->accounts));
    memset(im->grants, 0xff, cap * sizeof(*im->grants));
    for (size_t i = 0; i + 1 < im->nrows; i++) {
        first_with_key(im, im->accounts, i, false);
        first_with_key(im, im->grants, i, true);
    }
}

/* Is the new row (the last) consistent with the rows before it? */
static void check_repeats(struct import *im)
{
    size_t idx = im->nrows - 1;
    if (im->nrows * 2 > im->hcap)
        rehash(im);
    const struct access_row *r = &im->rows[idx];
    long line = im->lines[idx];
    size_t first = first_with_key(im, im->accounts, idx, false);
    if (first != idx) {
        const struct access_row *f = &im->rows[first];
        const char *col = NULL;
        if (f->person_id != r->person_id)
            col = "user_id";
        else if (f->shared != r->shared)
            col = "shared";
        else if (f->privileged != r->privileged)
            col = "privileged";
        else if (f->mfa_enrolled != r->mfa_enrolled)
            col = "mfa_enrolled";
        else if ((f->last_login == NULL) != (r->last_login == NULL) ||
                 (f->last_login && strcmp(f->last_login, r->last_login) != 0))
            col = "last_login";
        else if (f->disabled != r->disabled)
            col = "status";
        if (col)
            problem(im, line, col,
                    "differs from line %ld for the same account; an account's columns are the "
                    "same on each of its rows",
                    im->lines[first]);
    }
    if (im->kind == ACCESS_IMPORT_ACCOUNTS && first != idx) {
        problem(im, line, "username", "the account is also on line %ld", im->lines[first]);
        return;
    }
    if (im->kind == ACCESS_IMPORT_GRANTS) {
        size_t g = first_with_key(im, im->grants, idx, true);
        if (g != idx)
            problem(im, line, r->entitlement ? "entitlement" : "username",
                    r->entitlement ? "the grant is also on line %ld"
                                   : "the account without a grant is also on line %ld",
                    im->lines[g]);
    }
}

static bool flag(struct import *im, long line, enum col c, const char *v, bool *out)
{
    const char *why = NULL;
    *out = false;
    if (!v[0] || org_bool_parse(v, out, &why) == 0)
        return true;
    problem(im, line, COL_NAMES[c], "%s", why);
    return false;
}

static void read_row(struct import *im, const struct csv_record *rec)
{
    const char *v[NCOLS] = {0};
    struct access_row r = {0};
    bool ok = true;
    for (int i = 0; i < rec->count; i++)
        if (im->map[i] >= 0)
            v[im->map[i]] = rec->fields[i];
    long line = rec->line;
    const char *why = NULL;
    /* system */
    const char *ext = v[C_SYSTEM] && v[C_SYSTEM][0] ? v[C_SYSTEM] : NULL;
    if (im->fixed_ext && ext && strcmp(ext, im->fixed_ext) != 0) {
        problem(im, line, "system", "'%s' is not the system named by --system (%s)", cat_shown(ext),
                cat_shown(im->fixed_ext));
        ok = false;
    } else if (im->fixed_ext) {
        r.system_id = im->fixed_system;
    } else if (!ext) {
        problem(im, line, "system", "empty; a value is required");
        ok = false;
    } else if (cat_external_id_check(ext, &why)) {
        problem(im, line, "system", "%s", why);
        ok = false;
    } else if (!smap_get(&im->systems, ext, &r.system_id)) {
        problem(im, line, "system", "no system has external id '%s'", cat_shown(ext));
        ok = false;
    }
    /* username */
    const char *user = v[C_USERNAME] ? v[C_USERNAME] : "";
    if (!user[0]) {
        problem(im, line, "username", "empty; a value is required");
        ok = false;
    } else if ((why = name_problem(user, ACCESS_USERNAME_MAX)) != NULL) {
        problem(im, line, "username", "%s (at most %d bytes)", why, ACCESS_USERNAME_MAX);
        ok = false;
    }
    /* user_id: empty is an account tied to no person */
    if (v[C_USER_ID] && v[C_USER_ID][0] && !smap_get(&im->people, v[C_USER_ID], &r.person_id)) {
        problem(im, line, "user_id", "no person has user id '%s'", cat_shown(v[C_USER_ID]));
        ok = false;
    }
    ok = flag(im, line, C_SHARED, v[C_SHARED] ? v[C_SHARED] : "", &r.shared) && ok;
    ok = flag(im, line, C_PRIVILEGED, v[C_PRIVILEGED] ? v[C_PRIVILEGED] : "", &r.privileged) && ok;
    ok = flag(im, line, C_MFA, v[C_MFA] ? v[C_MFA] : "", &r.mfa_enrolled) && ok;
    if (v[C_LAST_LOGIN] && v[C_LAST_LOGIN][0] &&
        !(r.last_login = instant(im, 0, v[C_LAST_LOGIN]))) {
        problem(im, line, "last_login",
                "a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ (with Z or an offset)");
        ok = false;
    }
    const char *status = v[C_STATUS] ? v[C_STATUS] : "";
    if (status[0] && strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0) {
        problem(im, line, "status", "status is active or disabled (empty is active)");
        ok = false;
    }
    r.disabled = strcmp(status, "disabled") == 0;
    if (im->kind == ACCESS_IMPORT_GRANTS) {
        const char *ent = v[C_ENTITLEMENT] ? v[C_ENTITLEMENT] : "";
        if (ent[0] && (why = name_problem(ent, ACCESS_ENTITLEMENT_MAX)) != NULL) {
            problem(im, line, "entitlement", "%s (at most %d bytes)", why, ACCESS_ENTITLEMENT_MAX);
            ok = false;
        }
        r.entitlement = ent[0] ? arena_strdup(&im->arena, ent) : NULL;
        if (v[C_GRANTED_AT] && v[C_GRANTED_AT][0] &&
            !(r.granted_at = instant(im, 1, v[C_GRANTED_AT]))) {
            problem(im, line, "granted_at",
                    "a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ (with Z or an offset)");
            ok = false;
        }
        if (ent[0] == '\0' && v[C_GRANTED_AT] && v[C_GRANTED_AT][0]) {
            problem(im, line, "granted_at", "a grant date without an entitlement");
            ok = false;
        }
    }
    if (!ok)
        return;
    r.username = arena_strdup(&im->arena, user);
    if (im->nrows == im->caprows) {
        im->caprows = im->caprows ? im->caprows * 2 : 1024;
        im->rows = xrealloc(im->rows, im->caprows * sizeof(*im->rows));
        im->lines = xrealloc(im->lines, im->caprows * sizeof(*im->lines));
    }
    im->rows[im->nrows] = r;
    im->lines[im->nrows++] = line;
    check_repeats(im);
}

static int read_file(struct import *im, const char *data, size_t len)
{
    struct csv_reader csv;
    struct csv_record rec;
    long bad_line = 0;
    int ncols = 0;
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
    else {
        ncols = rec.count;
        read_header(im, &rec);
    }
    /* Every line is read even after a bad one, to report every problem at once; after a bad
     * header nothing more is (the columns are not known). */
    bool header_ok = got > 0 && !im->rep->errors;
    while (header_ok && (got = csv_next(&csv, &rec)) != 0) {
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
        if (rec.count != ncols)
            problem(im, rec.line, NULL, "the row has %d fields, the header %d", rec.count, ncols);
        else
            read_row(im, &rec);
    }
    csv_release(&csv);
    return 0;
}

/* The distinct systems of the rows (and --system's), for the snapshot. */
static int64_t *systems_named(struct import *im, size_t *n)
{
    int64_t *ids = xcalloc(im->nrows + 1, sizeof(*ids));
    size_t k = 0;
    if (im->fixed_system)
        ids[k++] = im->fixed_system;
    for (size_t i = 0; i < im->nrows; i++)
        if (!k || ids[k - 1] != im->rows[i].system_id)
            ids[k++] = im->rows[i].system_id; /* access_snapshot_apply drops repeats */
    *n = k;
    return ids;
}

int access_import(struct db *db, enum access_import_kind kind, const struct import_options *opt,
                  const char *actor, const char *system, const char *file, const char *data,
                  size_t len, struct import_report *rep, struct access_changes *changes)
{
    struct org_actor cli = {.everything = true, .actor = actor};
    const struct org_actor *who = opt && opt->who ? opt->who : &cli;
    struct import im = {.kind = kind, .file = file, .rep = rep, .fixed_ext = system};
    char now[CLOCK_ISO_LEN];
    int rc;
    memset(rep, 0, sizeof(*rep));
    memset(changes, 0, sizeof(*changes));
    arena_init(&im.arena);
    smap_init(&im.systems, 1024);
    smap_init(&im.people, 1024);
    clock_format(clock_now(), now);
    rc = access_sql_systems_in_reach(db, who, put_system, &im);
    if (!rc)
        rc = access_sql_people_in_reach(db, who, put_person, &im);
    if (!rc && system && !smap_get(&im.systems, system, &im.fixed_system))
        problem(&im, 1, "system", "no system has external id '%s' (--system)", cat_shown(system));
    if (!rc)
        rc = read_file(&im, data, len);
    if (!rc && !rep->errors) {
        size_t nsys = 0;
        int64_t *ids = systems_named(&im, &nsys);
        rc = db_begin(db);
        if (!rc)
            rc = access_snapshot_apply_with(
                db, ids, nsys, im.rows, im.nrows, "csv",
                kind == ACCESS_IMPORT_ACCOUNTS ? ACCESS_SNAPSHOT_ACCOUNTS_ONLY : 0, 0, who->actor,
                now, changes);
        if (!rc && !(opt && opt->dry_run))
            rc = db_commit(db);
        else
            db_rollback(db);
        free(ids);
        rep->created = (int)changes->accounts_new;
        rep->updated = (int)changes->accounts_changed;
    }
    if (!rc && rep->errors)
        rc = ERR_INVALID;
    free(im.rows);
    free(im.lines);
    free(im.accounts);
    free(im.grants);
    smap_release(&im.systems);
    smap_release(&im.people);
    arena_release(&im.arena);
    return rc;
}
