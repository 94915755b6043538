/* All SQL of the demo's access control data: portable inserts, prepared once (the connection's
 * statement cache) and rebound per row, and one set-based insert of a campaign's items. */
#include "demo/demo_access_sql.h"
#include "core/err.h"
#include "db/db.h"

static const char SQL_STAFF_INSERT[] =
    "INSERT INTO person (user_id, name, email, organisation_id, manager_id, employment_start,"
    " employment_end, privileged, title, role_changed_at, created_at, updated_at)"
    " VALUES (:user_id, :name, :email, :org, :manager, :start, :end, :privileged, :title,"
    " :changed, :at, :at) RETURNING id";
static const char SQL_PERSON_TITLE[] =
    "UPDATE person SET title = :title, role_changed_at = :changed WHERE id = :id";
static const char SQL_SYSTEM_ADMIN[] =
    "UPDATE system SET administrator_id = :person WHERE id = :id";
static const char SQL_ENTITLEMENT_INSERT[] =
    "INSERT INTO entitlement (system_id, name, description, privileged, created_at)"
    " VALUES (:system, :name, :description, :privileged, :at) RETURNING id";
static const char SQL_ACCOUNT_INSERT[] =
    "INSERT INTO account (system_id, organisation_id, username, person_id, shared, privileged,"
    " mfa_enrolled, last_login, status, source, exception_reason, exception_until,"
    " exception_approved_by, exception_approved_at, created_at, updated_at)"
    " VALUES (:system, :org, :username, :person, :shared, :privileged, :mfa, :last_login,"
    " :status, :source, :reason, :until, :approved_by, :approved_at, :at, :at) RETURNING id";
static const char SQL_GRANT_INSERT[] =
    "INSERT INTO access_grant (account_id, entitlement_id, system_id, organisation_id,"
    " granted_at, granted_by, request_id, source, revoked_at, revoked_by, revoke_reason)"
    " VALUES (:account, :entitlement, :system, :org, :granted_at, :granted_by, :request,"
    " :source, :revoked_at, :revoked_by, :reason) RETURNING id";
static const char SQL_REQUEST_INSERT[] =
    "INSERT INTO access_request (organisation_id, system_id, entitlement_id, person_id,"
    " requested_by, justification, status, decided_by, decided_at, decision_comment,"
    " created_at, updated_at)"
    " VALUES (:org, :system, :entitlement, :person, :by, :justification, :status, :decided_by,"
    " :decided_at, :comment, :at, :updated) RETURNING id";
static const char SQL_REVIEW_INSERT[] =
    "INSERT INTO access_review (organisation_id, title, due_on, status, started_by, started_at,"
    " completed_at, updated_at)"
    " VALUES (:org, :title, :due, :status, :by, :started, :completed, :updated) RETURNING id";
static const char SQL_REVIEW_ITEMS[] =
    "INSERT INTO access_review_item (review_id, grant_id, system_id, organisation_id,"
    " reviewer_id, decision, comment, decided_by, decided_at)"
    " SELECT :review, g.id, g.system_id, g.organisation_id, :reviewer,"
    " CASE WHEN g.revoked_at = :decided THEN 'revoke' ELSE 'keep' END,"
    " CASE WHEN g.revoked_at = :decided THEN g.revoke_reason END, :reviewer, :decided"
    " FROM access_grant g WHERE g.system_id = :system AND g.granted_at < :started"
    " AND (g.revoked_at IS NULL OR g.revoked_at >= :started)";
static const char SQL_REVIEW_SYSTEM[] =
    "INSERT INTO access_review_system (review_id, system_id, items, completed_at)"
    " SELECT :review, :system, count(*), :decided FROM access_review_item"
    " WHERE review_id = :review AND system_id = :system";
static const char SQL_TASK_INSERT[] =
    "INSERT INTO access_task (organisation_id, system_id, kind, request_id, grant_id,"
    " review_item_id, assignee_id, due_on, created_at, done_at, done_by)"
    " VALUES (:org, :system, :kind, :request, :grant,"
    " (SELECT id FROM access_review_item WHERE review_id = :review AND grant_id = :grant),"
    " :assignee, :due, :at, :done, :done_by)";

