/* All SQL of review campaigns. Tenant reads start with AUTHZ_SCOPE_CTE; portable SQL: the
 * temporary table and INSERT ... SELECT run on PostgreSQL as they are. */
#include "access/review_sql.h"
#include "access/workflow_util.h"
#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "core/err.h"
#include "db/db.h"

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

static const char SQL_INSERT[] =
    "INSERT INTO access_review (organisation_id, title, due_on, status, started_by, started_at,"
    " updated_at) VALUES (:org, :title, :due_on, 'open', :by, :at, :at) RETURNING id";
static const char SQL_SYSTEM_ADD[] =
    "INSERT INTO access_review_system (review_id, system_id) VALUES (:id, :system)";

/* The reviewer of each (system, organisation) among the active grants: an owner (still
 * active) of information the system processes, preferring one whose information is the
 * grant's organisation's, then the highest protection level; with none, the system owner. */
static const char SQL_REVIEWER_TABLE[] =
    "CREATE TEMP TABLE IF NOT EXISTS access_review_reviewer (system_id INTEGER NOT NULL,"
    " organisation_id INTEGER NOT NULL, reviewer_id INTEGER, PRIMARY KEY (system_id,"
    " organisation_id))";
static const char SQL_REVIEWER_CLEAR[] = "DELETE FROM access_review_reviewer";
/* The candidates are ranked by one integer (organisation match, then level, then the
 * information's id) so that min() picks the reviewer: a correlated ORDER BY ... LIMIT 1 is
 * refused by SQLite here. */
#define RANK_BASE "1000000000000"
static const char SQL_REVIEWER_FILL[] =
    "INSERT INTO access_review_reviewer (system_id, organisation_id, reviewer_id)"
    " SELECT pr.system_id, pr.organisation_id, COALESCE((SELECT iw.owner_id FROM information iw"
    "  WHERE iw.id = (SELECT min(((CASE WHEN i.organisation_id = pr.organisation_id THEN 0"
    "  ELSE 5 END) + 4 - (CASE WHEN i.k >= i.r AND i.k >= i.t THEN i.k WHEN i.r >= i.t THEN i.r"
    "  ELSE i.t END)) * " RANK_BASE " + i.id) % " RANK_BASE
    "  FROM system_information si JOIN information i ON i.id = si.information_id"
    "  JOIN person io ON io.id = i.owner_id"
    "  WHERE si.system_id = pr.system_id AND io.disabled = 0)), s.owner_id)"
    " FROM (SELECT DISTINCT g.system_id, g.organisation_id FROM access_review_system rs"
    "  JOIN access_grant g ON g.system_id = rs.system_id AND g.revoked_at IS NULL"
    "  WHERE rs.review_id = :id) pr JOIN system s ON s.id = pr.system_id";
static const char SQL_ITEMS_FILL[] =
    "INSERT INTO access_review_item (review_id, grant_id, system_id, organisation_id,"
    " reviewer_id) SELECT rs.review_id, g.id, g.system_id, g.organisation_id, r.reviewer_id"
    " FROM access_review_system rs"
    " JOIN access_grant g ON g.system_id = rs.system_id AND g.revoked_at IS NULL"
    " JOIN access_review_reviewer r ON r.system_id = g.system_id"
    "  AND r.organisation_id = g.organisation_id WHERE rs.review_id = :id";
static const char SQL_SYSTEM_COUNTS[] =
    "UPDATE access_review_system SET items = (SELECT count(*) FROM access_review_item it"
    " WHERE it.review_id = access_review_system.review_id"
    " AND it.system_id = access_review_system.system_id) WHERE review_id = :id";
static const char SQL_EMPTY_SYSTEMS[] =
    "UPDATE access_review_system SET completed_at = :at WHERE review_id = :id AND items = 0";
static const char SQL_ITEM_TOTAL[] =
    "SELECT COALESCE(sum(items), 0) FROM access_review_system WHERE review_id = :id";

