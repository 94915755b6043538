/* All SQL of the catalog: systems (their stored list items too) and components; tenant reads
 * start with AUTHZ_SCOPE_CTE, the list filters as cat_list.h says. */
#include "catalog/catalog_sql.h"
#include "catalog/cat_common.h"
#include "catalog/cat_list.h"
#include "catalog/catalog.h"
#include "core/json_write.h"
#include "core/err.h"
#include "core/str.h"
#include "core/buf.h"
#include "db/db.h"

#include <string.h>

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

#define SYSTEM_SELECT                                                                              \
    "SELECT s.id AS _id, s.organisation_id AS _organisation_id, s.owner_id AS _owner_id,"          \
    " s.administrator_id AS _administrator_id, s.supplier_id AS _supplier_id,"                     \
    " s.external_id, s.name, s.description, o.code AS organisation, ow.user_id AS system_owner,"   \
    " ad.user_id AS administrator, su.code AS supplier, s.lifecycle, s.hosting,"                   \
    " s.hosting_country, s.internet_facing AS \"?internet_facing\", s.sso AS \"?sso\","            \
    " s.mfa_enforced AS \"?mfa_enforced\", s.last_significant_change,"                             \
    " s.level_k AS \"#k\", s.level_r AS \"#r\", s.level_t AS \"#t\", s.level_max AS \"#level\","   \
    " CASE s.personal_level WHEN 2 THEN 'sensitive' WHEN 1 THEN 'personal' ELSE 'none' END"        \
    " AS personal_data, s.created_at, s.updated_at"                                                \
    " FROM system s JOIN organisation o ON o.id = s.organisation_id"                               \
    " JOIN person ow ON ow.id = s.owner_id LEFT JOIN person ad ON ad.id = s.administrator_id"      \
    " LEFT JOIN organisation su ON su.id = s.supplier_id"

static const char SQL_SYSTEM_FIND[] = AUTHZ_SCOPE_CTE SYSTEM_SELECT
    " WHERE s.external_id = :external_id AND " IN_REACH("s.organisation_id");
static const char SQL_SYSTEM_BY_ID[] = SYSTEM_SELECT " WHERE s.id = :id";
static const char SQL_SYSTEM_TAKEN[] =
    "SELECT count(*) FROM system WHERE external_id = :external_id";
static const char SQL_SYSTEM_INSERT[] =
    "INSERT INTO system (external_id, name, description, organisation_id, owner_id,"
    " administrator_id, supplier_id, lifecycle, hosting, hosting_country, internet_facing, sso,"
    " mfa_enforced, last_significant_change, created_at, updated_at)"
    " VALUES (:external_id, :name, :description, :organisation_id, :owner_id, :administrator_id,"
    " :supplier_id, :lifecycle, :hosting, :hosting_country, :internet_facing, :sso,"
    " :mfa_enforced, :last_significant_change, :at, :at) RETURNING id";
static const char SQL_SYSTEM_UPDATE[] =
    "UPDATE system SET name = :name, description = :description,"
    " organisation_id = :organisation_id, owner_id = :owner_id,"
    " administrator_id = :administrator_id, supplier_id = :supplier_id, lifecycle = :lifecycle,"
    " hosting = :hosting, hosting_country = :hosting_country, internet_facing = :internet_facing,"
    " sso = :sso, mfa_enforced = :mfa_enforced,"
    " last_significant_change = :last_significant_change, updated_at = :at"
    " WHERE id = :id AND external_id = :external_id";
/* UNION (not UNION ALL) ends the walk even if the data already held a cycle. */
static const char SQL_HOLDS_ROLE[] =
    "WITH RECURSIVE up(id) AS (SELECT CAST(:org AS INTEGER)"
    " UNION SELECT o.parent_id FROM organisation o JOIN up ON o.id = up.id"
    " WHERE o.parent_id IS NOT NULL)"
    " SELECT count(*) FROM role_assignment ra JOIN person p ON p.id = ra.person_id"
    " WHERE ra.person_id = :person AND ra.role = :role AND p.disabled = 0"
    " AND ra.organisation_id IN (SELECT id FROM up)";