/* The region-scale grants (demo_sql_scale_grants): r is an entitlement's rank, d the account's
 * number, n how many it holds, j where r falls in its run. Portable arithmetic and CASE only. */
#define SCALE_RANK                                                                                 \
    "CASE e.name WHEN 'Administratör' THEN 0 WHEN 'Läsbehörighet' THEN 1 WHEN 'Handläggare'"   \
    " THEN 2 WHEN 'Registrator' THEN 3 WHEN 'Attestant' THEN 4 ELSE 5 END"
/* x.h is the account's draw, x.sys its system's index; the slots 0-6 a VALUES list (its column is
 * column1 on SQLite and PostgreSQL). */
static const char SQL_SCALE_ACCOUNTS[] =
    "INSERT INTO account (system_id, organisation_id, username, person_id, shared, privileged,"
    " mfa_enrolled, last_login, status, source, created_at, updated_at)"
    " SELECT :s0 + x.sys, x.organisation_id, x.user_id, x.id, 0, x.privileged,"
    " CASE WHEN x.privileged = 1 THEN CASE WHEN x.h / 7 % 10 <> 0 THEN 1 ELSE 0 END"
    "  WHEN x.h / 7 % 100 < 65 THEN 1 ELSE 0 END,"
    " CASE WHEN x.h / 3 % 100 < 3 THEN NULL"
    "  WHEN x.employment_end < :today THEN CASE WHEN x.k % 2 = 1 THEN :recent"
    "   ELSE x.employment_end || 'T15:30:00Z' END"
    "  ELSE CASE x.h % 8 WHEN 0 THEN :l0 WHEN 1 THEN :l1 WHEN 2 THEN :l2 WHEN 3 THEN :l3"
    "   WHEN 4 THEN :l4 WHEN 5 THEN :l5 WHEN 6 THEN :l6 ELSE :l7 END END,"
    " CASE WHEN x.h / 11 % 100 < 2 THEN 'disabled' ELSE 'active' END,"
    " CASE WHEN x.h / 13 % 10 < 7 THEN 'ldap' ELSE 'csv' END, :at, :at"
    " FROM (SELECT p.id, p.id - :p0 AS k, p.user_id, p.organisation_id, p.privileged,"
    "  p.employment_end,"
    "  ((p.id - :p0) * 7 + n.column1) * 2654435761 % 4294967291 AS h,"
    "  (((p.id - :p0) * 7919 + 13) % :per_org + n.column1 * 37) % :per_org * 5"
    "  + CASE WHEN n.column1 = 0 THEN 0 WHEN p.organisation_id = :o1 THEN 1"
    "   WHEN p.organisation_id = :o2 THEN 2 WHEN p.organisation_id = :o3 THEN 3"
    "   WHEN p.organisation_id = :o4 THEN 4 ELSE 0 END AS sys"
    "  FROM person p CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6)) AS n"
    "  WHERE p.id >= :p0 AND p.id < :p0 + :np"
    "  AND n.column1 < 6 + CASE WHEN (p.id - :p0) % 3 <> 0 THEN 1 ELSE 0 END) x"
    " ORDER BY x.sys % 5, x.sys, x.user_id";
