/* Access requests and the administrators' tasks: a person asks for an entitlement, an
 * information owner of the system's information decides, the administrator provisions or
 * removes. No SQL and no HTTP here. */
#include "access/workflow.h"
#include "access/request_sql.h"
#include "access/access.h"
#include "access/workflow_util.h"
#include "catalog/cat_common.h"
#include "org/org_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <string.h>

static const char *const REQUEST_STATUSES[] = {"pending",     "approved",  "rejected",
                                               "provisioned", "withdrawn", NULL};

/* The person a request is for: user_id in reach, or the caller. */
static int person_of(struct db *db, const struct org_actor *who, const char *uid,
                     struct person_row *person, struct json_problem *p)
{
    const char *why;
    if (!uid) {
        int64_t me = wf_caller_person(who);
        if (!me)
            return cat_reject(p, 422, "missing_field", "person",
                              "person krävs när begäran inte görs av en inloggad person");
        struct org_actor self = *who;
        self.everything = true; /* the caller is always their own person */
        int rc = org_sql_person_find(db, &self, who->actor, person);
        if (rc == ERR_NOTFOUND)
            return cat_reject(p, 422, "unknown_person", "person",
                              "det finns ingen person för den inloggade användaren");
        return rc;
    }
    if (person_user_id_check(uid, &why))
        return cat_reject(p, 422, "unknown_person", "person",
                          "det finns ingen person med användar-id '%s'", cat_shown(uid));
    int rc = org_sql_person_find(db, who, uid, person);
    if (rc == ERR_NOTFOUND)
        return cat_reject(p, 422, "unknown_person", "person",
                          "det finns ingen person med användar-id '%s'", cat_shown(uid));
    return rc;
}

static int request_public(struct db *db, const struct org_actor *who, int64_t id, json_t **out)
{
    json_t *row = NULL;
    int rc = request_sql_by_id(db, who, id, &row);
    if (!rc)
        *out = cat_public(row);
    json_decref(row);
    return rc;
}

static int create_apply(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                        struct json_problem *p)
{
    struct person_row person = {0};
    json_t *sys = NULL;
    char at[CLOCK_ISO_LEN], idt[24];
    const char *ext = wf_member(body, "system"), *why;
    const char *ent_name = wf_member(body, "entitlement");
    json_t *ent_id = json_object_get(body, "entitlement_id");
    const char *justification = wf_member(body, "justification");
    int64_t entitlement = 0, n = 0, id = 0, me = wf_caller_person(who);
    int rc = person_of(db, who, wf_member(body, "person"), &person, p);
    if (!rc && person.disabled)
        rc = cat_reject(p, 422, "person_disabled", "person",
                        "%s är inaktiverad och kan inte få nya behörigheter", person.user_id);
    if (!rc && !me)
        rc = cat_reject(p, 403, "person_required", NULL,
                        "en begäran om behörighet görs av en person, inte av en API-token");
    if (!rc && (!ext || cat_external_id_check(ext, &why)))
        rc = cat_reject(p, 422, "unknown_system", "system", "det finns inget system med id '%s'",
                        ext ? cat_shown(ext) : "");
    if (!rc) {
        rc = request_sql_system(db, who, ext, person.organisation_id, &sys);
        if (rc == ERR_NOTFOUND)
            rc = cat_reject(p, 422, "unknown_system", "system",
                            "det finns inget system med id '%s'", cat_shown(ext));
    }
    if (!rc && (ent_name != NULL) == (ent_id != NULL))
        rc = cat_reject(p, 422, "missing_field", "entitlement",
                        "ange behörigheten med antingen entitlement (namn) eller entitlement_id");
    if (!rc) {
        rc = request_sql_entitlement(db, wf_hidden(sys, "_id"), ent_name,
                                     json_integer_value(ent_id), &entitlement);
        if (rc == ERR_NOTFOUND)
            rc = cat_reject(p, 422, "unknown_entitlement",
                            ent_name ? "entitlement" : "entitlement_id",
                            "systemet %s har ingen sådan behörighet", cat_shown(ext));
    }
    if (!rc && (!justification || !*justification))
        rc = cat_reject(p, 422, "missing_field", "justification",
                        "justification (motivering) krävs");
    if (!rc)
        rc = request_sql_open_count(db, person.id, entitlement, &n);
    if (!rc && n > 0)
        rc = cat_reject(p, 409, "duplicate_request", "entitlement",
                        "%s har redan en öppen begäran om den här behörigheten", person.user_id);
    if (!rc)
        rc = request_sql_granted_count(db, person.id, entitlement, &n);
    if (!rc && n > 0)
        rc = cat_reject(p, 409, "already_granted", "entitlement",
                        "%s har redan den här behörigheten", person.user_id);
    if (!rc) {
        struct request_write w = {.organisation_id = person.organisation_id,
                                  .system_id = wf_hidden(sys, "_id"),
                                  .entitlement_id = entitlement,
                                  .person_id = person.id,
                                  .requested_by = me,
                                  .justification = justification};
        wf_now(at);
        rc = request_sql_insert(db, &w, at, &id);
    }
    if (!rc)
        rc = request_public(db, who, id, out);
    wf_id_text(id, idt);
    if (!rc)
        rc = cat_audit(db, who, "access_request.create", "access_request", idt,
                       person.organisation_id, NULL, *out);
    json_decref(sys);
    return rc;
}

