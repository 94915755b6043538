/* All SQL of the demo module. */
#include "demo/demo_sql.h"
#include "core/err.h"
#include "db/db.h"

static const char SQL_ORG_ID[] = "SELECT id FROM organisation WHERE code = :code";
static const char SQL_ORG_INSERT[] =
    "INSERT INTO organisation (code, name, kind, parent_id, org_number, created_at, updated_at)"
    " VALUES (:code, :name, :kind, :parent_id, :org_number, :at, :at)";
static const char SQL_PERSON_ID[] = "SELECT id FROM person WHERE user_id = :user_id";
static const char SQL_PERSON_INSERT[] =
    "INSERT INTO person (user_id, name, email, organisation_id, manager_id, employment_start,"
    " employment_end, privileged, created_at, updated_at)"
    " VALUES (:user_id, :name, :email, :org_id, :manager_id, :start, :end, :privileged, :at, :at)";
static const char SQL_ROLE_INSERT[] =
    "INSERT INTO role_assignment (person_id, role, organisation_id, created_at)"
    " VALUES (:person_id, :role, :org_id, :at)";
static const char SQL_CREDENTIAL_INSERT[] =
    "INSERT INTO credential (person_id, password_hash, password_changed_at)"
    " VALUES (:person_id, :hash, :at)";

int demo_sql_org_id(struct db *db, const char *code, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_ID, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_text(st, ":code", code), id);
}

int demo_sql_person_id(struct db *db, const char *user_id, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_ID, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_text(st, ":user_id", user_id), id);
}

int demo_sql_org_insert(struct db *db, const char *code, const char *name, const char *kind,
                        int64_t parent_id, const char *org_number, const char *at, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":code", code);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    if (!rc)
        rc = db_bind_text(st, ":kind", kind);
    if (!rc)
        rc = parent_id ? db_bind_int(st, ":parent_id", parent_id) : db_bind_null(st, ":parent_id");
    if (!rc)
        rc = db_bind_text(st, ":org_number", org_number);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = db_finish(st, rc);
    return rc ? rc : demo_sql_org_id(db, code, id);
}

int demo_sql_person_insert(struct db *db, const char *user_id, const char *name, const char *email,
                           int64_t org_id, int64_t manager_id, const char *start, const char *end,
                           bool privileged, const char *at, int64_t *id)
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
        rc = db_bind_int(st, ":org_id", org_id);
    if (!rc)
        rc = manager_id ? db_bind_int(st, ":manager_id", manager_id)
                        : db_bind_null(st, ":manager_id");
    if (!rc)
        rc = db_bind_text(st, ":start", start);
    if (!rc)
        rc = db_bind_text(st, ":end", end);
    if (!rc)
        rc = db_bind_int(st, ":privileged", privileged ? 1 : 0);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = db_finish(st, rc);
    return rc ? rc : demo_sql_person_id(db, user_id, id);
}

int demo_sql_role_insert(struct db *db, int64_t person_id, const char *role, int64_t org_id,
                         const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ROLE_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person_id", person_id);
    if (!rc)
        rc = db_bind_text(st, ":role", role);
    if (!rc)
        rc = db_bind_int(st, ":org_id", org_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int demo_sql_credential_insert(struct db *db, int64_t person_id, const char *password_hash,
                               const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_CREDENTIAL_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person_id", person_id);
    if (!rc)
        rc = db_bind_text(st, ":hash", password_hash);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}
