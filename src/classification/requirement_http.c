/* Thin HTTP handlers of the requirement rules: request in, requirement_rules.c with the
 * caller's reach, JSON out. */
#include "classification/requirement_http.h"
#include "classification/requirement_rules.h"
#include "core/err.h"
#include "db/db.h"
#include "http/request.h"
#include "org/org_http.h"

#define RULE_FIELDS(req)                                                                           \
    {"aspect", FIELD_STRING, (req), 1, 16, "k, r, t or personal_data"},                            \
        {"min_level",                                                                              \
         FIELD_INTEGER,                                                                            \
         (req),                                                                                    \
         0,                                                                                        \
         4,                                                                                        \
         "The level from which the rule applies: 0-4 (personal_data: 1 personal, 2 sensitive)"},   \
        {"code", FIELD_STRING, (req), 1, RULE_CODE_MAX, "1-40 of a-z 0-9 _"},                      \
        {"text_sv", FIELD_STRING,  (req) | FIELD_ONE_LINE,                                         \
         1,         RULE_TEXT_MAX, "The requirement in Swedish"},                                  \
        {"text_en", FIELD_STRING,  (req) | FIELD_ONE_LINE,                                         \
         1,         RULE_TEXT_MAX, "The requirement in English"},                                  \
    {                                                                                              \
        "applies_to_planned", FIELD_BOOLEAN, 0, 0, 0,                                              \
            "On a planned system's kravlista too (default true)"                                   \
    }

const struct field requirement_rule_create_fields[] = {
    {"organisation", FIELD_STRING, FIELD_REQUIRED, 1, 64,
     "Code of the organisation whose systems (and those below it) the rule applies to"},
    RULE_FIELDS(FIELD_REQUIRED),
    {NULL, 0, 0, 0, 0, NULL},
};
const struct field requirement_rule_update_fields[] = {
    RULE_FIELDS(0),
    {NULL, 0, 0, 0, 0, NULL},
};

int h_requirement_rule_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"organisation", NULL};
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = requirement_rule_list(db, &who, req_query(req, "organisation"), &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

int h_requirement_rule_create(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = requirement_rule_create(db, &who, req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 201, out);
}

int h_requirement_rule_update(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = requirement_rule_update(db, &who, req_param(req, "id"), req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

int h_requirement_rule_delete(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    int rc = req_db(req, &db);
    if (!rc)
        rc = requirement_rule_delete(db, &who, req_param(req, "id"), &p);
    if (rc)
        return req_fail(req, rc, &p);
    resp->status = 204;
    resp->body = "";
    resp->len = 0;
    return 0;
}
