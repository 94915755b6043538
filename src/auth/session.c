/* Sessions: login (throttled, audited), the MFA step, logout, password change, the cookie's
 * caller with idle and absolute timeouts, and the person's own view (GET /me). */
#include "auth/auth.h"
#include "auth/auth_int.h"
#include "auth/auth_sql.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_BYTES  32
#define TOKEN_CHARS  43 /* base64url of 32 bytes, no padding */
#define TOUCH_PERIOD 60 /* last_seen_at is written at most once a minute */

/* Written once by auth_config_from_env() before any thread starts, then only read. */
static int64_t idle_seconds = SESSION_IDLE_MINUTES_DEFAULT * 60;
static int64_t max_seconds = SESSION_MAX_HOURS_DEFAULT * 3600;

static int env_int(const char *name, int64_t min, int64_t max, int64_t *out, char *msg,
                   size_t msglen)
{
    const char *v = getenv(name);
    if (!v)
        return 0;
    if (str_to_int64(v, min, max, out) != 0) {
        str_format(msg, msglen, "%s='%s' is not a whole number from %lld to %lld", name, v,
                   (long long)min, (long long)max);
        return ERR_INVALID;
    }
    return 0;
}

int auth_config_from_env(char *msg, size_t msglen)
{
    int64_t idle = SESSION_IDLE_MINUTES_DEFAULT, hours = SESSION_MAX_HOURS_DEFAULT;
    int rc = env_int("VARN_SESSION_IDLE_MINUTES", 1, 24 * 60, &idle, msg, msglen);
    if (!rc)
        rc = env_int("VARN_SESSION_MAX_HOURS", 1, 7 * 24, &hours, msg, msglen);
    if (rc)
        return rc;
    idle_seconds = idle * 60;
    max_seconds = hours * 3600;
    return 0;
}

int64_t session_idle_seconds(void)
{
    return idle_seconds;
}

int64_t session_max_seconds(void)
{
    return max_seconds;
}

void session_token_new(char token[SESSION_TOKEN_SIZE], char hash[65])
{
    unsigned char raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token, SESSION_TOKEN_SIZE, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    auth_sha256_hex(token, hash);
}

int session_rotate(struct db *db, const struct caller *c, int64_t now,
                   char token[SESSION_TOKEN_SIZE], int64_t *id)
{
    char hash[65], at[CLOCK_ISO_LEN];
    session_token_new(token, hash);
    clock_format(now, at);
    int rc = auth_sql_session_rotate(db, c->session_id, hash, at, c->address, id);
    if (rc)
        sodium_memzero(token, SESSION_TOKEN_SIZE);
    return rc == ERR_NOTFOUND ? ERR_CONFLICT : rc; /* the old session ended meanwhile */
}

int auth_account_key(const char *name, char out[AUTH_KEY_SIZE])
{
    static const char prefix[] = "account:";
    memcpy(out, prefix, sizeof(prefix));
    return auth_lower(name, out + sizeof(prefix) - 1, AUTH_KEY_SIZE - (sizeof(prefix) - 1));
}

int auth_audit(struct db *db, const struct caller *c, const char *actor, const char *action,
               const char *user_id, int64_t org_id, json_t *after)
{
    struct audit_event ev = {.actor = actor ? actor : c->actor,
                             .address = c->address[0] ? c->address : NULL,
                             .action = action,
                             .object_kind = user_id ? "person" : NULL,
                             .object_id = user_id,
                             .organisation_id = org_id,
                             .after = after};
    int rc = audit_append(db, &ev);
    json_decref(after);
    return rc;
}

static bool token_shaped(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char ch = s[n];
        if (n >= TOKEN_CHARS || !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
            return false;
    }
    return n == TOKEN_CHARS;
}

int session_resolve(struct db *db, const char *cookie, struct caller *out)
{
    char hash[65], now[CLOCK_ISO_LEN], idle_cutoff[CLOCK_ISO_LEN], minute_ago[CLOCK_ISO_LEN];
    struct auth_session_row row;
    if (!cookie || !token_shaped(cookie))
        return ERR_NOTFOUND;
    auth_sha256_hex(cookie, hash);
    int64_t t = clock_now();
    clock_format(t, now);
    clock_format(t - idle_seconds, idle_cutoff);
    clock_format(t - TOUCH_PERIOD, minute_ago);
    int rc = auth_sql_session_find(db, hash, now, idle_cutoff, minute_ago, &row);
    if (rc)
        return rc;
    /* Bookkeeping only: a busy database must not end a valid session. Only tried when due:
     * the UPDATE takes the database's write lock even when it changes nothing. */
    if (row.touch_due)
        auth_sql_session_touch(db, row.id, now, minute_ago);
    out->kind = CALLER_SESSION;
    out->person_id = row.person_id;
    out->session_id = row.id;
    out->token_id = 0;
    out->mfa_passed = row.mfa_passed;
    return str_copy(out->actor, sizeof(out->actor), row.user_id);
}

