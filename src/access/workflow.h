/* The access workflows: requests decided by information owners, the administrators' tasks,
 * review campaigns and the offboarding list (docs/access.md). Contracts for the API. */
#ifndef VARN_ACCESS_WORKFLOW_H
#define VARN_ACCESS_WORKFLOW_H

#include "authz/authz.h"
#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

#define WORKFLOW_TEXT_MAX      4000 /* characters of a justification or comment */
#define WORKFLOW_TITLE_MAX     200  /* characters of a campaign title */
#define WORKFLOW_SYSTEMS_MAX   2000 /* systems one campaign names */
#define WORKFLOW_TASK_DAYS     5    /* days an administrator has for a task */
#define WORKFLOW_NOTICE_DAYS   14   /* offboarding notice without a profile saying otherwise */
#define WORKFLOW_REVOKE_REASON "Återkallad vid behörighetsgranskning"

/* The roles that may confirm any task in reach besides its assignee, and start campaigns. */
#define WORKFLOW_IT_ROLES (ROLE_ADMINISTRATOR | ROLE_CISO | ROLE_SECURITY_OFFICER)

/* ---- access requests (request.c) ----
 * Objects: {id, organisation, system, system_name, entitlement_id, entitlement, person,
 * person_name, requested_by, justification, status, decided_by, decided_at, comment,
 * may_decide, task, grant, created_at, updated_at}. A request is seen by callers whose reach
 * holds the person's organisation, by the person and the requester, and by the information
 * owners who may decide it. */

/* Body {system, entitlement | entitlement_id, person (default: the caller), justification}.
 * The system is one of the person's organisation, an organisation above it, one in reach, or
 * one those use; 422 naming the field otherwise. Audited as access_request.create. */
int request_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                   struct json_problem *p);
int request_get(struct db *db, const struct org_actor *who, const char *id, json_t **out);

/* The systems one may ask for access to, for the request form: the first limit (default
 * ORG_PAGE_DEFAULT) by name matching q, of those in the caller's reach, of the person's (uid, else
 * the caller's) organisation or one above it, or used by either; each with its entitlements. */
int request_systems(struct db *db, const struct org_actor *who, const char *q, const char *uid,
                    const char *limit, json_t **out, struct json_problem *p);

struct request_query {
    const char *limit, *cursor, *status, *system, *mine, *to_decide;
};
int request_list(struct db *db, const struct org_actor *who, const struct request_query *q,
                 json_t **out, struct json_problem *p);

/* Body {decision approve|reject, comment (required to reject)}. Only an information owner of
 * information linked to the system (403 not_information_owner), never of their own request
 * (403 own_request); pending only (409 not_pending). Approval makes a provisioning task for
 * the system's administrator (its owner without one) due in WORKFLOW_TASK_DAYS. */
int request_decide(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                   json_t **out, struct json_problem *p);

/* ---- tasks (request.c) ----
 * Objects: {id, kind, organisation, system, system_name, request, grant, review_item, person,
 * account, entitlement, review_comment (why a review revoked it), assignee, due_on, overdue,
 * created_at, done_at, done_by}. */
struct task_query {
    const char *limit, *cursor, *mine, *open;
};
/* {items, next_cursor, reviews}: reviews lists, with mine, the caller's open review items per
 * open campaign {review, title, due_on, open_items, last_reminder_at}: the reminder. */
int task_list(struct db *db, const struct org_actor *who, const struct task_query *q, json_t **out,
              struct json_problem *p);
/* Confirm a task done: its assignee, or an administrator, CISO or security officer over its
 * organisation (403 not_assignee); once (409 already_done). A provisioning task creates the
 * grant (access_grant_to_person) and marks the request provisioned; a revoke task revokes the
 * grant (access_grant_revoke). */
int task_done(struct db *db, const struct org_actor *who, const char *id, json_t **out,
              struct json_problem *p);

/* ---- review campaigns (review.c) ----
 * Objects: {id, organisation, title, due_on, status, started_by, started_at, completed_at,
 * last_reminder_at, items, decided, systems [{system, name, items, decided, completed_at}],
 * reviewers [{user_id, name, total, decided}]}. */

/* Body {title, due_on, systems, organisation (default: the organisation all the systems are
 * under)}: one item per active grant of the systems, each for its responsible information
 * owner (set-based: see review_sql_items_create). Audited as access_review.create. */
int review_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                  struct json_problem *p);
int review_get(struct db *db, const struct org_actor *who, const char *id, json_t **out);

struct review_query {
    const char *limit, *cursor, *status;
};
int review_list(struct db *db, const struct org_actor *who, const struct review_query *q,
                json_t **out, struct json_problem *p);

struct review_item_query {
    const char *limit, *cursor, *reviewer, *decision, *system;
};
/* {items, next_cursor}; all: every item (up to the export's limit, else ERR_TOOBIG). */
int review_items(struct db *db, const struct org_actor *who, const char *id,
                 const struct review_item_query *q, bool all, json_t **out, struct json_problem *p);
/* The items of review_items(all) as the evidence's rows with Swedish values. */
json_t *review_item_rows(json_t *items);

/* Body {decision keep|revoke, comment (required to revoke)} by the assigned reviewer or an
 * information owner of the system's information (403 not_reviewer); once (409
 * already_decided); open campaigns only (409 review_closed). A revoke makes a revoke task.
 * The last item of a system completes the system, the last of all the campaign. */
int review_decide(struct db *db, const struct org_actor *who, const char *id, const char *item_id,
                  json_t *body, json_t **out, struct json_problem *p);
/* Record a reminder of the reviewers with open items: {reminded [{user_id, name, open}],
 * last_reminder_at}; audited with the list. */
int review_remind(struct db *db, const struct org_actor *who, const char *id, json_t **out,
                  struct json_problem *p);

/* ---- offboarding (offboarding.c) ---- */

struct offboarding_query {
    const char *notice, *organisation, *manager, *administrator;
};
/* {items: [{user_id, name, organisation, manager, manager_name, employment_end, days_left,
 * role_changed_at, reason (employment_end | role_change), possible_incident, grants [{grant,
 * system, system_name, account, entitlement, administrator, last_login, login_after_end}]}],
 * notice_days (null: each organisation's profile)}. */
int offboarding_list(struct db *db, const struct org_actor *who, const struct offboarding_query *q,
                     json_t **out, struct json_problem *p);
/* One row per grant with Swedish values, for the export. */
json_t *offboarding_rows(json_t *items);

#endif
