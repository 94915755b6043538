/* SQL of review campaigns (review_sql.c): campaigns, their systems, the set-based creation of
 * their items, decisions and progress. Tenant reads start with AUTHZ_SCOPE_CTE. */
#ifndef VARN_ACCESS_REVIEW_SQL_H
#define VARN_ACCESS_REVIEW_SQL_H

#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

int review_sql_insert(struct db *db, int64_t org_id, const char *title, const char *due_on,
                      int64_t started_by, const char *at, int64_t *id);
int review_sql_system_add(struct db *db, int64_t review_id, int64_t system_id);
/* One item per active grant of the campaign's systems, each for its responsible reviewer: the
 * reviewer per (system, organisation) is worked out once into a temporary table, then one
 * INSERT ... SELECT makes the items; the systems' counts follow, and systems without grants
 * are complete at once. *items gets the number made. */
int review_sql_items_create(struct db *db, int64_t review_id, const char *at, int64_t *items);

/* A campaign as its API object (without systems and reviewers) plus hidden _organisation_id
 * and ?_in_reach (as _in_reach); find: visible (in reach, or the caller reviews in it). */
int review_sql_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
struct review_filter {
    const char *status;
    int64_t after_id;
    int limit;
};
int review_sql_list(struct db *db, const struct org_actor *who, const struct review_filter *f,
                    json_t *items);
/* [{system, name, #items, #decided, completed_at}] by external id. */
int review_sql_systems(struct db *db, int64_t review_id, json_t *items);
/* [{user_id, name, #total, #decided}] per reviewer; only_person > 0: theirs alone. */
int review_sql_reviewers(struct db *db, int64_t review_id, int64_t only_person, json_t *items);

struct review_item_filter {
    bool everything;      /* the campaign is in reach: all its items */
    int64_t reviewer;     /* 0: any */
    const char *decision; /* open, keep, revoke; NULL: any */
    const char *system;   /* external id; NULL: any */
    int64_t after_id;
    int limit;
};
/* Items as API objects plus hidden _organisation_id, _system_id, _reviewer_id, _grant_id,
 * _review_id; of the campaign, visible to the caller (in reach, or theirs to review). */
int review_sql_items(struct db *db, const struct org_actor *who, int64_t review_id,
                     const struct review_item_filter *f, json_t *items);
int review_sql_item_find(struct db *db, const struct org_actor *who, int64_t review_id,
                         bool everything, int64_t item_id, json_t **out);
int review_sql_item_decide(struct db *db, int64_t item_id, const char *decision,
                           const char *comment, int64_t by, const char *at);
/* Open items of the campaign's system, and of the whole campaign. */
int review_sql_open_count(struct db *db, int64_t review_id, int64_t system_id, int64_t *n);
int review_sql_system_complete(struct db *db, int64_t review_id, int64_t system_id, const char *at);
int review_sql_complete(struct db *db, int64_t review_id, const char *at);
/* Reviewers with open items [{user_id, name, #open}], and recording the reminder. */
int review_sql_open_reviewers(struct db *db, int64_t review_id, json_t *items);
int review_sql_reminded(struct db *db, int64_t review_id, const char *at);
/* The system's administrator (else owner). */
int review_sql_assignee(struct db *db, int64_t system_id, int64_t *out);

#endif
