/* Applies db/migrations/NNNN_*.sql in order and records each in schema_migrations. */
#include "db/migrate.h"
#include "core/err.h"
#include "core/str.h"

#include <string.h>

static const char SQL_CURRENT[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:version, :name, :at)";

static int64_t latest_of(const struct migration *m, size_t n)
{
    return n ? m[n - 1].version : 0;
}

static int query_count(struct db *db, const char *sql, int64_t *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    return db_finish_int(st, 0, out);
}

int migrate_state(struct db *db, const struct migration *m, size_t n, struct migrate_state *st)
{
    bool exists = false;
    st->latest = latest_of(m, n);
    st->current = 0;
    int rc = db_table_exists(db, "schema_migrations", &exists);
    if (rc || !exists)
        return rc;
    return query_count(db, SQL_CURRENT, &st->current);
}

static int apply_one(struct db *db, const struct migration *m, const char *now)
{
    struct db_stmt *st = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = db_exec(db, m->sql);
    if (rc)
        goto out;
    rc = db_prepare(db, SQL_RECORD, &st);
    if (!rc)
        rc = db_bind_int(st, ":version", m->version);
    if (!rc)
        rc = db_bind_text(st, ":name", m->name);
    if (!rc)
        rc = db_bind_text(st, ":at", now);
    rc = db_finish(st, rc);
    if (!rc)
        rc = db_commit(db);
out:
    if (rc)
        db_rollback(db);
    return rc;
}

int migrate_apply(struct db *db, const struct migration *m, size_t n, const char *now, int *applied,
                  char *msg, size_t msglen)
{
    struct migrate_state s;
    *applied = 0;
    /* Migration 1 creates schema_migrations itself, before its own row is recorded. */
    int rc = migrate_state(db, m, n, &s);
    if (rc) {
        str_format(msg, msglen, "cannot read the migration history: %s", db_errmsg(db));
        return rc;
    }
    if (s.current > s.latest) {
        str_format(msg, msglen,
                   "the database has schema version %lld, newer than this varn knows (%lld); "
                   "use a newer varn",
                   (long long)s.current, (long long)s.latest);
        return ERR_SCHEMA;
    }
    for (size_t i = 0; i < n; i++) {
        if (m[i].version <= s.current)
            continue;
        rc = apply_one(db, &m[i], now);
        if (rc) {
            str_format(msg, msglen, "migration %s failed and was rolled back: %s", m[i].name,
                       db_errmsg(db));
            return rc;
        }
        (*applied)++;
    }
    return 0;
}

int migrate_check_current(struct db *db, const struct migration *m, size_t n, const char *db_url,
                          char *msg, size_t msglen)
{
    struct migrate_state s;
    int rc = migrate_state(db, m, n, &s);
    if (rc) {
        str_format(msg, msglen, "cannot read the migration history of '%s': %s", db_url,
                   db_errmsg(db));
        return rc;
    }
    if (s.current > s.latest) {
        str_format(msg, msglen,
                   "database '%s' has schema version %lld, newer than this varn knows (%lld); "
                   "run a newer varn",
                   db_url, (long long)s.current, (long long)s.latest);
        return ERR_SCHEMA;
    }
    if (s.current < s.latest) {
        str_format(msg, msglen,
                   "database '%s' has %lld pending migration(s) (at version %lld of %lld); "
                   "run 'varn init --db %s' first",
                   db_url, (long long)(s.latest - s.current), (long long)s.current,
                   (long long)s.latest, db_url);
        return ERR_SCHEMA;
    }
    return 0;
}