int request_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                   struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, create_apply(db, who, body, out, p), out);
}

static int request_find(struct db *db, const struct org_actor *who, const char *id_s, json_t **row)
{
    int64_t id;
    int rc = wf_path_id(id_s, &id);
    if (!rc)
        rc = request_sql_find(db, who, id, row);
    return rc;
}

int request_get(struct db *db, const struct org_actor *who, const char *id, json_t **out)
{
    json_t *row = NULL;
    int rc = request_find(db, who, id, &row);
    if (!rc)
        *out = cat_public(row);
    json_decref(row);
    return rc;
}

int request_systems(struct db *db, const struct org_actor *who, const char *q, const char *uid,
                    const char *limit, json_t **out, struct json_problem *p)
{
    struct person_row person = {0};
    char like[2 * ORG_FILTER_MAX + 3] = "";
    int page = 0;
    int rc = wf_page_limit(limit, &page, p);
    if (!rc && wf_given(q) && db_like_pattern(q, like, sizeof(like)))
        rc = cat_reject(p, 422, "too_long", "q", "q får vara högst %d tecken", ORG_FILTER_MAX);
    if (!rc && (uid || wf_caller_person(who)))
        rc = person_of(db, who, uid, &person, p);
    if (rc)
        return rc;
    json_t *items = json_array();
    rc = request_sql_requestable(db, who, person.organisation_id, like, page, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return *out ? 0 : ERR_NOMEM;
}

int request_list(struct db *db, const struct org_actor *who, const struct request_query *q,
                 json_t **out, struct json_problem *p)
{
    struct request_filter f = {0};
    int page = 0;
    int rc = wf_page_limit(q->limit, &page, p);
    if (!rc && wf_given(q->cursor))
        rc = wf_cursor_read(q->cursor, 'Q', &f.after_id, p);
    if (!rc)
        rc = cat_filter(q->status, "status", &f.status, p);
    if (!rc && f.status && !wf_one_of(f.status, REQUEST_STATUSES))
        rc = cat_reject(p, 422, "invalid_value", "status",
                        "status är pending, approved, rejected, provisioned eller withdrawn");
    if (!rc)
        rc = cat_filter(q->system, "system", &f.system, p);
    if (!rc)
        rc = wf_bool_filter(q->mine, "mine", &f.mine, p);
    if (!rc)
        rc = wf_bool_filter(q->to_decide, "to_decide", &f.to_decide, p);
    if (rc)
        return rc;
    json_t *rows = json_array();
    f.limit = page + 1; /* one more tells whether a next page exists */
    rc = request_sql_list(db, who, &f, rows);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    *out = wf_page(rows, page, 'Q');
    return 0;
}

static int decide_apply(struct db *db, const struct org_actor *who, const char *id_s, json_t *body,
                        json_t **out, struct json_problem *p)
{
    json_t *row = NULL, *before = NULL;
    const char *decision = wf_member(body, "decision"), *comment = wf_member(body, "comment");
    char at[CLOCK_ISO_LEN], today[ORG_DATE_LEN + 1], due[ORG_DATE_LEN + 1], idt[24], tidt[24];
    int64_t me = wf_caller_person(who), task = 0;
    bool owner = false;
    int rc = request_find(db, who, id_s, &row);
    if (!rc)
        rc = wf_sql_info_owner(db, me, wf_hidden(row, "_system_id"), &owner);
    if (!rc && !owner)
        rc = cat_reject(p, 403, "not_information_owner", NULL,
                        "bara en informationsägare för information som systemet behandlar får "
                        "besluta om en begäran");
    if (!rc && (wf_hidden(row, "_person_id") == me || wf_hidden(row, "_requested_by") == me))
        rc = cat_reject(p, 403, "own_request", NULL,
                        "du kan inte besluta om en begäran om din egen behörighet");
    if (!rc && strcmp(wf_member(row, "status"), "pending") != 0)
        rc = cat_reject(p, 409, "not_pending", "decision", "begäran är redan beslutad (status %s)",
                        wf_member(row, "status"));
    if (!rc && !wf_one_of(decision, (const char *const[]){"approve", "reject", NULL}))
        rc = cat_reject(p, 422, "invalid_value", "decision", "decision är approve eller reject");
    bool approve = !rc && strcmp(decision, "approve") == 0;
    if (!rc && !approve && (!comment || !*comment))
        rc = cat_reject(p, 422, "missing_field", "comment",
                        "comment (motivering) krävs när en begäran avslås");
    if (rc)
        goto done;
    before = cat_public(row);
    wf_now(at);
    wf_today(today);
    rc = request_sql_decide(db, wf_hidden(row, "id"), approve ? "approved" : "rejected", me,
                            comment && *comment ? comment : NULL, at);
    wf_id_text(wf_hidden(row, "id"), idt);
    if (!rc && approve) {
        json_t *sys = NULL;
        rc = wf_days_after(today, WORKFLOW_TASK_DAYS, due);
        struct org_actor all = *who;
        all.everything = true;
        if (!rc)
            rc = request_sql_system(db, &all, wf_member(row, "system"), 0, &sys);
        struct task_write w = {.organisation_id = wf_hidden(row, "_organisation_id"),
                               .system_id = wf_hidden(row, "_system_id"),
                               .request_id = wf_hidden(row, "id"),
                               .assignee_id = wf_hidden(sys, "_assignee_id"),
                               .kind = "provision",
                               .due_on = due};
        if (!rc)
            rc = task_sql_insert(db, &w, at, &task);
        json_decref(sys);
        json_t *t = NULL;
        if (!rc)
            rc = task_sql_by_id(db, task, &t);
        wf_id_text(task, tidt);
        if (!rc) {
            json_t *pub = cat_public(t);
            rc = cat_audit(db, who, "access_task.create", "access_task", tidt, w.organisation_id,
                           NULL, pub);
            json_decref(pub);
        }
        json_decref(t);
    }
    if (!rc)
        rc = request_public(db, who, wf_hidden(row, "id"), out);
    if (!rc)
        rc = cat_audit(db, who, approve ? "access_request.approve" : "access_request.reject",
                       "access_request", idt, wf_hidden(row, "_organisation_id"), before, *out);
done:
    json_decref(row);
    json_decref(before);
    return rc;
}

int request_decide(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                   json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, decide_apply(db, who, id, body, out, p), out);
}

