/* Thin HTTP handlers of risk management: request in, risk.c with the caller's reach, JSON (or
 * a CSV/XLSX export) out. */
#include "risk/risk_http.h"
#include "risk/risk.h"
#include "catalog/cat_common.h"
#include "catalog/catalog_export.h"
#include "core/err.h"
#include "db/db.h"
#include "http/request.h"
#include "org/org_http.h"

#include <string.h>

#define NAMES_DOC "3-5 names, level 1 first"

const struct field risk_matrix_fields[] = {
    {"likelihood_names", FIELD_ARRAY, FIELD_REQUIRED, 3, 5, "Sannolikhet: " NAMES_DOC},
    {"consequence_names", FIELD_ARRAY, FIELD_REQUIRED, 3, 5, "Konsekvens: " NAMES_DOC},
    {"bands", FIELD_ARRAY, FIELD_REQUIRED, 1, 5,
     "[{name, colour #rrggbb, max}] by rising max; the last covers the largest score"},
    {"acceptance_threshold", FIELD_INTEGER, FIELD_REQUIRED, 1, 25,
     "Residual scores above it are accepted only by a CISO, head of administration or "
     "administrator"},
    {"acceptance_validity", FIELD_STRING, FIELD_REQUIRED, 2, RISK_VALIDITY_MAX,
     "How long an acceptance holds: an ISO 8601 period such as P1Y"},
    {NULL, 0, 0, 0, 0, NULL},
};

#define ASSESSMENT_FIELDS(req)                                                                     \
    {"title", FIELD_STRING, (req) | FIELD_ONE_LINE, 1, RISK_TITLE_MAX, "Title"},                   \
        {"scope", FIELD_STRING, (req), 1, 16, "system, systems or organisation"},                  \
        {"systems", FIELD_ARRAY, 0, 0, RISK_LINKS_MAX, "External ids of the systems assessed"},    \
        {"assessed_on", FIELD_DATE, (req), 0, 0, "The date of the assessment"},                    \
        {"trigger_kind",                                                                           \
         FIELD_STRING,                                                                             \
         (req),                                                                                    \
         1,                                                                                        \
         32,                                                                                       \
         "yearly, significant_change, incident or new_information"},                               \
        {"method", FIELD_STRING, 0, 0, RISK_TEXT_MAX, "How the risks were assessed"},              \
    {                                                                                              \
        "status", FIELD_STRING, 0, 1, 16, "draft (default), in_progress or approved"               \
    }

const struct field risk_assessment_create_fields[] = {
    {"organisation", FIELD_STRING, FIELD_REQUIRED, 1, 64, "Code of the organisation"},
    ASSESSMENT_FIELDS(FIELD_REQUIRED),
    {NULL, 0, 0, 0, 0, NULL},
};
const struct field risk_assessment_update_fields[] = {
    ASSESSMENT_FIELDS(0),
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field risk_participation_fields[] = {
    {"participated", FIELD_BOOLEAN, FIELD_REQUIRED, 0, 0, "Took part in the assessment"},
    {NULL, 0, 0, 0, 0, NULL},
};

#define RISK_FIELDS(req)                                                                           \
    {"title", FIELD_STRING, (req) | FIELD_ONE_LINE, 1, RISK_TITLE_MAX, "Title"},                   \
        {"threat", FIELD_STRING, 0, 0, RISK_TEXT_MAX, "Hot"},                                      \
        {"vulnerability", FIELD_STRING, 0, 0, RISK_TEXT_MAX, "Sårbarhet"},                         \
        {"systems", FIELD_ARRAY, 0, 0, RISK_LINKS_MAX, "External ids of the systems affected"},    \
        {"information",                                                                            \
         FIELD_ARRAY,                                                                              \
         0,                                                                                        \
         0,                                                                                        \
         RISK_LINKS_MAX,                                                                           \
         "External ids of the information affected"},                                              \
        {"inherent_likelihood",                                                                    \
         FIELD_INTEGER,                                                                            \
         (req),                                                                                    \
         1,                                                                                        \
         5,                                                                                        \
         "Sannolikhet before treatment, up to the matrix's size"},                                 \
        {"inherent_consequence",                                                                   \
         FIELD_INTEGER,                                                                            \
         (req),                                                                                    \
         1,                                                                                        \
         5,                                                                                        \
         "Konsekvens before treatment, up to the matrix's size"},                                  \
        {"residual_likelihood", FIELD_INTEGER, FIELD_NULLABLE, 1, 5, "Sannolikhet after"},         \
        {"residual_consequence", FIELD_INTEGER, FIELD_NULLABLE, 1, 5, "Konsekvens after"},         \
        {"treatment", FIELD_STRING, FIELD_NULLABLE, 1, 16, "reduce, accept, avoid or transfer"},   \
        {"owner", FIELD_STRING, (req), 1, USER_ID_MAX, "User id of the risk owner"},               \
    {                                                                                              \
        "external_id", FIELD_STRING, FIELD_NULLABLE, 1, CAT_EXTERNAL_ID_MAX,                       \
            "Id in a register outside Värn (unique)"                                              \
    }

const struct field risk_create_fields[] = {
    {"assessment", FIELD_INTEGER, FIELD_REQUIRED, 1, INT64_MAX / 2, "Id of the risk assessment"},
    RISK_FIELDS(FIELD_REQUIRED),
    {NULL, 0, 0, 0, 0, NULL},
};
const struct field risk_update_fields[] = {
    RISK_FIELDS(0),
    {NULL, 0, 0, 0, 0, NULL},
};

/* POST of an acceptance takes the empty object {}: who and when come from the request. */
const struct field risk_acceptance_fields[] = {
    {NULL, 0, 0, 0, 0, NULL},
};

#define MEASURE_FIELDS(req)                                                                        \
    {"title", FIELD_STRING, (req) | FIELD_ONE_LINE, 1, RISK_TITLE_MAX, "What is to be done"},      \
        {"owner", FIELD_STRING, (req), 1, USER_ID_MAX, "User id of who does it"},                  \
        {"due", FIELD_DATE, (req), 0, 0, "When it is to be done"},                                 \
        {"status", FIELD_STRING, 0, 1, 16, "planned (default), in_progress, done or cancelled"},   \
        {"done_on", FIELD_DATE, FIELD_NULLABLE, 0, 0, "When it was done (status done)"},           \
    {                                                                                              \
        "evidence", FIELD_STRING, FIELD_NULLABLE, 1, RISK_TEXT_MAX, "What shows it is done"        \
    }

const struct field risk_measure_create_fields[] = {
    MEASURE_FIELDS(FIELD_REQUIRED),
    {NULL, 0, 0, 0, 0, NULL},
};
const struct field risk_measure_update_fields[] = {
    MEASURE_FIELDS(0),
    {NULL, 0, 0, 0, 0, NULL},
};

/* ---- matrix ---- */

int h_risk_matrix_get(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "code", risk_matrix_get);
}

