/* All SQL of the auth module: tokens and the first-run bootstrap. */
#include "auth/auth_sql.h"
#include "core/err.h"
#include "db/db.h"

static const char SQL_ORG_ID[] = "SELECT id FROM organisation WHERE code = :code";
static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_token (token_hash, name, organisation_id, role, created_at, created_by)"
    " VALUES (:hash, :name, :org, :role, :at, :actor) RETURNING id";
static const char SQL_TOKEN_FIND[] =
    "SELECT id FROM api_token WHERE token_hash = :hash AND revoked_at IS NULL";
static const char SQL_TOKEN_TOUCH[] =
    "UPDATE api_token SET last_used_at = :now"
    " WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :minute_ago)";
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

/* Step a statement expected to return one integer. */
static int one_int(struct db_stmt *st, int rc, int64_t *out)
{
    if (!rc) {
        rc = db_step(st);
        if (rc == DB_ROW) {
            *out = db_col_int(st, 0);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = ERR_NOTFOUND;
        }
    }
    db_finalize(st);
    return rc;
}

static int done(struct db_stmt *st, int rc)
{
    if (!rc)
        rc = db_step(st) == DB_DONE ? 0 : ERR_DB;
    db_finalize(st);
    return rc;
}

int auth_sql_org_id(struct db *db, const char *code, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_ID, &st);
    if (rc)
        return rc;
    return one_int(st, db_bind_text(st, ":code", code), id);
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
    return one_int(st, rc, id);
}

int auth_sql_token_find(struct db *db, const char *hash, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TOKEN_FIND, &st);
    if (rc)
        return rc;
    return one_int(st, db_bind_text(st, ":hash", hash), id);
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
    return done(st, rc);
}

int auth_sql_org_count(struct db *db, int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_COUNT, &st);
    if (rc)
        return rc;
    return one_int(st, 0, count);
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
    return one_int(st, rc, id);
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
    rc = one_int(st, rc, person_id);
    if (!rc)
        rc = db_prepare(db, SQL_BOOT_ROLE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", *person_id);
    if (!rc)
        rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = done(st, rc);
    if (!rc)
        rc = db_prepare(db, SQL_BOOT_CREDENTIAL, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", *person_id);
    if (!rc)
        rc = db_bind_text(st, ":hash", password_hash);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return done(st, rc);
}
