/* SQLite driver: WAL, foreign keys, synchronous=FULL, busy timeout, statement cache,
 * online backup and verified restore. */
#include "db/db_driver.h"
#include "core/err.h"
#include "core/log.h"
#include "core/str.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* PRAGMA application_id of every Värn database: "Varn". Tells our files from any other
 * SQLite file before restore overwrites anything. */
#define VARN_APPLICATION_ID 0x5661726E
#define BUSY_TIMEOUT_MS     5000
#define STMT_CACHE_SIZE     64

struct sqlite_stmt {
    struct db_stmt base;       /* driver table; must be first */
    struct sqlite_db *db;      /* owning connection */
    sqlite3_stmt *stmt;        /* the prepared statement */
    struct sqlite_stmt *cache; /* non-NULL when this lives in the cache */
    char *sql;                 /* copy of the text, the cache key */
    bool in_use;               /* handed out and not yet finalized */
};

struct sqlite_db {
    struct db base;                             /* driver table; must be first */
    sqlite3 *handle;                            /* the connection */
    char errmsg[512];                           /* last error, with context */
    struct sqlite_stmt *cache[STMT_CACHE_SIZE]; /* prepared statements, by text */
    unsigned cache_next;                        /* round-robin eviction cursor */
    const char *tx_file;                        /* where the open transaction began */
    int tx_line;                                /* ... and on which line */
};

static const struct db_ops sqlite_ops;

static struct sqlite_db *sdb(struct db *db)
{
    return (struct sqlite_db *)db;
}

static struct sqlite_stmt *sst(struct db_stmt *st)
{
    return (struct sqlite_stmt *)st;
}

static int map_rc(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_OK:
        return 0;
    case SQLITE_CONSTRAINT:
        return ERR_CONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ERR_BUSY;
    case SQLITE_NOMEM:
        return ERR_NOMEM;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
        return ERR_IO;
    default:
        return ERR_DB;
    }
}

static int fail(struct sqlite_db *db, int rc, const char *what)
{
    str_format(db->errmsg, sizeof(db->errmsg), "%s: %s", what, sqlite3_errmsg(db->handle));
    return map_rc(rc);
}

/* One row, one integer column; for PRAGMAs and counts. */
static int query_int(sqlite3 *h, const char *sql, int64_t *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_EMPTY;
    }
    sqlite3_finalize(st);
    return rc;
}

/* PRAGMA integrity_check: "ok", or the first problem it reports, into msg. */
static int integrity_ok(sqlite3 *h, char *msg, size_t len)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        str_format(msg, len, "integrity check could not run: %s", sqlite3_errmsg(h));
        return ERR_DB;
    }
    rc = sqlite3_step(st);
    int result = 0;
    if (rc != SQLITE_ROW) {
        str_format(msg, len, "integrity check failed: %.200s", sqlite3_errmsg(h));
        result = ERR_DB;
    } else {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if (!r || strcmp(r, "ok") != 0) {
            /* SQLite's report can run to many lines; its first says what is wrong. */
            int first = r ? (int)strcspn(r, "\n") : 0;
            if (first > 200)
                first = 200;
            str_format(msg, len, "integrity check failed: %.*s", first, r ? r : "(no result)");
            result = ERR_DB;
        }
    }
    sqlite3_finalize(st);
    return result;
}

/* New files get our application id; anything else must already carry it. */
static int check_identity(sqlite3 *h, const char *path, bool may_claim, char *msg, size_t len)
{
    int64_t app = 0, tables = 0;
    int rc = query_int(h, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = query_int(h, "SELECT count(*) FROM sqlite_schema", &tables);
    if (rc != SQLITE_OK) {
        str_format(msg, len, "'%s' is not a readable SQLite database: %s", path, sqlite3_errmsg(h));
        return ERR_INVALID;
    }
    if (app == VARN_APPLICATION_ID)
        return 0;
    if (app == 0 && tables == 0 && may_claim) {
        char sql[64];
        str_format(sql, sizeof(sql), "PRAGMA application_id = %d", VARN_APPLICATION_ID);
        rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            str_format(msg, len, "cannot initialise '%s': %s", path, sqlite3_errmsg(h));
            return map_rc(rc);
        }
        return 0;
    }
    str_format(msg, len, "'%s' is not a Värn database", path);
    return ERR_INVALID;
}

