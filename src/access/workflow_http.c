/* Thin HTTP handlers of the access workflows: request in, the workflow with the caller's
 * reach, JSON (or a CSV/XLSX export) out. */
#include "access/workflow_http.h"
#include "access/workflow.h"
#include "catalog/cat_common.h"
#include "catalog/catalog_export.h"
#include "core/err.h"
#include "db/db.h"
#include "http/request.h"
#include "org/org_http.h"

#include <string.h>

const struct field request_create_fields[] = {
    {"system", FIELD_STRING, FIELD_REQUIRED, 1, CAT_EXTERNAL_ID_MAX, "External id of the system"},
    {"entitlement", FIELD_STRING, FIELD_ONE_LINE, 1, 200,
     "Name of the entitlement (or entitlement_id)"},
    {"entitlement_id", FIELD_INTEGER, 0, 1, INT64_MAX / 2, "Id of the entitlement"},
    {"person", FIELD_STRING, 0, 1, USER_ID_MAX, "User id of whom it is for; default the caller"},
    {"justification", FIELD_STRING, FIELD_REQUIRED, 1, WORKFLOW_TEXT_MAX,
     "Why the access is needed"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field request_decision_fields[] = {
    {"decision", FIELD_STRING, FIELD_REQUIRED, 1, 16, "approve or reject"},
    {"comment", FIELD_STRING, 0, 0, WORKFLOW_TEXT_MAX, "Why; required to reject"},
    {NULL, 0, 0, 0, 0, NULL},
};

/* POST of a confirmation takes the empty object {}: who and when come from the request. */
const struct field task_done_fields[] = {
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field review_create_fields[] = {
    {"title", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, WORKFLOW_TITLE_MAX, "Title"},
    {"due_on", FIELD_DATE, FIELD_REQUIRED, 0, 0, "When the reviewers are to be done"},
    {"systems", FIELD_ARRAY, FIELD_REQUIRED, 1, WORKFLOW_SYSTEMS_MAX,
     "External ids of the systems reviewed"},
    {"organisation", FIELD_STRING, 0, 1, 64,
     "Code of the campaign's organisation; default the one all the systems are under"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field review_decision_fields[] = {
    {"decision", FIELD_STRING, FIELD_REQUIRED, 1, 16, "keep or revoke"},
    {"comment", FIELD_STRING, 0, 0, WORKFLOW_TEXT_MAX, "Why; required to revoke"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field review_remind_fields[] = {
    {NULL, 0, 0, 0, 0, NULL},
};

/* ---- requests ---- */

int h_request_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit", "cursor",    "status", "system",
                                         "mine",  "to_decide", NULL};
    struct org_actor who = org_actor_of(req);
    struct request_query q = {.limit = req_query(req, "limit"),
                              .cursor = req_query(req, "cursor"),
                              .status = req_query(req, "status"),
                              .system = req_query(req, "system"),
                              .mine = req_query(req, "mine"),
                              .to_decide = req_query(req, "to_decide")};
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = request_list(db, &who, &q, &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}

int h_request_systems(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"q", "person", "limit", NULL};
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = request_systems(db, &who, req_query(req, "q"), req_query(req, "person"),
                             req_query(req, "limit"), &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}

int h_request_create(struct req *req, struct resp *resp)
{
    return org_run_create(req, resp, request_create);
}

int h_request_get(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "id", request_get);
}

int h_request_decide(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "id", 200, request_decide);
}

/* ---- tasks ---- */

int h_task_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit", "cursor", "mine", "open", NULL};
    struct org_actor who = org_actor_of(req);
    struct task_query q = {.limit = req_query(req, "limit"),
                           .cursor = req_query(req, "cursor"),
                           .mine = req_query(req, "mine"),
                           .open = req_query(req, "open")};
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = task_list(db, &who, &q, &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}

int h_task_done(struct req *req, struct resp *resp)
{
    return org_run_act(req, resp, "id", 200, task_done);
}

/* ---- review campaigns ---- */

int h_review_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit", "cursor", "status", NULL};
    struct org_actor who = org_actor_of(req);
    struct review_query q = {.limit = req_query(req, "limit"),
                             .cursor = req_query(req, "cursor"),
                             .status = req_query(req, "status")};
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = review_list(db, &who, &q, &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}

int h_review_create(struct req *req, struct resp *resp)
{
    return org_run_create(req, resp, review_create);
}

int h_review_get(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "id", review_get);
}

int h_review_items(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit",  "cursor", "reviewer", "decision",
                                         "system", "format", NULL};
    struct org_actor who = org_actor_of(req);
    struct review_item_query q = {.limit = req_query(req, "limit"),
                                  .cursor = req_query(req, "cursor"),
                                  .reviewer = req_query(req, "reviewer"),
                                  .decision = req_query(req, "decision"),
                                  .system = req_query(req, "system")};
    struct json_problem p = {0};
    struct db *db = NULL;
    json_t *out = NULL;
    enum cat_format format = CAT_FORMAT_JSON;
    const char *id = req_param(req, "id");
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc)
        rc = review_items(db, &who, id, &q, format != CAT_FORMAT_JSON, &out, &p);
    return cat_list_answer(req, resp, db, rc, out, &p, format, CAT_LIST_ACCESS_REVIEW_ITEMS,
                           review_item_rows, params, id);
}

int h_review_decide(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = review_decide(db, &who, req_param(req, "id"), req_param(req, "item_id"), req->json,
                           &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}

int h_review_remind(struct req *req, struct resp *resp)
{
    return org_run_act(req, resp, "id", 200, review_remind);
}

/* ---- offboarding ---- */

int h_offboarding_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"notice",        "organisation", "manager",
                                         "administrator", "format",       NULL};
    struct org_actor who = org_actor_of(req);
    struct offboarding_query q = {.notice = req_query(req, "notice"),
                                  .organisation = req_query(req, "organisation"),
                                  .manager = req_query(req, "manager"),
                                  .administrator = req_query(req, "administrator")};
    struct json_problem p = {0};
    struct db *db = NULL;
    json_t *out = NULL;
    enum cat_format format = CAT_FORMAT_JSON;
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc)
        rc = offboarding_list(db, &who, &q, &out, &p);
    return cat_list_answer(req, resp, db, rc, out, &p, format, CAT_LIST_OFFBOARDING,
                           offboarding_rows, params, NULL);
}
