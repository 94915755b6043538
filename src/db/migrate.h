/* Schema migrations: numbered SQL files applied in order, each in its own transaction. */
#ifndef VARN_DB_MIGRATE_H
#define VARN_DB_MIGRATE_H

#include "db/db.h"

#include <stddef.h>
#include <stdint.h>

struct migration {
    int64_t version;  /* the file's number, 1, 2, ... with no gaps */
    const char *name; /* the file's name, e.g. "0001_foundation.sql" */
    const char *sql;  /* its statements */
};

/* The migrations built into this binary (generated from db/migrations/). */
extern const struct migration varn_migrations[];
extern const size_t varn_migrations_count;

struct migrate_state {
    int64_t current; /* highest version applied to the database (0: none) */
    int64_t latest;  /* highest version this binary knows */
};

/* Where the database stands against the given migrations; a database without the
 * bookkeeping table is at version 0. Reads only. */
int migrate_state(struct db *db, const struct migration *m, size_t n, struct migrate_state *st);

/* Apply every pending migration in order, each with its bookkeeping row in one transaction.
 * Stops at the first failure, leaving the earlier ones applied; *applied counts what
 * succeeded. now is the ISO 8601 time recorded for each. Returns ERR_SCHEMA when the database
 * is newer than the binary, with a sentence in msg. */
int migrate_apply(struct db *db, const struct migration *m, size_t n, const char *now, int *applied,
                  char *msg, size_t msglen);

/* For `varn serve`: 0 when the database is exactly at the binary's schema, else ERR_SCHEMA
 * with a sentence saying what to run. */
int migrate_check_current(struct db *db, const struct migration *m, size_t n, const char *db_url,
                          char *msg, size_t msglen);

#endif
