/* Directory (LDAP / Active Directory) import: sources and their group maps, sync runs that
 * read users and groups and apply them as a snapshot of accounts and grants, and the pure
 * helpers that turn directory values (DNs, FILETIME, userAccountControl) into Värn's. */
#ifndef VARN_ACCESS_DIRECTORY_H
#define VARN_ACCESS_DIRECTORY_H

#include "access/access_snapshot.h"
#include "authz/authz.h"
#include "core/clock.h"
#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define DIR_ROLES         (ROLE_ADMINISTRATOR | ROLE_CISO | ROLE_SECURITY_OFFICER)
#define DIR_NAME_MAX      100    /* characters of a source's name */
#define DIR_URI_MAX       500    /* characters of its ldap:// or ldaps:// URI */
#define DIR_DN_MAX        1000   /* characters of a DN */
#define DIR_FILTER_MAX    2000   /* characters of an LDAP filter */
#define DIR_ATTR_MAX      64     /* bytes of an attribute name */
#define DIR_ENV_MAX       64     /* bytes of an environment variable's name */
#define DIR_INTERVAL_MAX  32     /* bytes of an ISO 8601 duration */
#define DIR_GROUPS_MAX    500    /* group map rows of one source */
#define DIR_USERS_MAX     200000 /* users one sync reads (more fails, naming the limit) */
#define DIR_MEMBERS_MAX   200000 /* values of one multi-valued attribute kept */
#define DIR_PAGE_SIZE     500    /* entries per page of a paged search */
#define DIR_TIMEOUT       30     /* seconds for each LDAP operation (VARN_DIRECTORY_TIMEOUT) */
#define DIR_ERROR_MAX     500    /* bytes of a sync's error */
#define DIR_PASSWORD_MAX  1024   /* bytes of a bind password */
#define DIR_INTERVAL_MINS 300    /* the shortest sync_interval, in seconds (PT5M) */

/* What Värn reads from each user entry: attribute names (empty: not read). */
struct dir_attrs {
    char username[DIR_ATTR_MAX];   /* required: the account's username, e.g. sAMAccountName */
    char person[DIR_ATTR_MAX];     /* the attribute that names the person, e.g. employeeID */
    char person_match[16];         /* user_id (default) or email: what person matches */
    char disabled[DIR_ATTR_MAX];   /* userAccountControl (bit 0x2) or a boolean attribute */
    char last_login[DIR_ATTR_MAX]; /* lastLogonTimestamp (FILETIME) or a generalizedTime */
    char member_of[DIR_ATTR_MAX];  /* memberOf; empty: groups' member values only */
    char mfa[DIR_ATTR_MAX];        /* a boolean attribute: MFA enrolled */
    bool start_tls;                /* StartTLS on an ldap:// URI */
};

/* Check and read the attributes object; 0, or ERR_REJECTED with p naming the member. */
int dir_attrs_parse(json_t *obj, struct dir_attrs *out, struct json_problem *p);

/* What one sync reads from a directory (directory_ldap.c). */
struct dir_conn {
    const char *uri, *bind_dn, *password; /* bind_dn NULL: anonymous */
    const char *base_dn, *user_filter, *group_filter;
    const struct dir_attrs *attrs;
    int timeout; /* seconds, for connecting and for each operation */
};

/* Read the users (user_filter) and groups (group_filter) under base_dn with paged searches.
 * users: [{dn (normalised), username, person, disabled, mfa, last_login, member_of [DNs]}];
 * groups: {normalised group DN: [normalised member DNs]}; partial: {group DN: true} for the
 * groups whose member values came in ranges (AD's large groups: only the first range is
 * read). On failure a Swedish sentence in msg and a negative code. */
int dir_ldap_read(const struct dir_conn *c, json_t **users, json_t **groups, json_t **partial,
                  char *msg, size_t msglen);

/* ---- pure helpers (unit-tested) ---- */

/* A DN in the form compared: lower case (ASCII), no spaces around ',' '=' and '+'. ERR_TOOBIG
 * when it does not fit. */
int dir_dn_normalise(const char *dn, char *out, size_t size);
/* A time as the directory gives it, as UTC ISO 8601: an AD FILETIME (100 ns since 1601; 0 and
 * the largest value mean never: "" in out) or a generalizedTime YYYYMMDDHHMMSS[.f]Z. */
int dir_time_value(const char *value, char out[CLOCK_ISO_LEN]);
/* Is the account disabled? attr userAccountControl: bit 0x2 of the integer; any other:
 * TRUE/true/yes/1 is disabled. ERR_INVALID for a value that is neither. */
