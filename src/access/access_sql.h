/* SQL of access control (access_sql.c): the snapshot's staging tables and set-based apply,
 * grants to people and revocations, accounts, entitlements and grants as API rows, MFA
 * coverage. Tenant reads start with AUTHZ_SCOPE_CTE; rows come as JSON (cat_row_json). */
#ifndef VARN_ACCESS_ACCESS_SQL_H
#define VARN_ACCESS_ACCESS_SQL_H

#include "access/access_snapshot.h"
#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* ---- the snapshot (temporary staging tables of this connection) ---- */

/* Create the staging tables when missing and empty them. */
int access_sql_stage_reset(struct db *db);
int access_sql_stage_system(struct db *db, int64_t system_id);
/* Stage account n (its columns from r; each (system, username) once), a grant of account n
 * (each (n, entitlement) once) and an entitlement a grant names (each (system, name) once). */
int access_sql_stage_account(struct db *db, int64_t n, const struct access_row *r);
int access_sql_stage_grant(struct db *db, int64_t n, const char *entitlement,
                           const char *granted_at);
int access_sql_stage_entitlement(struct db *db, int64_t system_id, const char *name);
/* The staged accounts, with their organisation and what changes ('new', 'changed'). */
int access_sql_stage_accounts(struct db *db);

/* Per staged system: counts of one kind ("an" accounts new, "ac" changed, "ar" removed, "gn"
 * grants new, "gr" grants revoked), each row through fn. */
typedef int (*access_count_fn)(void *ctx, int64_t system_id, const char *kind, int64_t n);
int access_sql_count_accounts(struct db *db, access_count_fn fn, void *ctx);
int access_sql_count_grants(struct db *db, bool accounts_only, access_count_fn fn, void *ctx);
/* Record the account (grant) changes in directory_sync_change of sync_id. */
int access_sql_record_accounts(struct db *db, int64_t sync_id);
int access_sql_record_grants(struct db *db, int64_t sync_id, bool accounts_only);

int access_sql_apply_accounts(struct db *db, const char *source, const char *now);
/* The entitlements named that the systems lack, then the staged grants by account and
 * entitlement id. */
int access_sql_stage_grants(struct db *db, const char *now);
int access_sql_apply_grants(struct db *db, bool accounts_only, const char *source,
                            const char *reason, const char *now);

/* {id, external_id, organisation_id} of each staged system, through fn. */
typedef int (*access_system_fn)(void *ctx, int64_t id, const char *external_id, int64_t org_id);
int access_sql_staged_systems(struct db *db, access_system_fn fn, void *ctx);

/* ---- import look-ups: systems and people in reach, each through fn ---- */

typedef int (*access_key_fn)(void *ctx, const char *key, int64_t id, int64_t org_id);
int access_sql_systems_in_reach(struct db *db, const struct org_actor *who, access_key_fn fn,
                                void *ctx);
int access_sql_people_in_reach(struct db *db, const struct org_actor *who, access_key_fn fn,
                               void *ctx);

/* ---- grants to people ---- */

/* The person's organisation (ERR_NOTFOUND: none) and user id. */
int access_sql_person(struct db *db, int64_t person_id, int64_t *org_id,
                      char user_id[USER_ID_MAX + 1]);
/* Does the entitlement belong to the system? */
int access_sql_entitlement_of(struct db *db, int64_t entitlement_id, int64_t system_id, bool *yes);
/* The person's first account on the system (0: none), and whether it is removed. */
int access_sql_person_account(struct db *db, int64_t system_id, int64_t person_id, int64_t *id,
                              bool *removed);
/* The account with this username on the system: its id (0: none). */
int access_sql_account_by_username(struct db *db, int64_t system_id, const char *username,
                                   int64_t *id);
int access_sql_account_revive(struct db *db, int64_t id, const char *now);
struct access_account_write {
    int64_t id; /* insert: set here */
    int64_t system_id, organisation_id, person_id;
    const char *username, *last_login, *status, *source;
    bool shared, privileged, mfa_enrolled;
};
int access_sql_account_insert(struct db *db, struct access_account_write *w, const char *now);
/* The active grant of the entitlement to the account (0: none). */
int access_sql_active_grant(struct db *db, int64_t account_id, int64_t entitlement_id, int64_t *id);
int access_sql_grant_insert(struct db *db, int64_t account_id, int64_t entitlement_id,
                            int64_t request_id, int64_t granted_by, const char *source,
                            const char *now, int64_t *id);
/* Revoke an active grant; ERR_NOTFOUND when there is none such, ERR_CONFLICT when revoked. */
int access_sql_grant_revoke(struct db *db, int64_t id, int64_t revoked_by, const char *reason,
                            const char *now);
/* Revoke every active grant of the account. */
int access_sql_account_grants_revoke(struct db *db, int64_t account_id, int64_t revoked_by,
                                     const char *reason, const char *now);

/* ---- API rows ---- */

struct access_account_filter {
    const char *organisation, *system, *person, *like, *status; /* NULL: any */
    int shared, privileged, mfa, unowned;                       /* -1: any */
    int64_t after_id;
    int limit;
};
int access_sql_account_list(struct db *db, const struct org_actor *who,
                            const struct access_account_filter *f, json_t *items);
/* In reach (find) or any (by_id); hidden _organisation_id, _system_id, _person_id. */
int access_sql_account_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
int access_sql_account_by_id(struct db *db, int64_t id, json_t **out);
int access_sql_account_update(struct db *db, const struct access_account_write *w, const char *now);
int access_sql_account_exception(struct db *db, int64_t id, const char *reason, const char *until,
                                 int64_t approved_by, const char *now);

/* {_id, _organisation_id, external_id, name} of a system in reach. */
int access_sql_system_find(struct db *db, const struct org_actor *who, const char *external_id,
                           json_t **out);
/* {_id, _organisation_id, user_id} of a person in reach. */
int access_sql_person_find(struct db *db, const struct org_actor *who, const char *user_id,
                           json_t **out);
int access_sql_entitlement_list(struct db *db, int64_t system_id, json_t *items);
int access_sql_entitlement_find(struct db *db, int64_t system_id, int64_t id, const char *name,
                                json_t **out);
int access_sql_entitlement_insert(struct db *db, int64_t system_id, const char *name,
                                  const char *description, bool privileged, const char *now,
                                  int64_t *id);

struct access_grant_filter {
    const char *organisation, *system, *person; /* NULL: any */
    int64_t account, entitlement;               /* 0: any */
    int active;                                 /* -1: any */
    int64_t after_id;
    int limit;
};
int access_sql_grant_list(struct db *db, const struct org_actor *who,
                          const struct access_grant_filter *f, json_t *items);
int access_sql_grant_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
int access_sql_grant_by_id(struct db *db, int64_t id, json_t **out);

/* Rows {_organisation_id, organisation, name, #accounts, #with_mfa, #privileged,
 * #privileged_with_mfa} per organisation, and per system with external_id. */
int access_sql_mfa_by_org(struct db *db, const struct org_actor *who, const char *organisation,
                          const char *system, json_t *items);
int access_sql_mfa_by_system(struct db *db, const struct org_actor *who, const char *organisation,
                             const char *system, json_t *items);

/* Does the person hold one of the roles in mask in org_id or an organisation above it? */
int access_sql_holds_any(struct db *db, int64_t person_id, unsigned mask, int64_t org_id,
                         bool *yes);

#endif