#define REVIEW_SELECT                                                                              \
    "SELECT r.id AS \"#id\", o.code AS organisation, r.title, r.due_on, r.status,"                 \
    " sp.user_id AS started_by, r.started_at, r.completed_at, r.last_reminder_at,"                 \
    " (SELECT COALESCE(sum(rs.items), 0) FROM access_review_system rs"                             \
    "  WHERE rs.review_id = r.id) AS \"#items\","                                                  \
    " (SELECT count(*) FROM access_review_item it WHERE it.review_id = r.id"                       \
    "  AND it.decision IS NOT NULL) AS \"#decided\", r.updated_at,"                                \
    " r.organisation_id AS _organisation_id,"                                                      \
    " CASE WHEN " IN_REACH("r.organisation_id") " THEN 1 ELSE 0 END AS _in_reach"                  \
                                                " FROM access_review r JOIN organisation o ON "    \
                                                "o.id = r.organisation_id"                         \
                                                " LEFT JOIN person sp ON sp.id = r.started_by"

/* In reach; holding items in reach (a municipality's officers follow its part of the IT
 * centre's campaign); a reviewer in it; or an owner of information of one of its systems (who
 * may decide its items too). */
#define REVIEW_VISIBLE                                                                             \
    "(" IN_REACH(                                                                                  \
        "r.organisation_id") " OR EXISTS (SELECT 1 FROM access_review_item ri"                     \
                             " WHERE ri.review_id = r.id AND (ri.reviewer_id = :me OR " IN_REACH(  \
                                 "ri.organisation_id") ")) OR EXISTS (SELECT 1"                    \
                                                       " FROM access_review_system vs JOIN "       \
                                                       "system_information vi ON vi.system_id = "  \
                                                       "vs.system_id"                              \
                                                       " JOIN information vn ON vn.id = "          \
                                                       "vi.information_id WHERE vs.review_id = "   \
                                                       "r.id"                                      \
                                                       " AND vn.owner_id = :me))"

static const char SQL_FIND[] =
    AUTHZ_SCOPE_CTE REVIEW_SELECT " WHERE r.id = :id AND " REVIEW_VISIBLE;
static const char SQL_LIST[] = AUTHZ_SCOPE_CTE REVIEW_SELECT
    " WHERE " REVIEW_VISIBLE " AND (CAST(:status AS TEXT) IS NULL OR r.status = :status)"
    " AND r.id > :after_id ORDER BY r.id LIMIT :limit";
static const char SQL_SYSTEMS[] =
    "SELECT s.external_id AS system, s.name, rs.items AS \"#items\","
    " (SELECT count(*) FROM access_review_item it WHERE it.review_id = rs.review_id"
    "  AND it.system_id = rs.system_id AND it.decision IS NOT NULL) AS \"#decided\","
    " rs.completed_at FROM access_review_system rs JOIN system s ON s.id = rs.system_id"
    " WHERE rs.review_id = :id ORDER BY s.external_id";
static const char SQL_REVIEWERS[] =
    "SELECT p.user_id, p.name, count(*) AS \"#total\", count(it.decision) AS \"#decided\""
    " FROM access_review_item it LEFT JOIN person p ON p.id = it.reviewer_id"
    " WHERE it.review_id = :id AND (:only = 0 OR it.reviewer_id = :only)"
    " GROUP BY it.reviewer_id, p.user_id, p.name ORDER BY p.user_id";

#define ITEM_SELECT                                                                                \
    "SELECT it.id AS \"#id\", it.review_id AS \"#review\", s.external_id AS system,"               \
    " s.name AS system_name, a.username AS account, ap.user_id AS person,"                         \
    " ap.name AS person_name, e.name AS entitlement, o.code AS organisation,"                      \
    " rv.user_id AS reviewer, rv.name AS reviewer_name, it.decision, it.comment,"                  \
    " dp.user_id AS decided_by, it.decided_at, it.grant_id AS \"#grant\","                         \
    " it.organisation_id AS _organisation_id, it.system_id AS _system_id,"                         \
    " it.reviewer_id AS _reviewer_id, it.grant_id AS _grant_id, it.review_id AS _review_id"        \
    " FROM access_review_item it JOIN access_grant g ON g.id = it.grant_id"                        \
    " JOIN account a ON a.id = g.account_id LEFT JOIN person ap ON ap.id = a.person_id"            \
    " JOIN entitlement e ON e.id = g.entitlement_id JOIN system s ON s.id = it.system_id"          \
    " JOIN organisation o ON o.id = it.organisation_id"                                            \
    " LEFT JOIN person rv ON rv.id = it.reviewer_id LEFT JOIN person dp ON dp.id = it.decided_by"

