/* Accounts from the command line: add a person with roles and a password, set a password,
 * reset MFA. Each is one transaction with its audit entry. */
#include "auth/auth.h"
#include "auth/auth_int.h"
#include "auth/auth_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <sodium.h>
#include <string.h>

#define NAME_MAX_CHARS  200
#define EMAIL_MAX_BYTES 254

/* Letters, digits and . _ - ; no '@', so that a user id never looks like an e-mail address. */
static bool user_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > USER_ID_MAX)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

static bool one_line(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return false;
    return true;
}

static bool email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || strlen(s) > EMAIL_MAX_BYTES)
        return false;
    if (!strchr(at + 1, '.') || strchr(s, ' '))
        return false;
    return one_line(s);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static int check_person(const char *user_id, const char *name, const char *email,
                        const char *const *roles, int nroles, char *msg, size_t msglen)
{
    if (!user_id_valid(user_id)) {
        str_format(msg, msglen,
                   "'%s' is not a user id: use 1 to %d letters, digits, '.', '_' or '-'", user_id,
                   USER_ID_MAX);
        return ERR_INVALID;
    }
    if (!*name || utf8_chars(name) > NAME_MAX_CHARS || !one_line(name)) {
        str_format(msg, msglen, "the name must be 1 to %d characters on one line", NAME_MAX_CHARS);
        return ERR_INVALID;
    }
    if (!email_valid(email)) {
        str_format(msg, msglen, "'%s' is not an e-mail address", email);
        return ERR_INVALID;
    }
    for (int i = 0; i < nroles; i++) {
        if (!role_bit_of(roles[i])) {
            str_format(msg, msglen,
                       "'%s' is not a role; roles are administrator, ciso, security_officer, "
                       "system_owner, information_owner, manager, head_of_administration, dpo, "
                       "committee_member, user, supplier_contact, external_party",
                       roles[i]);
            return ERR_INVALID;
        }
    }
    return 0;
}

/* Is roles[i] the same as an earlier one? (--role user --role user) */
static bool named_before(const char *const *roles, int i)
{
    for (int j = 0; j < i; j++)
        if (strcmp(roles[j], roles[i]) == 0)
            return true;
    return false;
}

/* The command line's caller, for the audit entries. */
static void cli_caller(struct caller *c, const char *actor)
{
    memset(c, 0, sizeof(*c));
    c->kind = CALLER_ANONYMOUS;
    str_copy(c->actor, sizeof(c->actor), actor);
}

