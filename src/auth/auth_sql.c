/* All SQL of the auth module: tokens, the first-run bootstrap, sessions, credentials (password,
 * TOTP, recovery codes), login throttling, the person's own view and command-line accounts. */
#include "auth/auth_sql.h"
#include "authz/authz.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

static const char SQL_ORG_ID[] = "SELECT id FROM organisation WHERE code = :code";
static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_token (token_hash, name, organisation_id, role, created_at, created_by)"
    " VALUES (:hash, :name, :org, :role, :at, :actor) RETURNING id";
static const char SQL_TOKEN_FIND[] =
    "SELECT id, CASE WHEN last_used_at IS NULL OR last_used_at < :minute_ago THEN 1 ELSE 0 END"
    " FROM api_token WHERE token_hash = :hash AND revoked_at IS NULL";
static const char SQL_TOKEN_TOUCH[] =
    "UPDATE api_token SET last_used_at = :now"
    " WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :minute_ago)";
static json_t *text_or_null(struct db_stmt *st, int i);

#define TOKEN_COLUMNS                                                                              \
    "SELECT t.id, t.name, o.code, t.role, t.created_at, t.created_by, t.last_used_at,"             \
    " t.revoked_at FROM api_token t JOIN organisation o ON o.id = t.organisation_id "
static const char SQL_TOKEN_LIST_ALL[] = TOKEN_COLUMNS "ORDER BY t.id";
static const char SQL_TOKEN_LIST_SCOPED[] = AUTHZ_SCOPE_CTE TOKEN_COLUMNS
    "WHERE t.organisation_id IN (SELECT org_id FROM scope) ORDER BY t.id";
static const char SQL_TOKEN_ORG_ALL[] =
    "SELECT organisation_id, revoked_at IS NOT NULL FROM api_token WHERE id = :id";
static const char SQL_TOKEN_ORG_SCOPED[] =
    AUTHZ_SCOPE_CTE "SELECT organisation_id, revoked_at IS NOT NULL FROM api_token"
                    " WHERE id = :id AND organisation_id IN (SELECT org_id FROM scope)";
static const char SQL_TOKEN_REVOKE[] =
    "UPDATE api_token SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL";
static const char SQL_ORG_COUNT[] = "SELECT count(*) FROM organisation";
static const char SQL_BOOT_ORG[] =
    "INSERT INTO organisation (code, name, kind, parent_id, org_number, mfa_required,"
    " created_at, updated_at) VALUES (:code, :name, 'it_centre', NULL, :org_number, 1, :at, :at)"
    " RETURNING id";
static const char SQL_BOOT_PERSON[] =
    "INSERT INTO person (user_id, name, email, organisation_id, privileged, created_at,"
    " updated_at) VALUES ('admin', 'Värnadministratör', :email, :org, 1, :at, :at) RETURNING id";
static const char SQL_BOOT_ROLE[] =
    "INSERT INTO role_assignment (person_id, role, organisation_id, created_at)"
    " VALUES (:person, 'administrator', :org, :at)";
static const char SQL_BOOT_CREDENTIAL[] =
    "INSERT INTO credential (person_id, password_hash, password_changed_at)"
    " VALUES (:person, :hash, :at)";

int auth_sql_org_id(struct db *db, const char *code, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_ID, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_text(st, ":code", code), id);
}

int auth_sql_token_insert(struct db *db, const char *hash, const char *name, int64_t org_id,
                          const char *role, const char *at, const char *actor, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TOKEN_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":hash", hash);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    if (!rc)
        rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":role", role);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    if (!rc)
        rc = db_bind_text(st, ":actor", actor);
    return db_finish_int(st, rc, id);
}

int auth_sql_token_find(struct db *db, const char *hash, const char *minute_ago, int64_t *id,
                        bool *stale)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TOKEN_FIND, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":hash", hash);
    if (!rc)
        rc = db_bind_text(st, ":minute_ago", minute_ago);
    if (!rc) {
        rc = db_step(st);
        if (rc == DB_ROW) {
            *id = db_col_int(st, 0);
            *stale = db_col_int(st, 1) != 0;
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = ERR_NOTFOUND;
        }
    }
    db_finalize(st);
    return rc;
}

