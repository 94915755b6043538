/* All SQL of the org module; tenant reads start with AUTHZ_SCOPE_CTE. */
#include "org/org_sql.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

/* The actor's reach, for a column holding an organisation id. :everything is 1 only for the
 * command line (org_actor.everything); HTTP callers always bind 0 and get the scope. */
#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

#define ORG_SELECT                                                                                 \
    "SELECT o.id, o.code, o.name, o.kind, o.parent_id, p.code, o.org_number, o.mfa_required"       \
    " FROM organisation o LEFT JOIN organisation p ON p.id = o.parent_id"

#define PERSON_SELECT                                                                              \
    "SELECT pe.id, pe.user_id, pe.name, pe.email, pe.organisation_id, o.code, pe.manager_id,"      \
    " m.user_id, pe.employment_start, pe.employment_end, pe.privileged, pe.disabled, pe.title,"    \
    " pe.role_changed_at"                                                                          \
    " FROM person pe JOIN organisation o ON o.id = pe.organisation_id"                             \
    " LEFT JOIN person m ON m.id = pe.manager_id"

#define ASSIGNMENT_SELECT                                                                          \
    "SELECT ra.id, ra.person_id, pe.user_id, pe.name, ra.role, ra.organisation_id, o.code"         \
    " FROM role_assignment ra JOIN person pe ON pe.id = ra.person_id"                              \
    " JOIN organisation o ON o.id = ra.organisation_id"

static const char SQL_ORG_FIND[] =
    AUTHZ_SCOPE_CTE ORG_SELECT " WHERE o.code = :code AND " IN_REACH("o.id");
static const char SQL_ORG_BY_ID[] = ORG_SELECT " WHERE o.id = :id";
static const char SQL_ORG_LIST[] = AUTHZ_SCOPE_CTE ORG_SELECT " WHERE " IN_REACH(
    "o.id") " AND (CAST(:kind AS TEXT) IS NULL OR o.kind = :kind)"
            " AND (CAST(:parent AS TEXT) IS NULL OR p.code = :parent)"
            " AND (CAST(:like AS TEXT) IS NULL OR lower(o.code) LIKE :like ESCAPE '\\'"
            "      OR lower(o.name) LIKE :like ESCAPE '\\')"
            " AND (CAST(:after AS TEXT) IS NULL OR o.code > :after)"
            " ORDER BY o.code LIMIT :limit";
static const char SQL_ORG_CODE_TAKEN[] = "SELECT count(*) FROM organisation WHERE code = :code";
static const char SQL_ORG_NUMBER_OWNER[] =
    "SELECT code FROM organisation WHERE org_number = :org_number AND code <> :code";
static const char SQL_ORG_INSERT[] =
    "INSERT INTO organisation (code, name, kind, parent_id, org_number, mfa_required,"
    " created_at, updated_at)"
    " VALUES (:code, :name, :kind, :parent_id, :org_number, :mfa_required, :at, :at)"
    " RETURNING id";
static const char SQL_ORG_UPDATE[] =
    "UPDATE organisation SET name = :name, kind = :kind, parent_id = :parent_id,"
    " org_number = :org_number, mfa_required = :mfa_required, updated_at = :at WHERE id = :id";
/* UNION (not UNION ALL) ends the walk even if the data already held a cycle. */
static const char SQL_ORG_REACHES[] =
    "WITH RECURSIVE up(id) AS (SELECT CAST(:from AS INTEGER)"
    " UNION SELECT o.parent_id FROM organisation o JOIN up ON o.id = up.id"
    " WHERE o.parent_id IS NOT NULL)"
    " SELECT count(*) FROM up WHERE id = :target";
static const char SQL_ORG_TREE_CHILDREN[] =
    "SELECT count(*) FROM organisation WHERE parent_id = :id"
    " AND kind NOT IN ('supplier', 'external')";
static const char SQL_ADMIN_OVER[] =
    AUTHZ_SCOPE_CTE "SELECT count(*) FROM scope WHERE org_id = :org";

static const char SQL_PERSON_FIND[] = AUTHZ_SCOPE_CTE PERSON_SELECT
    " WHERE pe.user_id = :user_id AND " IN_REACH("pe.organisation_id");
