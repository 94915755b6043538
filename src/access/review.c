/* Review campaigns: the IT centre reviews a set of systems by a due date; each active grant
 * becomes an item for the responsible information owner, who keeps or revokes it; a revoke
 * becomes a task for the system's administrator. No SQL and no HTTP here. */
#include "access/workflow.h"
#include "access/request_sql.h"
#include "access/review_sql.h"
#include "access/workflow_util.h"
#include "catalog/cat_common.h"
#include "catalog/catalog_export.h"
#include "catalog/catalog_sql.h"
#include "org/org_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

#define ORG_DEPTH_MAX 32

static const char *const REVIEW_STATUSES[] = {"open", "completed", "cancelled", NULL};
static const char *const ITEM_DECISIONS[] = {"open", "keep", "revoke", NULL};

/* The chain of org_id and the organisations above it, nearest first. */
static int org_chain(struct db *db, int64_t org_id, int64_t *chain, size_t *n)
{
    *n = 0;
    while (org_id && *n < ORG_DEPTH_MAX) {
        struct org_row org = {0};
        int rc = org_sql_org_by_id(db, org_id, &org);
        if (rc)
            return rc;
        chain[(*n)++] = org_id;
        org_id = org.parent_id;
    }
    return 0;
}

/* The lowest organisation that every one of orgs[0..n) is at or under. */
static int common_org(struct db *db, const int64_t *orgs, size_t n, int64_t *out)
{
    int64_t first[ORG_DEPTH_MAX], other[ORG_DEPTH_MAX];
    size_t nf = 0, no = 0;
    int rc = org_chain(db, orgs[0], first, &nf);
    size_t lo = 0; /* the index in first of the lowest common one so far */
    for (size_t i = 1; !rc && i < n; i++) {
        rc = org_chain(db, orgs[i], other, &no);
        size_t k = lo;
        for (; !rc && k < nf; k++) {
            bool found = false;
            for (size_t j = 0; j < no; j++)
                found = found || other[j] == first[k];
            if (found)
                break;
        }
        lo = k;
    }
    *out = !rc && lo < nf ? first[lo] : 0;
    return rc;
}

static int review_full(struct db *db, const struct org_actor *who, json_t *row, json_t **out)
{
    json_t *systems = json_array(), *reviewers = json_array();
    int64_t id = wf_hidden(row, "id");
    bool all = wf_hidden(row, "_in_reach") != 0;
    int64_t me = wf_caller_person(who) ? wf_caller_person(who) : -1; /* a token: no one's row */
    int rc = review_sql_systems(db, id, systems);
    if (!rc)
        rc = review_sql_reviewers(db, id, all ? 0 : me, reviewers);
    if (!rc) {
        *out = cat_public(row);
        json_object_set(*out, "systems", systems);
        json_object_set(*out, "reviewers", reviewers);
    }
    json_decref(systems);
    json_decref(reviewers);
    return rc;
}

static int review_find(struct db *db, const struct org_actor *who, const char *id_s, json_t **row)
{
    int64_t id;
    int rc = wf_path_id(id_s, &id);
    if (!rc)
        rc = review_sql_find(db, who, id, row);
    return rc;
}