/* ---- login ---- */

struct login {
    const struct caller *c;
    const char *username;
    char account_key[AUTH_KEY_SIZE];
    char address_key[96];
    struct auth_login_row row;
    bool known;
    int64_t now;
};

/* Before the password is checked: refuse a blocked account or address, else count the attempt
 * as a failure in advance, so that parallel guesses cannot slip past the count. */
static int login_gate(struct db *db, struct login *l, struct auth_result *out)
{
    int64_t wait_account = 0, wait_address = 0, failures = 0, blocked = 0;
    int rc = throttle_wait(db, l->account_key, l->now, &wait_account);
    if (!rc)
        rc = throttle_wait(db, l->address_key, l->now, &wait_address);
    if (rc)
        return rc;
    if (wait_account > 0 || wait_address > 0) {
        out->outcome = AUTH_BLOCKED;
        out->retry_after = wait_account > wait_address ? wait_account : wait_address;
        return auth_audit(db, l->c, l->username, "login.blocked", l->known ? l->row.user_id : NULL,
                          0,
                          json_pack("{s:I, s:s}", "retry_after", (json_int_t)out->retry_after, "by",
                                    wait_account > 0 ? "account" : "address"));
    }
    return throttle_fail(db, l->account_key, &THROTTLE_ACCOUNT, l->now, &failures, &blocked);
}

static int login_failed(struct db *db, struct login *l, const char *reason)
{
    char cutoff[CLOCK_ISO_LEN], last[CLOCK_ISO_LEN] = "", until[CLOCK_ISO_LEN] = "";
    int64_t failures = 0, addr_failures = 0, addr_blocked = 0;
    clock_format(l->now - THROTTLE_ADDRESS.window, cutoff);
    int rc =
        throttle_fail(db, l->address_key, &THROTTLE_ADDRESS, l->now, &addr_failures, &addr_blocked);
    if (!rc)
        rc = auth_sql_failure_purge_addresses(db, cutoff);
    /* The account's count was raised by login_gate; read it back for the record. */
    if (!rc)
        rc = auth_sql_failure_get(db, l->account_key, &failures, last, until);
    if (rc == ERR_NOTFOUND)
        rc = 0;
    if (rc)
        return rc;
    return auth_audit(db, l->c, l->username, "login.failure", l->known ? l->row.user_id : NULL, 0,
                      json_pack("{s:s, s:I, s:s?, s:I}", "reason", reason, "failures",
                                (json_int_t)failures, "blocked_until", until[0] ? until : NULL,
                                "address_failures", (json_int_t)addr_failures));
}

static int login_succeeded(struct db *db, struct login *l, struct auth_result *out)
{
    char hash[65], now[CLOCK_ISO_LEN], expires[CLOCK_ISO_LEN], idle_cutoff[CLOCK_ISO_LEN];
    bool enabled = false, required = false;
    int64_t id = 0, person = 0, org_id = 0;
    int rc = auth_sql_mfa_needed(db, l->row.person_id, &enabled, &required);
    if (!rc)
        rc = auth_sql_person_find(db, l->row.user_id, &person, &org_id);
    if (rc)
        return rc;
    out->mfa = enabled ? MFA_REQUIRED : required ? MFA_ENROL : MFA_NONE;
    session_token_new(out->token, hash);
    clock_format(l->now, now);
    clock_format(l->now + max_seconds, expires);
    clock_format(l->now - idle_seconds, idle_cutoff);
    rc = throttle_clear(db, l->account_key);
    if (!rc)
        rc = auth_sql_session_purge(db, now, idle_cutoff);
    if (!rc && l->c->kind == CALLER_SESSION)
        rc = auth_sql_session_delete(db, l->c->session_id);
    if (!rc)
        rc = auth_sql_session_insert(db, hash, l->row.person_id, out->mfa == MFA_NONE, now, expires,
                                     l->c->address, &id);
    static const char *const mfa_names[] = {"none", "required", "enrol"};
    if (!rc)
        rc = auth_audit(
            db, l->c, l->row.user_id, "login.success", l->row.user_id, org_id,
            json_pack("{s:s, s:s}", "mfa", mfa_names[out->mfa], "username", l->username));
    return rc;
}

int session_login(struct db *db, const struct caller *c, const char *username, const char *password,
                  struct auth_result *out)
{
    struct login l = {.c = c, .username = username, .now = clock_now()};
    const char *reason = NULL;
    memset(out, 0, sizeof(*out));
    int rc = auth_account_key(username, l.account_key);
    if (!rc)
        rc = str_format(l.address_key, sizeof(l.address_key), "address:%s", c->address);
    if (rc)
        return rc;
    rc = auth_sql_login_find(db, username, &l.row);
    l.known = rc == 0;
    if (rc && rc != ERR_NOTFOUND)
        return rc;

