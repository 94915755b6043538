/* Thin HTTP handlers of the catalog: request in, catalog.c with the caller's reach, JSON out. */
#include "catalog/catalog_http.h"
#include "catalog/cat_common.h"
#include "catalog/catalog.h"
#include "catalog/catalog_export.h"
#include "core/err.h"
#include "db/db.h"
#include "http/request.h"
#include "org/org_http.h"

#define ID_FIELD(name, flags, doc)                                                                 \
    {                                                                                              \
        name, FIELD_STRING, (flags), 1, CAT_EXTERNAL_ID_MAX, doc                                   \
    }
#define SYSTEM_FIELDS(req)                                                                         \
    ID_FIELD("external_id", (req), "Unique id: 1-64 of A-Z a-z 0-9 . _ - (immutable)"),            \
        {"name", FIELD_STRING, (req) | FIELD_ONE_LINE, 1, ORG_NAME_MAX, "Name"},                   \
        {"description", FIELD_STRING, 0, 0, CAT_TEXT_MAX, "What the system is for"},               \
        {"organisation", FIELD_STRING, (req), 1, 64, "Code of the owning organisation"},           \
        {"system_owner",                                                                           \
         FIELD_STRING,                                                                             \
         (req),                                                                                    \
         1,                                                                                        \
         USER_ID_MAX,                                                                              \
         "User id of the system owner: holds system_owner in the organisation or above"},          \
        {"administrator", FIELD_STRING,                                                            \
         FIELD_NULLABLE,  1,                                                                       \
         USER_ID_MAX,     "User id of the system administrator (förvaltare)"},                     \
        {"supplier", FIELD_STRING, FIELD_NULLABLE, 1, 64, "Code of a supplier organisation"},      \
        {"lifecycle", FIELD_STRING, 0,                                                             \
         1,           32,           "planned, production (default), decommissioning or retired"},  \
        {"hosting", FIELD_STRING, 0, 1, 32, "own (default), it_centre, supplier or cloud"},        \
        {"hosting_country",                                                                        \
         FIELD_STRING,                                                                             \
         FIELD_NULLABLE,                                                                           \
         2,                                                                                        \
         2,                                                                                        \
         "ISO 3166-1 alpha-2 country of the data; required for cloud"},                            \
        {"internet_facing", FIELD_BOOLEAN, 0, 0, 0, "Reachable from the internet"},                \
        {"sso", FIELD_BOOLEAN, 0, 0, 0, "Logs in with single sign-on"},                            \
        {"mfa_enforced", FIELD_BOOLEAN, 0, 0, 0, "Enforces multi-factor authentication"},          \
        {"last_significant_change",                                                                \
         FIELD_DATE,                                                                               \
         FIELD_NULLABLE,                                                                           \
         0,                                                                                        \
         0,                                                                                        \
         "Date of the last significant change"},                                                   \
    {                                                                                              \
        NULL, 0, 0, 0, 0, NULL                                                                     \
    }

const struct field system_create_fields[] = {SYSTEM_FIELDS(FIELD_REQUIRED)};
const struct field system_update_fields[] = {SYSTEM_FIELDS(0)};

#define COMPONENT_FIELDS(req)                                                                      \
    {"kind", FIELD_STRING, (req), 1, 32, "hardware, software or licence"},                         \
        {"name", FIELD_STRING, (req) | FIELD_ONE_LINE, 1, ORG_NAME_MAX, "Name"},                   \
        {"vendor", FIELD_STRING, FIELD_NULLABLE | FIELD_ONE_LINE, 1, ORG_NAME_MAX, "Vendor"},      \
        {"product", FIELD_STRING, FIELD_NULLABLE | FIELD_ONE_LINE, 1, ORG_NAME_MAX, "Product"},    \
        {"version", FIELD_STRING, FIELD_NULLABLE | FIELD_ONE_LINE, 1, 100, "Version"},             \
        {"cpe", FIELD_STRING, FIELD_NULLABLE, 1, CPE_MAX, "CPE 2.3 formatted string"},             \
        {"licence_count", FIELD_INTEGER, FIELD_NULLABLE, 0, 100000000, "Licences held"},           \
        {"licences_in_use", FIELD_INTEGER, FIELD_NULLABLE, 0, 100000000, "Licences in use"},       \
        {"licence_expiry", FIELD_DATE, FIELD_NULLABLE, 0, 0, "When the licences expire"},          \
        {"licence_cost", FIELD_INTEGER,                                                            \
         FIELD_NULLABLE, 0,                                                                        \
         1000000000000,  "Yearly cost in whole kronor"},                                           \
        {"end_of_support", FIELD_DATE, FIELD_NULLABLE, 0, 0, "End of the vendor's support"},       \
    {                                                                                              \
        NULL, 0, 0, 0, 0, NULL                                                                     \
    }

