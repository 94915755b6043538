/* Authentication: passwords (Argon2id), sessions, TOTP, API tokens, login throttling. */
#ifndef VARN_AUTH_AUTH_H
#define VARN_AUTH_AUTH_H

#include "authz/authz.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define SESSION_COOKIE     "__Host-varn_session"
#define PASSWORD_HASH_SIZE 128 /* crypto_pwhash_STRBYTES */
#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_BYTES 1024
#define TOKEN_PREFIX       "varn_"
#define TOKEN_SIZE         64 /* "varn_" + 43 base64url characters + NUL, with room */

/* Start libsodium; call once before anything else here. */
int auth_init(void);

/* Argon2id (libsodium, m = 19 MiB, t = 2, p = 1) in libsodium's encoded string form. */
int password_hash(const char *password, char out[PASSWORD_HASH_SIZE]);
bool password_verify(const char *hash, const char *password);

/* 0 when the password may be used, else ERR_INVALID with *why a sentence (too short, too
 * long, a common password). */
int password_acceptable(const char *password, const char **why);

/* SHA-256 of s as 64 hex digits (tokens are stored hashed). */
void auth_sha256_hex(const char *s, char out[65]);

/* Create an API token for organisation org_code and role; the token (shown once) goes to out.
 * actor is recorded as its creator and in the audit log. */
int token_create(struct db *db, const char *org_code, const char *role, const char *name,
                 const char *actor, char out[TOKEN_SIZE], int64_t *id, char *msg, size_t msglen);

/* The caller of an "Authorization: Bearer" token; ERR_NOTFOUND when it is unknown or revoked.
 * Records the time of use (at most once a minute). */
int token_resolve(struct db *db, const char *token, struct caller *out);

/* The caller of a session cookie; ERR_NOTFOUND when it is unknown, expired (idle or absolute)
 * or its person is disabled. Refreshes the idle timer. */
int session_resolve(struct db *db, const char *cookie, struct caller *out);

/* First run of `varn init`: when there is no organisation yet, create the IT centre and its
 * administrator (user id "admin", e-mail admin_email, password admin_password or, when NULL,
 * a generated one copied to generated_password). *created tells whether anything was made. */
int auth_bootstrap(struct db *db, const char *admin_email, const char *admin_password,
                   bool *created, char generated_password[32], char *msg, size_t msglen);

#endif
