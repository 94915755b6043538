/* All SQL of the directory import; tenant reads start with AUTHZ_SCOPE_CTE. Portable SQL:
 * times are computed in C and compared as UTC ISO 8601 text. */
#include "access/directory_sql.h"
#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "core/err.h"
#include "db/db.h"

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

#define SOURCE_SELECT                                                                              \
    "SELECT d.id AS \"#id\", d.organisation_id AS _organisation_id, o.code AS organisation,"       \
    " d.name, d.uri, d.bind_dn, d.bind_password_env, d.base_dn, d.user_filter, d.group_filter,"    \
    " d.attributes, d.sync_interval, d.next_sync_at, d.created_at, d.updated_at"                   \
    " FROM directory_source d JOIN organisation o ON o.id = d.organisation_id"

static const char SQL_SOURCE_FIND[] =
    AUTHZ_SCOPE_CTE SOURCE_SELECT " WHERE d.id = :id AND " IN_REACH("d.organisation_id");
static const char SQL_SOURCE_BY_ID[] = SOURCE_SELECT " WHERE d.id = :id";
static const char SQL_SOURCE_LIST[] = AUTHZ_SCOPE_CTE SOURCE_SELECT
    " WHERE " IN_REACH("d.organisation_id") " AND d.id > :after_id ORDER BY d.id LIMIT :limit";
static const char SQL_SOURCES_NAMED[] =
    "SELECT d.id AS \"#id\", o.code AS organisation, d.name FROM directory_source d"
    " JOIN organisation o ON o.id = d.organisation_id WHERE d.name = :name"
    " AND (CAST(:org AS TEXT) IS NULL OR o.code = :org) ORDER BY d.id";
static const char SQL_SOURCE_TAKEN[] =
    "SELECT count(*) FROM directory_source WHERE organisation_id = :org AND name = :name"
    " AND id <> :except";
static const char SQL_SOURCE_INSERT[] =
    "INSERT INTO directory_source (organisation_id, name, uri, bind_dn, bind_password_env,"
    " base_dn, user_filter, group_filter, attributes, sync_interval, next_sync_at, created_at,"
    " updated_at) VALUES (:org, :name, :uri, :bind_dn, :env, :base_dn, :user_filter,"
    " :group_filter, :attributes, :interval, :next, :at, :at) RETURNING id";
static const char SQL_SOURCE_UPDATE[] =
    "UPDATE directory_source SET name = :name, uri = :uri, bind_dn = :bind_dn,"
    " bind_password_env = :env, base_dn = :base_dn, user_filter = :user_filter,"
    " group_filter = :group_filter, attributes = :attributes, sync_interval = :interval,"
    " next_sync_at = :next, updated_at = :at WHERE id = :id AND organisation_id = :org";
static const char SQL_SOURCE_NEXT[] =
    "UPDATE directory_source SET next_sync_at = :next WHERE id = :id";
static const char SQL_SOURCES_DUE[] =
    "SELECT id AS \"#id\", sync_interval FROM directory_source WHERE sync_interval IS NOT NULL"
    " AND next_sync_at IS NOT NULL AND next_sync_at <= :now ORDER BY next_sync_at, id";

static const char SQL_GROUPS[] =
    "SELECT g.group_dn, s.external_id AS system, e.name AS entitlement,"
    " s.id AS _system_id, e.id AS _entitlement_id FROM directory_group_map g"
    " JOIN entitlement e ON e.id = g.entitlement_id JOIN system s ON s.id = e.system_id"
    " WHERE g.source_id = :source ORDER BY g.group_dn, s.external_id, e.name";
static const char SQL_GROUPS_CLEAR[] = "DELETE FROM directory_group_map WHERE source_id = :source";
static const char SQL_GROUP_ADD[] =
    "INSERT INTO directory_group_map (source_id, group_dn, entitlement_id)"
    " VALUES (:source, :dn, :entitlement) ON CONFLICT DO NOTHING";
