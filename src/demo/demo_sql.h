/* SQL of the demo module (demo_sql.c). */
#ifndef VARN_DEMO_SQL_H
#define VARN_DEMO_SQL_H

#include <stdbool.h>
#include <stdint.h>

struct db;

/* The id of the organisation with this code; ERR_NOTFOUND when there is none. */
int demo_sql_org_id(struct db *db, const char *code, int64_t *id);
int demo_sql_org_insert(struct db *db, const char *code, const char *name, const char *kind,
                        int64_t parent_id, const char *org_number, const char *at, int64_t *id);
/* manager_id 0 and NULL dates are stored as NULL. */
int demo_sql_person_insert(struct db *db, const char *user_id, const char *name, const char *email,
                           int64_t org_id, int64_t manager_id, const char *start, const char *end,
                           bool privileged, const char *at, int64_t *id);
/* The id of the person with this user id; ERR_NOTFOUND when there is none. */
int demo_sql_person_id(struct db *db, const char *user_id, int64_t *id);
int demo_sql_role_insert(struct db *db, int64_t person_id, const char *role, int64_t org_id,
                         const char *at);
int demo_sql_credential_insert(struct db *db, int64_t person_id, const char *password_hash,
                               const char *at);

#endif