/* ---- tasks ---- */

static void task_decorate(json_t *row, const char *today)
{
    const char *due = wf_member(row, "due_on");
    bool open = json_is_null(json_object_get(row, "done_at"));
    json_object_set_new(row, "overdue", json_boolean(open && due && strcmp(due, today) < 0));
}

int task_list(struct db *db, const struct org_actor *who, const struct task_query *q, json_t **out,
              struct json_problem *p)
{
    struct task_filter f = {0};
    char today[ORG_DATE_LEN + 1];
    int page = 0;
    int rc = wf_page_limit(q->limit, &page, p);
    if (!rc && wf_given(q->cursor))
        rc = wf_cursor_read(q->cursor, 'T', &f.after_id, p);
    if (!rc)
        rc = wf_bool_filter(q->mine, "mine", &f.mine, p);
    if (!rc)
        rc = wf_bool_filter(q->open, "open", &f.open, p);
    if (rc)
        return rc;
    json_t *rows = json_array(), *reviews = json_array();
    f.limit = page + 1;
    rc = task_sql_list(db, who, &f, rows);
    if (!rc && f.mine && wf_caller_person(who))
        rc = task_sql_reviews(db, wf_caller_person(who), reviews);
    if (rc) {
        json_decref(rows);
        json_decref(reviews);
        return rc;
    }
    wf_today(today);
    for (size_t i = 0; i < json_array_size(rows); i++)
        task_decorate(json_array_get(rows, i), today);
    *out = wf_page(rows, page, 'T');
    json_object_set_new(*out, "reviews", reviews);
    return 0;
}

