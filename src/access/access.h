/* Access control: accounts per system, entitlements and grants, the CSV snapshot import, MFA
 * coverage. Contracts for the API, the import and the other access modules (requests, reviews,
 * directory sync) that grant and revoke through the functions below. */
#ifndef VARN_ACCESS_ACCESS_H
#define VARN_ACCESS_ACCESS_H

#include "access/access_snapshot.h"
#include "authz/authz.h"
#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

#define ACCESS_USERNAME_MAX    256  /* bytes of a username in a system */
#define ACCESS_ENTITLEMENT_MAX 200  /* bytes of an entitlement's name */
#define ACCESS_TEXT_MAX        4000 /* characters of a description, reason or comment */
#define ACCESS_EXPORT_MAX      20000

/* ---- granting and revoking, for the access-request, review and offboarding code ----
 * Both run inside the caller's transaction (db_begin ... db_commit) and write NO audit entry:
 * the caller audits what it did in the same transaction (access_grant_object gives the grant
 * as the API shows it, for the audit's before/after). Times are UTC ISO 8601 from the caller. */

/* Give person_id the entitlement entitlement_id of system system_id. The person's account on
 * the system is used (its first by id; a removed one is made active again); with none, an
 * account is created with the person's user id as username, organisation the person's, source
 * 'request'. The grant copies the account's organisation and system, source 'request' (or
 * 'manual' when request_id is 0), granted_by 0 for none. When the account already holds the
 * entitlement (an active grant), that grant's id is returned and nothing is written.
 * ERR_NOTFOUND: no such person, or the entitlement is not the system's; ERR_CONFLICT: the
 * username is taken by another person's account on the system. */
int access_grant_to_person(struct db *db, int64_t system_id, int64_t entitlement_id,
                           int64_t person_id, int64_t request_id, int64_t granted_by,
                           const char *now, int64_t *grant_id);

/* Revoke grant grant_id: revoked_at now, revoked_by (0: none, e.g. a sync), reason required.
 * ERR_NOTFOUND: no such grant; ERR_CONFLICT: already revoked. */
int access_grant_revoke(struct db *db, int64_t grant_id, int64_t revoked_by, const char *reason,
                        const char *now);

/* The grant as GET /api/v1/grants/{id} shows it (no reach check: for audit entries). */
int access_grant_object(struct db *db, int64_t grant_id, json_t **out);

/* ---- accounts (API objects) ----
 * {id, system, system_name, organisation, username, person (user id or null), person_name,
 * shared, privileged, mfa_enrolled, last_login, status, source, exception {reason, until,
 * approved_by, approved_at} or null, exception_valid, active_grants, created_at, updated_at,
 * removed_at}. */

struct access_account_query {
    const char *limit, *cursor, *q;
    const char *organisation, *system, *person;
    const char *shared, *privileged, *mfa, *status, *unowned; /* true/false; status a status */
};
/* {items, next_cursor} by id; all: every match (up to ACCESS_EXPORT_MAX, else ERR_TOOBIG). */
int access_account_list(struct db *db, const struct org_actor *who,
                        const struct access_account_query *q, bool all, json_t **out,
                        struct json_problem *p);
int access_account_get(struct db *db, const struct org_actor *who, const char *id, json_t **out);
/* {system, username, person?, shared?, privileged?, mfa_enrolled?, last_login?, status?}:
 * source manual; the system and the person must be in reach (422 naming the field). */
int access_account_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                          struct json_problem *p);
/* {person, shared, privileged, mfa_enrolled, last_login, status}: any of them. status removed
 * revokes the account's grants. */
int access_account_update(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                          json_t **out, struct json_problem *p);
/* {reason, until}: approve a shared account's time-limited exception (ITC-ATK-1); only for a
 * shared account (409 not_shared), until a date after today (422 until). Who may: the route's
 * roles in the permission matrix (administrator, CISO, security officer, system owner) over the
 * account's organisation, which the reach of who->roles already says; approved_by is the
 * caller's person (none for a token). */
int access_account_exception(struct db *db, const struct org_actor *who, const char *id,
                             json_t *body, json_t **out, struct json_problem *p);

/* ---- entitlements of a system ---- */

/* {items: [{id, system, name, description, privileged, active_grants, created_at}]}. */
int access_entitlement_list(struct db *db, const struct org_actor *who, const char *system,
                            json_t **out);
/* {name, description?, privileged?}; 409 duplicate for a name the system has. */
int access_entitlement_create(struct db *db, const struct org_actor *who, const char *system,
                              json_t *body, json_t **out, struct json_problem *p);

/* ---- grants ----
 * {id, account, username, system, organisation, person, entitlement, entitlement_id,
 * privileged, granted_at, granted_by, request, source, active, revoked_at, revoked_by,
 * revoke_reason}. */

struct access_grant_query {
    const char *limit, *cursor;
    const char *organisation, *system, *person, *account, *entitlement, *active;
};
int access_grant_list(struct db *db, const struct org_actor *who,
                      const struct access_grant_query *q, bool all, json_t **out,
                      struct json_problem *p);
int access_grant_get(struct db *db, const struct org_actor *who, const char *id, json_t **out);
/* {account, entitlement (id)} or {system, person, entitlement}: grant by hand, source manual. */
int access_grant_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                        struct json_problem *p);
/* {reason}: 409 already_revoked for a revoked grant. */
int access_grant_revoke_by(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                           json_t **out, struct json_problem *p);

/* Flat rows with Swedish values for the exports. */
json_t *access_account_rows(json_t *items);
json_t *access_grant_rows(json_t *items);

/* ---- MFA coverage ---- */

/* {organisations: [{organisation, name, accounts, with_mfa, privileged, privileged_with_mfa,
 * mfa_share, privileged_mfa_share}], systems: [{system, name, ...the same}]} (shares 0-1 to three
 * decimals, null without accounts)
 * over active accounts in reach; filters organisation (code) and system (external id). */
int access_mfa_coverage(struct db *db, const struct org_actor *who, const char *organisation,
                        const char *system, json_t **out, struct json_problem *p);

/* ---- import (access_import.c) ---- */

enum access_import_kind {
    ACCESS_IMPORT_ACCOUNTS, /* system,username,user_id,shared,privileged,mfa_enrolled,... */
    ACCESS_IMPORT_GRANTS,   /* the same and entitlement,granted_at: one row per grant */
};

/* Import a CSV of accounts or grants (docs/import.md) as the whole truth for the systems it
 * names, through access_snapshot_apply, in one transaction: every bad line is reported in
 * rep and nothing applied (ERR_INVALID), or the snapshot is applied (rolled back for
 * opt->dry_run) and the counts go to *changes. system: the external id of the one system of a
 * file without a system column (NULL: the column is required). Accounts files leave the
 * grants of the accounts they keep alone. rep->rows counts data rows, rep->created the new
 * accounts and rep->updated the changed ones. */
int access_import(struct db *db, enum access_import_kind kind, const struct import_options *opt,
                  const char *actor, const char *system, const char *file, const char *data,
                  size_t len, struct import_report *rep, struct access_changes *changes);

#endif
