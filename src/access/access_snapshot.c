/* The snapshot apply shared by the CSV import and the directory sync: the rows go into a
 * staging table with one prepared statement, then a handful of set-based statements add, change,
 * remove and revoke (no per-row look-ups), and each system gets one audit entry with its counts. */
#include "access/access_snapshot.h"
#include "access/access_sql.h"
#include "audit/audit.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

struct sys_counts {
    int64_t id;
    struct access_changes c;
};

struct tally {
    struct sys_counts *sys; /* sorted by id, distinct */
    size_t n;
};

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const struct sys_counts *)a)->id, y = ((const struct sys_counts *)b)->id;
    return x < y ? -1 : x > y;
}

static struct access_changes *changes_of(struct tally *t, int64_t system_id)
{
    struct sys_counts key = {.id = system_id};
    struct sys_counts *s = bsearch(&key, t->sys, t->n, sizeof(*t->sys), by_id);
    return s ? &s->c : NULL;
}

static int count_accounts(void *ctx, int64_t system_id, const char *kind, int64_t n)
{
    struct access_changes *c = changes_of(ctx, system_id);
    if (c && kind && strcmp(kind, "new") == 0)
        c->accounts_new += (long)n;
    else if (c && kind && strcmp(kind, "changed") == 0)
        c->accounts_changed += (long)n;
    else if (c && kind && strcmp(kind, "removed") == 0)
        c->accounts_removed += (long)n;
    return 0;
}

static int count_grants(void *ctx, int64_t system_id, const char *kind, int64_t n)
{
    struct access_changes *c = changes_of(ctx, system_id);
    if (c && kind && strcmp(kind, "new") == 0)
        c->grants_new += (long)n;
    else if (c && kind && strcmp(kind, "removed") == 0)
        c->grants_removed += (long)n;
    return 0;
}

/* ---- the rows made distinct: accounts by (system, username), grants by (account,
 * entitlement), entitlements by (system, name); open addressing over row indexes ---- */

struct distinct {
    const struct access_row *rows;
    uint32_t *acct_of;  /* per row: its account's number (the first row of the account) */
    uint32_t *accounts; /* slots: row index + 1 of each account's first row; 0 empty */
    uint32_t *grants;   /* slots: row index + 1 of each (account, entitlement)'s first row */
    uint32_t *ents;     /* slots: row index + 1 of each (system, entitlement)'s first row */
    size_t mask;
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

#define MIX_START 14695981039346656037ull

static uint64_t text_hash(uint64_t h, const char *s)
{
    return mix(h, s, strlen(s) + 1);
}

/* The slot of row i's key in slots (kind 'a' account, 'g' grant, 'e' entitlement): the one
 * holding an equal key, or the empty one where it goes. */
static uint32_t *slot_of(struct distinct *d, uint32_t *slots, char kind, size_t i)
{
    const struct access_row *r = &d->rows[i];
    uint64_t h = mix(MIX_START, &r->system_id, sizeof(r->system_id));
    if (kind == 'a')
        h = text_hash(h, r->username);
    else if (kind == 'g')
        h = text_hash(mix(h, &d->acct_of[i], sizeof(d->acct_of[i])), r->entitlement);
    else
        h = text_hash(h, r->entitlement);
    for (size_t k = h & d->mask;; k = (k + 1) & d->mask) {
        if (!slots[k])
            return &slots[k];
        const struct access_row *o = &d->rows[slots[k] - 1];
        bool same = o->system_id == r->system_id;
        if (same && kind == 'a')
            same = strcmp(o->username, r->username) == 0;
        else if (same && kind == 'g')
            same = d->acct_of[slots[k] - 1] == d->acct_of[i] &&
                   strcmp(o->entitlement, r->entitlement) == 0;
        else if (same)
            same = strcmp(o->entitlement, r->entitlement) == 0;
        if (same)
            return &slots[k];
    }
}

/* Stage the rows: each account once (its first row's columns), each grant once (the earliest
 * granted_at), each entitlement named once. */
static int stage_rows(struct db *db, const struct access_row *rows, size_t nrows, const char *now)
{
    struct distinct d = {.rows = rows};
    size_t cap = 16;
    while (cap < nrows * 2)
        cap <<= 1;
    d.mask = cap - 1;
    d.acct_of = xcalloc(nrows ? nrows : 1, sizeof(*d.acct_of));
    d.accounts = xcalloc(cap, sizeof(*d.accounts));
    d.grants = xcalloc(cap, sizeof(*d.grants));
    d.ents = xcalloc(cap, sizeof(*d.ents));
    const char **granted = xcalloc(nrows ? nrows : 1, sizeof(*granted));
    bool *first = xcalloc(nrows ? nrows : 1, sizeof(*first)); /* the first row of its grant */
    int rc = 0;
    for (size_t i = 0; !rc && i < nrows; i++) {
        uint32_t *a = slot_of(&d, d.accounts, 'a', i);
        if (!*a) {
            *a = (uint32_t)i + 1;
            rc = access_sql_stage_account(db, (int64_t)i, &rows[i]);
        }
        d.acct_of[i] = *a - 1;
        if (rc || !rows[i].entitlement)
            continue;
        const char *at = rows[i].granted_at ? rows[i].granted_at : now;
        uint32_t *g = slot_of(&d, d.grants, 'g', i);
        if (!*g) {
            *g = (uint32_t)i + 1;
            first[i] = true;
        }
        if (!granted[*g - 1] || strcmp(at, granted[*g - 1]) < 0)
            granted[*g - 1] = at;
        uint32_t *e = slot_of(&d, d.ents, 'e', i);
        if (!*e) {
            *e = (uint32_t)i + 1;
            rc = access_sql_stage_entitlement(db, rows[i].system_id, rows[i].entitlement);
        }
    }
    /* In the rows' order, which keeps the inserts into the indexes that follow near each other
     * (a hash order makes them jump about the b-trees, many times slower). */
    for (size_t i = 0; !rc && i < nrows; i++)
        if (first[i])
            rc = access_sql_stage_grant(db, d.acct_of[i], rows[i].entitlement, granted[i]);
    free(first);
    free(granted);
    free(d.acct_of);
    free(d.accounts);
    free(d.grants);
    free(d.ents);
    return rc;
}

struct audit_ctx {
    struct db *db;
    struct tally *t;
    const char *source, *actor;
    int64_t sync_id;
};

/* One entry per system: what the snapshot did to it. */
static int audit_system(void *ctx, int64_t id, const char *external_id, int64_t org_id)
{
    struct audit_ctx *a = ctx;
    const struct access_changes *c = changes_of(a->t, id);
    if (!c)
        return 0;
    json_t *after =
        json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "source", a->source, "accounts_new",
                  (json_int_t)c->accounts_new, "accounts_removed", (json_int_t)c->accounts_removed,
                  "accounts_changed", (json_int_t)c->accounts_changed, "grants_new",
                  (json_int_t)c->grants_new, "grants_removed", (json_int_t)c->grants_removed);
    if (!after)
        return ERR_NOMEM;
    if (a->sync_id > 0)
        json_object_set_new(after, "sync", json_integer(a->sync_id));
    struct audit_event ev = {.actor = a->actor,
                             .action = "access.snapshot",
                             .object_kind = "system",
                             .object_id = external_id,
                             .organisation_id = org_id,
                             .after = after};
    int rc = audit_append(a->db, &ev);
    json_decref(after);
    return rc;
}