int auth_sql_token_touch(struct db *db, int64_t id, const char *now, const char *minute_ago)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TOKEN_TOUCH, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    if (!rc)
        rc = db_bind_text(st, ":minute_ago", minute_ago);
    return db_finish(st, rc);
}

int auth_sql_token_list(struct db *db, const struct caller *c, unsigned roles, json_t **items)
{
    struct db_stmt *st;
    *items = NULL;
    int rc = db_prepare(db, c ? SQL_TOKEN_LIST_SCOPED : SQL_TOKEN_LIST_ALL, &st);
    if (rc)
        return rc;
    if (c)
        rc = authz_bind_scope(st, c, roles);
    json_t *a = json_array();
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        rc = 0;
        json_array_append_new(
            a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id",
                         (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1), "organisation",
                         db_col_text(st, 2), "role", db_col_text(st, 3), "created_at",
                         db_col_text(st, 4), "created_by", db_col_text(st, 5), "last_used_at",
                         text_or_null(st, 6), "revoked_at", text_or_null(st, 7)));
    }
    db_finalize(st);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *items = a;
    return 0;
}

int auth_sql_token_org(struct db *db, const struct caller *c, unsigned roles, int64_t id,
                       int64_t *org_id, bool *revoked)
{
    struct db_stmt *st;
    int rc = db_prepare(db, c ? SQL_TOKEN_ORG_SCOPED : SQL_TOKEN_ORG_ALL, &st);
    if (rc)
        return rc;
    rc = c ? authz_bind_scope(st, c, roles) : 0;
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    if (!rc) {
        rc = db_step(st);
        if (rc == DB_ROW) {
            *org_id = db_col_int(st, 0);
            *revoked = db_col_int(st, 1) != 0;
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = ERR_NOTFOUND;
        }
    }
    db_finalize(st);
    return rc;
}

int auth_sql_token_revoke(struct db *db, int64_t id, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TOKEN_REVOKE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int auth_sql_org_count(struct db *db, int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_COUNT, &st);
    if (rc)
        return rc;
    return db_finish_int(st, 0, count);
}