static const char SQL_PERSON_LIST[] = AUTHZ_SCOPE_CTE PERSON_SELECT " WHERE " IN_REACH(
    "pe.organisation_id") " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = :organisation)"
                          " AND (CAST(:like AS TEXT) IS NULL OR lower(pe.user_id) LIKE :like "
                          "ESCAPE '\\'"
                          "      OR lower(pe.name) LIKE :like ESCAPE '\\' OR lower(pe.email) LIKE "
                          ":like ESCAPE '\\')"
                          " AND (CAST(:after AS TEXT) IS NULL OR pe.user_id > :after)"
                          " ORDER BY pe.user_id LIMIT :limit";
static const char SQL_PERSON_TAKEN[] = "SELECT count(*) FROM person WHERE user_id = :user_id";
static const char SQL_PERSON_INSERT[] =
    "INSERT INTO person (user_id, name, email, organisation_id, manager_id, employment_start,"
    " employment_end, privileged, disabled, title, role_changed_at, created_at, updated_at)"
    " VALUES (:user_id, :name, :email, :organisation_id, :manager_id, :employment_start,"
    " :employment_end, :privileged, :disabled, :title, :role_changed_at, :at, :at) RETURNING id";
static const char SQL_PERSON_UPDATE[] =
    "UPDATE person SET name = :name, email = :email, organisation_id = :organisation_id,"
    " manager_id = :manager_id, employment_start = :employment_start,"
    " employment_end = :employment_end, privileged = :privileged, disabled = :disabled,"
    " title = :title, role_changed_at = :role_changed_at, updated_at = :at WHERE id = :id";
static const char SQL_PERSON_REACHES[] =
    "WITH RECURSIVE up(id) AS (SELECT CAST(:from AS INTEGER)"
    " UNION SELECT p.manager_id FROM person p JOIN up ON p.id = up.id"
    " WHERE p.manager_id IS NOT NULL)"
    " SELECT count(*) FROM up WHERE id = :target";
static const char SQL_PERSON_ADMIN_ROLES[] =
    "SELECT count(*) FROM role_assignment WHERE person_id = :id AND role = 'administrator'";

static const char SQL_ASSIGNMENT_FIND[] =
    AUTHZ_SCOPE_CTE ASSIGNMENT_SELECT " WHERE ra.id = :id AND " IN_REACH("ra.organisation_id");
static const char SQL_ASSIGNMENT_LIST[] = AUTHZ_SCOPE_CTE ASSIGNMENT_SELECT " WHERE " IN_REACH(
    "ra.organisation_id") " AND (CAST(:person AS TEXT) IS NULL OR pe.user_id = :person)"
                          " AND (CAST(:organisation AS TEXT) IS NULL OR o.code = :organisation)"
                          " AND (CAST(:role AS TEXT) IS NULL OR ra.role = :role)"
                          " AND ra.id > :after_id ORDER BY ra.id LIMIT :limit";
static const char SQL_ASSIGNMENT_EXISTS[] =
    "SELECT count(*) FROM role_assignment"
    " WHERE person_id = :person_id AND role = :role AND organisation_id = :organisation_id";
static const char SQL_ASSIGNMENT_INSERT[] =
    "INSERT INTO role_assignment (person_id, role, organisation_id, created_at)"
    " VALUES (:person_id, :role, :organisation_id, :at) RETURNING id";
static const char SQL_ASSIGNMENT_DELETE[] = "DELETE FROM role_assignment WHERE id = :id";
static const char SQL_ACTIVE_ADMINS[] =
    "SELECT count(*) FROM role_assignment ra JOIN person p ON p.id = ra.person_id"
    " WHERE ra.role = 'administrator' AND p.disabled = 0";
static const char SQL_ROLE_LIST[] = "SELECT id, name_sv, name_en FROM role ORDER BY bit";

/* ---- helpers ---- */

static int bind_scope(struct db_stmt *st, const struct org_actor *who)
{
    static const struct caller nobody = {.kind = CALLER_ANONYMOUS};
    const struct caller *c = who->caller && !who->everything ? who->caller : &nobody;
    int rc = authz_bind_scope(st, c, who->everything ? 0 : who->roles);
    if (!rc)
        rc = db_bind_int(st, ":everything", who->everything ? 1 : 0);
    return rc;
}

/* Copy a text column into a bounded buffer; NULL becomes "". Longer than the buffer is a
 * database error: the data breaks the limits every writer keeps. */
static int col_copy(struct db_stmt *st, int i, char *dst, size_t size)
{
    const char *s = db_col_text(st, i);
    return str_copy(dst, size, s ? s : "") ? ERR_DB : 0;
}

