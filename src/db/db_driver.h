/* What a database driver provides to db.c; only src/db/ includes this. */
#ifndef VARN_DB_DRIVER_H
#define VARN_DB_DRIVER_H

#include "db/db.h"

#include <stddef.h>

struct db_ops {
    const char *name; /* "sqlite", "postgresql" */
    void (*close)(struct db *db);
    const char *(*errmsg)(struct db *db);
    int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
    int (*bind_text)(struct db_stmt *st, const char *name, const char *value);
    int (*bind_int)(struct db_stmt *st, const char *name, int64_t value);
    int (*bind_null)(struct db_stmt *st, const char *name);
    int (*step)(struct db_stmt *st);
    int (*col_count)(struct db_stmt *st);
    const char *(*col_name)(struct db_stmt *st, int i);
    bool (*col_is_null)(struct db_stmt *st, int i);
    int64_t (*col_int)(struct db_stmt *st, int i);
    const char *(*col_text)(struct db_stmt *st, int i);
    void (*finalize)(struct db_stmt *st);
    int (*exec)(struct db *db, const char *sql);
    int (*begin)(struct db *db, const char *file, int line);
    int (*commit)(struct db *db);
    int (*rollback)(struct db *db);
    int (*table_exists)(struct db *db, const char *name, bool *exists);
};

/* Every connection and statement starts with a pointer to its driver's table. */
struct db {
    const struct db_ops *ops; /* the driver */
};

struct db_stmt {
    const struct db_ops *ops; /* the driver */
};

int db_sqlite_open(const char *path, unsigned flags, struct db **out, char *errbuf, size_t errlen);
int db_sqlite_backup(const char *path, const char *dest, char *msg, size_t msglen);
int db_sqlite_verify_file(const char *src, int64_t max_schema, int64_t *schema, char *msg,
                          size_t msglen);
int db_sqlite_restore(const char *path, const char *src, int64_t max_schema, int64_t *schema,
                      char *msg, size_t msglen);

#endif