int auth_sql_bootstrap_org(struct db *db, const char *code, const char *name,
                           const char *org_number, const char *at, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_BOOT_ORG, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":code", code);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    if (!rc)
        rc = db_bind_text(st, ":org_number", org_number);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int auth_sql_bootstrap_admin(struct db *db, int64_t org_id, const char *email,
                             const char *password_hash, const char *at, int64_t *person_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_BOOT_PERSON, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":email", email);
    if (!rc)
        rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = db_finish_int(st, rc, person_id);
    if (!rc)
        rc = db_prepare(db, SQL_BOOT_ROLE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", *person_id);
    if (!rc)
        rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = db_finish(st, rc);
    if (!rc)
        rc = db_prepare(db, SQL_BOOT_CREDENTIAL, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", *person_id);
    if (!rc)
        rc = db_bind_text(st, ":hash", password_hash);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

/* ---- login ---- */

static const char SQL_LOGIN_BY_USER_ID[] =
    "SELECT p.id, p.user_id, p.disabled, c.password_hash FROM person p"
    " LEFT JOIN credential c ON c.person_id = p.id WHERE p.user_id = :name";
static const char SQL_LOGIN_BY_EMAIL[] =
    "SELECT p.id, p.user_id, p.disabled, c.password_hash FROM person p"
    " LEFT JOIN credential c ON c.person_id = p.id WHERE lower(p.email) = lower(:name) LIMIT 2";
static const char SQL_MFA_NEEDED[] =
    "SELECT COALESCE(c.totp_enabled, 0),"
    " CASE WHEN EXISTS (SELECT 1 FROM role_assignment ra"
    "  JOIN organisation o ON o.id = ra.organisation_id"
    "  WHERE ra.person_id = p.id AND o.mfa_required = 1)"
    " OR EXISTS (SELECT 1 FROM organisation o WHERE o.id = p.organisation_id"
    "  AND o.mfa_required = 1) THEN 1 ELSE 0 END"
    " FROM person p LEFT JOIN credential c ON c.person_id = p.id WHERE p.id = :person";

/* ---- sessions ---- */

static const char SQL_SESSION_FIND[] =
    "SELECT s.id, s.person_id, s.mfa_passed, p.user_id,"
    " CASE WHEN s.last_seen_at < :minute_ago THEN 1 ELSE 0 END FROM session s"
    " JOIN person p ON p.id = s.person_id"
    " WHERE s.token_hash = :hash AND p.disabled = 0 AND s.expires_at > :now"
    " AND s.last_seen_at > :idle_cutoff";
static const char SQL_SESSION_TOUCH[] = "UPDATE session SET last_seen_at = :now"
                                        " WHERE id = :id AND last_seen_at < :minute_ago";
static const char SQL_SESSION_INSERT[] =
    "INSERT INTO session (token_hash, person_id, mfa_passed, created_at, last_seen_at,"
    " expires_at, address) VALUES (:hash, :person, :mfa, :now, :now, :expires, :address)"
    " RETURNING id";
static const char SQL_SESSION_ROTATE[] =
    "INSERT INTO session (token_hash, person_id, mfa_passed, created_at, last_seen_at,"
    " expires_at, address) SELECT :hash, person_id, 1, created_at, :now, expires_at, :address"
    " FROM session WHERE id = :old RETURNING id";
static const char SQL_SESSION_DELETE[] = "DELETE FROM session WHERE id = :id";
static const char SQL_SESSION_DELETE_PERSON[] =
    "DELETE FROM session WHERE person_id = :person AND id <> :keep";
static const char SQL_SESSION_PURGE[] =
    "DELETE FROM session WHERE expires_at <= :now OR last_seen_at <= :idle_cutoff";

/* ---- credentials ---- */

static const char SQL_CREDENTIAL[] =
    "SELECT password_hash, totp_secret, totp_enabled, totp_last_step FROM credential"
    " WHERE person_id = :person";
static const char SQL_TOTP_PENDING[] =
    "UPDATE credential SET totp_secret = :secret, totp_enabled = 0, totp_last_step = NULL"
    " WHERE person_id = :person AND totp_enabled = 0 RETURNING person_id";
static const char SQL_TOTP_ENABLE[] =
    "UPDATE credential SET totp_enabled = 1, totp_last_step = :step"
    " WHERE person_id = :person AND totp_enabled = 0 AND totp_secret = :secret"
    " RETURNING person_id";
static const char SQL_TOTP_USE_STEP[] =
    "UPDATE credential SET totp_last_step = :step WHERE person_id = :person"
    " AND totp_enabled = 1 AND (totp_last_step IS NULL OR totp_last_step < :step)"
    " RETURNING person_id";
static const char SQL_TOTP_CLEAR[] =
    "UPDATE credential SET totp_secret = NULL, totp_enabled = 0, totp_last_step = NULL"
    " WHERE person_id = :person";
static const char SQL_PASSWORD_SET[] =
    "UPDATE credential SET password_hash = :hash, password_changed_at = :at"
    " WHERE person_id = :person RETURNING person_id";
static const char SQL_RECOVERY_DELETE[] = "DELETE FROM recovery_code WHERE person_id = :person";
static const char SQL_RECOVERY_INSERT[] =
    "INSERT INTO recovery_code (person_id, code_hash) VALUES (:person, :hash)";
static const char SQL_RECOVERY_USE[] =
    "UPDATE recovery_code SET used_at = :now WHERE person_id = :person AND code_hash = :hash"
    " AND used_at IS NULL RETURNING id";
static const char SQL_RECOVERY_LEFT[] =
    "SELECT count(*) FROM recovery_code WHERE person_id = :person AND used_at IS NULL";

/* ---- throttling ---- */

static const char SQL_FAILURE_GET[] =
    "SELECT failures, last_failure_at, blocked_until FROM login_failure WHERE key = :key";
static const char SQL_FAILURE_PUT[] =
    "INSERT INTO login_failure (key, failures, last_failure_at, blocked_until)"
    " VALUES (:key, :failures, :last, :blocked) ON CONFLICT (key) DO UPDATE SET"
    " failures = excluded.failures, last_failure_at = excluded.last_failure_at,"
    " blocked_until = excluded.blocked_until";
static const char SQL_FAILURE_DELETE[] = "DELETE FROM login_failure WHERE key = :key";
static const char SQL_FAILURE_PURGE[] =
    "DELETE FROM login_failure WHERE key LIKE 'address:%' AND last_failure_at < :cutoff";

/* ---- the person's own view ---- */

static const char SQL_ME[] =
    "SELECT p.user_id, p.name, p.email, o.code, o.name, COALESCE(c.totp_enabled, 0)"
    " FROM person p JOIN organisation o ON o.id = p.organisation_id"
    " LEFT JOIN credential c ON c.person_id = p.id WHERE p.id = :person";
static const char SQL_ME_ROLES[] =
    "SELECT ra.role, o.code FROM role_assignment ra"
    " JOIN organisation o ON o.id = ra.organisation_id WHERE ra.person_id = :person"
    " ORDER BY o.code, ra.role";
static const char SQL_ME_ORGANISATIONS[] =
    AUTHZ_SCOPE_CTE "SELECT o.code, o.name, o.kind, parent.code FROM organisation o"
                    " LEFT JOIN organisation parent ON parent.id = o.parent_id"
                    " WHERE o.id IN (SELECT org_id FROM scope) ORDER BY o.code";

/* ---- command-line accounts ---- */

static const char SQL_PERSON_FIND[] =
    "SELECT id, organisation_id FROM person WHERE user_id = :user_id";
static const char SQL_PERSON_EMAIL[] = "SELECT email FROM person WHERE id = :person";
static const char SQL_EMAIL_COUNT[] =
    "SELECT count(*) FROM person WHERE lower(email) = lower(:email)";
static const char SQL_PERSON_INSERT[] =
    "INSERT INTO person (user_id, name, email, organisation_id, created_at, updated_at)"
    " VALUES (:user_id, :name, :email, :org, :at, :at) RETURNING id";
static const char SQL_ROLE_INSERT[] =
    "INSERT INTO role_assignment (person_id, role, organisation_id, created_at)"
    " VALUES (:person, :role, :org, :at)";
static const char SQL_CREDENTIAL_INSERT[] =
    "INSERT INTO credential (person_id, password_hash, password_changed_at)"
    " VALUES (:person, :hash, :at)";

/* Copy a text column (NULL becomes "") into a bounded buffer. */
static int col_copy(struct db_stmt *st, int i, char *out, size_t outlen)
{
    const char *v = db_col_is_null(st, i) ? "" : db_col_text(st, i);
    return str_copy(out, outlen, v ? v : "");
}

static int login_row(struct db_stmt *st, struct auth_login_row *out)
{
    out->person_id = db_col_int(st, 0);
    out->disabled = db_col_int(st, 2) != 0;
    int rc = col_copy(st, 1, out->user_id, sizeof(out->user_id));
    if (!rc)
        rc = col_copy(st, 3, out->hash, sizeof(out->hash));
    return rc;
}

int auth_sql_login_find(struct db *db, const char *username, struct auth_login_row *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_LOGIN_BY_USER_ID, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":name", username);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW)
        rc = login_row(st, out);
    else if (rc == DB_DONE)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    if (rc != ERR_NOTFOUND)
        return rc;

    rc = db_prepare(db, SQL_LOGIN_BY_EMAIL, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":name", username);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        rc = login_row(st, out);
        /* An address two people share names neither of them. */
        if (!rc && db_step(st) != DB_DONE)
            rc = ERR_NOTFOUND;
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int auth_sql_mfa_needed(struct db *db, int64_t person_id, bool *enabled, bool *required)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_MFA_NEEDED, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        *enabled = db_col_int(st, 0) != 0;
        *required = db_col_int(st, 1) != 0;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int auth_sql_session_find(struct db *db, const char *hash, const char *now, const char *idle_cutoff,
                          const char *minute_ago, struct auth_session_row *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SESSION_FIND, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":hash", hash);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    if (!rc)
        rc = db_bind_text(st, ":idle_cutoff", idle_cutoff);
    if (!rc)
        rc = db_bind_text(st, ":minute_ago", minute_ago);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        out->id = db_col_int(st, 0);
        out->person_id = db_col_int(st, 1);
        out->mfa_passed = db_col_int(st, 2) != 0;
        out->touch_due = db_col_int(st, 4) != 0;
        rc = col_copy(st, 3, out->user_id, sizeof(out->user_id));
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int auth_sql_session_touch(struct db *db, int64_t id, const char *now, const char *minute_ago)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SESSION_TOUCH, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    if (!rc)
        rc = db_bind_text(st, ":minute_ago", minute_ago);
    return db_finish(st, rc);
}