/* Before SQLite initialises: no bulk page-cache allocation per cache. By default every page
 * cache, including those of the small temporary b-trees a query opens (UNION, IN (SELECT ...),
 * the recursive scope CTE), first allocates 20 pages in one block, about 90 KiB; three per list
 * query made every request allocate and free some 250 KiB, which the allocator handed back to
 * the kernel and faulted in again each time (bench/RESULTS.md, the catalog list). Pages are
 * now allocated as they are needed. */
static void sqlite_configure(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
    /* No memory statistics (Värn reads none): with them, every SQLite allocation and free
     * takes a process-wide mutex, some 2 % of a list request's instructions. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int open_handle(const char *path, unsigned flags, sqlite3 **out, char *msg, size_t len)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, sqlite_configure);
    int oflags = SQLITE_OPEN_NOMUTEX;
    if (flags & DB_OPEN_READONLY)
        oflags |= SQLITE_OPEN_READONLY;
    else
        oflags |= SQLITE_OPEN_READWRITE | ((flags & DB_OPEN_CREATE) ? SQLITE_OPEN_CREATE : 0);
    *out = NULL;
    if (!(flags & DB_OPEN_CREATE) && access(path, F_OK) != 0) {
        str_format(msg, len, "database '%s' does not exist; run 'varn init' to create it", path);
        return ERR_NOTFOUND;
    }
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, oflags, NULL);
    if (rc != SQLITE_OK) {
        str_format(msg, len, "cannot open database '%s': %s", path,
                   h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return map_rc(rc);
    }
    sqlite3_extended_result_codes(h, 1);
    sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
    *out = h;
    return 0;
}

int db_sqlite_open(const char *path, unsigned flags, struct db **out, char *errbuf, size_t errlen)
{
    char scratch[512];
    if (!errbuf) {
        errbuf = scratch;
        errlen = sizeof(scratch);
    }
    sqlite3 *h;
    int rc = open_handle(path, flags, &h, errbuf, errlen);
    if (rc)
        return rc;
    rc = check_identity(h, path, (flags & DB_OPEN_CREATE) != 0, errbuf, errlen);
    if (rc)
        goto out;
    /* WAL lets readers run while one writer commits; FULL makes a commit survive power loss. */
    const char *pragmas = (flags & DB_OPEN_READONLY)
                              ? "PRAGMA foreign_keys = ON;"
                              : "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                                "PRAGMA foreign_keys = ON;";
    int src = sqlite3_exec(h, pragmas, NULL, NULL, NULL);
    /* SQLite's default 2 MiB page cache thrashes on the indexes of a 500 000-grant import; 64 MiB
     * (taken only as pages are read) made it about 40 % faster, and the import's staging tables
     * are kept in memory rather than in a temporary file. Only for one-off commands: the
     * server's connections keep the defaults. */
    if (src == SQLITE_OK && (flags & DB_OPEN_BULK))
        src = sqlite3_exec(h, "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;", NULL, NULL,
                           NULL);
    if (src != SQLITE_OK) {
        str_format(errbuf, errlen, "cannot configure database '%s': %s", path, sqlite3_errmsg(h));
        rc = map_rc(src);
        goto out;
    }
    struct sqlite_db *db = xcalloc(1, sizeof(*db));
    db->base.ops = &sqlite_ops;
    db->handle = h;
    *out = &db->base;
    return 0;
out:
    sqlite3_close(h);
    return rc;
}

static void stmt_free(struct sqlite_stmt *s)
{
    sqlite3_finalize(s->stmt);
    free(s->sql);
    free(s);
}

static void sq_close(struct db *db)
{
    struct sqlite_db *d = sdb(db);
    for (unsigned i = 0; i < STMT_CACHE_SIZE; i++)
        if (d->cache[i])
            stmt_free(d->cache[i]);
    sqlite3_close(d->handle);
    free(d);
}

