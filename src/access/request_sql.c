/* All SQL of access requests and tasks, and the checks the workflows share. Tenant reads start
 * with AUTHZ_SCOPE_CTE; portable SQL (dates are computed in C). */
#include "access/request_sql.h"
#include "access/workflow_util.h"
#include "authz/authz.h"
#include "catalog/cat_common.h"
#include "core/err.h"
#include "db/db.h"

#include <string.h>

#define IN_REACH(col) "(:everything = 1 OR " col " IN (SELECT org_id FROM scope))"

/* ---- shared ---- */

static const char SQL_CALLER_HOLDS[] =
    "WITH RECURSIVE up(id) AS (SELECT CAST(:org AS INTEGER)"
    " UNION SELECT o.parent_id FROM organisation o JOIN up ON o.id = up.id"
    " WHERE o.parent_id IS NOT NULL)"
    " SELECT count(*) FROM (SELECT ra.organisation_id AS org FROM role_assignment ra"
    "  JOIN role r ON r.id = ra.role JOIN person p ON p.id = ra.person_id"
    "  WHERE ra.person_id = :person AND p.disabled = 0 AND (r.bit & :mask) <> 0"
    " UNION ALL SELECT t.organisation_id FROM api_token t JOIN role r ON r.id = t.role"
    "  WHERE t.id = :token AND t.revoked_at IS NULL AND (r.bit & :mask) <> 0) x"
    " WHERE x.org IN (SELECT id FROM up)";
static const char SQL_INFO_OWNER[] =
    "SELECT count(*) FROM system_information si JOIN information i ON i.id = si.information_id"
    " JOIN person p ON p.id = i.owner_id"
    " WHERE si.system_id = :system AND i.owner_id = :person AND p.disabled = 0";
/* The systems a person may ask for access to: those in the caller's reach, of the person's
 * organisation or one above it (the IT centre's), or used by either. */
#define REQUESTABLE_CTE                                                                            \
    AUTHZ_SCOPE_CTE                                                                                \
    ", mine(org_id) AS (SELECT CAST(:person_org AS INTEGER)"                                       \
    " UNION SELECT o.parent_id FROM organisation o JOIN mine ON o.id = mine.org_id"                \
    " WHERE o.parent_id IS NOT NULL)"
#define REQUESTABLE_WHERE                                                                          \
    "(" IN_REACH("s.organisation_id") " OR s.organisation_id IN (SELECT org_id FROM mine)"         \
                                      " OR EXISTS (SELECT 1 FROM system_user_org su WHERE "        \
                                      "su.system_id = s.id"                                        \
                                      "  AND (su.organisation_id IN (SELECT org_id FROM scope) "   \
                                      "OR su.organisation_id = :person_org)))"
static const char SQL_REQUEST_SYSTEM[] = REQUESTABLE_CTE
    " SELECT s.id AS _id, s.organisation_id AS _organisation_id,"
    " COALESCE(s.administrator_id, s.owner_id) AS _assignee_id, s.external_id, s.name"
    " FROM system s WHERE s.external_id = :ext AND " REQUESTABLE_WHERE;
/* The form's choices: the first systems by name matching :like, each with its entitlements. */
static const char SQL_REQUESTABLE[] =
    REQUESTABLE_CTE ", pick(id) AS (SELECT s.id FROM system s WHERE s.lifecycle <> 'retired'"
                    " AND (:like = '' OR lower(s.external_id) LIKE :like ESCAPE '\\'"
                    "  OR lower(s.name) LIKE :like ESCAPE '\\') AND " REQUESTABLE_WHERE
                    " ORDER BY s.name, s.external_id LIMIT :limit)"
                    " SELECT s.external_id, s.name, o.code, e.id, e.name, e.privileged"
                    " FROM pick JOIN system s ON s.id = pick.id"
                    " JOIN organisation o ON o.id = s.organisation_id"
                    " LEFT JOIN entitlement e ON e.system_id = s.id"
                    " ORDER BY s.name, s.external_id, e.name";
static const char SQL_ENTITLEMENT_BY_NAME[] =
    "SELECT id FROM entitlement WHERE system_id = :system AND name = :name";