static int create_apply(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                        struct json_problem *p)
{
    json_t *systems = json_object_get(body, "systems"), *row = NULL;
    const char *title = wf_member(body, "title"), *due_on = wf_member(body, "due_on");
    const char *org_code = wf_member(body, "organisation");
    size_t n = json_array_size(systems), ns = 0;
    int64_t *ids = calloc(n ? n : 1, sizeof(*ids)), *orgs = calloc(n ? n : 1, sizeof(*orgs));
    int64_t org_id = 0, id = 0, items = 0;
    char at[CLOCK_ISO_LEN], today[ORG_DATE_LEN + 1], idt[24];
    int rc = ids && orgs ? 0 : ERR_NOMEM;
    wf_now(at);
    wf_today(today);
    if (!rc && n == 0)
        rc = cat_reject(p, 422, "missing_field", "systems", "systems ska namnge minst ett system");
    if (!rc && due_on && strcmp(due_on, today) < 0)
        rc = cat_reject(p, 422, "date_in_past", "due_on", "due_on (sista dag) har redan passerat");
    for (size_t i = 0; !rc && i < n; i++) {
        const char *ext = json_string_value(json_array_get(systems, i)), *why;
        json_t *sys = NULL;
        rc = !ext || cat_external_id_check(ext, &why) ? ERR_NOTFOUND
                                                      : cat_sql_system_find(db, who, ext, &sys);
        if (rc == ERR_NOTFOUND)
            rc = cat_reject(p, 422, "unknown_system", "systems",
                            "det finns inget system med id '%s'", ext ? cat_shown(ext) : "");
        if (rc)
            break;
        int64_t sid = wf_hidden(sys, "_id");
        bool dup = false;
        for (size_t j = 0; j < ns; j++)
            dup = dup || ids[j] == sid;
        if (!dup) {
            ids[ns] = sid;
            orgs[ns++] = wf_hidden(sys, "_organisation_id");
        }
        json_decref(sys);
    }
    if (!rc && org_code) {
        char code[ORG_CODE_MAX + 1];
        const char *why;
        struct org_row org = {0};
        rc = org_code_normalise(org_code, code, &why) ? ERR_NOTFOUND
                                                      : org_sql_org_find(db, who, code, &org);
        if (rc == ERR_NOTFOUND)
            rc = cat_unknown_org(p, "organisation", org_code);
        org_id = org.id;
    } else if (!rc) {
        struct org_row org = {0};
        rc = common_org(db, orgs, ns, &org_id);
        if (!rc)
            rc = org_sql_org_by_id(db, org_id, &org);
        if (!rc && org_sql_org_find(db, who, org.code, &org) == ERR_NOTFOUND)
            rc = cat_reject(p, 422, "organisation_required", "organisation",
                            "systemen hör till organisationer utan gemensam organisation inom "
                            "din behörighet; ange organisation");
    }
    if (!rc)
        rc = review_sql_insert(db, org_id, title, due_on, wf_caller_person(who), at, &id);
    for (size_t i = 0; !rc && i < ns; i++)
        rc = review_sql_system_add(db, id, ids[i]);
    if (!rc)
        rc = review_sql_items_create(db, id, at, &items);
    if (!rc && items == 0)
        rc = review_sql_complete(db, id, at);
    struct org_actor all = *who;
    all.everything = true;
    if (!rc)
        rc = review_sql_find(db, &all, id, &row);
    if (!rc)
        rc = review_full(db, &all, row, out);
    wf_id_text(id, idt);
    if (!rc) {
        json_t *after = json_pack(
            "{s:O, s:O, s:O, s:O, s:I}", "title", json_object_get(*out, "title"), "due_on",
            json_object_get(*out, "due_on"), "organisation", json_object_get(*out, "organisation"),
            "systems", systems, "items", (json_int_t)items);
        rc = cat_audit(db, who, "access_review.create", "access_review", idt, org_id, NULL, after);
        json_decref(after);
    }
    json_decref(row);
    free(ids);
    free(orgs);
    return rc;
}

int review_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                  struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, create_apply(db, who, body, out, p), out);
}

int review_get(struct db *db, const struct org_actor *who, const char *id, json_t **out)
{
    json_t *row = NULL;
    int rc = review_find(db, who, id, &row);
    if (!rc)
        rc = review_full(db, who, row, out);
    json_decref(row);
    return rc;
}

int review_list(struct db *db, const struct org_actor *who, const struct review_query *q,
                json_t **out, struct json_problem *p)
{
    struct review_filter f = {0};
    int page = 0;
    int rc = wf_page_limit(q->limit, &page, p);
    if (!rc && wf_given(q->cursor))
        rc = wf_cursor_read(q->cursor, 'R', &f.after_id, p);
    if (!rc)
        rc = cat_filter(q->status, "status", &f.status, p);
    if (!rc && f.status && !wf_one_of(f.status, REVIEW_STATUSES))
        rc = cat_reject(p, 422, "invalid_value", "status",
                        "status är open, completed eller cancelled");
    if (rc)
        return rc;
    json_t *rows = json_array();
    f.limit = page + 1;
    rc = review_sql_list(db, who, &f, rows);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    *out = wf_page(rows, page, 'R');
    return 0;
}