#define ITEM_VISIBLE                                                                               \
    "(:all_items = 1 OR it.reviewer_id = :me OR " IN_REACH("it.organisation_id") ")"

static const char SQL_ITEMS[] = AUTHZ_SCOPE_CTE ITEM_SELECT
    " WHERE it.review_id = :review AND " ITEM_VISIBLE
    " AND (:reviewer = 0 OR it.reviewer_id = :reviewer)"
    " AND (CAST(:decision AS TEXT) IS NULL OR (:decision = 'open' AND it.decision IS NULL)"
    "  OR it.decision = :decision)"
    " AND (CAST(:system AS TEXT) IS NULL OR s.external_id = :system)"
    " AND it.id > :after_id ORDER BY it.id LIMIT :limit";
/* One item is also seen by an owner of information its system processes, who may decide it. */
static const char SQL_ITEM_FIND[] = AUTHZ_SCOPE_CTE ITEM_SELECT
    " WHERE it.review_id = :review AND it.id = :item AND (" ITEM_VISIBLE
    " OR EXISTS (SELECT 1 FROM system_information vi JOIN information vn"
    " ON vn.id = vi.information_id WHERE vi.system_id = it.system_id AND vn.owner_id = :me))";
static const char SQL_ITEM_DECIDE[] =
    "UPDATE access_review_item SET decision = :decision, comment = :comment, decided_by = :by,"
    " decided_at = :at WHERE id = :id AND decision IS NULL";
static const char SQL_OPEN_COUNT[] =
    "SELECT count(*) FROM access_review_item WHERE review_id = :id"
    " AND (:system = 0 OR system_id = :system) AND decision IS NULL";
static const char SQL_SYSTEM_COMPLETE[] =
    "UPDATE access_review_system SET completed_at = :at WHERE review_id = :id"
    " AND system_id = :system AND completed_at IS NULL";
static const char SQL_COMPLETE[] =
    "UPDATE access_review SET status = 'completed', completed_at = :at, updated_at = :at"
    " WHERE id = :id AND status = 'open'";
static const char SQL_OPEN_REVIEWERS[] =
    "SELECT p.user_id, p.name, count(*) AS \"#open\" FROM access_review_item it"
    " JOIN person p ON p.id = it.reviewer_id WHERE it.review_id = :id AND it.decision IS NULL"
    " GROUP BY p.id, p.user_id, p.name ORDER BY p.user_id";
static const char SQL_REMINDED[] =
    "UPDATE access_review SET last_reminder_at = :at, updated_at = :at WHERE id = :id";
static const char SQL_ASSIGNEE[] =
    "SELECT COALESCE(administrator_id, owner_id) FROM system WHERE id = :id";

static int run_id(struct db *db, const char *sql, int64_t id, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc && at)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int review_sql_insert(struct db *db, int64_t org_id, const char *title, const char *due_on,
                      int64_t started_by, const char *at, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":title", title);
    if (!rc)
        rc = db_bind_text(st, ":due_on", due_on);
    if (!rc)
        rc = started_by ? db_bind_int(st, ":by", started_by) : db_bind_null(st, ":by");
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int review_sql_system_add(struct db *db, int64_t review_id, int64_t system_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYSTEM_ADD, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", review_id);
    if (!rc)
        rc = db_bind_int(st, ":system", system_id);
    return db_finish(st, rc);
}

