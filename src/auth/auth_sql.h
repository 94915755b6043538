/* SQL of the auth module (auth_sql.c). */
#ifndef VARN_AUTH_SQL_H
#define VARN_AUTH_SQL_H

#include "auth/auth.h"
#include "core/clock.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

int auth_sql_org_id(struct db *db, const char *code, int64_t *id);
int auth_sql_token_insert(struct db *db, const char *hash, const char *name, int64_t org_id,
                          const char *role, const char *at, const char *actor, int64_t *id);
/* The live token with this hash, and whether its last_used_at is before minute_ago (or unset),
 * so that the touch, a write, is only tried when it would change something. */
int auth_sql_token_find(struct db *db, const char *hash, const char *minute_ago, int64_t *id,
                        bool *stale);
int auth_sql_token_touch(struct db *db, int64_t id, const char *now, const char *minute_ago);
/* API tokens as {id, name, organisation, role, created_at, created_by, last_used_at,
 * revoked_at}: those in the caller's scope when c is given, else all (the CLI). */
int auth_sql_token_list(struct db *db, const struct caller *c, unsigned roles, json_t **items);
/* The organisation of token id, in scope when c is given; ERR_NOTFOUND otherwise. */
int auth_sql_token_org(struct db *db, const struct caller *c, unsigned roles, int64_t id,
                       int64_t *org_id, bool *revoked);
int auth_sql_token_revoke(struct db *db, int64_t id, const char *at);
int auth_sql_org_count(struct db *db, int64_t *count);
int auth_sql_bootstrap_org(struct db *db, const char *code, const char *name,
                           const char *org_number, const char *at, int64_t *id);
int auth_sql_bootstrap_admin(struct db *db, int64_t org_id, const char *email,
                             const char *password_hash, const char *at, int64_t *person_id);

/* A person as login sees them. */
struct auth_login_row {
    int64_t person_id;
    char user_id[80];
    bool disabled;
    char hash[PASSWORD_HASH_SIZE]; /* "" when no password is set */
};

/* The person whose user id is username, or else the one person whose e-mail it is
 * (case-insensitive); ERR_NOTFOUND otherwise (also when an e-mail is shared). */
int auth_sql_login_find(struct db *db, const char *username, struct auth_login_row *out);

/* Has the person enabled TOTP, and does an organisation of theirs (their own, or one where
 * they hold a role) require MFA? */
int auth_sql_mfa_needed(struct db *db, int64_t person_id, bool *enabled, bool *required);

struct auth_session_row {
    int64_t id;
    int64_t person_id;
    bool mfa_passed;
    bool touch_due; /* last_seen_at is before minute_ago: the touch would change it */
    char user_id[80];
};

/* The live session with this token hash: not past expires_at, seen after idle_cutoff, its
 * person not disabled; touch_due when it was last seen before minute_ago. ERR_NOTFOUND
 * otherwise. */
int auth_sql_session_find(struct db *db, const char *hash, const char *now, const char *idle_cutoff,
                          const char *minute_ago, struct auth_session_row *out);
int auth_sql_session_touch(struct db *db, int64_t id, const char *now, const char *minute_ago);
int auth_sql_session_insert(struct db *db, const char *hash, int64_t person_id, bool mfa_passed,
                            const char *now, const char *expires, const char *address, int64_t *id);
/* A new row for the session old_id, past MFA, with its created_at and expires_at; then the old
 * row goes. */
int auth_sql_session_rotate(struct db *db, int64_t old_id, const char *hash, const char *now,
                            const char *address, int64_t *id);
int auth_sql_session_delete(struct db *db, int64_t id);
/* Every session of the person except keep (0: all). */
int auth_sql_session_delete_person(struct db *db, int64_t person_id, int64_t keep);
/* Sessions that are past either limit. */
int auth_sql_session_purge(struct db *db, const char *now, const char *idle_cutoff);

struct auth_credential_row {
    char hash[PASSWORD_HASH_SIZE]; /* "" when none */
    char secret[TOTP_SECRET_SIZE]; /* "" when none */
    bool enabled;                  /* TOTP is on */
    int64_t last_step;             /* the last accepted step, -1 for none */
};

int auth_sql_credential(struct db *db, int64_t person_id, struct auth_credential_row *out);
/* Store a pending secret; ERR_CONFLICT when TOTP is already enabled. */
int auth_sql_totp_pending(struct db *db, int64_t person_id, const char *secret);
/* Enable the pending secret (still the same one) with its first accepted step. */
int auth_sql_totp_enable(struct db *db, int64_t person_id, const char *secret, int64_t step);
/* Record step as used; ERR_NOTFOUND when it is not later than the last one. */
int auth_sql_totp_use_step(struct db *db, int64_t person_id, int64_t step);
int auth_sql_totp_clear(struct db *db, int64_t person_id);
int auth_sql_password_set(struct db *db, int64_t person_id, const char *hash, const char *at);

int auth_sql_recovery_delete(struct db *db, int64_t person_id);
int auth_sql_recovery_insert(struct db *db, int64_t person_id, const char *hash);
/* Mark the unused code with this hash used; ERR_NOTFOUND when there is none. */
int auth_sql_recovery_use(struct db *db, int64_t person_id, const char *hash, const char *now);
int auth_sql_recovery_left(struct db *db, int64_t person_id, int64_t *left);

/* A throttling key's state; ERR_NOTFOUND when it has none. last and blocked are "" when null. */
int auth_sql_failure_get(struct db *db, const char *key, int64_t *failures,
                         char last[CLOCK_ISO_LEN], char blocked[CLOCK_ISO_LEN]);
int auth_sql_failure_put(struct db *db, const char *key, int64_t failures, const char *last,
                         const char *blocked);
int auth_sql_failure_delete(struct db *db, const char *key);
/* Forget address keys whose last failure is before cutoff. */
int auth_sql_failure_purge_addresses(struct db *db, const char *cutoff);

/* GET /me: the person's fields into me; roles ({role, organisation}) and organisations
 * ({code, name, kind, parent_code}, everything they reach with any role) into arrays. */
int auth_sql_me(struct db *db, int64_t person_id, json_t *me);
int auth_sql_me_roles(struct db *db, int64_t person_id, json_t *roles);
int auth_sql_me_organisations(struct db *db, int64_t person_id, json_t *orgs);

/* The command line's accounts. */
int auth_sql_person_find(struct db *db, const char *user_id, int64_t *id, int64_t *org_id);
int auth_sql_person_email(struct db *db, int64_t person_id, char *out, size_t outlen);
int auth_sql_email_count(struct db *db, const char *email, int64_t *count);
int auth_sql_person_insert(struct db *db, const char *user_id, const char *name, const char *email,
                           int64_t org_id, const char *at, int64_t *id);
int auth_sql_role_insert(struct db *db, int64_t person_id, const char *role, int64_t org_id,
                         const char *at);
int auth_sql_credential_insert(struct db *db, int64_t person_id, const char *hash, const char *at);

#endif
