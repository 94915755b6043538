/* Thin HTTP handlers of access control: request in, access.c with the caller's reach, JSON (or
 * a CSV/XLSX export) out. */
#include "access/access_http.h"
#include "access/access.h"
#include "catalog/cat_common.h"
#include "catalog/catalog_export.h"
#include "core/err.h"
#include "db/db.h"
#include "http/request.h"
#include "org/org_http.h"

#include <string.h>

#define LOGIN_DOC "A date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ; null for never"

const struct field access_account_create_fields[] = {
    {"system", FIELD_STRING, FIELD_REQUIRED, 1, CAT_EXTERNAL_ID_MAX, "External id of the system"},
    {"username", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, ACCESS_USERNAME_MAX,
     "The account's name in the system"},
    {"person", FIELD_STRING, FIELD_NULLABLE, 1, USER_ID_MAX,
     "User id of the person it belongs to; absent or null: tied to no person"},
    {"shared", FIELD_BOOLEAN, 0, 0, 0, "Shared or generic (needs an exception)"},
    {"privileged", FIELD_BOOLEAN, 0, 0, 0, "Administrative or otherwise privileged"},
    {"mfa_enrolled", FIELD_BOOLEAN, 0, 0, 0, "Enrolled in multi-factor authentication"},
    {"last_login", FIELD_STRING, FIELD_NULLABLE, 1, 40, LOGIN_DOC},
    {"status", FIELD_STRING, 0, 1, 16, "active (default) or disabled"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field access_account_update_fields[] = {
    {"person", FIELD_STRING, FIELD_NULLABLE, 1, USER_ID_MAX,
     "User id of the person it belongs to; null: tied to no person"},
    {"shared", FIELD_BOOLEAN, 0, 0, 0, "Shared or generic (needs an exception)"},
    {"privileged", FIELD_BOOLEAN, 0, 0, 0, "Administrative or otherwise privileged"},
    {"mfa_enrolled", FIELD_BOOLEAN, 0, 0, 0, "Enrolled in multi-factor authentication"},
    {"last_login", FIELD_STRING, FIELD_NULLABLE, 1, 40, LOGIN_DOC},
    {"status", FIELD_STRING, 0, 1, 16, "active, disabled or removed (revokes its grants)"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field access_exception_fields[] = {
    {"reason", FIELD_STRING, FIELD_REQUIRED, 1, ACCESS_TEXT_MAX,
     "Why the shared account is needed"},
    {"until", FIELD_DATE, FIELD_REQUIRED, 0, 0, "The last day the exception holds"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field access_entitlement_fields[] = {
    {"name", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, ACCESS_ENTITLEMENT_MAX,
     "The role, group or permission set's name in the system"},
    {"description", FIELD_STRING, 0, 0, ACCESS_TEXT_MAX, "What it gives"},
    {"privileged", FIELD_BOOLEAN, 0, 0, 0, "Gives administrative or otherwise privileged access"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field access_grant_create_fields[] = {
    {"entitlement", FIELD_INTEGER, FIELD_REQUIRED, 1, INT64_MAX / 2,
     "Id of the system's entitlement"},
    {"account", FIELD_INTEGER, 0, 1, INT64_MAX / 2, "Id of the account; or system and person"},
    {"system", FIELD_STRING, 0, 1, CAT_EXTERNAL_ID_MAX, "External id of the system"},
    {"person", FIELD_STRING, 0, 1, USER_ID_MAX,
     "User id of the person (their account on the system is made when they have none)"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field access_revoke_fields[] = {
    {"reason", FIELD_STRING, FIELD_REQUIRED, 1, ACCESS_TEXT_MAX, "Why the grant is revoked"},
    {NULL, 0, 0, 0, 0, NULL},
};

/* ---- accounts ---- */

int h_account_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {
        "limit",      "cursor", "q",      "organisation", "system", "person", "shared",
        "privileged", "mfa",    "status", "unowned",      "format", NULL};
    struct org_actor who = org_actor_of(req);
    struct access_account_query q = {
        .limit = req_query(req, "limit"),
        .cursor = req_query(req, "cursor"),
        .q = req_query(req, "q"),
        .organisation = req_query(req, "organisation"),
        .system = req_query(req, "system"),
        .person = req_query(req, "person"),
        .shared = req_query(req, "shared"),
        .privileged = req_query(req, "privileged"),
        .mfa = req_query(req, "mfa"),
        .status = req_query(req, "status"),
        .unowned = req_query(req, "unowned"),
    };
    struct json_problem p = {0};
    struct db *db = NULL;
    json_t *out = NULL;
    enum cat_format format = CAT_FORMAT_JSON;
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc)
        rc = access_account_list(db, &who, &q, format != CAT_FORMAT_JSON, &out, &p);
    return cat_list_answer(req, resp, db, rc, out, &p, format, CAT_LIST_ACCOUNTS,
                           access_account_rows, params, NULL);
}

int h_account_create(struct req *req, struct resp *resp)
{
    return org_run_create(req, resp, access_account_create);
}

int h_account_get(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "id", access_account_get);
}

int h_account_update(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "id", 200, access_account_update);
}

int h_account_exception(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "id", 200, access_account_exception);
}

/* ---- entitlements ---- */

int h_entitlement_list(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "external_id", access_entitlement_list);
}

int h_entitlement_create(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "external_id", 201, access_entitlement_create);
}

/* ---- grants ---- */

int h_grant_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit",  "cursor",  "organisation", "system",
                                         "person", "account", "entitlement",  "active",
                                         "format", NULL};
    struct org_actor who = org_actor_of(req);
    struct access_grant_query q = {
        .limit = req_query(req, "limit"),
        .cursor = req_query(req, "cursor"),
        .organisation = req_query(req, "organisation"),
        .system = req_query(req, "system"),
        .person = req_query(req, "person"),
        .account = req_query(req, "account"),
        .entitlement = req_query(req, "entitlement"),
        .active = req_query(req, "active"),
    };
    struct json_problem p = {0};
    struct db *db = NULL;
    json_t *out = NULL;
    enum cat_format format = CAT_FORMAT_JSON;
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc)
        rc = access_grant_list(db, &who, &q, format != CAT_FORMAT_JSON, &out, &p);
    return cat_list_answer(req, resp, db, rc, out, &p, format, CAT_LIST_GRANTS, access_grant_rows,
                           params, NULL);
}

int h_grant_create(struct req *req, struct resp *resp)
{
    return org_run_create(req, resp, access_grant_create);
}

int h_grant_get(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "id", access_grant_get);
}

int h_grant_revoke(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "id", 200, access_grant_revoke_by);
}

/* ---- MFA coverage ---- */

int h_mfa_coverage(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"organisation", "system", NULL};
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = access_mfa_coverage(db, &who, req_query(req, "organisation"), req_query(req, "system"),
                                 &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}