static const char SQL_ENTITLEMENT_BY_ID[] =
    "SELECT id FROM entitlement WHERE system_id = :system AND id = :id";
static const char SQL_OPEN_COUNT[] =
    "SELECT count(*) FROM access_request WHERE person_id = :person"
    " AND entitlement_id = :entitlement AND status IN ('pending', 'approved')";
static const char SQL_GRANTED_COUNT[] =
    "SELECT count(*) FROM access_grant g JOIN account a ON a.id = g.account_id"
    " WHERE a.person_id = :person AND g.entitlement_id = :entitlement AND g.revoked_at IS NULL";

/* ---- requests ---- */

#define MAY_DECIDE                                                                                 \
    "EXISTS (SELECT 1 FROM system_information si JOIN information i"                               \
    " ON i.id = si.information_id WHERE si.system_id = q.system_id AND i.owner_id = :me)"
/* May decide it now: an owner, and not their own request (request_decide's rules). */
#define MAY_DECIDE_OWN "(" MAY_DECIDE " AND q.person_id <> :me AND q.requested_by <> :me)"

#define REQUEST_SELECT                                                                             \
    "SELECT q.id AS \"#id\", o.code AS organisation, s.external_id AS system,"                     \
    " s.name AS system_name, q.entitlement_id AS \"#entitlement_id\", e.name AS entitlement,"      \
    " pp.user_id AS person, pp.name AS person_name, rb.user_id AS requested_by,"                   \
    " q.justification, q.status, dp.user_id AS decided_by, q.decided_at,"                          \
    " q.decision_comment AS comment, CASE WHEN " MAY_DECIDE_OWN                                    \
    " THEN 1 ELSE 0 END AS \"?may_decide\","                                                       \
    " (SELECT min(t.id) FROM access_task t WHERE t.request_id = q.id) AS \"#task\","               \
    " (SELECT min(g.id) FROM access_grant g WHERE g.request_id = q.id) AS \"#grant\","             \
    " q.created_at, q.updated_at, q.organisation_id AS _organisation_id,"                          \
    " q.system_id AS _system_id, q.entitlement_id AS _entitlement_id, q.person_id AS _person_id,"  \
    " q.requested_by AS _requested_by"                                                             \
    " FROM access_request q JOIN organisation o ON o.id = q.organisation_id"                       \
    " JOIN system s ON s.id = q.system_id JOIN entitlement e ON e.id = q.entitlement_id"           \
    " JOIN person pp ON pp.id = q.person_id JOIN person rb ON rb.id = q.requested_by"              \
    " LEFT JOIN person dp ON dp.id = q.decided_by"

#define REQUEST_VISIBLE                                                                            \
    "(" IN_REACH(                                                                                  \
        "q.organisation_id") " OR q.person_id = :me OR q.requested_by = :me OR " MAY_DECIDE ")"

static const char SQL_REQUEST_FIND[] =
    AUTHZ_SCOPE_CTE REQUEST_SELECT " WHERE q.id = :id AND " REQUEST_VISIBLE;
static const char SQL_REQUEST_BY_ID[] = REQUEST_SELECT " WHERE q.id = :id";
static const char SQL_REQUEST_LIST[] = AUTHZ_SCOPE_CTE REQUEST_SELECT
    " WHERE " REQUEST_VISIBLE " AND (CAST(:status AS TEXT) IS NULL OR q.status = :status)"
    " AND (CAST(:system AS TEXT) IS NULL OR s.external_id = :system)"
    " AND (:mine = 0 OR q.person_id = :me OR q.requested_by = :me)"
    " AND (:to_decide = 0 OR (q.status = 'pending' AND " MAY_DECIDE_OWN "))"
    " AND q.id > :after_id ORDER BY q.id LIMIT :limit";
static const char SQL_REQUEST_INSERT[] =
    "INSERT INTO access_request (organisation_id, system_id, entitlement_id, person_id,"
    " requested_by, justification, status, created_at, updated_at) VALUES (:org, :system,"
    " :entitlement, :person, :by, :justification, 'pending', :at, :at) RETURNING id";