#define COMPONENT_SELECT                                                                           \
    "SELECT c.id AS \"#id\", c.system_id AS _system_id, c.kind, c.name, c.vendor, c.product,"      \
    " c.version, c.cpe, c.licence_count AS \"#licence_count\","                                    \
    " c.licences_in_use AS \"#licences_in_use\", c.licence_expiry,"                                \
    " c.licence_cost AS \"#licence_cost\", c.end_of_support, c.created_at, c.updated_at"           \
    " FROM component c"

static const char SQL_COMPONENT_LIST[] =
    COMPONENT_SELECT " WHERE c.system_id = :system_id ORDER BY c.kind, c.name, c.id";
static const char SQL_COMPONENT_FIND[] =
    COMPONENT_SELECT " WHERE c.system_id = :system_id AND c.id = :id";
static const char SQL_COMPONENT_INSERT[] =
    "INSERT INTO component (system_id, kind, name, vendor, product, version, cpe,"
    " licence_count, licences_in_use, licence_expiry, licence_cost, end_of_support, created_at,"
    " updated_at) VALUES (:system_id, :kind, :name, :vendor, :product, :version, :cpe,"
    " :licence_count, :licences_in_use, :licence_expiry, :licence_cost, :end_of_support, :at,"
    " :at) RETURNING id";
static const char SQL_COMPONENT_UPDATE[] =
    "UPDATE component SET kind = :kind, name = :name, vendor = :vendor, product = :product,"
    " version = :version, cpe = :cpe, licence_count = :licence_count,"
    " licences_in_use = :licences_in_use, licence_expiry = :licence_expiry,"
    " licence_cost = :licence_cost, end_of_support = :end_of_support, updated_at = :at"
    " WHERE id = :id AND system_id = :system_id RETURNING id";
static const char SQL_COMPONENT_DELETE[] = "DELETE FROM component WHERE id = :id";

/* ---- helpers ---- */

static int bind_id(struct db_stmt *st, const char *name, int64_t id)
{
    return id ? db_bind_int(st, name, id) : db_bind_null(st, name);
}

/* ---- systems ---- */

int cat_sql_system_find(struct db *db, const struct org_actor *who, const char *external_id,
                        json_t **out)
{
    return cat_row_scoped(db, SQL_SYSTEM_FIND, who, ":external_id", 0, external_id, out);
}

int cat_sql_system_by_id(struct db *db, int64_t id, json_t **out)
{
    return cat_row_by_id(db, SQL_SYSTEM_BY_ID, id, out);
}

/* ---- the systems list ----
 * Its statement is put together from the filters given, so that a row is tested against those
 * only (an absent filter written as "(:x IS NULL OR ...)" still costs every row its test), and
 * filters on the caller's reach as cat_list.h says. A JSON page reads the stored items
 * (system.list_item), an export the columns. The statement cache keeps each form prepared. */

/* A list item's members, in order (its level_name_sv is added by item_tail). */
#define SYSTEM_ITEM_COLUMNS                                                                        \
    " s.external_id, s.name, s.description,"                                                       \
    " o.code AS organisation, ow.user_id AS system_owner, ad.user_id AS administrator,"            \
    " su.code AS supplier, s.lifecycle, s.hosting, s.hosting_country,"                             \
    " s.internet_facing AS \"?internet_facing\", s.sso AS \"?sso\","                               \
    " s.mfa_enforced AS \"?mfa_enforced\", s.last_significant_change,"                             \
    " s.level_k AS \"#k\", s.level_r AS \"#r\", s.level_t AS \"#t\", s.level_max AS \"#level\","   \
    " CASE s.personal_level WHEN 2 THEN 'sensitive' WHEN 1 THEN 'personal' ELSE 'none' END"        \
    " AS personal_data, s.created_at, s.updated_at"                                                \
    " FROM system s JOIN organisation o ON o.id = s.organisation_id"                               \
    " JOIN person ow ON ow.id = s.owner_id LEFT JOIN person ad ON ad.id = s.administrator_id"      \
    " LEFT JOIN organisation su ON su.id = s.supplier_id"

/* The list from the columns (exports). Only _organisation_id of the hidden columns is read:
 * SQLite computes every column of the select for every row. */
#define SYSTEM_LIST_SELECT "SELECT s.organisation_id AS _organisation_id," SYSTEM_ITEM_COLUMNS
/* The list from the stored items (JSON pages): the cursor's columns hidden, and organisation
 * and person joined only for a filter on them. */