int account_add(struct db *db, const char *actor, const char *user_id, const char *name,
                const char *email, const char *org_code, const char *const *roles, int nroles,
                const char *password, char *msg, size_t msglen)
{
    char hash[PASSWORD_HASH_SIZE] = "", at[CLOCK_ISO_LEN];
    int64_t org_id = 0, person = 0, other_org = 0, count = 0;
    const char *why = NULL;
    struct caller c;
    cli_caller(&c, actor);
    int rc = check_person(user_id, name, email, roles, nroles, msg, msglen);
    if (rc)
        return rc;
    if (password_acceptable(password, &why) != 0) {
        str_format(msg, msglen, "the password is not acceptable: %s", why);
        return ERR_INVALID;
    }
    rc = password_hash(password, hash);
    clock_format(clock_now(), at);
    if (!rc)
        rc = db_begin(db);
    if (rc)
        goto out;
    rc = auth_sql_org_id(db, org_code, &org_id);
    if (rc == ERR_NOTFOUND)
        str_format(msg, msglen, "there is no organisation with code '%s'", org_code);
    if (!rc) {
        rc = auth_sql_person_find(db, user_id, &person, &other_org);
        if (rc == 0) {
            str_format(msg, msglen, "a person with user id '%s' exists already", user_id);
            rc = ERR_CONFLICT;
        } else if (rc == ERR_NOTFOUND) {
            rc = 0;
        }
    }
    if (!rc)
        rc = auth_sql_email_count(db, email, &count);
    if (!rc && count > 0) {
        /* Logging in by e-mail needs the address to name one person. */
        str_format(msg, msglen, "another person has the e-mail address '%s'", email);
        rc = ERR_CONFLICT;
    }
    if (!rc)
        rc = auth_sql_person_insert(db, user_id, name, email, org_id, at, &person);
    for (int i = 0; i < nroles && !rc; i++)
        if (!named_before(roles, i))
            rc = auth_sql_role_insert(db, person, roles[i], org_id, at);
    if (!rc)
        rc = auth_sql_credential_insert(db, person, hash, at);
    if (!rc) {
        json_t *role_list = json_array();
        for (int i = 0; i < nroles; i++)
            if (!named_before(roles, i))
                json_array_append_new(role_list, json_string(roles[i]));
        rc = auth_audit(db, &c, NULL, "person.create", user_id, org_id,
                        json_pack("{s:s, s:s, s:s, s:s, s:o}", "user_id", user_id, "name", name,
                                  "email", email, "organisation", org_code, "roles", role_list));
    }
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
out:
    if (rc && !msg[0])
        str_format(msg, msglen, "cannot add the person: %s", db_errmsg(db));
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

int account_set_password(struct db *db, const char *actor, const char *user_id,
                         const char *password, char *msg, size_t msglen)
{
    char hash[PASSWORD_HASH_SIZE] = "", at[CLOCK_ISO_LEN], key[AUTH_KEY_SIZE];
    char email[EMAIL_MAX_BYTES + 1], email_key[AUTH_KEY_SIZE];
    int64_t person = 0, org_id = 0;
    const char *why = NULL;
    struct caller c;
    cli_caller(&c, actor);
    if (password_acceptable(password, &why) != 0) {
        str_format(msg, msglen, "the password is not acceptable: %s", why);
        return ERR_INVALID;
    }
    int rc = auth_account_key(user_id, key);
    if (!rc)
        rc = password_hash(password, hash);
    clock_format(clock_now(), at);
    if (!rc)
        rc = db_begin(db);
    if (rc)
        goto out;
    rc = auth_sql_person_find(db, user_id, &person, &org_id);
    if (rc == ERR_NOTFOUND)
        str_format(msg, msglen, "there is no person with user id '%s'", user_id);
    if (!rc)
        rc = auth_sql_password_set(db, person, hash, at);
    if (!rc)
        rc = auth_sql_session_delete_person(db, person, 0);
    /* The new password lifts a lockout, whether the guesses named the user id or the e-mail. */
    if (!rc)
        rc = throttle_clear(db, key);
    if (!rc)
        rc = auth_sql_person_email(db, person, email, sizeof(email));
    if (!rc && auth_account_key(email, email_key) == 0)
        rc = throttle_clear(db, email_key);
    if (!rc)
        rc = auth_audit(db, &c, NULL, "password.reset", user_id, org_id,
                        json_pack("{s:b}", "sessions_ended", 1));
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
out:
    if (rc && !msg[0])
        str_format(msg, msglen, "cannot set the password: %s", db_errmsg(db));
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

int account_reset_mfa(struct db *db, const char *actor, const char *user_id, char *msg,
                      size_t msglen)
{
    int64_t person = 0, org_id = 0;
    struct caller c;
    cli_caller(&c, actor);
    int rc = db_begin(db);
    if (rc)
        goto out;
    rc = auth_sql_person_find(db, user_id, &person, &org_id);
    if (rc == ERR_NOTFOUND)
        str_format(msg, msglen, "there is no person with user id '%s'", user_id);
    if (!rc)
        rc = auth_sql_totp_clear(db, person);
    if (!rc)
        rc = auth_sql_recovery_delete(db, person);
    if (!rc)
        rc = auth_sql_session_delete_person(db, person, 0);
    if (!rc)
        rc = auth_audit(db, &c, NULL, "mfa.reset", user_id, org_id,
                        json_pack("{s:b}", "sessions_ended", 1));
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
out:
    if (rc && !msg[0])
        str_format(msg, msglen, "cannot reset two-step verification: %s", db_errmsg(db));
    return rc;
}