static const char SQL_REQUEST_DECIDE[] =
    "UPDATE access_request SET status = :status, decided_by = :by, decided_at = :at,"
    " decision_comment = :comment, updated_at = :at WHERE id = :id AND status = 'pending'";
static const char SQL_REQUEST_STATUS[] =
    "UPDATE access_request SET status = :status, updated_at = :at WHERE id = :id";

/* ---- tasks ---- */

#define TASK_SELECT                                                                                \
    "SELECT t.id AS \"#id\", t.kind, o.code AS organisation, s.external_id AS system,"             \
    " s.name AS system_name, t.request_id AS \"#request\", t.grant_id AS \"#grant\","              \
    " t.review_item_id AS \"#review_item\", COALESCE(rp.user_id, gp.user_id) AS person,"           \
    " ga.username AS account, COALESCE(re.name, ge.name) AS entitlement,"                          \
    " asg.user_id AS assignee, t.due_on, t.created_at, t.done_at, dn.user_id AS done_by,"          \
    " t.organisation_id AS _organisation_id, t.assignee_id AS _assignee_id,"                       \
    " t.request_id AS _request_id, t.grant_id AS _grant_id, t.system_id AS _system_id,"            \
    " q.person_id AS _person_id, q.entitlement_id AS _entitlement_id,"                             \
    " ri.comment AS review_comment"                                                                \
    " FROM access_task t JOIN organisation o ON o.id = t.organisation_id"                          \
    " JOIN system s ON s.id = t.system_id LEFT JOIN person asg ON asg.id = t.assignee_id"          \
    " LEFT JOIN person dn ON dn.id = t.done_by"                                                    \
    " LEFT JOIN access_request q ON q.id = t.request_id"                                           \
    " LEFT JOIN person rp ON rp.id = q.person_id"                                                  \
    " LEFT JOIN entitlement re ON re.id = q.entitlement_id"                                        \
    " LEFT JOIN access_grant g ON g.id = t.grant_id LEFT JOIN account ga ON ga.id = g.account_id"  \
    " LEFT JOIN person gp ON gp.id = ga.person_id"                                                 \
    " LEFT JOIN entitlement ge ON ge.id = g.entitlement_id"                                        \
    " LEFT JOIN access_review_item ri ON ri.id = t.review_item_id"

static const char SQL_TASK_FIND[] = AUTHZ_SCOPE_CTE TASK_SELECT
    " WHERE t.id = :id AND (" IN_REACH("t.organisation_id") " OR t.assignee_id = :me)";
static const char SQL_TASK_BY_ID[] = TASK_SELECT " WHERE t.id = :id";
static const char SQL_TASK_LIST[] = AUTHZ_SCOPE_CTE TASK_SELECT
    " WHERE (" IN_REACH("t.organisation_id") " OR t.assignee_id = :me)"
                                             " AND (:mine = 0 OR t.assignee_id = :me) AND (:open = "
                                             "0 OR t.done_at IS NULL)"
                                             " AND t.id > :after_id ORDER BY t.id LIMIT :limit";
static const char SQL_TASK_INSERT[] =
    "INSERT INTO access_task (organisation_id, system_id, kind, request_id, grant_id,"
    " review_item_id, assignee_id, due_on, created_at) VALUES (:org, :system, :kind, :request,"
    " :grant, :item, :assignee, :due_on, :at) RETURNING id";
static const char SQL_TASK_DONE[] =
    "UPDATE access_task SET done_at = :at, done_by = :by WHERE id = :id AND done_at IS NULL";
static const char SQL_GRANT_ORG[] = "SELECT organisation_id FROM access_grant WHERE id = :id";
static const char SQL_TASK_REVIEWS[] =
    "SELECT r.id AS \"#review\", r.title, r.due_on, count(*) AS \"#open_items\","
    " r.last_reminder_at FROM access_review_item it JOIN access_review r ON r.id = it.review_id"
    " WHERE it.reviewer_id = :me AND it.decision IS NULL AND r.status = 'open'"
    " GROUP BY r.id, r.title, r.due_on, r.last_reminder_at ORDER BY r.due_on, r.id";