#define SYSTEM_STORED_SELECT                                                                       \
    "SELECT s.id AS _id, s.organisation_id AS _organisation_id, s.external_id AS _external_id,"    \
    " s.name AS _name, s.list_item AS \"=item\" FROM system s"

/* The item's last member, the Swedish name of its level (0 when null, as
 * json_integer_value gives for the collected path's null). */
static int item_tail(struct buf *b, struct db_stmt *st, const int *cols)
{
    static const char key[] = ",\"level_name_sv\":";
    int level = cols[0] >= 0 ? (int)db_col_int(st, cols[0]) : 0; /* NULL reads as 0 */
    int rc = jw_put(b, key, sizeof(key) - 1);
    return rc ? rc : jw_string(b, cat_level_name_sv(level));
}

static const struct cat_item_kind system_item = {
    .one = "SELECT s.id AS _id," SYSTEM_ITEM_COLUMNS " WHERE s.id = :id",
    .batch =
        "SELECT s.id AS _id," SYSTEM_ITEM_COLUMNS " WHERE s.id > :after ORDER BY s.id LIMIT :n",
    .batch_missing = "SELECT s.id AS _id," SYSTEM_ITEM_COLUMNS
                     " WHERE s.id > :after AND s.list_item IS NULL ORDER BY s.id LIMIT :n",
    .store = "UPDATE system SET list_item = :item WHERE id = :id",
    .tail = item_tail,
    .tail_cols = {"#level"},
};

int system_item_render(struct db *db, int64_t id)
{
    return cat_item_render(db, &system_item, id);
}

int system_items_render(struct db *db, bool missing_only, int *count)
{
    return cat_items_render(db, &system_item, missing_only, count);
}

/* The statement's text for filter f in reach r; from the stored items or from the columns. */
static int list_sql(struct buf *b, const void *filter, const struct cat_reach *r, bool stored)
{
    const struct system_filter *f = filter;
    int rc = cat_list_sql_head(b, r, stored ? SYSTEM_STORED_SELECT : SYSTEM_LIST_SELECT, stored,
                               's', &f->list);
    if (!rc && f->lifecycle)
        rc = buf_append_str(b, " AND s.lifecycle = :lifecycle");
    if (!rc && f->level > 0)
        rc = buf_append_str(b, " AND s.level_max >= :level");
    if (!rc && f->personal >= 0)
        rc = buf_append_str(b, " AND s.personal_level = :personal");
    if (!rc && f->mine)
        rc = buf_append_str(b, " AND (s.owner_id = :person OR s.administrator_id = :person)");
    return rc ? rc : cat_list_sql_tail(b, 's', &f->list);
}

static int list_bind(struct db_stmt *st, const void *filter, const struct cat_reach *r)
{
    const struct system_filter *f = filter;
    int rc = cat_list_bind_head(st, r, &f->list);
    if (!rc && f->lifecycle)
        rc = db_bind_text(st, ":lifecycle", f->lifecycle);
    if (!rc && f->level > 0)
        rc = db_bind_int(st, ":level", f->level);
    if (!rc && f->personal >= 0)
        rc = db_bind_int(st, ":personal", f->personal);
    if (!rc && f->mine)
        rc = db_bind_int(st, ":person", r->caller->person_id);
    return rc ? rc : cat_list_bind_tail(st, &f->list);
}

int cat_sql_system_list(struct db *db, const struct org_actor *who, const struct system_filter *f,
                        struct cat_page *pg)
{
    return cat_list_rows(db, who, &system_item, list_sql, list_bind, f, pg);
}

int cat_sql_system_taken(struct db *db, const char *external_id, bool *taken)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_SYSTEM_TAKEN, &st);
    if (rc)
        return rc;
    rc = db_finish_int(st, db_bind_text(st, ":external_id", external_id), &n);
    *taken = n > 0;
    return rc;
}