int dir_disabled_value(const char *attr, const char *value, bool *out);
/* A boolean attribute value: TRUE/true/yes/1 or FALSE/false/no/0. */
int dir_bool_value(const char *value, bool *out);
/* An ISO 8601 duration P[nY][nM][nW][nD][T[nH][nM][nS]] of at least DIR_INTERVAL_MINS
 * seconds; next = from + the duration (calendar years and months). 0 or ERR_INVALID. */
int dir_interval_next(const char *interval, int64_t from, int64_t *next);

/* One mapped group: members of group_dn (normalised) hold entitlement of system_id. */
struct dir_map {
    const char *group_dn;
    int64_t system_id;
    const char *entitlement;
};

/* The first mapped group the directory does not know (neither a group group_filter found nor
 * a memberOf value of any user), or -1. A sync stops there: a mistyped or deleted group must
 * not revoke every grant it gave. */
long dir_missing_group(json_t *users, json_t *groups, const struct dir_map *maps, size_t nmaps);

/* The first mapped group whose member values came only in part (partial) when the users'
 * memberOf is not read (member_of_read false), or -1: its grants would be revoked from every
 * member past the first range. */
long dir_partial_group(json_t *partial, bool member_of_read, const struct dir_map *maps,
                       size_t nmaps);

/* The snapshot rows of users: one per (user, mapped group) the user is a member of (by the
 * group's member values or the user's memberOf), duplicates dropped; person_ids maps each
 * user's person value to a person id (an integer; absent: 0). rows borrow strings from users
 * and maps; free(*rows). */
int dir_rows_build(json_t *users, json_t *groups, const struct dir_map *maps, size_t nmaps,
                   json_t *person_ids, struct access_row **rows, size_t *nrows);

/* ---- sources (the HTTP API; the caller's reach) ----
 * A source: {id, organisation, name, uri, bind_dn, bind_password_env, base_dn, user_filter,
 * group_filter, attributes, sync_interval, next_sync_at, groups [{group_dn, system,
 * entitlement}], last_sync, created_at, updated_at}. groups name a system in reach by external
 * id and an entitlement by name (made when missing). */
int dir_source_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                      struct json_problem *p);
int dir_source_update(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                      json_t **out, struct json_problem *p);
/* Replace the group map; body {groups: [...]}. */
int dir_source_groups_put(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                          json_t **out, struct json_problem *p);
int dir_source_get(struct db *db, const struct org_actor *who, const char *id, json_t **out);
int dir_source_list(struct db *db, const struct org_actor *who, const char *limit,
                    const char *cursor, json_t **out, struct json_problem *p);

/* Queue a sync of source id (status queued); 409 sync_in_progress when one is queued or
 * running. *out is the sync. */
int dir_sync_request(struct db *db, const struct org_actor *who, const char *id, json_t **out,
                     struct json_problem *p);
/* The syncs of a source, newest first: {items, next_cursor}. */
int dir_sync_list(struct db *db, const struct org_actor *who, const char *id, const char *limit,
                  const char *cursor, json_t **out, struct json_problem *p);
/* One sync with a page of its changes (change: new, removed or changed; NULL: all). */
int dir_sync_get(struct db *db, const struct org_actor *who, const char *id, const char *sync_id,
                 const char *change, const char *limit, const char *cursor, json_t **out,
                 struct json_problem *p);

/* ---- runs (the worker and the command line; every organisation) ---- */

/* Queue a sync of source_id requested by actor into *sync_id (ERR_CONFLICT when one is
 * queued or running). */
int dir_sync_queue(struct db *db, int64_t source_id, const char *actor, int64_t *sync_id);
/* What a sync read and how long it took, for the log. */
struct dir_sync_stats {
    size_t users, groups, rows;
    int64_t read_ms, apply_ms; /* reading the directory; mapping and applying */
};
/* Run queued sync sync_id to its end: running, then done with its counts or failed with its
 * error. Returns 0 when it ran (done or failed: see *failed), else a database error. stats
 * may be NULL. */
int dir_sync_run(struct db *db, int64_t sync_id, bool *failed, struct access_changes *counts,
                 struct dir_sync_stats *stats, char *error, size_t errlen);
/* The oldest queued sync, or 0. */
int dir_sync_next(struct db *db, int64_t *sync_id);
/* Queue a sync of every source whose next_sync_at has passed, and move it on by its
 * interval. */
int dir_schedule(struct db *db, int64_t now);
/* Syncs left running by a process that stopped become failed. */
int dir_recover(struct db *db);

/* The background worker of 'varn serve' (directory_worker.c). */
struct dir_worker;
int dir_worker_start(const char *db_url, struct dir_worker **out);
void dir_worker_stop(struct dir_worker *w);
/* Wake the running worker (a sync was queued); nothing when none runs. */
void dir_worker_wake(void);

#endif