int review_items(struct db *db, const struct org_actor *who, const char *id,
                 const struct review_item_query *q, bool all, json_t **out, struct json_problem *p)
{
    struct review_item_filter f = {0};
    json_t *row = NULL;
    int page = 0;
    int rc = review_find(db, who, id, &row);
    if (!rc)
        rc = wf_page_limit(q->limit, &page, p);
    if (!rc && wf_given(q->cursor) && !all)
        rc = wf_cursor_read(q->cursor, 'I', &f.after_id, p);
    if (!rc)
        rc = cat_filter(q->decision, "decision", &f.decision, p);
    if (!rc && f.decision && !wf_one_of(f.decision, ITEM_DECISIONS))
        rc = cat_reject(p, 422, "invalid_value", "decision", "decision är open, keep eller revoke");
    if (!rc)
        rc = cat_filter(q->system, "system", &f.system, p);
    if (!rc && wf_given(q->reviewer)) {
        if (strcmp(q->reviewer, "me") == 0) {
            f.reviewer = wf_caller_person(who);
            if (!f.reviewer)
                f.reviewer = -1; /* a token reviews nothing */
        } else {
            struct person_row person = {0};
            const char *why;
            rc = person_user_id_check(q->reviewer, &why)
                     ? ERR_NOTFOUND
                     : org_sql_person_find(db, who, q->reviewer, &person);
            if (rc == ERR_NOTFOUND)
                rc = cat_reject(p, 422, "unknown_person", "reviewer",
                                "reviewer är me eller en persons användar-id");
            f.reviewer = person.id;
        }
    }
    if (rc) {
        json_decref(row);
        return rc;
    }
    f.everything = wf_hidden(row, "_in_reach") != 0;
    int64_t review_id = wf_hidden(row, "id");
    json_decref(row);
    json_t *rows = json_array(), *items = json_array();
    f.limit = all ? 500 : page + 1; /* one more tells whether a next page exists */
    for (;;) {
        json_array_clear(rows);
        rc = review_sql_items(db, who, review_id, &f, rows);
        size_t n = json_array_size(rows);
        if (rc || !all)
            break;
        for (size_t i = 0; i < n; i++)
            json_array_append(items, json_array_get(rows, i));
        if (json_array_size(items) > CAT_EXPORT_MAX) {
            rc = ERR_TOOBIG;
            break;
        }
        if (n < (size_t)f.limit)
            break;
        f.after_id = wf_hidden(json_array_get(rows, n - 1), "id");
    }
    if (rc) {
        json_decref(rows);
        json_decref(items);
        return rc;
    }
    if (!all) {
        json_decref(items);
        *out = wf_page(rows, page, 'I');
        return 0;
    }
    json_decref(rows);
    *out = wf_page(items, INT32_MAX, 'I');
    return 0;
}

static const char *decision_sv(json_t *item)
{
    const char *d = wf_member(item, "decision");
    if (!d)
        return "Ej beslutad";
    return strcmp(d, "keep") == 0 ? "Behåll" : "Ta bort";
}

json_t *review_item_rows(json_t *items)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        json_t *r = json_object();
        static const char *const copy[] = {
            "system",      "system_name", "organisation",  "account", "person",     "person_name",
            "entitlement", "reviewer",    "reviewer_name", "comment", "decided_by", "decided_at",
            NULL};
        for (size_t k = 0; copy[k]; k++)
            json_object_set(r, copy[k], json_object_get(it, copy[k]));
        json_object_set_new(r, "decision_sv", json_string(decision_sv(it)));
        json_array_append_new(rows, r);
    }
    return rows;
}

/* Complete the item's system when this was its last open item, and the campaign with it. */
static int complete_after(struct db *db, const struct org_actor *who, int64_t review_id,
                          int64_t system_id, int64_t org_id, const char *at)
{
    int64_t open = 0;
    char idt[24];
    int rc = review_sql_open_count(db, review_id, system_id, &open);
    if (rc || open > 0)
        return rc;
    rc = review_sql_system_complete(db, review_id, system_id, at);
    if (!rc)
        rc = review_sql_open_count(db, review_id, 0, &open);
    if (rc || open > 0)
        return rc;
    rc = review_sql_complete(db, review_id, at);
    wf_id_text(review_id, idt);
    if (!rc)
        rc = cat_audit(db, who, "access_review.complete", "access_review", idt, org_id, NULL, NULL);
    return rc;
}

