/* All SQL of classification: information assets (their stored list items too), links, raises
 * and requirement rules; tenant reads start with AUTHZ_SCOPE_CTE, the list filters as
 * cat_list.h says. */
#include "classification/classification_sql.h"
#include "catalog/cat_common.h"
#include "catalog/cat_list.h"
#include "catalog/catalog.h"
#include "classification/classification.h"
#include "core/buf.h"
#include "core/json_write.h"
#include "core/err.h"
#include "core/clock.h"
#include "db/db.h"

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

/* An asset's members, in order (its level_names_sv is added by item_tail). */
#define INFO_COLUMNS                                                                               \
    " i.external_id, i.name, i.description, o.code AS organisation,"                               \
    " ow.user_id AS information_owner, i.k AS \"#k\", i.r AS \"#r\", i.t AS \"#t\","               \
    " i.personal_data, i.secrecy_reference, i.classified_at, i.classified_by, i.review_due,"       \
    " i.created_at, i.updated_at"                                                                  \
    " FROM information i JOIN organisation o ON o.id = i.organisation_id"                          \
    " JOIN person ow ON ow.id = i.owner_id"

#define INFO_SELECT                                                                                \
    "SELECT i.id AS _id, i.organisation_id AS _organisation_id, i.owner_id AS "                    \
    "_owner_id," INFO_COLUMNS

static const char SQL_INFO_FIND[] = AUTHZ_SCOPE_CTE INFO_SELECT
    " WHERE i.external_id = :external_id AND " IN_REACH("i.organisation_id");
static const char SQL_INFO_BY_ID[] = INFO_SELECT " WHERE i.id = :id";
static const char SQL_INFO_TAKEN[] =
    "SELECT count(*) FROM information WHERE external_id = :external_id";
static const char SQL_INFO_INSERT[] =
    "INSERT INTO information (external_id, name, description, organisation_id, owner_id, k, r,"
    " t, personal_data, secrecy_reference, classified_at, classified_by, review_due,"
    " created_at, updated_at) VALUES (:external_id, :name, :description, :organisation_id,"
    " :owner_id, :k, :r, :t, :personal_data, :secrecy_reference, :classified_at,"
    " :classified_by, :review_due, :at, :at) RETURNING id";
static const char SQL_INFO_UPDATE[] =
    "UPDATE information SET name = :name, description = :description,"
    " organisation_id = :organisation_id, owner_id = :owner_id, k = :k, r = :r, t = :t,"
    " personal_data = :personal_data, secrecy_reference = :secrecy_reference,"
    " classified_at = :classified_at, classified_by = :classified_by, review_due = :review_due,"
    " updated_at = :at WHERE id = :id AND external_id = :external_id";

static const char SQL_LINK_EXISTS[] = "SELECT count(*) FROM system_information"
                                      " WHERE system_id = :system_id AND information_id = :info_id";
static const char SQL_LINK_INSERT[] =
    "INSERT INTO system_information (system_id, information_id, linked_at)"
    " VALUES (:system_id, :info_id, :linked_at)";
static const char SQL_LINK_DELETE[] = "DELETE FROM system_information"
                                      " WHERE system_id = :system_id AND information_id = :info_id";
static const char SQL_SYSTEMS_OF_INFO[] =
    "SELECT system_id AS _id FROM system_information WHERE information_id = :info_id"
    " ORDER BY system_id";
static const char SQL_LINKED_INFO[] = AUTHZ_SCOPE_CTE
    "SELECT i.external_id, i.name, i.k AS \"#k\", i.r AS \"#r\", i.t AS \"#t\","
    " CASE i.personal_data WHEN 'sensitive' THEN 2 WHEN 'personal' THEN 1"
    " ELSE 0 END AS \"#personal\","
    " CASE WHEN " IN_REACH(
        "i.organisation_id") " THEN 1 ELSE 0 END AS \"?visible\""
                             " FROM system_information si JOIN information i ON i.id = "
                             "si.information_id"
                             " WHERE si.system_id = :system_id ORDER BY i.external_id";