int auth_sql_session_insert(struct db *db, const char *hash, int64_t person_id, bool mfa_passed,
                            const char *now, const char *expires, const char *address, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SESSION_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":hash", hash);
    if (!rc)
        rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_int(st, ":mfa", mfa_passed ? 1 : 0);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    if (!rc)
        rc = db_bind_text(st, ":expires", expires);
    if (!rc)
        rc = db_bind_text(st, ":address", address && *address ? address : NULL);
    return db_finish_int(st, rc, id);
}

int auth_sql_session_rotate(struct db *db, int64_t old_id, const char *hash, const char *now,
                            const char *address, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SESSION_ROTATE, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":hash", hash);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    if (!rc)
        rc = db_bind_text(st, ":address", address && *address ? address : NULL);
    if (!rc)
        rc = db_bind_int(st, ":old", old_id);
    rc = db_finish_int(st, rc, id);
    if (!rc)
        rc = auth_sql_session_delete(db, old_id);
    return rc;
}

int auth_sql_session_delete(struct db *db, int64_t id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SESSION_DELETE, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":id", id));
}

int auth_sql_session_delete_person(struct db *db, int64_t person_id, int64_t keep)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SESSION_DELETE_PERSON, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_int(st, ":keep", keep);
    return db_finish(st, rc);
}

