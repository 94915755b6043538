/* Authentication: passwords (Argon2id), sessions, TOTP, API tokens, login throttling. */
#ifndef VARN_AUTH_AUTH_H
#define VARN_AUTH_AUTH_H

#include "authz/authz.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct buf;

#define SESSION_COOKIE     "__Host-varn_session"
#define PASSWORD_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */
#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_BYTES 1024
#define TOKEN_PREFIX       "varn_"
#define TOKEN_SIZE         64 /* "varn_" + 43 base64url characters + NUL, with room */
#define SESSION_TOKEN_SIZE 48 /* 43 base64url characters (256 bits) + NUL, with room */
#define USER_ID_MAX        64 /* characters of a user id created here */
#define RECOVERY_CODE_SIZE 10 /* "xxxx-xxxx" + NUL */
#define RECOVERY_CODES     10 /* recovery codes handed out at enrolment */
#define TOTP_SECRET_SIZE   40 /* 20 random bytes in base32: 32 characters + NUL, with room */

/* Session lifetimes, defaults: 30 minutes idle, 10 hours in all. */
#define SESSION_IDLE_MINUTES_DEFAULT 30
#define SESSION_MAX_HOURS_DEFAULT    10

/* Start libsodium and liboath; call once before anything else here. */
int auth_init(void);

/* Read VARN_SESSION_IDLE_MINUTES (1..1440) and VARN_SESSION_MAX_HOURS (1..168) once. A value
 * that is set but malformed or out of range is ERR_INVALID with msg naming it: the caller must
 * stop rather than run with a lifetime nobody chose. */
int auth_config_from_env(char *msg, size_t msglen);

/* The session lifetimes in force, in seconds. */
int64_t session_idle_seconds(void);
int64_t session_max_seconds(void);

/* Argon2id (libsodium, m = 19 MiB, t = 2, p = 1) in libsodium's encoded string form. */
int password_hash(const char *password, char out[PASSWORD_HASH_SIZE]);
bool password_verify(const char *hash, const char *password);

/* 0 when the password may be used, else ERR_INVALID with *why a sentence (too short, too
 * long, a common password). */
int password_acceptable(const char *password, const char **why);

/* Is password (compared in lower case) on the embedded list of common passwords? */
bool password_is_common(const char *password);

/* Lower-case s into out (ASCII and Latin-1 letters, in UTF-8); ERR_TOOBIG when it does not fit. */
int auth_lower(const char *s, char *out, size_t outlen);

/* An Argon2id verification that always fails and costs what a real one costs: for unknown
 * users, so that their answer takes as long as a wrong password's. */
void password_verify_dummy(const char *password);

/* A random password of 20 characters from an alphabet without look-alikes (about 116 bits). */
void password_generate(char out[32]);

/* SHA-256 of s as 64 hex digits (tokens are stored hashed). */
void auth_sha256_hex(const char *s, char out[65]);

/* Create an API token for organisation org_code and role; the token (shown once) goes to out.
 * actor is recorded as its creator and in the audit log. */
int token_create(struct db *db, const char *org_code, const char *role, const char *name,
                 const char *actor, char out[TOKEN_SIZE], int64_t *id, char *msg, size_t msglen);

/* The API tokens c reaches with roles (all of them when c is NULL: the CLI), as a JSON array. */
int token_list(struct db *db, const struct caller *c, unsigned roles, json_t **items);

/* Revoke token id for actor (from address, or NULL), audited in the same transaction. With c,
 * only a token in c's reach: ERR_NOTFOUND for one out of reach, like a missing one. Revoking
 * a revoked token changes nothing and succeeds. */
int token_revoke(struct db *db, const struct caller *c, unsigned roles, int64_t id,
                 const char *actor, const char *address);

/* The caller of an "Authorization: Bearer" token; ERR_NOTFOUND when it is unknown or revoked.
 * Records the time of use (at most once a minute). */
int token_resolve(struct db *db, const char *token, struct caller *out);

/* The caller of a session cookie; ERR_NOTFOUND when it is unknown, expired (idle or absolute)
 * or its person is disabled. Refreshes the idle timer (at most once a minute). */
int session_resolve(struct db *db, const char *cookie, struct caller *out);

/* ---- login, MFA and the person's own account (session.c, totp.c) ---- */

enum mfa_state {
    MFA_NONE,     /* no MFA needed or enrolled: the session is complete */
    MFA_REQUIRED, /* enrolled: the session waits for a TOTP or recovery code */
    MFA_ENROL,    /* MFA is required but not set up: the session may only enrol */
};

enum auth_outcome {
    AUTH_OK,      /* done; a new session token may be in token */
    AUTH_INVALID, /* wrong credentials or code (counted against the account) */
    AUTH_BLOCKED, /* too many failures: retry_after seconds, nothing was checked */
    AUTH_REFUSED, /* not possible in this state or not acceptable: code and why say what */
};

struct auth_result {
    enum auth_outcome outcome;      /* what happened */
    enum mfa_state mfa;             /* after a login: what the session needs next */
    int64_t retry_after;            /* AUTH_BLOCKED: seconds until the next attempt */
    const char *code;               /* AUTH_REFUSED: a stable problem code */
    const char *why;                /* AUTH_REFUSED: a sentence */
    char token[SESSION_TOKEN_SIZE]; /* a new session token for the cookie, or "" */
};

/* Log in with a user id or e-mail and a password. Throttled per account and per address;
 * every outcome is audited with the caller's address. On AUTH_OK the caller's old session (if
 * any) is gone and out->token is a new one. */
int session_login(struct db *db, const struct caller *c, const char *username, const char *password,
                  struct auth_result *out);

/* End the caller's session. */
int session_logout(struct db *db, const struct caller *c);

