/* The CSV import over HTTP: the same code as `varn import` (org_import.c, catalog_import.c), run
 * as the caller. Only the organisations the caller reaches with the roles that may create the
 * kind's objects are in reach, so that a row naming another is refused like an unknown one. */
#include "catalog/import_http.h"
#include "audit/audit.h"
#include "authz/authz.h"
#include "catalog/catalog.h"
#include "core/err.h"
#include "core/str.h"
#include "http/request.h"
#include "org/org.h"
#include "org/org_http.h"

#include "risk/risk.h"
#include "access/access.h"

#include <string.h>

/* The kinds, and the create route whose roles may import them. */
static const struct {
    const char *kind;    /* the path's {kind} */
    const char *pattern; /* POST route that creates one */
    const char *file;    /* the name in messages */
} kinds[] = {
    {"organisations", "/api/v1/organisations", "organisations.csv"},
    {"people", "/api/v1/people", "people.csv"},
    {"systems", "/api/v1/systems", "systems.csv"},
    {"components", "/api/v1/systems/{external_id}/components", "components.csv"},
    {"information", "/api/v1/information", "information.csv"},
    {"risks", "/api/v1/risks", "risks.csv"}, /* a risk register (src/risk/risk_import.c) */
    /* access control (src/access/access_import.c): snapshots of systems' accounts and grants */
    {"accounts", "/api/v1/accounts", "accounts.csv"},
    {"grants", "/api/v1/grants", "grants.csv"},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static unsigned create_roles(struct req *req, const char *pattern)
{
    size_t n = 0;
    const struct route *routes = req_routes(req, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(routes[i].method, "POST") == 0 && strcmp(routes[i].pattern, pattern) == 0)
            return authz_route_roles(&routes[i]);
    return 0;
}

/* The caller holds none of the roles that create this kind: 403 as the edge answers. */
static int refuse(struct req *req, struct db *db, const char *kind)
{
    char object[96];
    str_format(object, sizeof(object), "POST /api/v1/imports/%s", kind);
    struct audit_event ev = {.actor = req->caller.actor,
                             .address = req->caller.address,
                             .action = "access.refused",
                             .object_kind = "route",
                             .object_id = object};
    audit_append_alone(db, &ev);
    return req_problem(req, 403, "forbidden", NULL, "your roles do not give access to this");
}

/* 422 with every kept problem as {line, column, reason, message}: nothing was applied. */
static int report_problems(struct req *req, struct resp *resp, const char *file,
                           const struct import_report *rep)
{
    json_t *errors = json_array();
    for (int i = 0; i < rep->nmessages; i++) {
        const struct import_problem *ip = &rep->problems[i];
        json_array_append_new(errors, json_pack("{s:I, s:s?, s:s, s:s}", "line",
                                                (json_int_t)ip->line, "column", ip->column,
                                                "reason", ip->reason, "message", rep->messages[i]));
    }
    char detail[160];
    str_format(detail, sizeof(detail), "nothing was imported: %d problem%s in '%s'", rep->errors,
               rep->errors == 1 ? "" : "s", file);
    json_t *o = json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:i, s:o}", "type", "urn:varn:problem:invalid_file",
        "title", "Unprocessable Content", "status", 422, "detail", detail, "code", "invalid_file",
        "instance", req->path, "request_id", req->id, "error_count", rep->errors, "errors", errors);
    int rc = resp_json(req, resp, 422, o);
    resp->content_type = "application/problem+json";
    return rc;
}

int h_import(struct req *req, struct resp *resp)
{
    static const char *const params[] = {"dry_run", "system", NULL};
    const char *kind = req_param(req, "kind"), *dry = req_query(req, "dry_run");
    size_t k = 0;
    while (k < NKINDS && strcmp(kinds[k].kind, kind ? kind : "") != 0)
        k++;
    if (k == NKINDS)
        return req_problem(req, 404, "not_found", NULL,
                           "no such import; import organisations, people, systems, components, "
                           "information, risks, accounts or grants");
    bool access = strcmp(kind, "accounts") == 0 || strcmp(kind, "grants") == 0;
    const char *system = req_query(req, "system");
    int rc = req_query_known(req, params);
    if (rc)
        return rc;
    if (system && !access)
        return req_problem(req, 422, "invalid_value", "system",
                           "system names the one system of an accounts or grants file");
    if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0)
        return req_problem(req, 422, "invalid_value", "dry_run", "dry_run is true or false");
    struct db *db;
    unsigned held = 0, roles = create_roles(req, kinds[k].pattern);
    rc = req_db(req, &db);
    if (!rc)
        rc = authz_caller_roles(db, &req->caller, &held);
    if (rc)
        return rc;
    if (!(held & roles))
        return refuse(req, db, kind);

    struct org_actor who = org_actor_of(req);
    who.roles = roles;
    struct import_options opt = {.who = &who, .dry_run = dry && strcmp(dry, "true") == 0};
    struct import_report rep = {0};
    struct access_changes changes = {0};
    const char *data = buf_str(&req->body), *file = kinds[k].file;
    if (strcmp(kind, "organisations") == 0)
        rc = org_import_with(db, IMPORT_ORGANISATIONS, &opt, NULL, file, data, req->body.len, &rep);
    else if (strcmp(kind, "people") == 0)
        rc = org_import_with(db, IMPORT_PEOPLE, &opt, NULL, file, data, req->body.len, &rep);
    else if (strcmp(kind, "risks") == 0)
        rc = risk_import(db, &opt, NULL, file, data, req->body.len, &rep);
    else if (access)
        rc = access_import(
            db, strcmp(kind, "accounts") == 0 ? ACCESS_IMPORT_ACCOUNTS : ACCESS_IMPORT_GRANTS, &opt,
            NULL, system && *system ? system : NULL, file, data, req->body.len, &rep, &changes);
    else
        rc = catalog_import_with(db, kind, NULL, &opt, NULL, file, data, req->body.len, &rep);
    if (rc == ERR_INVALID && rep.errors) {
        rc = report_problems(req, resp, file, &rep);
    } else if (!rc) {
        if (!opt.dry_run) {
            json_t *after = json_pack("{s:s, s:i, s:i, s:i}", "kind", kind, "rows", rep.rows,
                                      "created", rep.created, "updated", rep.updated);
            struct audit_event ev = {.actor = who.actor,
                                     .address = who.address,
                                     .action = "import.csv",
                                     .object_kind = "import",
                                     .object_id = kind,
                                     .after = after};
            rc = after ? audit_append_alone(db, &ev) : ERR_NOMEM;
            json_decref(after);
        }
        if (!rc && access)
            rc = resp_json(req, resp, 200,
                           json_pack("{s:s, s:b, s:i, s:{s:I, s:I, s:I}, s:{s:I, s:I}}", "kind",
                                     kind, "dry_run", opt.dry_run, "rows", rep.rows, "accounts",
                                     "new", (json_int_t)changes.accounts_new, "removed",
                                     (json_int_t)changes.accounts_removed, "changed",
                                     (json_int_t)changes.accounts_changed, "grants", "new",
                                     (json_int_t)changes.grants_new, "revoked",
                                     (json_int_t)changes.grants_removed));
        else if (!rc)
            rc = resp_json(req, resp, 200,
                           json_pack("{s:s, s:b, s:i, s:i, s:i, s:i}", "kind", kind, "dry_run",
                                     opt.dry_run, "rows", rep.rows, "created", rep.created,
                                     "updated", rep.updated, "unchanged",
                                     rep.rows - rep.created - rep.updated));
    }
    import_report_release(&rep);
    return rc;
}
