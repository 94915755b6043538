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
        rc = changes_of(&t, rows[i].system_id) ? access_sql_stage_row(db, &rows[i], now)
                                               : ERR_INVALID;
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