static const char SQL_RAISES[] =
    "SELECT aspect, level AS \"#level\", reason, note, raised_by AS \"by\", raised_at AS \"at\""
    " FROM system_level_raise WHERE system_id = :system_id ORDER BY aspect";
static const char SQL_RAISE_DELETE[] =
    "DELETE FROM system_level_raise WHERE system_id = :system_id AND aspect = :aspect";
static const char SQL_RAISE_INSERT[] =
    "INSERT INTO system_level_raise (system_id, aspect, level, reason, note, raised_by,"
    " raised_at) VALUES (:system_id, :aspect, :level, :reason, :note, :by, :at)";
static const char SQL_LEVELS_SET[] =
    "UPDATE system SET level_k = :k, level_r = :r, level_t = :t, level_max = :max,"
    " personal_level = :personal WHERE id = :id";

static const char SQL_RULES[] =
    "WITH RECURSIVE up(id) AS (SELECT CAST(:org AS INTEGER)"
    " UNION SELECT o.parent_id FROM organisation o JOIN up ON o.id = up.id"
    " WHERE o.parent_id IS NOT NULL)"
    " SELECT code, aspect, min_level AS \"#min_level\", text_sv, text_en,"
    " applies_to_planned AS \"?applies_to_planned\" FROM requirement_rule"
    " WHERE organisation_id IS NULL OR organisation_id IN (SELECT id FROM up)"
    " ORDER BY aspect, min_level, code, id";

/* ---- information ---- */

int cls_sql_info_find(struct db *db, const struct org_actor *who, const char *external_id,
                      json_t **out)
{
    return cat_row_scoped(db, SQL_INFO_FIND, who, ":external_id", 0, external_id, out);
}

int cls_sql_info_by_id(struct db *db, int64_t id, json_t **out)
{
    return cat_row_by_id(db, SQL_INFO_BY_ID, id, out);
}

/* ---- the information list ----
 * Put together from the filters given and filtered on the caller's reach as cat_list.h says,
 * like the systems list: a JSON page reads the stored items (information.list_item), an export
 * the columns. */

/* The list from the columns (exports); of the hidden columns only _organisation_id. */
#define INFO_LIST_SELECT "SELECT i.organisation_id AS _organisation_id," INFO_COLUMNS
/* The list from the stored items (JSON pages); organisation and person joined only for a
 * filter on them. */
#define INFO_STORED_SELECT                                                                         \
    "SELECT i.id AS _id, i.organisation_id AS _organisation_id, i.external_id AS _external_id,"    \
    " i.name AS _name, i.list_item AS \"=item\" FROM information i"

/* The item's last member: {"k": name, "r": name, "t": name} of its levels (0 when null, as
 * json_integer_value gives for the collected path's null). */
static int item_tail(struct buf *b, struct db_stmt *st, const int *cols)
{
    static const char *const keys[] = {"\"k\":", ",\"r\":", ",\"t\":"};
    int rc = jw_raw(b, ",\"level_names_sv\":{");
    for (int a = 0; !rc && a < 3; a++) {
        int level = cols[a] >= 0 ? (int)db_col_int(st, cols[a]) : 0; /* NULL reads as 0 */
        rc = jw_raw(b, keys[a]);
        if (!rc)
            rc = jw_string(b, cat_level_name_sv(level));
    }
    return rc ? rc : jw_raw(b, "}");
}

static const struct cat_item_kind info_item = {
    .one = "SELECT i.id AS _id," INFO_COLUMNS " WHERE i.id = :id",
    .batch = "SELECT i.id AS _id," INFO_COLUMNS " WHERE i.id > :after ORDER BY i.id LIMIT :n",
    .batch_missing = "SELECT i.id AS _id," INFO_COLUMNS
                     " WHERE i.id > :after AND i.list_item IS NULL ORDER BY i.id LIMIT :n",
    .store = "UPDATE information SET list_item = :item WHERE id = :id",
    .tail = item_tail,
    .tail_cols = {"#k", "#r", "#t"},
};