static int bind_opt_int(struct db_stmt *st, const char *name, int64_t v)
{
    return v ? db_bind_int(st, name, v) : db_bind_null(st, name);
}

/* ---- shared ---- */

int wf_sql_caller_holds(struct db *db, const struct org_actor *who, unsigned mask, int64_t org_id,
                        bool *yes)
{
    struct db_stmt *st;
    int64_t n = 0;
    *yes = false;
    if (who->everything) {
        *yes = true;
        return 0;
    }
    const struct caller *c = who->caller;
    int rc = db_prepare(db, SQL_CALLER_HOLDS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_int(st, ":person", c && c->kind == CALLER_SESSION ? c->person_id : 0);
    if (!rc)
        rc = db_bind_int(st, ":token", c && c->kind == CALLER_TOKEN ? c->token_id : 0);
    if (!rc)
        rc = db_bind_int(st, ":mask", mask);
    rc = db_finish_int(st, rc, &n);
    *yes = !rc && n > 0;
    return rc;
}

int wf_sql_info_owner(struct db *db, int64_t person_id, int64_t system_id, bool *yes)
{
    struct db_stmt *st;
    int64_t n = 0;
    *yes = false;
    if (!person_id)
        return 0;
    int rc = db_prepare(db, SQL_INFO_OWNER, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_int(st, ":person", person_id);
    rc = db_finish_int(st, rc, &n);
    *yes = !rc && n > 0;
    return rc;
}

int request_sql_system(struct db *db, const struct org_actor *who, const char *ext,
                       int64_t person_org, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REQUEST_SYSTEM, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_text(st, ":ext", ext);
    if (!rc)
        rc = db_bind_int(st, ":person_org", person_org);
    return cat_one_row(st, rc, out);
}

int request_sql_requestable(struct db *db, const struct org_actor *who, int64_t person_org,
                            const char *like, int limit, json_t *items)
{
    struct db_stmt *st;
    json_t *sys = NULL, *ents = NULL;
    int rc = db_prepare(db, SQL_REQUESTABLE, &st);
    if (rc)
        return rc;
    rc = cat_bind_scope(st, who);
    if (!rc)
        rc = db_bind_int(st, ":person_org", person_org);
    if (!rc)
        rc = db_bind_text(st, ":like", like);
    if (!rc)
        rc = db_bind_int(st, ":limit", limit);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        rc = 0;
        const char *ext = db_col_text(st, 0);
        if (!sys || strcmp(json_string_value(json_object_get(sys, "external_id")), ext) != 0) {
            ents = json_array();
            sys = json_pack("{s:s, s:s, s:s, s:o}", "external_id", ext, "name", db_col_text(st, 1),
                            "organisation", db_col_text(st, 2), "entitlements", ents);
            if (!sys || json_array_append_new(items, sys))
                rc = ERR_NOMEM;
        }
        if (!rc && !db_col_is_null(st, 3) &&
            json_array_append_new(ents, json_pack("{s:I, s:s, s:b}", "id", db_col_int(st, 3),
                                                  "name", db_col_text(st, 4), "privileged",
                                                  db_col_int(st, 5) != 0)))
            rc = ERR_NOMEM;
    }
    db_finalize(st);
    return rc;
}

int request_sql_entitlement(struct db *db, int64_t system_id, const char *name, int64_t id,
                            int64_t *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, name ? SQL_ENTITLEMENT_BY_NAME : SQL_ENTITLEMENT_BY_ID, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = name ? db_bind_text(st, ":name", name) : db_bind_int(st, ":id", id);
    return db_finish_int(st, rc, out);
}

static int count2(struct db *db, const char *sql, int64_t person_id, int64_t entitlement_id,
                  int64_t *n)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_int(st, ":entitlement", entitlement_id);
    return db_finish_int(st, rc, n);
}

int request_sql_open_count(struct db *db, int64_t person_id, int64_t entitlement_id, int64_t *n)
{
    return count2(db, SQL_OPEN_COUNT, person_id, entitlement_id, n);
}

