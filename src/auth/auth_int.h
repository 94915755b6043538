/* Internals shared by the auth module's files: session tokens and rotation, throttling keys and
 * audit entries. Not for use outside src/auth/. */
#ifndef VARN_AUTH_AUTH_INT_H
#define VARN_AUTH_AUTH_INT_H

#include "auth/auth.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* Room for "account:" and a lower-cased name of up to 254 characters of UTF-8. */
#define AUTH_KEY_SIZE 1100

/* A new session token (256 random bits, base64url) and its SHA-256 hex. */
void session_token_new(char token[SESSION_TOKEN_SIZE], char hash[65]);

/* Inside a transaction: replace the caller's session by a new one that has passed MFA and
 * keeps the old one's creation and absolute expiry. The new token goes to token, its row id
 * to *id. */
int session_rotate(struct db *db, const struct caller *c, int64_t now,
                   char token[SESSION_TOKEN_SIZE], int64_t *id);

/* The throttling key of an account: "account:" and the name in lower case. */
int auth_account_key(const char *name, char out[AUTH_KEY_SIZE]);

/* Append an audit entry for the caller (inside a transaction): actor overrides c->actor when
 * not NULL; the object is the person user_id (none when NULL); after is taken over. */
int auth_audit(struct db *db, const struct caller *c, const char *actor, const char *action,
               const char *user_id, int64_t org_id, json_t *after);

/* The throttle gate of a signed-in person's second check (an MFA code, the current
 * password), inside a transaction: when key is blocked, out says so (AUTH_BLOCKED with
 * retry_after), the refusal is audited as action, and *blocked is set; nothing is checked. */
int throttle_gate(struct db *db, const struct caller *c, const char *key, int64_t org_id,
                  int64_t now, const char *action, struct auth_result *out, bool *blocked);

#endif
