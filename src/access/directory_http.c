/* Thin HTTP handlers of the directory import: request in, directory.c with the caller's
 * reach, JSON out. A sync is only queued here (202); the worker thread runs it. */
#include "access/directory_http.h"
#include "access/directory.h"
#include "core/err.h"
#include "db/db.h"
#include "http/request.h"
#include "org/org_http.h"

#define SOURCE_FIELDS(req)                                                                         \
    {"name",                                                                                       \
     FIELD_STRING,                                                                                 \
     (req) | FIELD_ONE_LINE,                                                                       \
     1,                                                                                            \
     DIR_NAME_MAX,                                                                                 \
     "Name, unique within the "                                                                    \
     "organisation"},                                                                              \
        {"uri", FIELD_STRING, (req) | FIELD_ONE_LINE,                                              \
         8,     DIR_URI_MAX,  "ldap://host:port or ldaps://host:port"},                            \
        {"bind_dn", FIELD_STRING, FIELD_NULLABLE | FIELD_ONE_LINE,                                 \
         1,         DIR_DN_MAX,   "DN to bind as (null: anonymous)"},                              \
        {"bind_password_env",                                                                      \
         FIELD_STRING,                                                                             \
         FIELD_NULLABLE | FIELD_ONE_LINE,                                                          \
         1,                                                                                        \
         DIR_ENV_MAX - 1,                                                                          \
         "Name of the environment variable of varn serve holding the bind password"},              \
        {"base_dn", FIELD_STRING, (req) | FIELD_ONE_LINE, 1, DIR_DN_MAX, "Where to search"},       \
        {"user_filter",          FIELD_STRING,                                                     \
         (req) | FIELD_ONE_LINE, 3,                                                                \
         DIR_FILTER_MAX,         "LDAP filter of the users"},                                      \
        {"group_filter",         FIELD_STRING,                                                     \
         (req) | FIELD_ONE_LINE, 3,                                                                \
         DIR_FILTER_MAX,         "LDAP filter of the groups"},                                     \
        {"attributes",                                                                             \
         FIELD_OBJECT,                                                                             \
         (req),                                                                                    \
         0,                                                                                        \
         0,                                                                                        \
         "Värn's fields to directory attributes: username, person, person_match (user_id or "     \
         "email), disabled, last_login, member_of, mfa, start_tls"},                               \
        {"sync_interval",                                                                          \
         FIELD_STRING,                                                                             \
         FIELD_NULLABLE,                                                                           \
         2,                                                                                        \
         DIR_INTERVAL_MAX - 1,                                                                     \
         "ISO 8601 duration between scheduled syncs, e.g. PT6H (null: by hand only)"},             \
    {                                                                                              \
        "groups", FIELD_ARRAY, 0, 0, DIR_GROUPS_MAX,                                               \
            "[{group_dn, system (external id), entitlement (name)}]: members get the grant"        \
    }

const struct field dir_source_create_fields[] = {
    {"organisation", FIELD_STRING, FIELD_REQUIRED, 1, 64, "Code of the organisation"},
    SOURCE_FIELDS(FIELD_REQUIRED),
    {NULL, 0, 0, 0, 0, NULL},
};
const struct field dir_source_update_fields[] = {
    SOURCE_FIELDS(0),
    {NULL, 0, 0, 0, 0, NULL},
};
const struct field dir_groups_fields[] = {
    {"groups", FIELD_ARRAY, FIELD_REQUIRED, 0, DIR_GROUPS_MAX,
     "[{group_dn, system (external id), entitlement (name)}]: replaces the map"},
    {NULL, 0, 0, 0, 0, NULL},
};
/* POST of a sync takes the empty object {} (or no body). */
const struct field dir_sync_fields[] = {
    {NULL, 0, 0, 0, 0, NULL},
};

int h_dir_source_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit", "cursor", NULL};
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = dir_source_list(db, &who, req_query(req, "limit"), req_query(req, "cursor"), &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}

int h_dir_source_create(struct req *req, struct resp *resp)
{
    return org_run_create(req, resp, dir_source_create);
}

int h_dir_source_get(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "id", dir_source_get);
}

int h_dir_source_update(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "id", 200, dir_source_update);
}

int h_dir_groups_put(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "id", 200, dir_source_groups_put);
}

int h_dir_sync_request(struct req *req, struct resp *resp)
{
    return org_run_act(req, resp, "id", 202, dir_sync_request);
}

int h_dir_sync_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit", "cursor", NULL};
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = dir_sync_list(db, &who, req_param(req, "id"), req_query(req, "limit"),
                           req_query(req, "cursor"), &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}

int h_dir_sync_get(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"change", "limit", "cursor", NULL};
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = dir_sync_get(db, &who, req_param(req, "id"), req_param(req, "sync_id"),
                          req_query(req, "change"), req_query(req, "limit"),
                          req_query(req, "cursor"), &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}