static const char SQL_ACCOUNT_SPAN[] = "SELECT max(id), count(*) FROM account WHERE id >= :first";
static const char SQL_COUNT_GRANTS[] = "SELECT count(*) FROM access_grant";
static const char SQL_SCALE_GRANTS[] =
    "INSERT INTO access_grant (account_id, entitlement_id, system_id, organisation_id,"
    " granted_at, source)"
    " SELECT x.id, x.entitlement_id, x.system_id, x.organisation_id,"
    " CASE x.d % 8 WHEN 0 THEN :g0 WHEN 1 THEN :g1 WHEN 2 THEN :g2 WHEN 3 THEN :g3"
    " WHEN 4 THEN :g4 WHEN 5 THEN :g5 WHEN 6 THEN :g6 ELSE :g7 END,"
    " CASE WHEN x.d % 10 < 7 THEN 'ldap' ELSE 'csv' END"
    " FROM (SELECT a.id, a.id - :first AS d, a.privileged, a.system_id, a.organisation_id,"
    "  e.id AS entitlement_id, " SCALE_RANK " AS r,"
    "  CASE WHEN a.person_id IS NULL THEN 1"
    "   WHEN (a.id - :first) % 2 = 0 AND a.id - :first >= :third_from THEN 3 ELSE 2 END AS n"
    "  FROM account a JOIN entitlement e ON e.system_id = a.system_id"
    "  WHERE a.id >= :first AND a.id < :first + :n) x"
    " WHERE (x.r = 0 AND x.privileged = 1)"
    " OR (x.r > 0 AND (x.r + 4 - x.d * 7 % 5) % 5 < x.n"
    "  AND NOT (x.privileged = 1 AND (x.r + 4 - x.d * 7 % 5) % 5 = 0))";

/* 0 stands for NULL in the id columns that may be empty. */
static int bind_id(struct db_stmt *st, const char *name, int64_t id)
{
    return id ? db_bind_int(st, name, id) : db_bind_null(st, name);
}

int demo_sql_staff_insert(struct db *db, const struct demo_person_row *p, const char *at,
                          int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_STAFF_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":user_id", p->user_id);
    if (!rc)
        rc = db_bind_text(st, ":name", p->name);
    if (!rc)
        rc = db_bind_text(st, ":email", p->email);
    if (!rc)
        rc = db_bind_int(st, ":org", p->organisation_id);
    if (!rc)
        rc = bind_id(st, ":manager", p->manager_id);
    if (!rc)
        rc = db_bind_text(st, ":start", p->employment_start);
    if (!rc)
        rc = db_bind_text(st, ":end", p->employment_end);
    if (!rc)
        rc = db_bind_int(st, ":privileged", p->privileged);
    if (!rc)
        rc = db_bind_text(st, ":title", p->title);
    if (!rc)
        rc = db_bind_text(st, ":changed", p->role_changed_at);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int demo_sql_person_title(struct db *db, int64_t person_id, const char *title,
                          const char *changed_at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_PERSON_TITLE, &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, ":title", title);
    if (!rc)
        rc = db_bind_text(st, ":changed", changed_at);
    if (!rc)
        rc = db_bind_int(st, ":id", person_id);
    return db_finish(st, rc);
}

int demo_sql_system_admin(struct db *db, int64_t system_id, int64_t person_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SYSTEM_ADMIN, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":person", person_id);
    if (!rc)
        rc = db_bind_int(st, ":id", system_id);
    return db_finish(st, rc);
}

int demo_sql_entitlement_insert(struct db *db, int64_t system_id, const char *name,
                                const char *description, bool privileged, const char *at,
                                int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ENTITLEMENT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_text(st, ":name", name);
    if (!rc)
        rc = db_bind_text(st, ":description", description);
    if (!rc)
        rc = db_bind_int(st, ":privileged", privileged);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int demo_sql_account_insert(struct db *db, const struct demo_account_row *a, const char *at,
                            int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACCOUNT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":system", a->system_id);
    if (!rc)
        rc = db_bind_int(st, ":org", a->organisation_id);
    if (!rc)
        rc = db_bind_text(st, ":username", a->username);
    if (!rc)
        rc = bind_id(st, ":person", a->person_id);
    if (!rc)
        rc = db_bind_int(st, ":shared", a->shared);
    if (!rc)
        rc = db_bind_int(st, ":privileged", a->privileged);
    if (!rc)
        rc = db_bind_int(st, ":mfa", a->mfa_enrolled);
    if (!rc)
        rc = db_bind_text(st, ":last_login", a->last_login);
    if (!rc)
        rc = db_bind_text(st, ":status", a->status);
    if (!rc)
        rc = db_bind_text(st, ":source", a->source);
    if (!rc)
        rc = db_bind_text(st, ":reason", a->exception_reason);
    if (!rc)
        rc = db_bind_text(st, ":until", a->exception_reason ? a->exception_until : NULL);
    if (!rc)
        rc = bind_id(st, ":approved_by", a->exception_reason ? a->exception_approved_by : 0);
    if (!rc)
        rc = db_bind_text(st, ":approved_at", a->exception_reason ? at : NULL);
    if (!rc)
        rc = db_bind_text(st, ":at", at);
    return db_finish_int(st, rc, id);
}