int auth_sql_session_purge(struct db *db, const char *now, const char *idle_cutoff)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SESSION_PURGE, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":now", now);
    if (!rc)
        rc = db_bind_text(st, ":idle_cutoff", idle_cutoff);
    return db_finish(st, rc);
}

int auth_sql_credential(struct db *db, int64_t person_id, struct auth_credential_row *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_CREDENTIAL, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        rc = col_copy(st, 0, out->hash, sizeof(out->hash));
        if (!rc)
            rc = col_copy(st, 1, out->secret, sizeof(out->secret));
        out->enabled = db_col_int(st, 2) != 0;
        out->last_step = db_col_is_null(st, 3) ? -1 : db_col_int(st, 3);
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int auth_sql_totp_pending(struct db *db, int64_t person_id, const char *secret)
{
    struct db_stmt *st;
    int64_t id;
    int rc = db_prepare(db, SQL_TOTP_PENDING, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_text(st, ":secret", secret);
    rc = db_finish_int(st, rc, &id);
    return rc == ERR_NOTFOUND ? ERR_CONFLICT : rc;
}

int auth_sql_totp_enable(struct db *db, int64_t person_id, const char *secret, int64_t step)
{
    struct db_stmt *st;
    int64_t id;
    int rc = db_prepare(db, SQL_TOTP_ENABLE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_text(st, ":secret", secret);
    if (!rc)
        rc = db_bind_int(st, ":step", step);
    rc = db_finish_int(st, rc, &id);
    return rc == ERR_NOTFOUND ? ERR_CONFLICT : rc;
}

int auth_sql_totp_use_step(struct db *db, int64_t person_id, int64_t step)
{
    struct db_stmt *st;
    int64_t id;
    int rc = db_prepare(db, SQL_TOTP_USE_STEP, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_int(st, ":step", step);
    return db_finish_int(st, rc, &id);
}

int auth_sql_totp_clear(struct db *db, int64_t person_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TOTP_CLEAR, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":person", person_id));
}

int auth_sql_password_set(struct db *db, int64_t person_id, const char *hash, const char *at)
{
    struct db_stmt *st;
    int64_t id;
    int rc = db_prepare(db, SQL_PASSWORD_SET, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_text(st, ":hash", hash);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = db_finish_int(st, rc, &id);
    /* A person made elsewhere without a credential row gets one. */
    if (rc == ERR_NOTFOUND)
        rc = auth_sql_credential_insert(db, person_id, hash, at);
    return rc;
}

int auth_sql_recovery_delete(struct db *db, int64_t person_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RECOVERY_DELETE, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":person", person_id));
}

int auth_sql_recovery_insert(struct db *db, int64_t person_id, const char *hash)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RECOVERY_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_text(st, ":hash", hash);
    return db_finish(st, rc);
}

int auth_sql_recovery_use(struct db *db, int64_t person_id, const char *hash, const char *now)
{
    struct db_stmt *st;
    int64_t id;
    int rc = db_prepare(db, SQL_RECOVERY_USE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_text(st, ":hash", hash);
    if (!rc)
        rc = db_bind_text(st, ":now", now);
    return db_finish_int(st, rc, &id);
}

int auth_sql_recovery_left(struct db *db, int64_t person_id, int64_t *left)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RECOVERY_LEFT, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_int(st, ":person", person_id), left);
}

