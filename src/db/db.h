/* The one storage interface: the rest of Värn never sees which database it talks to. */
#ifndef VARN_DB_DB_H
#define VARN_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

/* db_step results besides negative errors. */
enum db_step_result {
    DB_DONE = 0, /* no more rows */
    DB_ROW = 1,  /* a row is ready for db_col_* */
};

enum db_open_flags {
    DB_OPEN_CREATE = 1 << 0,   /* create the database if it does not exist */
    DB_OPEN_READONLY = 1 << 1, /* never write (backup sources, restore candidates) */
    DB_OPEN_BULK = 1 << 2,     /* a command that writes hundreds of thousands of rows at once */
};

/* Open a database named by url: a file path for SQLite, or postgresql://… (not built yet).
 * On failure returns a negative code and, when errbuf is given, a sentence naming the cause. */
int db_open(const char *url, unsigned flags, struct db **out, char *errbuf, size_t errlen);
void db_close(struct db *db);

/* The last error message of this connection, for logs and CLI messages. */
const char *db_errmsg(struct db *db);

/* Prepare sql, which uses named parameters (:name). Statements are cached per connection
 * (keyed by their text); db_finalize resets a cached one and returns it to the cache. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);
int db_bind_text(struct db_stmt *st, const char *name, const char *value); /* NULL binds null */
int db_bind_int(struct db_stmt *st, const char *name, int64_t value);
int db_bind_null(struct db_stmt *st, const char *name);
/* DB_ROW, DB_DONE, or a negative error (ERR_CONFLICT for constraint violations, ERR_BUSY). */
int db_step(struct db_stmt *st);
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int i);
bool db_col_is_null(struct db_stmt *st, int i);
int64_t db_col_int(struct db_stmt *st, int i);
const char *db_col_text(struct db_stmt *st, int i); /* valid until the next step */
void db_finalize(struct db_stmt *st);

/* Finish a statement whose binds returned rc: when rc is 0, step it to its end (an INSERT,
 * UPDATE or DELETE); then finalize it. Returns rc, the step's error, or 0. */
int db_finish(struct db_stmt *st, int rc);

/* The same for a statement that yields one row whose first column is an integer (a count, or
 * an id from RETURNING): *out gets it; ERR_NOTFOUND when there is no row. */
int db_finish_int(struct db_stmt *st, int rc, int64_t *out);

/* The LIKE pattern "%q%" for a case-blind search: q in lower case (ASCII only, the folding
 * SQL lower() does on every database) with % _ and \ escaped for "ESCAPE '\'". ERR_TOOBIG
 * when it does not fit in size bytes. */
int db_like_pattern(const char *q, char *out, size_t size);

/* Run one or more statements without parameters (migrations). */
int db_exec(struct db *db, const char *sql);

/* Transactions. db_begin takes the write lock at once (BEGIN IMMEDIATE on SQLite), so a
 * writer never fails half-way on a lock upgrade; it records where it was called for error
 * messages. */
#define db_begin(db) db_begin_at((db), __FILE__, __LINE__)
int db_begin_at(struct db *db, const char *file, int line);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* Does a table of this name exist? (the catalogs differ between databases) */
int db_table_exists(struct db *db, const char *name, bool *exists);

/* Is the connection usable? (for /readyz) */
int db_ping(struct db *db);

/* A consistent copy of the live database at url into a new file dest, verified before it
 * appears under its name. msg gets a sentence on failure. */
int db_backup(const char *url, const char *dest, char *msg, size_t msglen);

/* Check that src is a Värn database that passes its integrity check, with a schema no newer
 * than max_schema; its schema version goes to *schema. */
int db_verify_file(const char *src, int64_t max_schema, int64_t *schema, char *msg, size_t msglen);

/* Verify src as db_verify_file does, then replace the contents of the live database at url
 * with it in one transaction: readers see the old database or the new one, never a mix, and a
 * failure leaves the old one in place. The restored schema version goes to *schema. */
int db_restore(const char *url, const char *src, int64_t max_schema, int64_t *schema, char *msg,
               size_t msglen);

#endif