int demo_sql_grant_insert(struct db *db, const struct demo_grant_row *g, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_GRANT_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":account", g->account_id);
    if (!rc)
        rc = db_bind_int(st, ":entitlement", g->entitlement_id);
    if (!rc)
        rc = db_bind_int(st, ":system", g->system_id);
    if (!rc)
        rc = db_bind_int(st, ":org", g->organisation_id);
    if (!rc)
        rc = db_bind_text(st, ":granted_at", g->granted_at);
    if (!rc)
        rc = bind_id(st, ":granted_by", g->granted_by);
    if (!rc)
        rc = bind_id(st, ":request", g->request_id);
    if (!rc)
        rc = db_bind_text(st, ":source", g->source);
    if (!rc)
        rc = db_bind_text(st, ":revoked_at", g->revoked_at);
    if (!rc)
        rc = bind_id(st, ":revoked_by", g->revoked_at ? g->revoked_by : 0);
    if (!rc)
        rc = db_bind_text(st, ":reason", g->revoked_at ? g->revoke_reason : NULL);
    return db_finish_int(st, rc, id);
}

int demo_sql_request_insert(struct db *db, const struct demo_request_row *r, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REQUEST_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", r->organisation_id);
    if (!rc)
        rc = db_bind_int(st, ":system", r->system_id);
    if (!rc)
        rc = db_bind_int(st, ":entitlement", r->entitlement_id);
    if (!rc)
        rc = db_bind_int(st, ":person", r->person_id);
    if (!rc)
        rc = db_bind_int(st, ":by", r->requested_by);
    if (!rc)
        rc = db_bind_text(st, ":justification", r->justification);
    if (!rc)
        rc = db_bind_text(st, ":status", r->status);
    if (!rc)
        rc = bind_id(st, ":decided_by", r->decided_by);
    if (!rc)
        rc = db_bind_text(st, ":decided_at", r->decided_at);
    if (!rc)
        rc = db_bind_text(st, ":comment", r->decision_comment);
    if (!rc)
        rc = db_bind_text(st, ":at", r->created_at);
    if (!rc)
        rc = db_bind_text(st, ":updated", r->decided_at ? r->decided_at : r->created_at);
    return db_finish_int(st, rc, id);
}

int demo_sql_review_insert(struct db *db, int64_t org_id, const char *title, const char *due_on,
                           const char *status, int64_t started_by, const char *started_at,
                           const char *completed_at, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REVIEW_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_text(st, ":title", title);
    if (!rc)
        rc = db_bind_text(st, ":due", due_on);
    if (!rc)
        rc = db_bind_text(st, ":status", status);
    if (!rc)
        rc = bind_id(st, ":by", started_by);
    if (!rc)
        rc = db_bind_text(st, ":started", started_at);
    if (!rc)
        rc = db_bind_text(st, ":completed", completed_at);
    if (!rc)
        rc = db_bind_text(st, ":updated", completed_at ? completed_at : started_at);
    return db_finish_int(st, rc, id);
}