static const char SQL_ENTITLEMENT_FIND[] =
    "SELECT id FROM entitlement WHERE system_id = :system AND name = :name";
static const char SQL_ENTITLEMENT_INSERT[] =
    "INSERT INTO entitlement (system_id, name, description, privileged, created_at)"
    " VALUES (:system, :name, '', 0, :at) RETURNING id";

#define ORG_BELOW                                                                                  \
    "WITH RECURSIVE below(id) AS (SELECT CAST(:org AS INTEGER)"                                    \
    " UNION SELECT o.id FROM organisation o JOIN below b ON o.parent_id = b.id) "
static const char SQL_PEOPLE_BY_USER_ID[] =
    ORG_BELOW "SELECT lower(user_id), id FROM person"
              " WHERE organisation_id IN (SELECT id FROM below) ORDER BY id DESC";
static const char SQL_PEOPLE_BY_EMAIL[] =
    ORG_BELOW "SELECT lower(email), id FROM person"
              " WHERE organisation_id IN (SELECT id FROM below) ORDER BY id DESC";

#define SYNC_SELECT                                                                                \
    "SELECT id AS \"#id\", source_id AS _source_id, status, requested_by, started_at,"             \
    " finished_at, error, accounts_new AS \"#accounts_new\","                                      \
    " accounts_removed AS \"#accounts_removed\", accounts_changed AS \"#accounts_changed\","       \
    " grants_new AS \"#grants_new\", grants_removed AS \"#grants_removed\" FROM directory_sync"

static const char SQL_SYNC_INSERT[] =
    "INSERT INTO directory_sync (source_id, status, requested_by, started_at)"
    " VALUES (:source, 'queued', :actor, :at) RETURNING id";
static const char SQL_SYNC_BY_ID[] = SYNC_SELECT " WHERE id = :id";
static const char SQL_SYNC_ACTIVE[] =
    "SELECT id FROM directory_sync WHERE source_id = :source AND status IN ('queued', 'running')"
    " ORDER BY id LIMIT 1";
static const char SQL_SYNC_CLAIM[] =
    "UPDATE directory_sync SET status = 'running', started_at = :at WHERE id = :id"
    " AND status = 'queued' RETURNING id";
static const char SQL_SYNC_DONE[] =
    "UPDATE directory_sync SET status = 'done', finished_at = :at, error = NULL,"
    " accounts_new = :an, accounts_removed = :ar, accounts_changed = :ac, grants_new = :gn,"
    " grants_removed = :gr WHERE id = :id";
static const char SQL_SYNC_FAILED[] =
    "UPDATE directory_sync SET status = 'failed', finished_at = :at, error = :error,"
    " accounts_new = 0, accounts_removed = 0, accounts_changed = 0, grants_new = 0,"
    " grants_removed = 0 WHERE id = :id";
static const char SQL_SYNC_LAST[] =
    "SELECT id FROM directory_sync WHERE source_id = :source ORDER BY id DESC LIMIT 1";
static const char SQL_SYNC_NEXT[] =
    "SELECT id FROM directory_sync WHERE status = 'queued' ORDER BY id LIMIT 1";
static const char SQL_SYNC_RECOVER[] =
    "UPDATE directory_sync SET status = 'failed', finished_at = :at, error = :error"
    " WHERE status = 'running'";
static const char SQL_SYNC_LIST[] = SYNC_SELECT
    " WHERE source_id = :source AND (:before = 0 OR id < :before) ORDER BY id DESC LIMIT :limit";
static const char SQL_CHANGES[] =
    "SELECT c.change, c.object, s.external_id AS system, c.username, c.entitlement, c.detail"
    " FROM directory_sync_change c JOIN system s ON s.id = c.system_id WHERE c.sync_id = :sync"
    " AND (CAST(:change AS TEXT) IS NULL OR c.change = :change)"
    " ORDER BY c.object, s.external_id, c.username, c.entitlement, c.change"
    " LIMIT :limit OFFSET :offset";