int information_item_render(struct db *db, int64_t id)
{
    return cat_item_render(db, &info_item, id);
}

int information_items_render(struct db *db, bool missing_only, int *count)
{
    return cat_items_render(db, &info_item, missing_only, count);
}

static int info_list_sql(struct buf *b, const void *filter, const struct cat_reach *r, bool stored)
{
    static const char *const at_least[] = {" AND i.k >= :k", " AND i.r >= :r", " AND i.t >= :t"};
    const struct information_filter *f = filter;
    const int64_t levels[] = {f->k, f->r, f->t};
    int rc = cat_list_sql_head(b, r, stored ? INFO_STORED_SELECT : INFO_LIST_SELECT, stored, 'i',
                               &f->list);
    for (int a = 0; !rc && a < 3; a++)
        rc = levels[a] > 0 ? buf_append_str(b, at_least[a]) : 0;
    if (!rc && f->personal_data)
        rc = buf_append_str(b, " AND i.personal_data = :personal_data");
    if (!rc && f->review_before)
        rc = buf_append_str(b, " AND i.review_due < :review_before");
    if (!rc && f->mine)
        rc = buf_append_str(b, " AND i.owner_id = :person");
    return rc ? rc : cat_list_sql_tail(b, 'i', &f->list);
}

static int info_list_bind(struct db_stmt *st, const void *filter, const struct cat_reach *r)
{
    static const char *const names[] = {":k", ":r", ":t"};
    const struct information_filter *f = filter;
    const int64_t levels[] = {f->k, f->r, f->t};
    int rc = cat_list_bind_head(st, r, &f->list);
    for (int a = 0; !rc && a < 3; a++)
        rc = levels[a] > 0 ? db_bind_int(st, names[a], levels[a]) : 0;
    if (!rc && f->personal_data)
        rc = db_bind_text(st, ":personal_data", f->personal_data);
    if (!rc && f->review_before)
        rc = db_bind_text(st, ":review_before", f->review_before);
    if (!rc && f->mine)
        rc = db_bind_int(st, ":person", r->caller->person_id);
    return rc ? rc : cat_list_bind_tail(st, &f->list);
}

int cls_sql_info_list(struct db *db, const struct org_actor *who,
                      const struct information_filter *f, struct cat_page *pg)
{
    return cat_list_rows(db, who, &info_item, info_list_sql, info_list_bind, f, pg);
}

int cls_sql_info_taken(struct db *db, const char *external_id, bool *taken)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = db_prepare(db, SQL_INFO_TAKEN, &st);
    if (rc)
        return rc;
    rc = db_finish_int(st, db_bind_text(st, ":external_id", external_id), &n);
    *taken = n > 0;
    return rc;
}

static int bind_info(struct db_stmt *st, const struct information_write *w, const char *at)
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
        rc = db_bind_int(st, ":k", w->k);
    if (!rc)
        rc = db_bind_int(st, ":r", w->r);
    if (!rc)
        rc = db_bind_int(st, ":t", w->t);
    if (!rc)
        rc = db_bind_text(st, ":personal_data", w->personal_data);
    if (!rc)
        rc = db_bind_text(st, ":secrecy_reference", w->secrecy_reference);
    if (!rc)
        rc = db_bind_text(st, ":classified_at", w->classified_at);
    if (!rc)
        rc = db_bind_text(st, ":classified_by", w->classified_by);
    if (!rc)
        rc = db_bind_text(st, ":review_due", w->review_due);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return rc;
}

int cls_sql_info_insert(struct db *db, struct information_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_INFO_INSERT, &st);
    if (rc)
        return rc;
    rc = db_finish_int(st, bind_info(st, w, at), &w->id);
    return rc ? rc : information_item_render(db, w->id);
}

int cls_sql_info_update(struct db *db, const struct information_write *w, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_INFO_UPDATE, &st);
    if (rc)
        return rc;
    rc = bind_info(st, w, at);
    if (!rc)
        rc = db_bind_int(st, ":id", w->id);
    rc = db_finish(st, rc);
    return rc ? rc : information_item_render(db, w->id);
}

