/* API tokens for integrations: 256 random bits, shown once, stored as SHA-256, revocable. */
#include "auth/auth.h"
#include "auth/auth_sql.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>

int token_create(struct db *db, const char *org_code, const char *role, const char *name,
                 const char *actor, char out[TOKEN_SIZE], int64_t *id, char *msg, size_t msglen)
{
    unsigned char raw[32];
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    char hash[65], at[CLOCK_ISO_LEN];
    int64_t org_id;

    if (!role_bit_of(role)) {
        str_format(msg, msglen,
                   "'%s' is not a role; roles are administrator, ciso, "
                   "security_officer, system_owner, information_owner, manager, "
                   "head_of_administration, dpo, committee_member, user, supplier_contact, "
                   "external_party",
                   role);
        return ERR_INVALID;
    }
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    if (str_format(out, TOKEN_SIZE, "%s%s", TOKEN_PREFIX, b64) != 0)
        return ERR_TOOBIG;
    auth_sha256_hex(out, hash);
    clock_format(clock_now(), at);

    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = auth_sql_org_id(db, org_code, &org_id);
    if (rc == ERR_NOTFOUND)
        str_format(msg, msglen, "there is no organisation with code '%s'", org_code);
    if (!rc)
        rc = auth_sql_token_insert(db, hash, name, org_id, role, at, actor, id);
    if (!rc) {
        char object_id[24];
        str_format(object_id, sizeof(object_id), "%lld", (long long)*id);
        json_t *after =
            json_pack("{s:s, s:s, s:s}", "name", name, "organisation", org_code, "role", role);
        struct audit_event ev = {.actor = actor,
                                 .action = "api_token.create",
                                 .object_kind = "api_token",
                                 .object_id = object_id,
                                 .organisation_id = org_id,
                                 .after = after};
        rc = audit_append(db, &ev);
        json_decref(after);
    }
    if (!rc)
        rc = db_commit(db);
    if (rc) {
        db_rollback(db);
        sodium_memzero(out, TOKEN_SIZE);
        if (!msg[0])
            str_format(msg, msglen, "cannot store the token: %s", db_errmsg(db));
    }
    return rc;
}

int token_list(struct db *db, const struct caller *c, unsigned roles, json_t **items)
{
    return auth_sql_token_list(db, c, roles, items);
}

int token_revoke(struct db *db, const struct caller *c, unsigned roles, int64_t id,
                 const char *actor, const char *address)
{
    char at[CLOCK_ISO_LEN], object_id[24];
    int64_t org_id = 0;
    bool revoked = false;
    clock_format(clock_now(), at);
    str_format(object_id, sizeof(object_id), "%lld", (long long)id);
    int rc = db_begin(db);
    if (rc)
        return rc;
    rc = auth_sql_token_org(db, c, roles, id, &org_id, &revoked);
    if (!rc && !revoked) {
        rc = auth_sql_token_revoke(db, id, at);
        if (!rc) {
            json_t *after = json_pack("{s:s}", "revoked_at", at);
            struct audit_event ev = {.actor = actor,
                                     .address = address,
                                     .action = "api_token.revoke",
                                     .object_kind = "api_token",
                                     .object_id = object_id,
                                     .organisation_id = org_id,
                                     .after = after};
            rc = audit_append(db, &ev);
            json_decref(after);
        }
    }
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
    return rc;
}

int token_resolve(struct db *db, const char *token, struct caller *out)
{
    char hash[65], now[CLOCK_ISO_LEN], minute_ago[CLOCK_ISO_LEN];
    if (!str_starts_with(token, TOKEN_PREFIX))
        return ERR_NOTFOUND;
    auth_sha256_hex(token, hash);
    int64_t id, t = clock_now();
    bool stale = false;
    clock_format(t, now);
    clock_format(t - 60, minute_ago);
    int rc = auth_sql_token_find(db, hash, minute_ago, &id, &stale);
    if (rc)
        return rc;
    /* Bookkeeping only: a busy database must not refuse a valid token. Only tried when due:
     * the UPDATE takes the database's write lock even when it changes nothing, so every
     * request made with a token serialised on it (and a loser slept in the busy handler). */
    if (stale)
        auth_sql_token_touch(db, id, now, minute_ago);
    out->kind = CALLER_TOKEN;
    out->token_id = id;
    out->person_id = 0;
    out->mfa_passed = true; /* tokens are scoped and revocable; MFA does not apply */
    str_format(out->actor, sizeof(out->actor), "token:%lld", (long long)id);
    return 0;
}
