/* /healthz (the process answers), /readyz (the database answers) and /api/v1/openapi.json. */
#include "http/health.h"
#include "http/openapi.h"
#include "http/request.h"
#include "core/err.h"
#include "db/db.h"

int h_healthz(struct req *req, struct resp *resp)
{
    return resp_json(req, resp, 200, json_pack("{s:s}", "status", "ok"));
}

int h_readyz(struct req *req, struct resp *resp)
{
    struct db *db;
    if (req_db(req, &db) != 0 || db_ping(db) != 0) {
        resp->retry_after = "5";
        return req_problem(req, 503, "database_unavailable", NULL, "the database does not answer");
    }
    return resp_json(req, resp, 200, json_pack("{s:s}", "status", "ready"));
}

int h_openapi(struct req *req, struct resp *resp)
{
    size_t n;
    const struct route *routes = req_routes(req, &n);
    return resp_json(req, resp, 200, openapi_build(routes, n));
}