    rc = db_begin(db);
    if (!rc)
        rc = login_gate(db, &l, out);
    if (!rc)
        rc = db_commit(db);
    if (rc || out->outcome == AUTH_BLOCKED)
        goto out;

    /* The same Argon2id work whether or not the person exists, has a password or is
     * disabled: neither the answer nor its timing tells these apart. */
    bool ok = false;
    if (!l.known) {
        password_verify_dummy(password);
        reason = "unknown_user";
    } else if (!l.row.hash[0]) {
        password_verify_dummy(password);
        reason = "no_password";
    } else {
        ok = password_verify(l.row.hash, password);
        reason = !ok ? "wrong_password" : l.row.disabled ? "disabled" : NULL;
        ok = ok && !l.row.disabled;
    }

    rc = db_begin(db);
    if (rc)
        goto out;
    if (ok) {
        rc = login_succeeded(db, &l, out);
    } else {
        out->outcome = AUTH_INVALID;
        rc = login_failed(db, &l, reason);
    }
    if (!rc)
        rc = db_commit(db);
out:
    if (rc) {
        db_rollback(db);
        sodium_memzero(out->token, sizeof(out->token));
    }
    sodium_memzero(&l.row, sizeof(l.row));
    return rc;
}

int session_logout(struct db *db, const struct caller *c)
{
    int64_t person = 0, org_id = 0;
    int rc = auth_sql_person_find(db, c->actor, &person, &org_id);
    if (!rc)
        rc = db_begin(db);
    if (rc)
        return rc;
    rc = auth_sql_session_delete(db, c->session_id);
    if (!rc)
        rc = auth_audit(db, c, NULL, "logout", c->actor, org_id, NULL);
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
    return rc;
}

/* ---- the MFA step ---- */

