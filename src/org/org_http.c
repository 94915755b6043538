/* Thin HTTP handlers of the org module: request in, org.c with the caller's reach, JSON out. */
#include "org/org_http.h"
#include "org/org.h"
#include "core/err.h"
#include "db/db.h"
#include "http/request.h"

/* ---- request bodies ---- */

#define CODE_FIELD(name, flags, doc)                                                               \
    {                                                                                              \
        name, FIELD_STRING, (flags), 1, 64, doc                                                    \
    }

const struct field org_create_fields[] = {
    CODE_FIELD("code", FIELD_REQUIRED, "Unique code: 2-20 of A-Z 0-9 _ -, stored upper case"),
    {"name", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, ORG_NAME_MAX, "Name"},
    {"kind", FIELD_STRING, FIELD_REQUIRED, 1, 32,
     "it_centre, municipality, company, foundation, supplier or external"},
    CODE_FIELD("parent_code", FIELD_REQUIRED | FIELD_NULLABLE,
               "Code of the parent organisation, which the caller must reach"),
    {"org_number", FIELD_STRING, FIELD_REQUIRED, 1, 32,
     "Organisationsnummer NNNNNN-NNNN (or ten digits), Luhn-checked"},
    {"mfa_required", FIELD_BOOLEAN, 0, 0, 0, "People here must use two-step login (default true)"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field org_update_fields[] = {
    CODE_FIELD("code", 0, "Immutable: only the current code is accepted"),
    {"name", FIELD_STRING, FIELD_ONE_LINE, 1, ORG_NAME_MAX, "Name"},
    {"kind", FIELD_STRING, 0, 1, 32,
     "it_centre, municipality, company, foundation, supplier or external"},
    CODE_FIELD("parent_code", FIELD_NULLABLE, "Code of the new parent organisation"),
    {"org_number", FIELD_STRING, 0, 1, 32, "Organisationsnummer NNNNNN-NNNN, Luhn-checked"},
    {"mfa_required", FIELD_BOOLEAN, 0, 0, 0, "People here must use two-step login"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field person_create_fields[] = {
    {"user_id", FIELD_STRING, FIELD_REQUIRED, 1, USER_ID_MAX,
     "Unique user id: letters, digits, . _ - @"},
    {"name", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, ORG_NAME_MAX, "Full name"},
    {"email", FIELD_STRING, FIELD_REQUIRED, 1, EMAIL_MAX, "E-mail address"},
    CODE_FIELD("organisation", FIELD_REQUIRED, "Code of the person's organisation"),
    {"manager_user_id", FIELD_STRING, FIELD_NULLABLE, 1, USER_ID_MAX, "The manager's user id"},
    {"employment_start", FIELD_DATE, FIELD_NULLABLE, 0, 0, "First day of employment"},
    {"employment_end", FIELD_DATE, FIELD_NULLABLE, 0, 0, "Last day of employment"},
    {"privileged", FIELD_BOOLEAN, 0, 0, 0, "Holds privileged accounts (default false)"},
    {"title", FIELD_STRING, FIELD_NULLABLE | FIELD_ONE_LINE, 0, PERSON_TITLE_MAX, "Job title"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field person_update_fields[] = {
    {"user_id", FIELD_STRING, 0, 1, USER_ID_MAX, "Immutable: only the current user id is accepted"},
    {"name", FIELD_STRING, FIELD_ONE_LINE, 1, ORG_NAME_MAX, "Full name"},
    {"email", FIELD_STRING, 0, 1, EMAIL_MAX, "E-mail address"},
    CODE_FIELD("organisation", 0, "Code of the person's organisation"),
    {"manager_user_id", FIELD_STRING, FIELD_NULLABLE, 1, USER_ID_MAX, "The manager's user id"},
    {"employment_start", FIELD_DATE, FIELD_NULLABLE, 0, 0, "First day of employment"},
    {"employment_end", FIELD_DATE, FIELD_NULLABLE, 0, 0, "Last day of employment"},
    {"privileged", FIELD_BOOLEAN, 0, 0, 0, "Holds privileged accounts"},
    {"title", FIELD_STRING, FIELD_NULLABLE | FIELD_ONE_LINE, 0, PERSON_TITLE_MAX,
     "Job title; a new title, organisation or manager sets role_changed_at"},
    {"role_changed_at", FIELD_STRING, FIELD_NULLABLE, 0, 32,
     "Read only: accepted so that a client can send back what it read, and ignored"},
    {"disabled", FIELD_BOOLEAN, 0, 0, 0, "May not log in; their roles give no access"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field assignment_create_fields[] = {
    {"user_id", FIELD_STRING, FIELD_REQUIRED, 1, USER_ID_MAX, "The person"},
    {"role", FIELD_STRING, FIELD_REQUIRED, 1, 64, "A role id from GET /api/v1/roles"},
    CODE_FIELD("organisation", FIELD_REQUIRED, "Code of the organisation the role applies to"),
    {NULL, 0, 0, 0, 0, NULL},
};

/* ---- helpers ---- */

struct org_actor org_actor_of(struct req *req)
{
    return (struct org_actor){.caller = &req->caller,
                              .roles = req->roles,
                              .everything = false,
                              .actor = req->caller.actor,
                              .address = req->caller.address[0] ? req->caller.address : NULL};
}

int org_run_create(struct req *req, struct resp *resp, org_create_fn fn)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = fn(db, &who, req->json, &out, &p);
    return req_answer(req, resp, rc, 201, out, &p);
}

int org_run_change(struct req *req, struct resp *resp, const char *param, int status,
                   org_change_fn fn)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = fn(db, &who, req_param(req, param), req->json, &out, &p);
    return req_answer(req, resp, rc, status, out, &p);
}

int org_run_act(struct req *req, struct resp *resp, const char *param, int status, org_act_fn fn)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = fn(db, &who, req_param(req, param), &out, &p);
    return req_answer(req, resp, rc, status, out, &p);
}

int org_run_read(struct req *req, struct resp *resp, const char *param, org_read_fn fn)
{
    static const char *const params[] = {NULL};
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = fn(db, &who, req_param(req, param), &out);
    return req_answer(req, resp, rc, 200, out, &(struct json_problem){0});
}

/* The string member name (NULL for JSON null), marking bit in *set when it is present. */
static const char *text(const char *name, unsigned bit, unsigned *set, json_t *body)
{
    json_t *v = json_object_get(body, name);
    if (v)
        *set |= bit;
    return json_string_value(v);
}

static bool flag(const char *name, unsigned bit, unsigned *set, json_t *body)
{
    json_t *v = json_object_get(body, name);
    if (v)
        *set |= bit;
    return json_is_true(v);
}

static struct org_input org_input_of(json_t *b)
{
    struct org_input in = {0};
    in.code = text("code", ORG_F_CODE, &in.set, b);
    in.name = text("name", ORG_F_NAME, &in.set, b);
    in.kind = text("kind", ORG_F_KIND, &in.set, b);
    in.parent_code = text("parent_code", ORG_F_PARENT, &in.set, b);
    in.org_number = text("org_number", ORG_F_NUMBER, &in.set, b);
    in.mfa_required = flag("mfa_required", ORG_F_MFA, &in.set, b);
    return in;
}

static struct person_input person_input_of(json_t *b)
{
    struct person_input in = {0};
    in.user_id = text("user_id", PERSON_F_USER_ID, &in.set, b);
    in.name = text("name", PERSON_F_NAME, &in.set, b);
    in.email = text("email", PERSON_F_EMAIL, &in.set, b);
    in.organisation = text("organisation", PERSON_F_ORG, &in.set, b);
    in.manager_user_id = text("manager_user_id", PERSON_F_MANAGER, &in.set, b);
    in.employment_start = text("employment_start", PERSON_F_START, &in.set, b);
    in.employment_end = text("employment_end", PERSON_F_END, &in.set, b);
    in.privileged = flag("privileged", PERSON_F_PRIVILEGED, &in.set, b);
    in.disabled = flag("disabled", PERSON_F_DISABLED, &in.set, b);
    in.title = text("title", PERSON_F_TITLE, &in.set, b);
    return in;
}

typedef int (*list_fn)(struct db *, const struct org_actor *, const struct org_list_query *,
                       json_t **, struct json_problem *);

/* The list routes differ only in their parameters and the module function. */
static int list(struct req *req, struct resp *resp, const char *const *params, list_fn fn)
{
    struct org_actor who = org_actor_of(req);
    struct org_list_query q = {
        .limit = req_query(req, "limit"),
        .cursor = req_query(req, "cursor"),
        .kind = req_query(req, "kind"),
        .parent = req_query(req, "parent"),
        .q = req_query(req, "q"),
        .organisation = req_query(req, "organisation"),
        .person = req_query(req, "person"),
        .role = req_query(req, "role"),
    };
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = fn(db, &who, &q, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

/* ---- handlers ---- */

int h_roles_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {NULL};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = role_list(db, &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_org_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit", "cursor", "kind", "parent", "q", NULL};
    return list(req, resp, params, org_list);
}

int h_person_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit", "cursor", "organisation", "q", NULL};
    return list(req, resp, params, person_list);
}

int h_assignment_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit", "cursor", "person", "organisation", "role", NULL};
    return list(req, resp, params, role_assignment_list);
}

int h_org_get(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = org_get(db, &who, req_param(req, "code"), &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_person_get(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = person_get(db, &who, req_param(req, "user_id"), &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_org_create(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct org_input in = org_input_of(req->json);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = org_create(db, &who, &in, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 201, out);
}

int h_org_update(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct org_input in = org_input_of(req->json);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = org_update(db, &who, req_param(req, "code"), &in, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

int h_person_create(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct person_input in = person_input_of(req->json);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = person_create(db, &who, &in, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 201, out);
}

int h_person_update(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct person_input in = person_input_of(req->json);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = person_update(db, &who, req_param(req, "user_id"), &in, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

int h_assignment_create(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    json_t *b = req->json;
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc =
            role_assignment_create(db, &who, json_string_value(json_object_get(b, "user_id")),
                                   json_string_value(json_object_get(b, "role")),
                                   json_string_value(json_object_get(b, "organisation")), &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 201, out);
}

int h_assignment_delete(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    int rc = req_db(req, &db);
    if (!rc)
        rc = role_assignment_delete(db, &who, req_param(req, "id"), &p);
    if (rc)
        return req_fail(req, rc, &p);
    resp->status = 204;
    resp->body = "";
    resp->len = 0;
    return 0;
}