static int decide_apply(struct db *db, const struct org_actor *who, const char *id_s,
                        const char *item_s, json_t *body, json_t **out, struct json_problem *p)
{
    json_t *row = NULL, *item = NULL, *before = NULL, *after = NULL;
    const char *decision = wf_member(body, "decision"), *comment = wf_member(body, "comment");
    char at[CLOCK_ISO_LEN], today[ORG_DATE_LEN + 1], due[ORG_DATE_LEN + 1], idt[24];
    int64_t item_id = 0, me = wf_caller_person(who), task = 0;
    bool owner = false;
    int rc = review_find(db, who, id_s, &row);
    if (!rc)
        rc = wf_path_id(item_s, &item_id);
    if (!rc)
        rc = review_sql_item_find(db, who, wf_hidden(row, "id"), wf_hidden(row, "_in_reach") != 0,
                                  item_id, &item);
    if (!rc && !(me && wf_hidden(item, "_reviewer_id") == me))
        rc = wf_sql_info_owner(db, me, wf_hidden(item, "_system_id"), &owner);
    else if (!rc)
        owner = true;
    if (!rc && !owner)
        rc = cat_reject(p, 403, "not_reviewer", NULL,
                        "bara den utsedda granskaren eller en informationsägare för systemets "
                        "information beslutar om en behörighet");
    if (!rc && strcmp(wf_member(row, "status"), "open") != 0)
        rc = cat_reject(p, 409, "review_closed", NULL, "granskningen är avslutad");
    if (!rc && !json_is_null(json_object_get(item, "decision")))
        rc = cat_reject(p, 409, "already_decided", "decision", "behörigheten är redan granskad");
    if (!rc && !wf_one_of(decision, (const char *const[]){"keep", "revoke", NULL}))
        rc = cat_reject(p, 422, "invalid_value", "decision", "decision är keep eller revoke");
    bool revoke = !rc && strcmp(decision, "revoke") == 0;
    if (!rc && revoke && (!comment || !*comment))
        rc = cat_reject(p, 422, "missing_field", "comment",
                        "comment (motivering) krävs när en behörighet ska tas bort");
    if (rc)
        goto done;
    wf_now(at);
    wf_today(today);
    before = cat_public(item);
    rc =
        review_sql_item_decide(db, item_id, decision, comment && *comment ? comment : NULL, me, at);
    if (!rc && revoke) {
        int64_t assignee = 0;
        rc = review_sql_assignee(db, wf_hidden(item, "_system_id"), &assignee);
        if (!rc)
            rc = wf_days_after(today, WORKFLOW_TASK_DAYS, due);
        struct task_write w = {.organisation_id = wf_hidden(item, "_organisation_id"),
                               .system_id = wf_hidden(item, "_system_id"),
                               .grant_id = wf_hidden(item, "_grant_id"),
                               .review_item_id = item_id,
                               .assignee_id = assignee,
                               .kind = "revoke",
                               .due_on = due};
        if (!rc)
            rc = task_sql_insert(db, &w, at, &task);
        json_t *t = NULL;
        if (!rc)
            rc = task_sql_by_id(db, task, &t);
        wf_id_text(task, idt);
        if (!rc) {
            json_t *pub = cat_public(t);
            rc = cat_audit(db, who, "access_task.create", "access_task", idt, w.organisation_id,
                           NULL, pub);
            json_decref(pub);
        }
        json_decref(t);
    }
    if (!rc)
        rc = review_sql_item_find(db, who, wf_hidden(row, "id"), true, item_id, &after);
    if (!rc) {
        *out = cat_public(after);
        json_object_set_new(*out, "task", task ? json_integer(task) : json_null());
        wf_id_text(item_id, idt);
        rc = cat_audit(db, who, "access_review_item.decide", "access_review_item", idt,
                       wf_hidden(item, "_organisation_id"), before, *out);
    }
    if (!rc)
        rc = complete_after(db, who, wf_hidden(row, "id"), wf_hidden(item, "_system_id"),
                            wf_hidden(row, "_organisation_id"), at);
done:
    json_decref(row);
    json_decref(item);
    json_decref(before);
    json_decref(after);
    return rc;
}

int review_decide(struct db *db, const struct org_actor *who, const char *id, const char *item_id,
                  json_t *body, json_t **out, struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, decide_apply(db, who, id, item_id, body, out, p), out);
}

static int remind_apply(struct db *db, const struct org_actor *who, const char *id_s, json_t **out,
                        struct json_problem *p)
{
    json_t *row = NULL, *reviewers = json_array();
    char at[CLOCK_ISO_LEN], idt[24];
    int rc = review_find(db, who, id_s, &row);
    if (!rc && wf_hidden(row, "_in_reach") == 0)
        rc = ERR_NOTFOUND; /* a reviewer outside reach does not remind the others */
    if (!rc && strcmp(wf_member(row, "status"), "open") != 0)
        rc = cat_reject(p, 409, "review_closed", NULL, "granskningen är avslutad");
    if (!rc)
        rc = review_sql_open_reviewers(db, wf_hidden(row, "id"), reviewers);
    wf_now(at);
    if (!rc)
        rc = review_sql_reminded(db, wf_hidden(row, "id"), at);
    if (!rc) {
        *out = json_pack("{s:O, s:s}", "reminded", reviewers, "last_reminder_at", at);
        wf_id_text(wf_hidden(row, "id"), idt);
        rc = cat_audit(db, who, "access_review.remind", "access_review", idt,
                       wf_hidden(row, "_organisation_id"), NULL, *out);
    }
    json_decref(row);
    json_decref(reviewers);
    return rc;
}

int review_remind(struct db *db, const struct org_actor *who, const char *id, json_t **out,
                  struct json_problem *p)
{
    *out = NULL;
    int rc = db_begin(db);
    if (rc)
        return rc;
    return cat_finish(db, remind_apply(db, who, id, out, p), out);
}