/* ---- links ---- */

static int link_stmt(struct db *db, const char *sql, int64_t system_id, int64_t info_id,
                     struct db_stmt **st)
{
    int rc = db_prepare(db, sql, st);
    if (rc)
        return rc;
    rc = db_bind_int(*st, ":system_id", system_id);
    if (!rc)
        rc = db_bind_int(*st, ":info_id", info_id);
    if (rc) {
        db_finalize(*st);
        *st = NULL;
    }
    return rc;
}

int cls_sql_link_exists(struct db *db, int64_t system_id, int64_t info_id, bool *yes)
{
    struct db_stmt *st;
    int64_t n = 0;
    int rc = link_stmt(db, SQL_LINK_EXISTS, system_id, info_id, &st);
    if (rc)
        return rc;
    rc = db_finish_int(st, 0, &n);
    *yes = n > 0;
    return rc;
}

int cls_sql_link_insert(struct db *db, int64_t system_id, int64_t info_id)
{
    struct db_stmt *st;
    char today[CLOCK_ISO_LEN];
    clock_format(clock_now(), today);
    today[10] = '\0'; /* the date: a new information type makes a risk assessment due */
    int rc = link_stmt(db, SQL_LINK_INSERT, system_id, info_id, &st);
    return rc ? rc : db_finish(st, db_bind_text(st, ":linked_at", today));
}

int cls_sql_link_delete(struct db *db, int64_t system_id, int64_t info_id)
{
    struct db_stmt *st;
    int rc = link_stmt(db, SQL_LINK_DELETE, system_id, info_id, &st);
    return rc ? rc : db_finish(st, 0);
}

int cls_sql_systems_of_info(struct db *db, int64_t info_id, json_t *ids)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYSTEMS_OF_INFO, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_int(st, ":info_id", info_id), ids);
}

int cls_sql_linked_info(struct db *db, const struct org_actor *who, int64_t system_id,
                        json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_LINKED_INFO, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":system_id", system_id);
    return cat_all_rows(st, rc, items);
}

/* ---- raises and levels ---- */

int cls_sql_raises(struct db *db, int64_t system_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RAISES, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_int(st, ":system_id", system_id), items);
}

int cls_sql_raise_put(struct db *db, int64_t system_id, const char *aspect, int64_t level,
                      const char *reason, const char *note, const char *by, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RAISE_DELETE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system_id", system_id);
    if (!rc)
        rc = db_bind_text(st, ":aspect", aspect);
    rc = db_finish(st, rc);
    if (!rc)
        rc = db_prepare(db, SQL_RAISE_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system_id", system_id);
    if (!rc)
        rc = db_bind_text(st, ":aspect", aspect);
    if (!rc)
        rc = db_bind_int(st, ":level", level);
    if (!rc)
        rc = db_bind_text(st, ":reason", reason);
    if (!rc)
        rc = db_bind_text(st, ":note", note);
    if (!rc)
        rc = db_bind_text(st, ":by", by);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int cls_sql_levels_set(struct db *db, int64_t system_id, const int64_t krt[3], int64_t personal)
{
    struct db_stmt *st;
    int64_t max = krt[0];
    for (int i = 1; i < 3; i++)
        max = krt[i] > max ? krt[i] : max;
    int rc = db_prepare(db, SQL_LEVELS_SET, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":k", krt[0]);
    if (!rc)
        rc = db_bind_int(st, ":r", krt[1]);
    if (!rc)
        rc = db_bind_int(st, ":t", krt[2]);
    if (!rc)
        rc = db_bind_int(st, ":max", max);
    if (!rc)
        rc = db_bind_int(st, ":personal", personal);
    if (!rc)
        rc = db_bind_int(st, ":id", system_id);
    rc = db_finish(st, rc);
    return rc ? rc : system_item_render(db, system_id); /* the systems list shows the levels */
}

int cls_sql_rules(struct db *db, int64_t org_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_RULES, &st);
    if (rc)
        return rc;
    return cat_all_rows(st, db_bind_int(st, ":org", org_id), items);
}