int auth_sql_failure_get(struct db *db, const char *key, int64_t *failures,
                         char last[CLOCK_ISO_LEN], char blocked[CLOCK_ISO_LEN])
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_FAILURE_GET, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":key", key);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        *failures = db_col_int(st, 0);
        rc = col_copy(st, 1, last, CLOCK_ISO_LEN);
        if (!rc)
            rc = col_copy(st, 2, blocked, CLOCK_ISO_LEN);
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int auth_sql_failure_put(struct db *db, const char *key, int64_t failures, const char *last,
                         const char *blocked)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_FAILURE_PUT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":key", key);
    if (!rc)
        rc = db_bind_int(st, ":failures", failures);
    if (!rc)
        rc = db_bind_text(st, ":last", last);
    if (!rc)
        rc = db_bind_text(st, ":blocked", blocked);
    return db_finish(st, rc);
}

int auth_sql_failure_delete(struct db *db, const char *key)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_FAILURE_DELETE, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_text(st, ":key", key));
}

int auth_sql_failure_purge_addresses(struct db *db, const char *cutoff)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_FAILURE_PURGE, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_text(st, ":cutoff", cutoff));
}

static json_t *text_or_null(struct db_stmt *st, int i)
{
    return db_col_is_null(st, i) ? json_null() : json_string(db_col_text(st, i));
}

int auth_sql_me(struct db *db, int64_t person_id, json_t *me)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ME, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        json_object_set_new(me, "user_id", text_or_null(st, 0));
        json_object_set_new(me, "name", text_or_null(st, 1));
        json_object_set_new(me, "email", text_or_null(st, 2));
        json_object_set_new(
            me, "organisation",
            json_pack("{s:o, s:o}", "code", text_or_null(st, 3), "name", text_or_null(st, 4)));
        json_object_set_new(me, "mfa_enabled", json_boolean(db_col_int(st, 5) != 0));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int auth_sql_me_roles(struct db *db, int64_t person_id, json_t *roles)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ME_ROLES, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        json_array_append_new(roles, json_pack("{s:o, s:o}", "role", text_or_null(st, 0),
                                               "organisation", text_or_null(st, 1)));
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int auth_sql_me_organisations(struct db *db, int64_t person_id, json_t *orgs)
{
    struct db_stmt *st;
    struct caller c = {.kind = CALLER_SESSION, .person_id = person_id};
    int rc = db_prepare(db, SQL_ME_ORGANISATIONS, &st);
    if (rc)
        return rc;
    /* Every role: the organisations the person reaches with any of them. */
    rc = authz_bind_scope(st, &c, (1u << ROLE_COUNT) - 1);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        json_array_append_new(orgs,
                              json_pack("{s:o, s:o, s:o, s:o}", "code", text_or_null(st, 0), "name",
                                        text_or_null(st, 1), "kind", text_or_null(st, 2),
                                        "parent_code", text_or_null(st, 3)));
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int auth_sql_person_find(struct db *db, const char *user_id, int64_t *id, int64_t *org_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_FIND, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":user_id", user_id);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_col_int(st, 0);
        *org_id = db_col_int(st, 1);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int auth_sql_person_email(struct db *db, int64_t person_id, char *out, size_t outlen)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_EMAIL, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_step(st);
    if (rc == DB_ROW)
        rc = col_copy(st, 0, out, outlen);
    else if (rc == DB_DONE)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    return rc;
}

int auth_sql_email_count(struct db *db, const char *email, int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_EMAIL_COUNT, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_text(st, ":email", email), count);
}

int auth_sql_person_insert(struct db *db, const char *user_id, const char *name, const char *email,
                           int64_t org_id, const char *at, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":user_id", user_id);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    if (!rc)
        rc = db_bind_text(st, ":email", email);
    if (!rc)
        rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int auth_sql_role_insert(struct db *db, int64_t person_id, const char *role, int64_t org_id,
                         const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ROLE_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_text(st, ":role", role);
    if (!rc)
        rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int auth_sql_credential_insert(struct db *db, int64_t person_id, const char *hash, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_CREDENTIAL_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_text(st, ":hash", hash);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}