static void refuse(struct auth_result *out, const char *code, const char *why)
{
    out->outcome = AUTH_REFUSED;
    out->code = code;
    out->why = why;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Inside the transaction: a refusal changes nothing; a wrong code is counted and audited. */
static int mfa_tx(struct db *db, const struct caller *c, const char *code, const char *key,
                  int64_t org_id, struct auth_credential_row *cred, struct auth_result *out)
{
    char now_iso[CLOCK_ISO_LEN], normal[RECOVERY_CODE_SIZE], hash[65];
    int64_t now = clock_now(), step = 0, failures = 0, blocked = 0, id = 0, left = 0;
    const char *method = "totp";
    clock_format(now, now_iso);
    bool blocked_now = false;
    int rc = throttle_gate(db, c, key, org_id, now, "mfa.blocked", out, &blocked_now);
    if (rc || blocked_now)
        return rc;
    rc = auth_sql_credential(db, c->person_id, cred);
    if (rc)
        return rc;
    if (!cred->enabled) {
        refuse(out, "mfa_not_enrolled",
               "two-step verification is not set up yet; set it up with POST /api/v1/me/mfa");
        return 0;
    }
    if (all_digits(code)) {
        rc = totp_verify(cred->secret, code, now, cred->last_step, &step);
        if (!rc)
            rc = auth_sql_totp_use_step(db, c->person_id, step); /* ERR_NOTFOUND: raced */
    } else {
        method = "recovery_code";
        rc = recovery_code_normalise(code, normal) == 0 ? 0 : ERR_NOTFOUND;
        if (!rc) {
            auth_sha256_hex(normal, hash);
            rc = auth_sql_recovery_use(db, c->person_id, hash, now_iso);
        }
        sodium_memzero(normal, sizeof(normal));
    }
    if (rc == ERR_NOTFOUND) {
        out->outcome = AUTH_INVALID;
        rc = throttle_fail(db, key, &THROTTLE_ACCOUNT, now, &failures, &blocked);
        if (!rc)
            rc = auth_audit(
                db, c, NULL, "mfa.failure", c->actor, org_id,
                json_pack("{s:s, s:I}", "method", method, "failures", (json_int_t)failures));
        return rc;
    }
    if (!rc)
        rc = auth_sql_recovery_left(db, c->person_id, &left);
    if (!rc)
        rc = throttle_clear(db, key);
    if (!rc)
        rc = session_rotate(db, c, now, out->token, &id);
    if (!rc)
        rc = auth_audit(
            db, c, NULL, "mfa.success", c->actor, org_id,
            json_pack("{s:s, s:I}", "method", method, "recovery_codes_left", (json_int_t)left));
    return rc;
}

int session_mfa(struct db *db, const struct caller *c, const char *code, struct auth_result *out)
{
    struct auth_credential_row cred;
    char key[AUTH_KEY_SIZE];
    int64_t person = 0, org_id = 0;
    memset(out, 0, sizeof(*out));
    memset(&cred, 0, sizeof(cred));
    if (c->mfa_passed) {
        refuse(out, "mfa_already_passed", "this session has already passed two-step verification");
        return 0;
    }
    int rc = auth_account_key(c->actor, key);
    if (!rc)
        rc = auth_sql_person_find(db, c->actor, &person, &org_id);
    if (!rc)
        rc = db_begin(db);
    if (rc)
        goto out;
    rc = mfa_tx(db, c, code, key, org_id, &cred, out);
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
out:
    sodium_memzero(&cred, sizeof(cred));
    if (rc || out->outcome != AUTH_OK)
        sodium_memzero(out->token, sizeof(out->token));
    return rc;
}

/* ---- the person's own password ---- */

int session_password_change(struct db *db, const struct caller *c, const char *current,
                            const char *next, struct auth_result *out)
{
    struct auth_credential_row cred;
    char key[AUTH_KEY_SIZE], hash[PASSWORD_HASH_SIZE], at[CLOCK_ISO_LEN];
    int64_t now = clock_now(), failures = 0, blocked = 0, person = 0, org_id = 0, id = 0;
    const char *why = NULL;
    bool in_tx = false;
    memset(out, 0, sizeof(*out));
    memset(&cred, 0, sizeof(cred));
    hash[0] = '\0';
    clock_format(now, at);
    if (!c->mfa_passed) {
        refuse(out, "mfa_required", "complete the two-step verification first");
        return 0;
    }
    int rc = auth_account_key(c->actor, key);
    if (!rc)
        rc = auth_sql_person_find(db, c->actor, &person, &org_id);
    if (!rc)
        rc = auth_sql_credential(db, c->person_id, &cred);
    /* Throttled like a login: a stolen session must not become a password oracle. */
    if (!rc)
        rc = db_begin(db);
    in_tx = rc == 0;
    bool blocked_now = false;
    if (!rc)
        rc = throttle_gate(db, c, key, org_id, now, "password.blocked", out, &blocked_now);
    if (!rc && !blocked_now) {
        rc = throttle_fail(db, key, &THROTTLE_ACCOUNT, now, &failures, &blocked);
    }
    if (!rc)
        rc = db_commit(db);
    in_tx = false;
    if (rc || out->outcome == AUTH_BLOCKED)
        goto out;

    bool ok = cred.hash[0] ? password_verify(cred.hash, current) : false;
    if (!cred.hash[0])
        password_verify_dummy(current);
    if (ok && password_acceptable(next, &why) != 0)
        refuse(out, "weak_password", why);
    else if (ok && strcmp(next, current) == 0)
        refuse(out, "same_password", "the new password must differ from the current one");
    if (ok && out->outcome == AUTH_OK)
        rc = password_hash(next, hash);
    if (rc)
        goto out;

    rc = db_begin(db);
    in_tx = rc == 0;
    if (!rc && !ok) {
        out->outcome = AUTH_INVALID;
        rc = auth_audit(db, c, NULL, "password.change_failure", c->actor, org_id,
                        json_pack("{s:I}", "failures", (json_int_t)failures));
    } else if (!rc) {
        /* The current password was right: the attempt was not a guess. */
        rc = throttle_clear(db, key);
        if (!rc && out->outcome == AUTH_OK) {
            rc = auth_sql_password_set(db, c->person_id, hash, at);
            if (!rc)
                rc = session_rotate(db, c, now, out->token, &id);
            if (!rc)
                rc = auth_sql_session_delete_person(db, c->person_id, id);
            if (!rc)
                rc = auth_audit(db, c, NULL, "password.change", c->actor, org_id,
                                json_pack("{s:b}", "other_sessions_ended", 1));
        }
    }
    if (!rc)
        rc = db_commit(db);
    in_tx = false;
out:
    if (in_tx || rc)
        db_rollback(db);
    if (rc || out->outcome != AUTH_OK)
        sodium_memzero(out->token, sizeof(out->token));
    sodium_memzero(&cred, sizeof(cred));
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

/* ---- GET /me ---- */

int session_me(struct db *db, const struct caller *c, json_t **out)
{
    json_t *me = json_object(), *roles = json_array(), *orgs = json_array();
    int rc = auth_sql_me(db, c->person_id, me);
    /* Before the second factor a password alone shows who you are, not what you reach. */
    if (!rc && c->mfa_passed)
        rc = auth_sql_me_roles(db, c->person_id, roles);
    if (!rc && c->mfa_passed)
        rc = auth_sql_me_organisations(db, c->person_id, orgs);
    json_object_set_new(me, "mfa_passed", json_boolean(c->mfa_passed));
    json_object_set_new(me, "roles", roles);
    json_object_set_new(me, "organisations", orgs);
    if (rc) {
        json_decref(me);
        me = NULL;
    }
    *out = me;
    return rc;
}