#define COL(st, i, field) col_copy((st), (i), (field), sizeof(field))

static int read_org(struct db_stmt *st, struct org_row *r)
{
    r->id = db_col_int(st, 0);
    r->parent_id = db_col_is_null(st, 4) ? 0 : db_col_int(st, 4);
    r->mfa_required = db_col_int(st, 7) != 0;
    int rc = COL(st, 1, r->code);
    if (!rc)
        rc = COL(st, 2, r->name);
    if (!rc)
        rc = COL(st, 3, r->kind);
    if (!rc)
        rc = COL(st, 5, r->parent_code);
    if (!rc)
        rc = COL(st, 6, r->org_number);
    return rc;
}

static int read_person(struct db_stmt *st, struct person_row *r)
{
    r->id = db_col_int(st, 0);
    r->organisation_id = db_col_int(st, 4);
    r->manager_id = db_col_is_null(st, 6) ? 0 : db_col_int(st, 6);
    r->privileged = db_col_int(st, 10) != 0;
    r->disabled = db_col_int(st, 11) != 0;
    int rc = COL(st, 1, r->user_id);
    if (!rc)
        rc = COL(st, 2, r->name);
    if (!rc)
        rc = COL(st, 3, r->email);
    if (!rc)
        rc = COL(st, 5, r->organisation);
    if (!rc)
        rc = COL(st, 7, r->manager_user_id);
    if (!rc)
        rc = COL(st, 8, r->employment_start);
    if (!rc)
        rc = COL(st, 9, r->employment_end);
    if (!rc)
        rc = COL(st, 12, r->title);
    if (!rc)
        rc = COL(st, 13, r->role_changed_at);
    return rc;
}

static int read_assignment(struct db_stmt *st, struct role_assignment_row *r)
{
    r->id = db_col_int(st, 0);
    r->person_id = db_col_int(st, 1);
    r->organisation_id = db_col_int(st, 5);
    int rc = COL(st, 2, r->user_id);
    if (!rc)
        rc = COL(st, 3, r->person_name);
    if (!rc)
        rc = COL(st, 4, r->role);
    if (!rc)
        rc = COL(st, 6, r->organisation);
    return rc;
}

/* Step a statement expected to give one row, read by fn; no row is ERR_NOTFOUND. */
static int one_row(struct db_stmt *st, int rc, int (*fn)(struct db_stmt *, void *), void *out)
{
    if (!rc) {
        rc = db_step(st);
        if (rc == DB_ROW)
            rc = fn(st, out);
        else if (rc == DB_DONE)
            rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

static int read_org_cb(struct db_stmt *st, void *out)
{
    return read_org(st, out);
}

static int read_person_cb(struct db_stmt *st, void *out)
{
    return read_person(st, out);
}

static int read_assignment_cb(struct db_stmt *st, void *out)
{
    return read_assignment(st, out);
}

static int bind_opt(struct db_stmt *st, const char *name, const char *value)
{
    return db_bind_text(st, name, value); /* NULL binds null */
}

static int count_is_positive(struct db_stmt *st, int rc, bool *yes)
{
    int64_t n = 0;
    rc = db_finish_int(st, rc, &n);
    *yes = n > 0;
    return rc;
}

/* ---- organisations ---- */

int org_sql_org_find(struct db *db, const struct org_actor *who, const char *code,
                     struct org_row *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_FIND, &st);
    if (rc)
        return rc;
    rc = bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":code", code);
    return one_row(st, rc, read_org_cb, out);
}

int org_sql_org_by_id(struct db *db, int64_t id, struct org_row *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_BY_ID, &st);
    if (rc)
        return rc;
    return one_row(st, db_bind_int(st, ":id", id), read_org_cb, out);
}

int org_sql_org_list(struct db *db, const struct org_actor *who, const struct org_sql_filter *f,
                     org_sql_each_org each, void *ctx)
{
    struct db_stmt *st;
    struct org_row row;
    int rc = db_prepare(db, SQL_ORG_LIST, &st);
    if (rc)
        return rc;
    rc = bind_scope(st, who);
    if (!rc)
        rc = bind_opt(st, ":kind", f->kind);
    if (!rc)
        rc = bind_opt(st, ":parent", f->parent);
    if (!rc)
        rc = bind_opt(st, ":like", f->like);
    if (!rc)
        rc = bind_opt(st, ":after", f->after);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        memset(&row, 0, sizeof(row));
        rc = read_org(st, &row);
        if (!rc)
            rc = each(ctx, &row);
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int org_sql_org_code_taken(struct db *db, const char *code, bool *taken)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_CODE_TAKEN, &st);
    if (rc)
        return rc;
    return count_is_positive(st, db_bind_text(st, ":code", code), taken);
}