static const char *sq_errmsg(struct db *db)
{
    struct sqlite_db *d = sdb(db);
    return d->errmsg[0] ? d->errmsg : sqlite3_errmsg(d->handle);
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct sqlite_db *d = sdb(db);
    *out = NULL;
    for (unsigned i = 0; i < STMT_CACHE_SIZE; i++) {
        struct sqlite_stmt *c = d->cache[i];
        if (c && !c->in_use && strcmp(c->sql, sql) == 0) {
            c->in_use = true;
            *out = &c->base;
            return 0;
        }
    }
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v3(d->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (rc != SQLITE_OK) {
        str_format(d->errmsg, sizeof(d->errmsg), "cannot prepare [%.200s]: %s", sql,
                   sqlite3_errmsg(d->handle));
        return map_rc(rc);
    }
    struct sqlite_stmt *s = xcalloc(1, sizeof(*s));
    s->base.ops = &sqlite_ops;
    s->db = d;
    s->stmt = stmt;
    s->sql = xstrdup(sql);
    s->in_use = true;
    /* Keep it in the cache unless the slot's occupant is busy; then it stays private. */
    unsigned slot = d->cache_next;
    if (!d->cache[slot] || !d->cache[slot]->in_use) {
        if (d->cache[slot])
            stmt_free(d->cache[slot]);
        d->cache[slot] = s;
        s->cache = s;
        d->cache_next = (slot + 1) % STMT_CACHE_SIZE;
    }
    *out = &s->base;
    return 0;
}

static int param_index(struct sqlite_stmt *s, const char *name)
{
    int i = sqlite3_bind_parameter_index(s->stmt, name);
    if (i == 0)
        str_format(s->db->errmsg, sizeof(s->db->errmsg), "no such bind parameter %s in [%.200s]",
                   name, s->sql);
    return i;
}

static int sq_bind_text(struct db_stmt *st, const char *name, const char *value)
{
    struct sqlite_stmt *s = sst(st);
    int i = param_index(s, name);
    if (!i)
        return ERR_INVALID;
    int rc = value ? sqlite3_bind_text(s->stmt, i, value, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(s->stmt, i);
    return rc == SQLITE_OK ? 0 : fail(s->db, rc, "bind");
}

static int sq_bind_int(struct db_stmt *st, const char *name, int64_t value)
{
    struct sqlite_stmt *s = sst(st);
    int i = param_index(s, name);
    if (!i)
        return ERR_INVALID;
    int rc = sqlite3_bind_int64(s->stmt, i, value);
    return rc == SQLITE_OK ? 0 : fail(s->db, rc, "bind");
}

static int sq_bind_null(struct db_stmt *st, const char *name)
{
    return sq_bind_text(st, name, NULL);
}

static int sq_step(struct db_stmt *st)
{
    struct sqlite_stmt *s = sst(st);
    int rc = sqlite3_step(s->stmt);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return fail(s->db, rc, "step");
}

static int sq_col_count(struct db_stmt *st)
{
    return sqlite3_column_count(sst(st)->stmt);
}

static const char *sq_col_name(struct db_stmt *st, int i)
{
    return sqlite3_column_name(sst(st)->stmt, i);
}

static bool sq_col_is_null(struct db_stmt *st, int i)
{
    return sqlite3_column_type(sst(st)->stmt, i) == SQLITE_NULL;
}

static int64_t sq_col_int(struct db_stmt *st, int i)
{
    return sqlite3_column_int64(sst(st)->stmt, i);
}

static const char *sq_col_text(struct db_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(sst(st)->stmt, i);
}

static void sq_finalize(struct db_stmt *st)
{
    struct sqlite_stmt *s = sst(st);
    if (s->cache) {
        sqlite3_reset(s->stmt);
        sqlite3_clear_bindings(s->stmt);
        s->in_use = false;
        return;
    }
    stmt_free(s);
}

static int sq_exec(struct db *db, const char *sql)
{
    struct sqlite_db *d = sdb(db);
    char *err = NULL;
    int rc = sqlite3_exec(d->handle, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        str_format(d->errmsg, sizeof(d->errmsg), "%s", err ? err : sqlite3_errstr(rc));
        sqlite3_free(err);
        return map_rc(rc);
    }
    return 0;
}

static int sq_begin(struct db *db, const char *file, int line)
{
    struct sqlite_db *d = sdb(db);
    int rc = sqlite3_exec(d->handle, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        char what[160];
        str_format(what, sizeof(what), "begin at %s:%d (open since %s:%d)", file, line,
                   d->tx_file ? d->tx_file : "-", d->tx_line);
        return fail(d, rc, what);
    }
    d->tx_file = file;
    d->tx_line = line;
    return 0;
}

static int sq_commit(struct db *db)
{
    struct sqlite_db *d = sdb(db);
    int rc = sqlite3_exec(d->handle, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int mapped = fail(d, rc, "commit");
        sqlite3_exec(d->handle, "ROLLBACK", NULL, NULL, NULL);
        d->tx_file = NULL;
        return mapped;
    }
    d->tx_file = NULL;
    return 0;
}

static int sq_rollback(struct db *db)
{
    struct sqlite_db *d = sdb(db);
    d->tx_file = NULL;
    if (sqlite3_get_autocommit(d->handle))
        return 0; /* SQLite may already have rolled back after an error */
    int rc = sqlite3_exec(d->handle, "ROLLBACK", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail(d, rc, "rollback");
}

static int sq_table_exists(struct db *db, const char *name, bool *exists)
{
    static const char sql[] =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = :name";
    struct db_stmt *st;
    int rc = sq_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = sq_bind_text(st, ":name", name);
    if (!rc) {
        rc = sq_step(st);
        if (rc == DB_ROW) {
            *exists = sq_col_int(st, 0) > 0;
            rc = 0;
        }
    }
    sq_finalize(st);
    return rc;
}

static const struct db_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .errmsg = sq_errmsg,
    .prepare = sq_prepare,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_name = sq_col_name,
    .col_is_null = sq_col_is_null,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .finalize = sq_finalize,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .table_exists = sq_table_exists,
};

/* Copy all of src into dst with the online backup API, in one step so that the copy is a
 * single consistent snapshot; retries while another connection holds a lock. */
static int copy_database(sqlite3 *dst, sqlite3 *src, char *msg, size_t len)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        str_format(msg, len, "cannot start copy: %s", sqlite3_errmsg(dst));
        return ERR_DB;
    }
    int rc;
    for (int tries = 0;; tries++) {
        rc = sqlite3_backup_step(b, -1);
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || tries >= 200)
            break;
        struct timespec ts = {0, 25 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int frc = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || frc != SQLITE_OK) {
        str_format(msg, len, "copy failed: %s", sqlite3_errmsg(dst));
        return map_rc(rc != SQLITE_DONE ? rc : frc);
    }
    return 0;
}

