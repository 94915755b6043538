/* The gate at the edge: who is calling (API token or session cookie), the CSRF rules, and
 * whether the permission matrix lets the caller's roles use this route. Handlers then limit
 * data to the caller's organisations with AUTHZ_SCOPE_CTE (req_bind_scope). */
#include "http/access.h"
#include "http/request.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

static bool is_unsafe(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

static void client_address(struct req *req, char out[64])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
}

/* Who is calling; a bad token is an error, a stale cookie just means anonymous. */
static int identify(struct req *req)
{
    struct caller *c = &req->caller;
    struct db *db;
    const char *auth = req_header(req, "Authorization");
    if (auth) {
        if (strncasecmp(auth, "Bearer ", 7) != 0)
            return req_problem(req, 401, "invalid_token", NULL,
                               "send an API token as 'Authorization: Bearer TOKEN'");
        int rc = req_db(req, &db);
        if (!rc)
            rc = token_resolve(db, auth + 7, c);
        if (rc == ERR_NOTFOUND)
            return req_problem(req, 401, "invalid_token", NULL,
                               "the API token is unknown or has been revoked");
        return rc;
    }
    const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    if (cookie) {
        int rc = req_db(req, &db);
        if (!rc)
            rc = session_resolve(db, cookie, c);
        if (rc && rc != ERR_NOTFOUND)
            return rc;
        if (rc == ERR_NOTFOUND) {
            struct caller anon = {.kind = CALLER_ANONYMOUS};
            str_copy(anon.address, sizeof(anon.address), c->address);
            *c = anon;
            str_copy(c->actor, sizeof(c->actor), "anonymous");
        }
    }
    return 0;
}

/* A browser's ambient cookie must not let another site change anything: every unsafe request
 * without a token needs our custom header (which a cross-site form cannot send and a
 * cross-site fetch cannot send without a CORS preflight we never grant). */
static int check_csrf(struct req *req)
{
    if (req->caller.kind == CALLER_TOKEN || !is_unsafe(req->method))
        return 0;
    const char *site = req_header(req, "Sec-Fetch-Site");
    if (site && strcmp(site, "cross-site") == 0)
        return req_problem(req, 403, "cross_site", NULL,
                           "requests from other sites may not change anything");
    const char *mark = req_header(req, "X-Varn-Csrf");
    if (!mark || strcmp(mark, "1") != 0)
        return req_problem(req, 403, "csrf_header_missing", NULL,
                           "send the header 'X-Varn-Csrf: 1' with every change");
    return 0;
}

static int refuse(struct req *req, struct db *db)
{
    char object[160];
    str_format(object, sizeof(object), "%s %s", req->method, req->route->pattern);
    struct audit_event ev = {.actor = req->caller.actor,
                             .address = req->caller.address,
                             .action = "access.refused",
                             .object_kind = "route",
                             .object_id = object};
    audit_append_alone(db, &ev); /* the refusal stands even if it cannot be logged */
    return req_problem(req, 403, "forbidden", NULL, "your roles do not give access to this");
}

int access_check(struct req *req)
{
    struct caller *c = &req->caller;
    c->kind = CALLER_ANONYMOUS;
    str_copy(c->actor, sizeof(c->actor), "anonymous");
    client_address(req, c->address);
    int rc = identify(req);
    if (!rc)
        rc = check_csrf(req);
    if (rc)
        return rc;
    switch (req->route->access) {
    case ACCESS_PUBLIC:
        return 0;
    case ACCESS_LOGIN:
        if (c->kind != CALLER_SESSION)
            return req_problem(req, 401, "unauthenticated", NULL, "log in first");
        return 0;
    case ACCESS_ROLES: {
        if (c->kind == CALLER_ANONYMOUS)
            return req_problem(req, 401, "unauthenticated", NULL, "log in first");
        if (c->kind == CALLER_SESSION && !c->mfa_passed)
            return req_problem(req, 403, "mfa_required", NULL,
                               "complete the two-step verification first");
        struct db *db;
        unsigned held = 0;
        req->roles = authz_route_roles(req->route);
        rc = req_db(req, &db);
        if (!rc)
            rc = authz_caller_roles(db, c, &held);
        if (rc)
            return rc;
        if (!(held & req->roles))
            return refuse(req, db);
        return 0;
    }
    }
    return req_problem(req, 403, "forbidden", NULL, "access denied"); /* default deny */
}

int req_bind_scope(struct req *req, struct db_stmt *st)
{
    return authz_bind_scope(st, &req->caller, req->roles);
}

int req_audit(struct req *req, struct db *db, const char *action, const char *object_kind,
              const char *object_id, int64_t organisation_id, json_t *before, json_t *after)
{
    struct audit_event ev = {.actor = req->caller.actor,
                             .address = req->caller.address,
                             .action = action,
                             .object_kind = object_kind,
                             .object_id = object_id,
                             .organisation_id = organisation_id,
                             .before = before,
                             .after = after};
    return audit_append(db, &ev);
}