int org_sql_org_number_owner(struct db *db, const char *org_number, const char *code,
                             char owner[ORG_CODE_MAX + 1])
{
    struct db_stmt *st;
    owner[0] = '\0';
    int rc = db_prepare(db, SQL_ORG_NUMBER_OWNER, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":org_number", org_number);
    if (!rc)
        rc = db_bind_text(st, ":code", code);
    if (!rc) {
        rc = db_step(st);
        if (rc == DB_ROW)
            rc = col_copy(st, 0, owner, ORG_CODE_MAX + 1);
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

static int bind_org(struct db_stmt *st, const struct org_row *r, const char *at)
{
    int rc = db_bind_text(st, ":name", r->name);
    if (!rc)
        rc = db_bind_text(st, ":kind", r->kind);
    if (!rc)
        rc = r->parent_id ? db_bind_int(st, ":parent_id", r->parent_id)
                          : db_bind_null(st, ":parent_id");
    if (!rc)
        rc = db_bind_text(st, ":org_number", r->org_number);
    if (!rc)
        rc = db_bind_int(st, ":mfa_required", r->mfa_required ? 1 : 0);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return rc;
}

int org_sql_org_insert(struct db *db, struct org_row *r, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":code", r->code);
    if (!rc)
        rc = bind_org(st, r, at);
    return db_finish_int(st, rc, &r->id);
}

int org_sql_org_update(struct db *db, const struct org_row *r, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_UPDATE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", r->id);
    if (!rc)
        rc = bind_org(st, r, at);
    return db_finish(st, rc);
}

static int reaches(struct db *db, const char *sql, int64_t from, int64_t target, bool *yes)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":from", from);
    if (!rc)
        rc = db_bind_int(st, ":target", target);
    return count_is_positive(st, rc, yes);
}

int org_sql_org_reaches(struct db *db, int64_t from, int64_t target, bool *yes)
{
    return reaches(db, SQL_ORG_REACHES, from, target, yes);
}

int org_sql_org_tree_children(struct db *db, int64_t id, int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ORG_TREE_CHILDREN, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_int(st, ":id", id), count);
}

int org_sql_admin_over(struct db *db, const struct org_actor *who, int64_t org_id, bool *yes)
{
    struct db_stmt *st;
    *yes = who->everything;
    if (who->everything || !who->caller)
        return 0;
    int rc = db_prepare(db, SQL_ADMIN_OVER, &st);
    if (rc)
        return rc;
    rc = authz_bind_scope(st, who->caller, ROLE_ADMINISTRATOR);
    if (!rc)
        rc = db_bind_int(st, ":org", org_id);
    return count_is_positive(st, rc, yes);
}

/* ---- people ---- */

int org_sql_person_find(struct db *db, const struct org_actor *who, const char *user_id,
                        struct person_row *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_FIND, &st);
    if (rc)
        return rc;
    rc = bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":user_id", user_id);
    return one_row(st, rc, read_person_cb, out);
}

int org_sql_person_list(struct db *db, const struct org_actor *who, const struct org_sql_filter *f,
                        org_sql_each_person each, void *ctx)
{
    struct db_stmt *st;
    struct person_row row;
    int rc = db_prepare(db, SQL_PERSON_LIST, &st);
    if (rc)
        return rc;
    rc = bind_scope(st, who);
    if (!rc)
        rc = bind_opt(st, ":organisation", f->organisation);
    if (!rc)
        rc = bind_opt(st, ":like", f->like);
    if (!rc)
        rc = bind_opt(st, ":after", f->after);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        memset(&row, 0, sizeof(row));
        rc = read_person(st, &row);
        if (!rc)
            rc = each(ctx, &row);
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int org_sql_person_taken(struct db *db, const char *user_id, bool *taken)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_TAKEN, &st);
    if (rc)
        return rc;
    return count_is_positive(st, db_bind_text(st, ":user_id", user_id), taken);
}