static int bind_system(struct db_stmt *st, const struct system_write *w, const char *at)
{
    int rc = db_bind_text(st, ":external_id", w->external_id);
    if (!rc)
        rc = db_bind_text(st, ":name", w->name);
    if (!rc)
        rc = db_bind_text(st, ":description", w->description ? w->description : "");
    if (!rc)
        rc = db_bind_int(st, ":organisation_id", w->organisation_id);
    if (!rc)
        rc = db_bind_int(st, ":owner_id", w->owner_id);
    if (!rc)
        rc = bind_id(st, ":administrator_id", w->administrator_id);
    if (!rc)
        rc = bind_id(st, ":supplier_id", w->supplier_id);
    if (!rc)
        rc = db_bind_text(st, ":lifecycle", w->lifecycle);
    if (!rc)
        rc = db_bind_text(st, ":hosting", w->hosting);
    if (!rc)
        rc = db_bind_text(st, ":hosting_country", w->hosting_country);
    if (!rc)
        rc = db_bind_int(st, ":internet_facing", w->internet_facing ? 1 : 0);
    if (!rc)
        rc = db_bind_int(st, ":sso", w->sso ? 1 : 0);
    if (!rc)
        rc = db_bind_int(st, ":mfa_enforced", w->mfa_enforced ? 1 : 0);
    if (!rc)
        rc = db_bind_text(st, ":last_significant_change", w->last_significant_change);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return rc;
}

int cat_sql_system_insert(struct db *db, struct system_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYSTEM_INSERT, &st);
    if (rc)
        return rc;
    rc = db_finish_int(st, bind_system(st, w, at), &w->id);
    return rc ? rc : system_item_render(db, w->id);
}

int cat_sql_system_update(struct db *db, const struct system_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYSTEM_UPDATE, &st);
    if (rc)
        return rc;
    rc = bind_system(st, w, at);
    if (!rc)
        rc = db_bind_int(st, ":id", w->id);
    rc = db_finish(st, rc);
    return rc ? rc : system_item_render(db, w->id);
}

int cat_sql_holds_role(struct db *db, int64_t person_id, const char *role, int64_t org_id,
                       bool *yes)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_HOLDS_ROLE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_text(st, ":role", role);
    rc = db_finish_int(st, rc, &n);
    *yes = n > 0;
    return rc;
}

/* ---- components ---- */

int cat_sql_component_list(struct db *db, int64_t system_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_COMPONENT_LIST, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_int(st, ":system_id", system_id), items);
}

int cat_sql_component_find(struct db *db, int64_t system_id, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_COMPONENT_FIND, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system_id", system_id);
    if (!rc)
        rc = db_bind_int(st, ":id", id);
    return cat_one_row(st, rc, out);
}

/* Bind the member name of c (":name") as text, integer or null. */
static int bind_member(struct db_stmt *st, json_t *c, const char *name)
{
    char param[40];
    json_t *v = json_object_get(c, name);
    if (str_format(param, sizeof(param), ":%s", name))
        return ERR_TOOBIG;
    if (json_is_integer(v))
        return db_bind_int(st, param, json_integer_value(v));
    return db_bind_text(st, param, json_string_value(v));
}

int cat_sql_component_save(struct db *db, int64_t system_id, json_t *c, const char *at, int64_t *id)
{
    static const char *const members[] = {
        "kind",           "name",         "vendor",         "product",
        "version",        "cpe",          "licence_count",  "licences_in_use",
        "licence_expiry", "licence_cost", "end_of_support", NULL};
    struct db_stmt *st;
    json_t *cid = json_object_get(c, "id");
    int rc = db_prepare(db, cid ? SQL_COMPONENT_UPDATE : SQL_COMPONENT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system_id", system_id);
    for (const char *const *m = members; !rc && *m; m++)
        rc = bind_member(st, c, *m);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    if (!rc && cid)
        rc = db_bind_int(st, ":id", json_integer_value(cid));
    return db_finish_int(st, rc, id);
}

int cat_sql_component_delete(struct db *db, int64_t id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_COMPONENT_DELETE, &st);
    if (rc)
        return rc;
    return db_finish(st, db_bind_int(st, ":id", id));
}

/* ---- organisations using a system, dependencies, supplier contracts ---- */

static const char SQL_USERS_OF[] = AUTHZ_SCOPE_CTE
    "SELECT o.code AS v FROM system_user_org u JOIN organisation o ON o.id = u.organisation_id"
    " WHERE u.system_id = :system_id AND " IN_REACH("o.id") " ORDER BY o.code";