int demo_sql_review_system_done(struct db *db, int64_t review_id, int64_t system_id,
                                int64_t reviewer_id, const char *started_at, const char *decided_at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_REVIEW_ITEMS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":review", review_id);
    if (!rc)
        rc = db_bind_int(st, ":reviewer", reviewer_id);
    if (!rc)
        rc = db_bind_text(st, ":decided", decided_at);
    if (!rc)
        rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_text(st, ":started", started_at);
    rc = db_finish(st, rc);
    if (rc)
        return rc;
    rc = db_prepare(db, SQL_REVIEW_SYSTEM, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":review", review_id);
    if (!rc)
        rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_text(st, ":decided", decided_at);
    return db_finish(st, rc);
}

int demo_sql_task_insert(struct db *db, int64_t org_id, int64_t system_id, const char *kind,
                         int64_t request_id, int64_t grant_id, int64_t review_id,
                         int64_t assignee_id, const char *due_on, const char *created_at,
                         const char *done_at)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_TASK_INSERT, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":org", org_id);
    if (!rc)
        rc = db_bind_int(st, ":system", system_id);
    if (!rc)
        rc = db_bind_text(st, ":kind", kind);
    if (!rc)
        rc = bind_id(st, ":request", request_id);
    if (!rc)
        rc = bind_id(st, ":grant", grant_id);
    if (!rc)
        rc = bind_id(st, ":review", review_id);
    if (!rc)
        rc = db_bind_int(st, ":assignee", assignee_id);
    if (!rc)
        rc = db_bind_text(st, ":due", due_on);
    if (!rc)
        rc = db_bind_text(st, ":at", created_at);
    if (!rc)
        rc = db_bind_text(st, ":done", done_at);
    if (!rc)
        rc = bind_id(st, ":done_by", done_at ? assignee_id : 0);
    return db_finish(st, rc);
}

int demo_sql_scale_grants(struct db *db, int64_t first, int64_t n, int64_t third_from,
                          const char *const granted[8])
{
    static const char *const names[8] = {":g0", ":g1", ":g2", ":g3", ":g4", ":g5", ":g6", ":g7"};
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SCALE_GRANTS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":first", first);
    if (!rc)
        rc = db_bind_int(st, ":n", n);
    if (!rc)
        rc = db_bind_int(st, ":third_from", third_from);
    for (int i = 0; !rc && i < 8; i++)
        rc = db_bind_text(st, names[i], granted[i]);
    return db_finish(st, rc);
}

int demo_sql_count_grants(struct db *db, int64_t *n)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_COUNT_GRANTS, &st);
    if (rc)
        return rc;
    return db_finish_int(st, 0, n);
}

int demo_sql_scale_accounts(struct db *db, const struct demo_scale_accounts *w)
{
    static const char *const logins[8] = {":l0", ":l1", ":l2", ":l3", ":l4", ":l5", ":l6", ":l7"};
    static const char *const orgs[DEMO_SCALE_ORGS] = {NULL, ":o1", ":o2", ":o3", ":o4"};
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_SCALE_ACCOUNTS, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":s0", w->first_system);
    if (!rc)
        rc = db_bind_int(st, ":p0", w->first_person);
    if (!rc)
        rc = db_bind_int(st, ":np", w->people);
    if (!rc)
        rc = db_bind_int(st, ":per_org", w->per_org);
    for (int i = 1; !rc && i < DEMO_SCALE_ORGS; i++)
        rc = db_bind_int(st, orgs[i], w->orgs[i]);
    for (int i = 0; !rc && i < 8; i++)
        rc = db_bind_text(st, logins[i], w->logins[i]);
    if (!rc)
        rc = db_bind_text(st, ":recent", w->recent);
    if (!rc)
        rc = db_bind_text(st, ":today", w->today);
    if (!rc)
        rc = db_bind_text(st, ":at", w->at);
    return db_finish(st, rc);
}

int demo_sql_account_span(struct db *db, int64_t first, int64_t *last, int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, SQL_ACCOUNT_SPAN, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":first", first);
    if (!rc && db_step(st) == DB_ROW) {
        *last = db_col_int(st, 0);
        *count = db_col_int(st, 1);
    } else if (!rc) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}
