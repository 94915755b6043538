/* The one route table: every HTTP route of Värn is listed here, in the order it is matched.
 * A capability adds its rows here and nowhere else. */
#include "http/routes.h"
#include "http/health.h"
#include "audit/audit_http.h"

#ifdef VARN_TEST_FIXTURES
#include "fixture_routes.h"
#endif

#define KiB 1024

const struct route varn_routes[] = {
    {"GET", "/healthz", h_healthz, 0, ACCESS_PUBLIC, NULL, "The process is up"},
    {"GET", "/readyz", h_readyz, 0, ACCESS_PUBLIC, NULL, "The database answers"},
    {"GET", "/api/v1/openapi.json", h_openapi, 0, ACCESS_PUBLIC, NULL,
     "This document: OpenAPI 3.1 for every route"},
    {"GET", "/api/v1/audit", h_audit_search, 0, ACCESS_ROLES, NULL,
     "Search the audit log (newest first, filtered, paginated) or export it as CSV"},
    {"GET", "/api/v1/audit/head", h_audit_head, 0, ACCESS_ROLES, NULL,
     "The audit chain's last seq and hash, to anchor outside Värn"},
#ifdef VARN_TEST_FIXTURES
    FIXTURE_ROUTES
#endif
};

const size_t varn_routes_count = sizeof(varn_routes) / sizeof(varn_routes[0]);
