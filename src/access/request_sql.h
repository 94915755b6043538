/* SQL of access requests and the administrators' tasks (request_sql.c), and what the
 * workflows share: who holds which role where, who owns a system's information. Tenant reads
 * start with AUTHZ_SCOPE_CTE; rows come as JSON (cat_row_json: "#x" integers, "_x" hidden). */
#ifndef VARN_ACCESS_REQUEST_SQL_H
#define VARN_ACCESS_REQUEST_SQL_H

#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* ---- shared ---- */

/* Does the caller (their person, or their token) hold one of the roles in mask in org_id or an
 * organisation above it? */
int wf_sql_caller_holds(struct db *db, const struct org_actor *who, unsigned mask, int64_t org_id,
                        bool *yes);
/* Is person_id (not disabled) the owner of information linked to system_id? */
int wf_sql_info_owner(struct db *db, int64_t person_id, int64_t system_id, bool *yes);
/* The system with external id ext that requests for a person of person_org may name: of an
 * organisation in reach, of person_org or one above it, or used by one of those. Hidden _id,
 * _organisation_id, _assignee_id (administrator, else owner); ERR_NOTFOUND. */
int request_sql_system(struct db *db, const struct org_actor *who, const char *ext,
                       int64_t person_org, json_t **out);
/* The id of the system's entitlement by name (name non-NULL) or id; ERR_NOTFOUND. */
/* Append to items up to limit systems the person of person_org may ask for access to, by name,
 * matching like (db_like_pattern's, or ""): {external_id, name, organisation, entitlements:
 * [{id, name, privileged}]}. */
int request_sql_requestable(struct db *db, const struct org_actor *who, int64_t person_org,
                            const char *like, int limit, json_t *items);
int request_sql_entitlement(struct db *db, int64_t system_id, const char *name, int64_t id,
                            int64_t *out);
/* Open requests (pending or approved) of person for entitlement, and active grants of it. */
int request_sql_open_count(struct db *db, int64_t person_id, int64_t entitlement_id, int64_t *n);
int request_sql_granted_count(struct db *db, int64_t person_id, int64_t entitlement_id, int64_t *n);

/* ---- requests ---- */

struct request_write {
    int64_t organisation_id, system_id, entitlement_id, person_id, requested_by;
    const char *justification;
};
int request_sql_insert(struct db *db, const struct request_write *w, const char *at, int64_t *id);

struct request_filter {
    const char *status, *system; /* NULL: any */
    bool mine, to_decide;
    int64_t after_id;
    int limit;
};
/* A request as its API object plus hidden _organisation_id, _system_id, _entitlement_id,
 * _person_id, _requested_by; find: visible to the caller; by_id: any. */
int request_sql_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
int request_sql_by_id(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
int request_sql_list(struct db *db, const struct org_actor *who, const struct request_filter *f,
                     json_t *items);
int request_sql_decide(struct db *db, int64_t id, const char *status, int64_t by,
                       const char *comment, const char *at);
int request_sql_status(struct db *db, int64_t id, const char *status, const char *at);

/* ---- tasks ---- */

struct task_write {
    int64_t organisation_id, system_id, request_id, grant_id, review_item_id, assignee_id;
    const char *kind, *due_on;
};
int task_sql_insert(struct db *db, const struct task_write *w, const char *at, int64_t *id);

struct task_filter {
    bool mine, open;
    int64_t after_id;
    int limit;
};
/* A task as its API object plus hidden _organisation_id, _assignee_id, _request_id, _grant_id,
 * _system_id, _person_id and _entitlement_id (of its request); find: visible to the caller. */
int task_sql_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
int task_sql_by_id(struct db *db, int64_t id, json_t **out);
int task_sql_list(struct db *db, const struct org_actor *who, const struct task_filter *f,
                  json_t *items);
int task_sql_done(struct db *db, int64_t id, int64_t by, const char *at);
/* The organisation of a grant (for its audit entry). */
int task_sql_grant_org(struct db *db, int64_t grant_id, int64_t *org_id);
/* The caller's open review items per open campaign, for the task list. */
int task_sql_reviews(struct db *db, int64_t person_id, json_t *items);

#endif