const struct field component_create_fields[] = {COMPONENT_FIELDS(FIELD_REQUIRED)};
const struct field component_update_fields[] = {COMPONENT_FIELDS(0)};

static int list(struct req *req, struct resp *resp, bool mine)
{
    static const char *const params[] = {"limit",         "cursor", "sort",      "q",
                                         "organisation",  "owner",  "lifecycle", "level",
                                         "personal_data", "format", NULL};
    struct org_actor who = org_actor_of(req);
    struct system_list_query q = {
        .limit = req_query(req, "limit"),
        .cursor = req_query(req, "cursor"),
        .sort = req_query(req, "sort"),
        .q = req_query(req, "q"),
        .organisation = req_query(req, "organisation"),
        .owner = req_query(req, "owner"),
        .lifecycle = req_query(req, "lifecycle"),
        .level = req_query(req, "level"),
        .personal_data = req_query(req, "personal_data"),
        .mine = mine,
    };
    struct json_problem p = {0};
    struct db *db;
    enum cat_format format = CAT_FORMAT_JSON;
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc && format != CAT_FORMAT_JSON)
        return cat_export_respond(req, resp, db, &who, CAT_LIST_SYSTEMS, format, &q, params);
    struct buf text;
    buf_init(&text, CAT_PAGE_BYTES_MAX);
    if (!rc)
        rc = system_list_write(db, &who, &q, &text, &p);
    if (rc) {
        buf_release(&text);
        return req_fail(req, rc, &p);
    }
    return resp_json_text(req, resp, 200, &text);
}

int h_system_list(struct req *req, struct resp *resp)
{
    return list(req, resp, false);
}

/* A token has no person, so it owns nothing: its list is empty (see docs/api.md). */
int h_my_systems(struct req *req, struct resp *resp)
{
    return list(req, resp, true);
}

int h_system_create(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = system_create(db, &who, req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 201, out);
}

int h_system_get(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = system_get(db, &who, req_param(req, "external_id"), &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_system_update(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = system_update(db, &who, req_param(req, "external_id"), req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

int h_component_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {NULL};
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = component_list(db, &who, req_param(req, "external_id"), &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_component_create(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = component_create(db, &who, req_param(req, "external_id"), req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 201, out);
}

int h_component_update(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = component_update(db, &who, req_param(req, "external_id"),
                              req_param(req, "component_id"), req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

int h_component_delete(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    int rc = req_db(req, &db);
    if (!rc)
        rc = component_delete(db, &who, req_param(req, "external_id"),
                              req_param(req, "component_id"), &p);
    if (rc)
        return req_fail(req, rc, &p);
    resp->status = 204;
    resp->body = "";
    resp->len = 0;
    return 0;
}

/* PUT of a relation takes the empty object {}: the pair is the resource, it has no fields. */
const struct field relation_fields[] = {
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field contract_fields[] = {
    {"contract_reference", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, 100,
     "The contract's reference (diarienummer or contract number)"},
    {"contract_end", FIELD_STRING, FIELD_NULLABLE, 10, 10, "When it ends: YYYY-MM-DD, or null"},
    {NULL, 0, 0, 0, 0, NULL},
};

static int relation(struct req *req, struct resp *resp, bool dependency, bool on)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    int rc = req_db(req, &db);
    if (!rc)
        rc = system_relation(db, &who, req_param(req, "external_id"), dependency,
                             req_param(req, dependency ? "dep_external_id" : "code"), on, &p);
    if (rc)
        return req_fail(req, rc, &p);
    resp->status = 204;
    resp->body = "";
    resp->len = 0;
    return 0;
}

int h_system_user_add(struct req *req, struct resp *resp)
{
    return relation(req, resp, false, true);
}

int h_system_user_remove(struct req *req, struct resp *resp)
{
    return relation(req, resp, false, false);
}

int h_system_dependency_add(struct req *req, struct resp *resp)
{
    return relation(req, resp, true, true);
}

int h_system_dependency_remove(struct req *req, struct resp *resp)
{
    return relation(req, resp, true, false);
}

int h_contract_get(struct req *req, struct resp *resp)
{
    static const char *const params[] = {NULL};
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = supplier_contract_get(db, &who, req_param(req, "code"), &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_contract_put(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = supplier_contract_put(db, &who, req_param(req, "code"), req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}