int access_snapshot_apply_with(struct db *db, const int64_t *system_ids, size_t nsystems,
                               const struct access_row *rows, size_t nrows, const char *source,
                               unsigned flags, int64_t sync_id, const char *actor, const char *now,
                               struct access_changes *out)
{
    bool accounts_only = (flags & ACCESS_SNAPSHOT_ACCOUNTS_ONLY) != 0;
    const char *reason = strcmp(source, "ldap") == 0 ? "Finns inte längre i katalogen"
                                                     : "Finns inte längre i den importerade filen";
    struct tally t = {.sys = xcalloc(nsystems ? nsystems : 1, sizeof(*t.sys))};
    int rc = access_sql_stage_reset(db);
    for (size_t i = 0; i < nsystems; i++)
        t.sys[i].id = system_ids[i];
    qsort(t.sys, nsystems, sizeof(*t.sys), by_id);
    for (size_t i = 0; i < nsystems; i++)
        if (!t.n || t.sys[t.n - 1].id != t.sys[i].id)
            t.sys[t.n++] = t.sys[i];
    for (size_t i = 0; !rc && i < t.n; i++)
        rc = access_sql_stage_system(db, t.sys[i].id);
    /* A row of a system outside system_ids would be applied without being the truth there. */
    for (size_t i = 0; !rc && i < nrows; i++)
        if (!changes_of(&t, rows[i].system_id))
            rc = ERR_INVALID;
    if (!rc && nrows >= UINT32_MAX / 2)
        rc = ERR_TOOBIG;
    if (!rc)
        rc = stage_rows(db, rows, nrows, now);
    if (!rc)
        rc = access_sql_stage_accounts(db);
    if (!rc)
        rc = access_sql_count_accounts(db, count_accounts, &t);
    if (!rc && sync_id > 0)
        rc = access_sql_record_accounts(db, sync_id);
    if (!rc)
        rc = access_sql_apply_accounts(db, source, now);
    if (!rc && !accounts_only)
        rc = access_sql_stage_grants(db, now);
    if (!rc)
        rc = access_sql_count_grants(db, accounts_only, count_grants, &t);
    if (!rc && sync_id > 0)
        rc = access_sql_record_grants(db, sync_id, accounts_only);
    if (!rc)
        rc = access_sql_apply_grants(db, accounts_only, source, reason, now);
    struct audit_ctx a = {.db = db, .t = &t, .source = source, .actor = actor, .sync_id = sync_id};
    if (!rc)
        rc = access_sql_staged_systems(db, audit_system, &a);
    if (!rc && out) {
        memset(out, 0, sizeof(*out));
        for (size_t i = 0; i < t.n; i++) {
            out->accounts_new += t.sys[i].c.accounts_new;
            out->accounts_removed += t.sys[i].c.accounts_removed;
            out->accounts_changed += t.sys[i].c.accounts_changed;
            out->grants_new += t.sys[i].c.grants_new;
            out->grants_removed += t.sys[i].c.grants_removed;
        }
    }
    free(t.sys);
    return rc;
}

int access_snapshot_apply(struct db *db, const int64_t *system_ids, size_t nsystems,
                          const struct access_row *rows, size_t nrows, const char *source,
                          int64_t sync_id, const char *actor, const char *now,
                          struct access_changes *out)
{
    return access_snapshot_apply_with(db, system_ids, nsystems, rows, nrows, source, 0, sync_id,
                                      actor, now, out);
}