static int bind_person(struct db_stmt *st, const struct person_row *r, const char *at)
{
    int rc = db_bind_text(st, ":name", r->name);
    if (!rc)
        rc = db_bind_text(st, ":email", r->email);
    if (!rc)
        rc = db_bind_int(st, ":organisation_id", r->organisation_id);
    if (!rc)
        rc = r->manager_id ? db_bind_int(st, ":manager_id", r->manager_id)
                           : db_bind_null(st, ":manager_id");
    if (!rc)
        rc = bind_opt(st, ":employment_start", r->employment_start[0] ? r->employment_start : NULL);
    if (!rc)
        rc = bind_opt(st, ":employment_end", r->employment_end[0] ? r->employment_end : NULL);
    if (!rc)
        rc = db_bind_int(st, ":privileged", r->privileged ? 1 : 0);
    if (!rc)
        rc = db_bind_int(st, ":disabled", r->disabled ? 1 : 0);
    if (!rc)
        rc = bind_opt(st, ":title", r->title[0] ? r->title : NULL);
    if (!rc)
        rc = bind_opt(st, ":role_changed_at", r->role_changed_at[0] ? r->role_changed_at : NULL);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return rc;
}

int org_sql_person_insert(struct db *db, struct person_row *r, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":user_id", r->user_id);
    if (!rc)
        rc = bind_person(st, r, at);
    return db_finish_int(st, rc, &r->id);
}

int org_sql_person_update(struct db *db, const struct person_row *r, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_UPDATE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", r->id);
    if (!rc)
        rc = bind_person(st, r, at);
    return db_finish(st, rc);
}

int org_sql_person_reaches(struct db *db, int64_t from, int64_t target, bool *yes)
{
    return reaches(db, SQL_PERSON_REACHES, from, target, yes);
}

int org_sql_person_admin_roles(struct db *db, int64_t person_id, int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_ADMIN_ROLES, &st);
    if (rc)
        return rc;
    return db_finish_int(st, db_bind_int(st, ":id", person_id), count);
}

/* ---- role assignments and roles ---- */

int org_sql_assignment_find(struct db *db, const struct org_actor *who, int64_t id,
                            struct role_assignment_row *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ASSIGNMENT_FIND, &st);
    if (rc)
        return rc;
    rc = bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return one_row(st, rc, read_assignment_cb, out);
}

int org_sql_assignment_list(struct db *db, const struct org_actor *who,
                            const struct org_sql_filter *f, org_sql_each_assignment each, void *ctx)
{
    struct db_stmt *st;
    struct role_assignment_row row;
    int rc = db_prepare(db, SQL_ASSIGNMENT_LIST, &st);
    if (rc)
        return rc;
    rc = bind_scope(st, who);
    if (!rc)
        rc = bind_opt(st, ":person", f->person);
    if (!rc)
        rc = bind_opt(st, ":organisation", f->organisation);
    if (!rc)
        rc = bind_opt(st, ":role", f->role);
    if (!rc)
        rc = db_bind_int(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        memset(&row, 0, sizeof(row));
        rc = read_assignment(st, &row);
        if (!rc)
            rc = each(ctx, &row);
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int org_sql_assignment_exists(struct db *db, int64_t person_id, const char *role, int64_t org_id,
                              bool *exists)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ASSIGNMENT_EXISTS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person_id", person_id);
    if (!rc)
        rc = db_bind_text(st, ":role", role);
    if (!rc)
        rc = db_bind_int(st, ":organisation_id", org_id);
    return count_is_positive(st, rc, exists);
}

int org_sql_assignment_insert(struct db *db, struct role_assignment_row *r, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ASSIGNMENT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person_id", r->person_id);
    if (!rc)
        rc = db_bind_text(st, ":role", r->role);
    if (!rc)
        rc = db_bind_int(st, ":organisation_id", r->organisation_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, &r->id);
}

int org_sql_assignment_delete(struct db *db, int64_t id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ASSIGNMENT_DELETE, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":id", id));
}

int org_sql_active_admins(struct db *db, int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACTIVE_ADMINS, &st);
    if (rc)
        return rc;
    return db_finish_int(st, 0, count);
}

int org_sql_role_list(struct db *db, org_sql_each_role each, void *ctx)
{
    struct db_stmt *st;
    struct role_row row;
    int rc = db_prepare(db, SQL_ROLE_LIST, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        rc = COL(st, 0, row.id);
        if (!rc)
            rc = COL(st, 1, row.name_sv);
        if (!rc)
            rc = COL(st, 2, row.name_en);
        if (!rc)
            rc = each(ctx, &row);
        if (rc)
            break;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}
