/* Dispatch of the storage interface to the driver chosen by the database URL. */
#include "db/db_driver.h"
#include "core/err.h"
#include "core/str.h"

#include <string.h>

static bool is_postgresql(const char *url)
{
    return str_starts_with(url, "postgresql://") || str_starts_with(url, "postgres://");
}

static int no_postgresql(char *msg, size_t len)
{
    if (msg)
        str_copy(msg, len, "PostgreSQL is not supported by this build yet; use a SQLite file path");
    return ERR_UNSUPPORTED;
}

int db_open(const char *url, unsigned flags, struct db **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    if (is_postgresql(url))
        return no_postgresql(errbuf, errlen);
    return db_sqlite_open(url, flags, out, errbuf, errlen);
}

void db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

const char *db_errmsg(struct db *db)
{
    return db->ops->errmsg(db);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    return db->ops->prepare(db, sql, out);
}

int db_bind_text(struct db_stmt *st, const char *name, const char *value)
{
    return st->ops->bind_text(st, name, value);
}

int db_bind_int(struct db_stmt *st, const char *name, int64_t value)
{
    return st->ops->bind_int(st, name, value);
}

int db_bind_null(struct db_stmt *st, const char *name)
{
    return st->ops->bind_null(st, name);
}

int db_step(struct db_stmt *st)
{
    return st->ops->step(st);
}

int db_col_count(struct db_stmt *st)
{
    return st->ops->col_count(st);
}

const char *db_col_name(struct db_stmt *st, int i)
{
    return st->ops->col_name(st, i);
}

bool db_col_is_null(struct db_stmt *st, int i)
{
    return st->ops->col_is_null(st, i);
}

int64_t db_col_int(struct db_stmt *st, int i)
{
    return st->ops->col_int(st, i);
}

const char *db_col_text(struct db_stmt *st, int i)
{
    return st->ops->col_text(st, i);
}

void db_finalize(struct db_stmt *st)
{
    if (st)
        st->ops->finalize(st);
}

int db_finish(struct db_stmt *st, int rc)
{
    if (!rc) {
        rc = db_step(st);
        rc = rc == DB_DONE ? 0 : rc < 0 ? rc : ERR_DB;
    }
    db_finalize(st);
    return rc;
}

int db_finish_int(struct db_stmt *st, int rc, int64_t *out)
{
    if (!rc) {
        rc = db_step(st);
        if (rc == DB_ROW) {
            *out = db_col_int(st, 0);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = ERR_NOTFOUND;
        }
    }
    db_finalize(st);
    return rc;
}

int db_like_pattern(const char *q, char *out, size_t size)
{
    size_t j = 0;
    if (size < 3)
        return ERR_TOOBIG;
    out[j++] = '%';
    for (const char *s = q; *s; s++) {
        char c = *s;
        bool escape = c == '%' || c == '_' || c == '\\';
        if (j + (escape ? 2 : 1) + 2 > size) { /* the character, the closing % and NUL */
            out[0] = '\0';
            return ERR_TOOBIG;
        }
        if (escape)
            out[j++] = '\\';
        out[j++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[j++] = '%';
    out[j] = '\0';
    return 0;
}

int db_exec(struct db *db, const char *sql)
{
    return db->ops->exec(db, sql);
}

int db_begin_at(struct db *db, const char *file, int line)
{
    return db->ops->begin(db, file, line);
}

int db_commit(struct db *db)
{
    return db->ops->commit(db);
}

int db_rollback(struct db *db)
{
    return db->ops->rollback(db);
}

int db_table_exists(struct db *db, const char *name, bool *exists)
{
    return db->ops->table_exists(db, name, exists);
}

int db_ping(struct db *db)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1", &st);
    if (rc)
        return rc;
    rc = db_step(st);
    db_finalize(st);
    return rc == DB_ROW ? 0 : (rc < 0 ? rc : ERR_DB);
}

int db_backup(const char *url, const char *dest, char *msg, size_t msglen)
{
    if (is_postgresql(url))
        return no_postgresql(msg, msglen);
    return db_sqlite_backup(url, dest, msg, msglen);
}

int db_verify_file(const char *src, int64_t max_schema, int64_t *schema, char *msg, size_t msglen)
{
    return db_sqlite_verify_file(src, max_schema, schema, msg, msglen);
}

int db_restore(const char *url, const char *src, int64_t max_schema, int64_t *schema, char *msg,
               size_t msglen)
{
    if (is_postgresql(url))
        return no_postgresql(msg, msglen);
    return db_sqlite_restore(url, src, max_schema, schema, msg, msglen);
}
