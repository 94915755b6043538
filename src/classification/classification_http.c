/* Thin HTTP handlers of classification: request in, classification.c with the caller's reach,
 * JSON out. */
#include "classification/classification_http.h"
#include "catalog/cat_common.h"
#include "classification/classification.h"
#include "catalog/catalog_export.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "http/request.h"
#include "org/org_http.h"

#define INFO_FIELDS(req)                                                                           \
    {"external_id",                                                                                \
     FIELD_STRING,                                                                                 \
     (req),                                                                                        \
     1,                                                                                            \
     CAT_EXTERNAL_ID_MAX,                                                                          \
     "Unique id: 1-64 of A-Z a-z 0-9 . _ - (immutable)"},                                          \
        {"name", FIELD_STRING, (req) | FIELD_ONE_LINE, 1, ORG_NAME_MAX, "Name"},                   \
        {"description", FIELD_STRING, 0, 0, CAT_TEXT_MAX, "What the information is"},              \
        {"organisation", FIELD_STRING, (req), 1, 64, "Code of the owning organisation"},           \
        {"information_owner",                                                                      \
         FIELD_STRING,                                                                             \
         (req),                                                                                    \
         1,                                                                                        \
         USER_ID_MAX,                                                                              \
         "User id of the information owner: holds information_owner in the organisation or "       \
         "above"},                                                                                 \
        {"k", FIELD_INTEGER, (req), 0, 4, "Konfidentialitet 0-4"},                                 \
        {"r", FIELD_INTEGER, (req), 0, 4, "Riktighet 0-4"},                                        \
        {"t", FIELD_INTEGER, (req), 0, 4, "Tillgänglighet 0-4"},                                   \
        {"personal_data", FIELD_STRING, 0, 1, 16, "none (default), personal or sensitive"},        \
        {"secrecy_reference",                                                                      \
         FIELD_STRING,                                                                             \
         FIELD_NULLABLE | FIELD_ONE_LINE,                                                          \
         1,                                                                                        \
         200,                                                                                      \
         "The OSL provision that applies, e.g. 'OSL 26 kap. 1 §'"},                                \
    {                                                                                              \
        NULL, 0, 0, 0, 0, NULL                                                                     \
    }

const struct field information_create_fields[] = {INFO_FIELDS(FIELD_REQUIRED)};
const struct field information_update_fields[] = {INFO_FIELDS(0)};

/* PUT of a link takes the empty object {}: the link is the resource, it has no fields. */
const struct field link_fields[] = {
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field raise_fields[] = {
    {"aspect", FIELD_STRING, FIELD_REQUIRED, 1, 1, "k, r or t"},
    {"level", FIELD_INTEGER, FIELD_REQUIRED, 0, 4, "The level, not below the inherited one"},
    {"reason", FIELD_STRING, FIELD_REQUIRED, 1, 32,
     "accumulation, aggregation, integration or other"},
    {"note", FIELD_STRING, FIELD_NULLABLE, 1, 1000, "Why; required for reason other"},
    {NULL, 0, 0, 0, 0, NULL},
};

static int list(struct req *req, struct resp *resp, bool mine)
{
    static const char *const params[] = {"limit",
                                         "cursor",
                                         "sort",
                                         "q",
                                         "organisation",
                                         "owner",
                                         "k",
                                         "r",
                                         "t",
                                         "personal_data",
                                         "review_due_before",
                                         "format",
                                         NULL};
    struct org_actor who = org_actor_of(req);
    struct information_list_query q = {
        .limit = req_query(req, "limit"),
        .cursor = req_query(req, "cursor"),
        .sort = req_query(req, "sort"),
        .q = req_query(req, "q"),
        .organisation = req_query(req, "organisation"),
        .owner = req_query(req, "owner"),
        .k = req_query(req, "k"),
        .r = req_query(req, "r"),
        .t = req_query(req, "t"),
        .personal_data = req_query(req, "personal_data"),
        .review_due_before = req_query(req, "review_due_before"),
        .mine = mine,
    };
    struct json_problem p = {0};
    struct db *db;
    enum cat_format format = CAT_FORMAT_JSON;
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc && format != CAT_FORMAT_JSON)
        return cat_export_respond(req, resp, db, &who, CAT_LIST_INFORMATION, format, &q, params);
    struct buf text;
    buf_init(&text, CAT_PAGE_BYTES_MAX);
    if (!rc)
        rc = information_list_write(db, &who, &q, &text, &p);
    if (rc) {
        buf_release(&text);
        return req_fail(req, rc, &p);
    }
    return resp_json_text(req, resp, 200, &text);
}

int h_information_list(struct req *req, struct resp *resp)
{
    return list(req, resp, false);
}

/* A token has no person, so it owns nothing: its list is empty (see docs/api.md). */
int h_my_information(struct req *req, struct resp *resp)
{
    return list(req, resp, true);
}

int h_information_create(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = information_create(db, &who, req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 201, out);
}

int h_information_get(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = information_get(db, &who, req_param(req, "external_id"), &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_information_update(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = information_update(db, &who, req_param(req, "external_id"), req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

static int link(struct req *req, struct resp *resp, bool on)
{
    struct org_actor who = org_actor_of(req);
    struct db *db;
    int rc = req_db(req, &db);
    if (!rc)
        rc = information_link(db, &who, req_param(req, "external_id"),
                              req_param(req, "info_external_id"), on);
    if (rc)
        return rc;
    resp->status = 204;
    resp->body = "";
    resp->len = 0;
    return 0;
}

int h_information_link(struct req *req, struct resp *resp)
{
    return link(req, resp, true);
}

int h_information_unlink(struct req *req, struct resp *resp)
{
    return link(req, resp, false);
}

typedef int (*system_view_fn)(struct db *, const struct org_actor *, const char *, json_t **);

static int system_view(struct req *req, struct resp *resp, system_view_fn fn)
{
    static const char *const params[] = {NULL};
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = fn(db, &who, req_param(req, "external_id"), &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_system_protection(struct req *req, struct resp *resp)
{
    return system_view(req, resp, system_protection);
}

/* ?format=csv|xlsx: the kravlista as a file, audited as requirements.export. */
int h_system_requirements(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"format", NULL};
    struct org_actor who = org_actor_of(req);
    const char *ext = req_param(req, "external_id");
    enum cat_format format;
    struct db *db;
    json_t *out = NULL;
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc)
        rc = system_requirements(db, &who, ext, &out);
    if (rc)
        return rc;
    if (format == CAT_FORMAT_JSON)
        return resp_json(req, resp, 200, out);
    json_t *rows = cat_requirement_rows(out);
    char name[96];
    if (str_format(name, sizeof(name), "kravlista-%s", ext))
        str_copy(name, sizeof(name), "kravlista");
    rc = cat_export_send(req, resp, db, CAT_LIST_REQUIREMENTS, format, rows, NULL, ext, name);
    json_decref(rows);
    json_decref(out);
    return rc;
}

int h_system_raise(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = system_raise(db, &who, req_param(req, "external_id"), req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 201, out);
}