int review_sql_items_create(struct db *db, int64_t review_id, const char *at, int64_t *items)
{
    struct db_stmt *st;
    int rc = db_exec(db, SQL_REVIEWER_TABLE);
    if (!rc)
        rc = db_exec(db, SQL_REVIEWER_CLEAR);
    if (!rc)
        rc = run_id(db, SQL_REVIEWER_FILL, review_id, NULL);
    if (!rc)
        rc = run_id(db, SQL_ITEMS_FILL, review_id, NULL);
    if (!rc)
        rc = run_id(db, SQL_SYSTEM_COUNTS, review_id, NULL);
    if (!rc)
        rc = run_id(db, SQL_EMPTY_SYSTEMS, review_id, at);
    if (!rc)
        rc = db_exec(db, SQL_REVIEWER_CLEAR);
    if (rc)
        return rc;
    rc = db_prepare(db, SQL_ITEM_TOTAL, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", review_id);
    return db_finish_int(st, rc, items);
}

int review_sql_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    return wf_find(db, who, SQL_FIND, id, out);
}

int review_sql_list(struct db *db, const struct org_actor *who, const struct review_filter *f,
                    json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_LIST, &st);
    if (rc)
        return rc;
    rc = wf_bind_caller(st, who);
    if (!rc)
        rc = db_bind_text(st, ":status", f->status);
    if (!rc)
        rc = db_bind_int(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

int review_sql_systems(struct db *db, int64_t review_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYSTEMS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", review_id);
    return cat_all_rows(st, rc, items);
}

int review_sql_reviewers(struct db *db, int64_t review_id, int64_t only_person, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REVIEWERS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", review_id);
    if (!rc)
        rc = db_bind_int(st, ":only", only_person);
    return cat_all_rows(st, rc, items);
}

int review_sql_items(struct db *db, const struct org_actor *who, int64_t review_id,
                     const struct review_item_filter *f, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ITEMS, &st);
    if (rc)
        return rc;
    rc = wf_bind_caller(st, who);
    if (!rc)
        rc = db_bind_int(st, ":review", review_id);
    if (!rc)
        rc = db_bind_int(st, ":all_items", f->everything);
    if (!rc)
        rc = db_bind_int(st, ":reviewer", f->reviewer);
    if (!rc)
        rc = db_bind_text(st, ":decision", f->decision);
    if (!rc)
        rc = db_bind_text(st, ":system", f->system);
    if (!rc)
        rc = db_bind_int(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

int review_sql_item_find(struct db *db, const struct org_actor *who, int64_t review_id,
                         bool everything, int64_t item_id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ITEM_FIND, &st);
    if (rc)
        return rc;
    rc = wf_bind_caller(st, who);
    if (!rc)
        rc = db_bind_int(st, ":review", review_id);
    if (!rc)
        rc = db_bind_int(st, ":item", item_id);
    if (!rc)
        rc = db_bind_int(st, ":all_items", everything);
    return cat_one_row(st, rc, out);
}

int review_sql_item_decide(struct db *db, int64_t item_id, const char *decision,
                           const char *comment, int64_t by, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ITEM_DECIDE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", item_id);
    if (!rc)
        rc = db_bind_text(st, ":decision", decision);
    if (!rc)
        rc = db_bind_text(st, ":comment", comment);
    if (!rc)
        rc = by ? db_bind_int(st, ":by", by) : db_bind_null(st, ":by");
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int review_sql_open_count(struct db *db, int64_t review_id, int64_t system_id, int64_t *n)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_OPEN_COUNT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", review_id);
    if (!rc)
        rc = db_bind_int(st, ":system", system_id);
    return db_finish_int(st, rc, n);
}

int review_sql_system_complete(struct db *db, int64_t review_id, int64_t system_id, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYSTEM_COMPLETE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", review_id);
    if (!rc)
        rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int review_sql_complete(struct db *db, int64_t review_id, const char *at)
{
    return run_id(db, SQL_COMPLETE, review_id, at);
}

int review_sql_open_reviewers(struct db *db, int64_t review_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_OPEN_REVIEWERS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", review_id);
    return cat_all_rows(st, rc, items);
}

int review_sql_reminded(struct db *db, int64_t review_id, const char *at)
{
    return run_id(db, SQL_REMINDED, review_id, at);
}

int review_sql_assignee(struct db *db, int64_t system_id, int64_t *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ASSIGNEE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", system_id);
    return db_finish_int(st, rc, out);
}
