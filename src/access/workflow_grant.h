/* Provisioning and revocation as the workflows need them: the one place that calls the access
 * module's grant functions (access_grant_to_person, access_grant_revoke). */
#ifndef VARN_ACCESS_WORKFLOW_GRANT_H
#define VARN_ACCESS_WORKFLOW_GRANT_H

#include "org/org.h"

#include <stdint.h>

struct db;

/* Grant entitlement_id of system_id to person_id for request_id (creating their account when
 * they have none), inside the caller's transaction; the new grant's id into *grant_id. */
int wf_grant_to_person(struct db *db, const struct org_actor *who, int64_t person_id,
                       int64_t system_id, int64_t entitlement_id, int64_t request_id,
                       int64_t *grant_id);
/* Revoke grant_id with reason, inside the caller's transaction. */
int wf_grant_revoke(struct db *db, const struct org_actor *who, int64_t grant_id,
                    const char *reason);

#endif