static int fsync_path(const char *path, bool dir)
{
    int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0)
        return ERR_IO;
    int rc = fsync(fd) == 0 ? 0 : ERR_IO;
    close(fd);
    return rc;
}

static int fsync_parent(const char *path)
{
    char copy[4096];
    if (str_copy(copy, sizeof(copy), path) != 0)
        return ERR_TOOBIG;
    return fsync_path(dirname(copy), true);
}

int db_sqlite_backup(const char *path, const char *dest, char *msg, size_t msglen)
{
    char tmp[4096];
    struct db *srcdb = NULL;
    sqlite3 *out = NULL;
    bool made_tmp = false;
    int rc = 0;

    if (access(dest, F_OK) == 0) {
        str_format(msg, msglen, "'%s' already exists; choose a new file name", dest);
        return ERR_CONFLICT;
    }
    if (str_format(tmp, sizeof(tmp), "%s.partial-%ld", dest, (long)getpid()) != 0) {
        str_format(msg, msglen, "backup path is too long");
        return ERR_TOOBIG;
    }
    rc = db_sqlite_open(path, 0, &srcdb, msg, msglen);
    if (rc)
        goto out;
    unlink(tmp);
    rc = open_handle(tmp, DB_OPEN_CREATE, &out, msg, msglen);
    if (rc)
        goto out;
    made_tmp = true;
    rc = copy_database(out, sdb(srcdb)->handle, msg, msglen);
    if (rc)
        goto out;
    /* A backup is one self-contained file: no -wal beside it. */
    if (sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        str_format(msg, msglen, "cannot finish backup: %s", sqlite3_errmsg(out));
        rc = ERR_DB;
        goto out;
    }
    rc = integrity_ok(out, msg, msglen);
    if (rc)
        goto out;
    sqlite3_close(out);
    out = NULL;
    /* The copy reaches the disk before it appears under its name; link() refuses to replace
     * a file that appeared meanwhile. */
    if (fsync_path(tmp, false) != 0 || link(tmp, dest) != 0) {
        str_format(msg, msglen, "cannot write '%s': %s", dest, strerror(errno));
        rc = ERR_IO;
        goto out;
    }
    fsync_parent(dest);
out:
    if (out)
        sqlite3_close(out);
    if (made_tmp) {
        unlink(tmp);
        char side[4200];
        if (str_format(side, sizeof(side), "%s-journal", tmp) == 0)
            unlink(side);
    }
    db_close(srcdb);
    return rc;
}

