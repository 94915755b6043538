/* INTERIM until access-core is merged: the declarations of access/access.h's
 * access_grant_to_person and access_grant_revoke, which the workflows call to provision and
 * revoke (workflow_grant_sql.c stands in for them until then). */
#ifndef VARN_ACCESS_WORKFLOW_GRANT_H
#define VARN_ACCESS_WORKFLOW_GRANT_H

#include <stdint.h>

struct db;

int access_grant_to_person(struct db *db, int64_t system_id, int64_t entitlement_id,
                           int64_t person_id, int64_t request_id, int64_t granted_by,
                           const char *now, int64_t *grant_id);
int access_grant_revoke(struct db *db, int64_t grant_id, int64_t revoked_by, const char *reason,
                        const char *now);

#endif
