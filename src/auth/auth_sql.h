/* SQL of the auth module (auth_sql.c). */
#ifndef VARN_AUTH_SQL_H
#define VARN_AUTH_SQL_H

#include <stdint.h>

struct db;

int auth_sql_org_id(struct db *db, const char *code, int64_t *id);
int auth_sql_token_insert(struct db *db, const char *hash, const char *name, int64_t org_id,
                          const char *role, const char *at, const char *actor, int64_t *id);
int auth_sql_token_find(struct db *db, const char *hash, int64_t *id);
int auth_sql_token_touch(struct db *db, int64_t id, const char *now, const char *minute_ago);
int auth_sql_org_count(struct db *db, int64_t *count);
int auth_sql_bootstrap_org(struct db *db, const char *code, const char *name,
                           const char *org_number, const char *at, int64_t *id);
int auth_sql_bootstrap_admin(struct db *db, int64_t org_id, const char *email,
                             const char *password_hash, const char *at, int64_t *person_id);

#endif