int request_sql_granted_count(struct db *db, int64_t person_id, int64_t entitlement_id, int64_t *n)
{
    return count2(db, SQL_GRANTED_COUNT, person_id, entitlement_id, n);
}

/* ---- requests ---- */

int request_sql_insert(struct db *db, const struct request_write *w, const char *at, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REQUEST_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", w->organisation_id);
    if (!rc)
        rc = db_bind_int(st, ":system", w->system_id);
    if (!rc)
        rc = db_bind_int(st, ":entitlement", w->entitlement_id);
    if (!rc)
        rc = db_bind_int(st, ":person", w->person_id);
    if (!rc)
        rc = db_bind_int(st, ":by", w->requested_by);
    if (!rc)
        rc = db_bind_text(st, ":justification", w->justification);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int request_sql_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    return wf_find(db, who, SQL_REQUEST_FIND, id, out);
}

int request_sql_by_id(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REQUEST_BY_ID, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_int(st, ":me", wf_caller_person(who));
    return cat_one_row(st, rc, out);
}

int request_sql_list(struct db *db, const struct org_actor *who, const struct request_filter *f,
                     json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REQUEST_LIST, &st);
    if (rc)
        return rc;
    rc = wf_bind_caller(st, who);
    if (!rc)
        rc = db_bind_text(st, ":status", f->status);
    if (!rc)
        rc = db_bind_text(st, ":system", f->system);
    if (!rc)
        rc = db_bind_int(st, ":mine", f->mine);
    if (!rc)
        rc = db_bind_int(st, ":to_decide", f->to_decide);
    if (!rc)
        rc = db_bind_int(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

int request_sql_decide(struct db *db, int64_t id, const char *status, int64_t by,
                       const char *comment, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REQUEST_DECIDE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":status", status);
    if (!rc)
        rc = db_bind_int(st, ":by", by);
    if (!rc)
        rc = db_bind_text(st, ":comment", comment);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int request_sql_status(struct db *db, int64_t id, const char *status, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REQUEST_STATUS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = db_bind_text(st, ":status", status);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

/* ---- tasks ---- */

int task_sql_insert(struct db *db, const struct task_write *w, const char *at, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TASK_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", w->organisation_id);
    if (!rc)
        rc = db_bind_int(st, ":system", w->system_id);
    if (!rc)
        rc = db_bind_text(st, ":kind", w->kind);
    if (!rc)
        rc = bind_opt_int(st, ":request", w->request_id);
    if (!rc)
        rc = bind_opt_int(st, ":grant", w->grant_id);
    if (!rc)
        rc = bind_opt_int(st, ":item", w->review_item_id);
    if (!rc)
        rc = bind_opt_int(st, ":assignee", w->assignee_id);
    if (!rc)
        rc = db_bind_text(st, ":due_on", w->due_on);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int task_sql_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    return wf_find(db, who, SQL_TASK_FIND, id, out);
}

int task_sql_by_id(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TASK_BY_ID, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    return cat_one_row(st, rc, out);
}

int task_sql_list(struct db *db, const struct org_actor *who, const struct task_filter *f,
                  json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TASK_LIST, &st);
    if (rc)
        return rc;
    rc = wf_bind_caller(st, who);
    if (!rc)
        rc = db_bind_int(st, ":mine", f->mine);
    if (!rc)
        rc = db_bind_int(st, ":open", f->open);
    if (!rc)
        rc = db_bind_int(st, ":after_id", f->after_id);
    if (!rc)
        rc = db_bind_int(st, ":limit", f->limit);
    return cat_all_rows(st, rc, items);
}

int task_sql_done(struct db *db, int64_t id, int64_t by, const char *at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TASK_DONE, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", id);
    if (!rc)
        rc = bind_opt_int(st, ":by", by);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish(st, rc);
}

int task_sql_reviews(struct db *db, int64_t person_id, json_t *items)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TASK_REVIEWS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":me", person_id);
    return cat_all_rows(st, rc, items);
}

int task_sql_grant_org(struct db *db, int64_t grant_id, int64_t *org_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_GRANT_ORG, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":id", grant_id);
    return db_finish_int(st, rc, org_id);
}