int h_risk_matrix_put(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "code", 200, risk_matrix_put);
}

/* ---- assessments ---- */

int h_risk_assessment_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {
        "limit", "cursor", "q", "organisation", "system", "trigger_kind", "status", "format", NULL};
    struct org_actor who = org_actor_of(req);
    struct risk_assessment_query q = {
        .limit = req_query(req, "limit"),
        .cursor = req_query(req, "cursor"),
        .q = req_query(req, "q"),
        .organisation = req_query(req, "organisation"),
        .system = req_query(req, "system"),
        .status = req_query(req, "status"),
        .trigger_kind = req_query(req, "trigger_kind"),
    };
    struct json_problem p = {0};
    struct db *db = NULL;
    json_t *out = NULL;
    enum cat_format format = CAT_FORMAT_JSON;
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc)
        rc = risk_assessment_list(db, &who, &q, format != CAT_FORMAT_JSON, &out, &p);
    return cat_list_answer(req, resp, db, rc, out, &p, format, CAT_LIST_RISK_ASSESSMENTS,
                           risk_assessment_rows, params, NULL);
}

int h_risk_assessment_create(struct req *req, struct resp *resp)
{
    return org_run_create(req, resp, risk_assessment_create);
}

int h_risk_assessment_get(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "id", risk_assessment_get);
}

int h_risk_assessment_update(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "id", 200, risk_assessment_update);
}

int h_risk_participation(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = risk_participation(db, &who, req_param(req, "id"), req_param(req, "user_id"),
                                req->json, &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}

/* ---- risks ---- */

int h_risk_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit",        "cursor",     "q",      "sort",
                                         "organisation", "assessment", "system", "treatment",
                                         "band",         "owner",      "format", NULL};
    struct org_actor who = org_actor_of(req);
    struct risk_list_query q = {
        .limit = req_query(req, "limit"),
        .cursor = req_query(req, "cursor"),
        .q = req_query(req, "q"),
        .sort = req_query(req, "sort"),
        .organisation = req_query(req, "organisation"),
        .assessment = req_query(req, "assessment"),
        .system = req_query(req, "system"),
        .treatment = req_query(req, "treatment"),
        .band = req_query(req, "band"),
        .owner = req_query(req, "owner"),
    };
    struct json_problem p = {0};
    struct db *db = NULL;
    json_t *out = NULL;
    enum cat_format format = CAT_FORMAT_JSON;
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc)
        rc = risk_list(db, &who, &q, format != CAT_FORMAT_JSON, &out, &p);
    return cat_list_answer(req, resp, db, rc, out, &p, format, CAT_LIST_RISKS, risk_register_rows,
                           params, NULL);
}

int h_risk_create(struct req *req, struct resp *resp)
{
    return org_run_create(req, resp, risk_create);
}

int h_risk_get(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "id", risk_get);
}

int h_risk_update(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "id", 200, risk_update);
}

int h_risk_accept(struct req *req, struct resp *resp)
{
    return org_run_act(req, resp, "id", 200, risk_accept);
}

/* ---- measures ---- */

int h_risk_measure_list(struct req *req, struct resp *resp)
{
    return org_run_read(req, resp, "id", risk_measure_list);
}

int h_risk_measure_create(struct req *req, struct resp *resp)
{
    return org_run_change(req, resp, "id", 201, risk_measure_create);
}

int h_risk_measure_update(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = risk_measure_update(db, &who, req_param(req, "id"), req_param(req, "measure_id"),
                                 req->json, &out, &p);
    return req_answer(req, resp, rc, 200, out, &p);
}