static int verify_handle(sqlite3 *h, const char *src, int64_t max_schema, int64_t *schema,
                         char *msg, size_t len)
{
    int rc = check_identity(h, src, false, msg, len);
    if (rc)
        return rc;
    rc = integrity_ok(h, msg, len);
    if (rc)
        return ERR_INVALID;
    int64_t v = 0;
    if (query_int(h, "SELECT coalesce(max(version), 0) FROM schema_migrations", &v) != SQLITE_OK) {
        str_format(msg, len, "'%s' is not a Värn database: it has no migration history", src);
        return ERR_INVALID;
    }
    if (v > max_schema) {
        str_format(msg, len,
                   "'%s' has schema version %lld, newer than this varn understands (%lld); "
                   "restore it with a newer varn",
                   src, (long long)v, (long long)max_schema);
        return ERR_SCHEMA;
    }
    *schema = v;
    return 0;
}

static bool has_sqlite_header(const char *path)
{
    static const char magic[16] = "SQLite format 3";
    char head[16];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, head, sizeof(head));
    close(fd);
    return n == (ssize_t)sizeof(head) && memcmp(head, magic, sizeof(magic)) == 0;
}

int db_sqlite_verify_file(const char *src, int64_t max_schema, int64_t *schema, char *msg,
                          size_t msglen)
{
    if (access(src, R_OK) != 0) {
        str_format(msg, msglen, "cannot read '%s': %s", src, strerror(errno));
        return ERR_NOTFOUND;
    }
    if (!has_sqlite_header(src)) {
        str_format(msg, msglen, "'%s' is not a Värn database (not a SQLite file)", src);
        return ERR_INVALID;
    }
    sqlite3 *h;
    int rc = open_handle(src, DB_OPEN_READONLY, &h, msg, msglen);
    if (rc)
        return rc;
    rc = verify_handle(h, src, max_schema, schema, msg, msglen);
    sqlite3_close(h);
    return rc;
}

int db_sqlite_restore(const char *path, const char *src, int64_t max_schema, int64_t *schema,
                      char *msg, size_t msglen)
{
    sqlite3 *in = NULL;
    struct db *live = NULL;
    int rc = db_sqlite_verify_file(src, max_schema, schema, msg, msglen);
    if (rc)
        return rc;
    rc = open_handle(src, DB_OPEN_READONLY, &in, msg, msglen);
    if (rc)
        goto out;
    rc = db_sqlite_open(path, DB_OPEN_CREATE, &live, msg, msglen);
    if (rc)
        goto out;
    /* The backup API writes the destination in one transaction: all of it or none. */
    rc = copy_database(sdb(live)->handle, in, msg, msglen);
    if (rc)
        goto out;
    rc = integrity_ok(sdb(live)->handle, msg, msglen);
out:
    db_close(live);
    if (in)
        sqlite3_close(in);
    return rc;
}