/* The grant's entry in the audit log, as access-core audits its own grants and revocations. */
static int grant_audit(struct db *db, const struct org_actor *who, const char *action,
                       int64_t grant, json_t *before)
{
    json_t *after = NULL;
    char idt[24];
    int64_t org = 0;
    int rc = access_grant_object(db, grant, &after);
    if (!rc)
        rc = task_sql_grant_org(db, grant, &org);
    wf_id_text(grant, idt);
    if (!rc)
        rc = cat_audit(db, who, action, "grant", idt, org, before, after);
    json_decref(after);
    return rc;
}

static int done_apply(struct db *db, const struct org_actor *who, const char *id_s, json_t **out,
                      struct json_problem *p)
{
    json_t *row = NULL, *before = NULL, *after = NULL;
    char at[CLOCK_ISO_LEN], today[ORG_DATE_LEN + 1], idt[24];
    int64_t id = 0, me = wf_caller_person(who), grant = 0;
    bool may = false;
    int rc = wf_path_id(id_s, &id);
    if (!rc)
        rc = task_sql_find(db, who, id, &row);
    if (!rc && !(me && wf_hidden(row, "_assignee_id") == me))
        rc = wf_sql_caller_holds(db, who, WORKFLOW_IT_ROLES, wf_hidden(row, "_organisation_id"),
                                 &may);
    else if (!rc)
        may = true;
    if (!rc && !may)
        rc = cat_reject(p, 403, "not_assignee", NULL,
                        "bara den som har uppgiften, eller en Värnadministratör, "
                        "informationssäkerhetschef eller IT-säkerhetsansvarig, kan kvittera den");
    if (!rc && !json_is_null(json_object_get(row, "done_at")))
        rc = cat_reject(p, 409, "already_done", NULL, "uppgiften är redan kvitterad");
    if (rc)
        goto done;
    wf_today(today);
    task_decorate(row, today);
    before = cat_public(row);
    wf_now(at);
    wf_id_text(id, idt);
    if (strcmp(wf_member(row, "kind"), "provision") == 0) {
        char rid[24];
        rc = access_grant_to_person(db, wf_hidden(row, "_system_id"),
                                    wf_hidden(row, "_entitlement_id"), wf_hidden(row, "_person_id"),
                                    wf_hidden(row, "_request_id"), me, at, &grant);
        if (rc == ERR_CONFLICT)
            rc = cat_reject(p, 409, "username_taken", NULL,
                            "personens användarnamn är upptaget av en annan persons konto i "
                            "systemet; skapa kontot för hand först");
        if (!rc)
            rc = request_sql_status(db, wf_hidden(row, "_request_id"), "provisioned", at);
        wf_id_text(wf_hidden(row, "_request_id"), rid);
        json_t *what = json_pack("{s:I, s:I}", "grant", (json_int_t)grant, "task", (json_int_t)id);
        if (!rc)
            rc = cat_audit(db, who, "access_request.provision", "access_request", rid,
                           wf_hidden(row, "_organisation_id"), NULL, what);
        json_decref(what);
        if (!rc)
            rc = grant_audit(db, who, "grant.create", grant, NULL);
    } else {
        json_t *why = json_object_get(row, "review_comment"), *was = NULL;
        char reason[WORKFLOW_TEXT_MAX * 4 + 64];
        grant = wf_hidden(row, "_grant_id");
        if (str_format(reason, sizeof(reason), "%s: %s", WORKFLOW_REVOKE_REASON,
                       json_is_string(why) ? json_string_value(why) : "") != 0)
            str_copy(reason, sizeof(reason), WORKFLOW_REVOKE_REASON);
        rc = access_grant_object(db, grant, &was);
        if (!rc)
            rc = access_grant_revoke(db, grant, me, reason, at);
        /* A grant already gone (revoked by hand, by a sync) needs nothing more. */
        if (rc == ERR_CONFLICT)
            rc = 0;
        else if (!rc)
            rc = grant_audit(db, who, "grant.revoke", grant, was);
        json_decref(was);
    }
    if (!rc)
        rc = task_sql_done(db, id, me, at);
    if (!rc)
        rc = task_sql_by_id(db, id, &after);
    if (!rc) {
        task_decorate(after, today);
        *out = cat_public(after);
        rc = cat_audit(db, who, "access_task.done", "access_task", idt,
                       wf_hidden(row, "_organisation_id"), before, *out);
    }
done:
    json_decref(row);
    json_decref(before);
    json_decref(after);
    return rc;
}

int task_done(struct db *db, const struct org_actor *who, const char *id, json_t **out,
              struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, done_apply(db, who, id, out, p), out);
}