static const char SQL_DEPS_OF[] = AUTHZ_SCOPE_CTE
    "SELECT d.external_id AS v FROM system_dependency sd JOIN system d ON d.id = sd.depends_on_id"
    " WHERE sd.system_id = :system_id AND " IN_REACH("d.organisation_id") " ORDER BY d.external_id";
static const char SQL_USER_EXISTS[] =
    "SELECT count(*) FROM system_user_org WHERE system_id = :a AND organisation_id = :b";
static const char SQL_USER_INSERT[] =
    "INSERT INTO system_user_org (system_id, organisation_id) VALUES (:a, :b)";
static const char SQL_USER_DELETE[] =
    "DELETE FROM system_user_org WHERE system_id = :a AND organisation_id = :b";
static const char SQL_DEP_EXISTS[] =
    "SELECT count(*) FROM system_dependency WHERE system_id = :a AND depends_on_id = :b";
static const char SQL_DEP_INSERT[] =
    "INSERT INTO system_dependency (system_id, depends_on_id) VALUES (:a, :b)";
static const char SQL_DEP_DELETE[] =
    "DELETE FROM system_dependency WHERE system_id = :a AND depends_on_id = :b";
static const char SQL_CONTRACT_GET[] =
    "SELECT contract_reference, contract_end, updated_at FROM supplier_contract"
    " WHERE organisation_id = :org";
static const char SQL_CONTRACT_PUT[] =
    "INSERT INTO supplier_contract (organisation_id, contract_reference, contract_end,"
    " created_at, updated_at) VALUES (:org, :ref, :end, :at, :at)"
    " ON CONFLICT (organisation_id) DO UPDATE SET contract_reference = excluded.contract_reference,"
    " contract_end = excluded.contract_end, updated_at = excluded.updated_at";

int cat_sql_relations(struct db *db, const struct org_actor *who, enum cat_relation kind,
                      int64_t system_id, json_t *values)
{
    struct db_stmt *st;
    int rc = db_prepare(db, kind == CAT_REL_USER ? SQL_USERS_OF : SQL_DEPS_OF, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":system_id", system_id);
    while (!rc && (rc = db_step(st)) == DB_ROW)
        rc = json_array_append_new(values, json_string(db_col_text(st, 0))) ? ERR_NOMEM : 0;
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

static int pair_stmt(struct db *db, const char *sql, int64_t a, int64_t b, struct db_stmt **st)
{
    int rc = db_prepare(db, sql, st);
    if (rc)
        return rc;
    rc = db_bind_int(*st, ":a", a);
    if (!rc)
        rc = db_bind_int(*st, ":b", b);
    return rc;
}

int cat_sql_relation_exists(struct db *db, enum cat_relation kind, int64_t system_id,
                            int64_t other_id, bool *yes)
{
    struct db_stmt *st = NULL;
    int64_t n = 0;
    int rc = pair_stmt(db, kind == CAT_REL_USER ? SQL_USER_EXISTS : SQL_DEP_EXISTS, system_id,
                       other_id, &st);
    if (!st)
        return rc;
    rc = db_finish_int(st, rc, &n);
    *yes = n > 0;
    return rc;
}

int cat_sql_relation_set(struct db *db, enum cat_relation kind, int64_t system_id, int64_t other_id,
                         bool on)
{
    static const char *const sql[2][2] = {{SQL_USER_DELETE, SQL_USER_INSERT},
                                          {SQL_DEP_DELETE, SQL_DEP_INSERT}};
    struct db_stmt *st = NULL;
    int rc = pair_stmt(db, sql[kind == CAT_REL_USER ? 0 : 1][on ? 1 : 0], system_id, other_id, &st);
    if (!st)
        return rc;
    return db_finish(st, rc);
}

int cat_sql_contract_get(struct db *db, int64_t org_id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_CONTRACT_GET, &st);
    if (rc)
        return rc;
    return cat_one_row(st, db_bind_int(st, ":org", org_id), out);
}

int cat_sql_contract_put(struct db *db, int64_t org_id, const char *reference, const char *end,
                         const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_CONTRACT_PUT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":ref", reference);
    if (!rc)
        rc = db_bind_text(st, ":end", end);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}