int dir_sql_source_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SOURCE_FIND, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return cat_one_row(st, rc, out);
}

int dir_sql_source_by_id(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SOURCE_BY_ID, &st);
    if (rc)
        return rc;
    return cat_one_row(st, db_bind_int(st, ":id", id), out);
}

int dir_sql_source_list(struct db *db, const struct org_actor *who, int64_t after_id, int limit,
                        json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SOURCE_LIST, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":after_id", after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", limit);
    return cat_all_rows(st, rc, items);
}

int dir_sql_sources_named(struct db *db, const char *name, const char *org, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SOURCES_NAMED, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":name", name);
    if (!rc)
        rc = db_bind_text(st, ":org", org);
    return cat_all_rows(st, rc, items);
}

int dir_sql_source_taken(struct db *db, int64_t org_id, const char *name, int64_t except_id,
                         bool *taken)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_SOURCE_TAKEN, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    if (!rc)
        rc = db_bind_int(st, ":except", except_id);
    rc = db_finish_int(st, rc, &n);
    *taken = n > 0;
    return rc;
}

static int bind_source(struct db_stmt *st, const struct dir_source_write *w, const char *at)
{
    int rc = db_bind_int(st, ":org", w->organisation_id);
    if (!rc)
        rc = db_bind_text(st, ":name", w->name);
    if (!rc)
        rc = db_bind_text(st, ":uri", w->uri);
    if (!rc)
        rc = db_bind_text(st, ":bind_dn", w->bind_dn);
    if (!rc)
        rc = db_bind_text(st, ":env", w->bind_password_env);
    if (!rc)
        rc = db_bind_text(st, ":base_dn", w->base_dn);
    if (!rc)
        rc = db_bind_text(st, ":user_filter", w->user_filter);
    if (!rc)
        rc = db_bind_text(st, ":group_filter", w->group_filter);
    if (!rc)
        rc = db_bind_text(st, ":attributes", w->attributes);
    if (!rc)
        rc = db_bind_text(st, ":interval", w->sync_interval);
    if (!rc)
        rc = db_bind_text(st, ":next", w->next_sync_at);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return rc;
}

int dir_sql_source_insert(struct db *db, struct dir_source_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SOURCE_INSERT, &st);
    if (rc)
        return rc;
    return db_finish_int(st, bind_source(st, w, at), &w->id);
}

int dir_sql_source_update(struct db *db, const struct dir_source_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SOURCE_UPDATE, &st);
    if (rc)
        return rc;
    rc = bind_source(st, w, at);
    if (!rc)
        rc = db_bind_int(st, ":id", w->id);
    return db_finish(st, rc);
}

int dir_sql_source_next_set(struct db *db, int64_t id, const char *next_sync_at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SOURCE_NEXT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":next", next_sync_at);
    return db_finish(st, rc);
}

int dir_sql_sources_due(struct db *db, const char *now, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SOURCES_DUE, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_text(st, ":now", now), items);
}

int dir_sql_groups(struct db *db, int64_t source_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_GROUPS, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_int(st, ":source", source_id), items);
}

int dir_sql_groups_clear(struct db *db, int64_t source_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_GROUPS_CLEAR, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":source", source_id));
}

int dir_sql_group_add(struct db *db, int64_t source_id, const char *group_dn,
                      int64_t entitlement_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_GROUP_ADD, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":source", source_id);
    if (!rc)
        rc = db_bind_text(st, ":dn", group_dn);
    if (!rc)
        rc = db_bind_int(st, ":entitlement", entitlement_id);
    return db_finish(st, rc);
}

