/* Thin HTTP handlers of the findings and attestations: request in, findings.c with the
 * caller's reach, JSON (or a spreadsheet, or the attached file) out. Every read brings the
 * stored findings up to date first. */
#include "engine/findings_http.h"
#include "catalog/catalog_export.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "engine/findings.h"
#include "http/request.h"
#include "org/org_http.h"

#include <stdlib.h>
#include <string.h>

const struct field attestation_fields[] = {
    {"organisation", FIELD_STRING, FIELD_REQUIRED, 1, 64, "Code of the organisation"},
    {"obligation", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, 32,
     "The requirement id (an obligation with the rule attestation)"},
    {"statement", FIELD_STRING, FIELD_REQUIRED, 1, ATTESTATION_STATEMENT_MAX,
     "What was done and how the duty is met"},
    {"evidence_reference", FIELD_STRING, FIELD_NULLABLE | FIELD_ONE_LINE, 1,
     ATTESTATION_REFERENCE_MAX, "Where the evidence is: a diarienummer or a link"},
    {"attachment", FIELD_OBJECT, FIELD_NULLABLE, 0, 0,
     "An attached file {name, content_type, data_base64}, at most 2 MiB decoded"},
    {NULL, 0, 0, 0, 0, NULL},
};

static int start(struct req *req, const char *const *params, struct db **db)
{
    int rc = req_query_db(req, params, db);
    if (!rc)
        findings_fresh(*db);
    return rc;
}

/* Every matching finding as a spreadsheet, audited with the query's filters. */
static int export(struct req *req, struct resp *resp, struct db *db, const struct org_actor *who,
                  struct findings_query *q, enum cat_format format, const char *const *params)
{
    struct json_problem p = {0};
    json_t *all = NULL;
    int rc = findings_export_rows(db, who, q, CAT_EXPORT_MAX, &all, &p);
    if (!rc)
        rc = cat_export_rows_send(req, resp, db, CAT_LIST_FINDINGS, format, all, params, NULL);
    else
        json_decref(all);
    return cat_export_fail(req, rc, &p);
}

int h_findings_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"limit",   "cursor",       "organisation", "section",
                                         "status",  "responsible",  "due_before",   "obligation",
                                         "profile", "subject_kind", "format",       NULL};
    struct org_actor who = org_actor_of(req);
    struct findings_query q = {
        .limit = req_query(req, "limit"),
        .cursor = req_query(req, "cursor"),
        .organisation = req_query(req, "organisation"),
        .section = req_query(req, "section"),
        .status = req_query(req, "status"),
        .responsible = req_query(req, "responsible"),
        .due_before = req_query(req, "due_before"),
        .obligation = req_query(req, "obligation"),
        .profile = req_query(req, "profile"),
        .subject_kind = req_query(req, "subject_kind"),
    };
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    enum cat_format format = CAT_FORMAT_JSON;
    int rc = cat_list_start(req, params, &db, &format);
    if (!rc)
        findings_fresh(db);
    if (!rc && format != CAT_FORMAT_JSON)
        return export(req, resp, db, &who, &q, format, params);
    if (!rc)
        rc = findings_list(db, &who, &q, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

int h_findings_summary(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"organisation", NULL};
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = start(req, params, &db);
    if (!rc)
        rc = findings_summary(db, &who, req_query(req, "organisation"), &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

int h_findings_trend(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"organisation", "days", NULL};
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = start(req, params, &db);
    if (!rc)
        rc = findings_trend(db, &who, req_query(req, "organisation"), req_query(req, "days"),
                            clock_now(), &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

int h_policies_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {NULL};
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = start(req, params, &db);
    if (!rc)
        rc = policies_list(db, &who, &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_policy_get(struct req *req, struct resp *resp)
{
    static const char *const params[] = {NULL};
    struct org_actor who = org_actor_of(req);
    struct db *db;
    json_t *out = NULL;
    int rc = start(req, params, &db);
    if (!rc)
        rc = policy_get(db, &who, req_param(req, "code"), &out);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, out);
}

int h_attestation_create(struct req *req, struct resp *resp)
{
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = attestation_create(db, &who, req->json, &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 201, out);
}

int h_attestation_list(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"organisation", "obligation", "limit", "cursor", NULL};
    struct org_actor who = org_actor_of(req);
    struct json_problem p = {0};
    struct db *db;
    json_t *out = NULL;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc =
            attestation_list(db, &who, req_query(req, "organisation"), req_query(req, "obligation"),
                             req_query(req, "limit"), req_query(req, "cursor"), &out, &p);
    if (rc)
        return req_fail(req, rc, &p);
    return resp_json(req, resp, 200, out);
}

static void free_ptr(void *p)
{
    free(p);
}

/* A file name safe in a quoted header value: ASCII letters, digits, '.', '_' and '-'. */
static char *safe_name(struct req *req, const char *name)
{
    size_t n = strlen(name);
    char *out = arena_alloc(&req->arena, n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        out[i] = ok ? c : '_';
    }
    out[n] = '\0';
    return out;
}

int h_attestation_evidence(struct req *req, struct resp *resp)
{
    static const char *const params[] = {NULL};
    struct org_actor who = org_actor_of(req);
    struct db *db;
    char *name = NULL, *type = NULL;
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = req_query_db(req, params, &db);
    if (!rc)
        rc = attestation_evidence(db, &who, req_param(req, "id"), &name, &type, &data, &len);
    if (rc)
        return rc;
    char *shown = safe_name(req, name);
    resp->status = 200;
    resp->content_type = arena_strdup(&req->arena, type);
    resp->disposition =
        shown ? arena_printf(&req->arena, "attachment; filename=\"%s\"", shown) : "attachment";
    resp->body = data;
    resp->len = len;
    arena_defer(&req->arena, free_ptr, data);
    free(name);
    free(type);
    return resp->content_type && resp->disposition ? 0 : ERR_NOMEM;
}