/* The MFA step: a TOTP code (6 digits) or an unused recovery code. On AUTH_OK the session is
 * replaced by one that has passed MFA (out->token). */
int session_mfa(struct db *db, const struct caller *c, const char *code, struct auth_result *out);

/* Change the caller's own password (the session must have passed MFA). Every other session of
 * the person ends; this one gets a new token. AUTH_INVALID: current is wrong; AUTH_REFUSED:
 * new is not acceptable. */
int session_password_change(struct db *db, const struct caller *c, const char *current,
                            const char *next, struct auth_result *out);

/* GET /me: the person, their MFA state, roles and the organisations they reach. Before MFA
 * the roles and organisations are left empty. */
int session_me(struct db *db, const struct caller *c, json_t **out);

/* Start TOTP enrolment: a new pending secret (stored, not yet enabled), its otpauth URI and a
 * QR code of it as SVG (free() *svg). AUTH_REFUSED when TOTP is already enabled. */
int mfa_enrol_begin(struct db *db, const struct caller *c, char secret[TOTP_SECRET_SIZE],
                    char **uri, char **svg, struct auth_result *out);

/* Finish enrolment with a code from the app: TOTP is enabled, codes gets RECOVERY_CODES new
 * recovery codes (the old ones are gone) and the session is replaced by one past MFA. */
int mfa_enrol_confirm(struct db *db, const struct caller *c, const char *code,
                      char codes[RECOVERY_CODES][RECOVERY_CODE_SIZE], struct auth_result *out);

/* ---- TOTP (RFC 6238: HMAC-SHA-1, 30 s steps, 6 digits) and QR codes (totp.c) ---- */

#define TOTP_STEP   30
#define TOTP_DIGITS 6

/* A new secret: 20 random bytes in base32 (RFC 4648, no padding). */
int totp_secret_new(char out[TOTP_SECRET_SIZE]);

/* The code of raw key at Unix time t with digits digits (6..8) into out (digits + 1 bytes). */
int totp_code_raw(const unsigned char *key, size_t keylen, int64_t t, unsigned digits, char *out);

/* Check a 6-digit code against the base32 secret at time t, accepting the steps t-1, t and
 * t+1 that are later than last_step (a code is never accepted twice; -1: none used yet). On
 * success *step is the matched step; otherwise ERR_NOTFOUND (ERR_INVALID for a bad secret). */
int totp_verify(const char *secret_b32, const char *code, int64_t t, int64_t last_step,
                int64_t *step);

/* otpauth://totp/Värn:<account>?secret=…&issuer=Värn&algorithm=SHA1&digits=6&period=30,
 * percent-encoded, into a malloc'd string. */
char *totp_uri(const char *secret_b32, const char *account);

/* The QR code of text as an SVG document: one <path> of the dark modules, a quiet zone of 4
 * modules, colours as fill attributes (no style, no script). malloc'd; NULL on failure. */
char *qr_svg(const char *text);

/* A recovery code "xxxx-xxxx" from an alphabet without look-alikes (about 40 bits). */
void recovery_code_new(char out[RECOVERY_CODE_SIZE]);

/* Normalise what a person typed as a recovery code (case, spaces, the dash) into
 * "xxxx-xxxx"; ERR_INVALID when it cannot be one. */
int recovery_code_normalise(const char *in, char out[RECOVERY_CODE_SIZE]);

/* ---- login throttling (throttle.c) ---- */

struct throttle_rule {
    int64_t threshold; /* failures before the first lockout */
    int64_t window;    /* seconds after which failures are forgotten; 0: only success resets */
    int64_t max_delay; /* the longest lockout, seconds */
};

/* Per account: 5 failures, then 1 s doubling to 15 min; only a success resets the count. */
extern const struct throttle_rule THROTTLE_ACCOUNT;
/* Per address: 20 failures within an hour (an office shares one address), then the same. */
extern const struct throttle_rule THROTTLE_ADDRESS;

/* The lockout after the failures-th failure: 0 below the threshold, else
 * min(2^(failures - threshold) s, max_delay). */
int64_t throttle_delay(const struct throttle_rule *r, int64_t failures);

/* Seconds until key may try again at now (0: it may). */
int throttle_wait(struct db *db, const char *key, int64_t now, int64_t *wait);

/* Count one failure of key at now (inside the caller's transaction); *failures and
 * *blocked_until (0 for none) get the new state. */
int throttle_fail(struct db *db, const char *key, const struct throttle_rule *r, int64_t now,
                  int64_t *failures, int64_t *blocked_until);

/* Forget key's failures. */
int throttle_clear(struct db *db, const char *key);

/* ---- accounts on the command line (account.c) ---- */

/* Create a person with roles (role ids) in organisation org_code and a password. */
int account_add(struct db *db, const char *actor, const char *user_id, const char *name,
                const char *email, const char *org_code, const char *const *roles, int nroles,
                const char *password, char *msg, size_t msglen);

/* Set a person's password; their sessions end and their account lockout is lifted. */
int account_set_password(struct db *db, const char *actor, const char *user_id,
                         const char *password, char *msg, size_t msglen);

/* Remove a person's TOTP and recovery codes and end their sessions: they enrol again at
 * their next login. */
int account_reset_mfa(struct db *db, const char *actor, const char *user_id, char *msg,
                      size_t msglen);

/* First run of `varn init`: when there is no organisation yet, create the IT centre and its
 * administrator (user id "admin", e-mail admin_email, password admin_password or, when NULL,
 * a generated one copied to generated_password). *created tells whether anything was made. */
int auth_bootstrap(struct db *db, const char *admin_email, const char *admin_password,
                   bool *created, char generated_password[32], char *msg, size_t msglen);

#endif