int dir_sql_entitlement_ensure(struct db *db, int64_t system_id, const char *name, const char *at,
                               int64_t *id, bool *created)
{
    struct db_stmt *st;
    *created = false;
    int rc = db_prepare(db, SQL_ENTITLEMENT_FIND, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    rc = db_finish_int(st, rc, id);
    if (rc != ERR_NOTFOUND)
        return rc;
    rc = db_prepare(db, SQL_ENTITLEMENT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = db_finish_int(st, rc, id);
    *created = rc == 0;
    return rc;
}

int dir_sql_people(struct db *db, int64_t org_id, bool by_email, json_t *map)
{
    struct db_stmt *st;
    int rc = db_prepare(db, by_email ? SQL_PEOPLE_BY_EMAIL : SQL_PEOPLE_BY_USER_ID, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    /* The lowest id is read last, so that it wins when two people share a key in lower case. */
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        const char *key = db_col_text(st, 0);
        rc = key && json_object_set_new(map, key, json_integer(db_col_int(st, 1))) ? ERR_NOMEM : 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int dir_sql_sync_insert(struct db *db, int64_t source_id, const char *actor, const char *at,
                        int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYNC_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":source", source_id);
    if (!rc)
        rc = db_bind_text(st, ":actor", actor);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int dir_sql_sync_by_id(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYNC_BY_ID, &st);
    if (rc)
        return rc;
    return cat_one_row(st, db_bind_int(st, ":id", id), out);
}

static int one_id(struct db *db, const char *sql, const char *name, int64_t value, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    if (name)
        rc = db_bind_int(st, name, value);
    rc = db_finish_int(st, rc, id);
    if (rc == ERR_NOTFOUND) {
        *id = 0;
        rc = 0;
    }
    return rc;
}

int dir_sql_sync_active(struct db *db, int64_t source_id, int64_t *id)
{
    return one_id(db, SQL_SYNC_ACTIVE, ":source", source_id, id);
}

int dir_sql_sync_last(struct db *db, int64_t source_id, int64_t *id)
{
    return one_id(db, SQL_SYNC_LAST, ":source", source_id, id);
}

int dir_sql_sync_next(struct db *db, int64_t *id)
{
    return one_id(db, SQL_SYNC_NEXT, NULL, 0, id);
}

int dir_sql_sync_claim(struct db *db, int64_t id, const char *at, bool *claimed)
{
    struct db_stmt *st;
    int64_t got = 0;
    int rc = db_prepare(db, SQL_SYNC_CLAIM, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    rc = db_finish_int(st, rc, &got);
    *claimed = rc == 0 && got == id;
    return rc == ERR_NOTFOUND ? 0 : rc;
}

int dir_sql_sync_done(struct db *db, int64_t id, const char *at, long an, long ar, long ac, long gn,
                      long gr)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYNC_DONE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    if (!rc)
        rc = db_bind_int(st, ":an", an);
    if (!rc)
        rc = db_bind_int(st, ":ar", ar);
    if (!rc)
        rc = db_bind_int(st, ":ac", ac);
    if (!rc)
        rc = db_bind_int(st, ":gn", gn);
    if (!rc)
        rc = db_bind_int(st, ":gr", gr);
    return db_finish(st, rc);
}

int dir_sql_sync_failed(struct db *db, int64_t id, const char *at, const char *error)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYNC_FAILED, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    if (!rc)
        rc = db_bind_text(st, ":error", error);
    return db_finish(st, rc);
}

int dir_sql_sync_recover(struct db *db, const char *at, const char *error)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYNC_RECOVER, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":at", at);
    if (!rc)
        rc = db_bind_text(st, ":error", error);
    return db_finish(st, rc);
}

int dir_sql_sync_list(struct db *db, int64_t source_id, int64_t before_id, int limit, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYNC_LIST, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":source", source_id);
    if (!rc)
        rc = db_bind_int(st, ":before", before_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", limit);
    return cat_all_rows(st, rc, items);
}

int dir_sql_changes(struct db *db, int64_t sync_id, const char *change, int64_t offset, int limit,
                    json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_CHANGES, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":sync", sync_id);
    if (!rc)
        rc = db_bind_text(st, ":change", change);
    if (!rc)
        rc = db_bind_int(st, ":offset", offset);
    if (!rc)
        rc = db_bind_int(st, ":limit", limit);
    return cat_all_rows(st, rc, items);
}
