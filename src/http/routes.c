/* The one route table: every HTTP route of Värn is listed here, in the order it is matched.
 * A capability adds its rows here and nowhere else. */
#include "http/routes.h"
#include "auth/auth_http.h"
#include "http/health.h"

#ifdef VARN_TEST_FIXTURES
#include "fixture_routes.h"
#endif

#define KiB 1024

const struct route varn_routes[] = {
    {"GET", "/healthz", h_healthz, 0, ACCESS_PUBLIC, NULL, "The process is up"},
    {"GET", "/readyz", h_readyz, 0, ACCESS_PUBLIC, NULL, "The database answers"},
    {"GET", "/api/v1/openapi.json", h_openapi, 0, ACCESS_PUBLIC, NULL,
     "This document: OpenAPI 3.1 for every route"},
    {"POST", "/api/v1/session", h_session_create, 4 * KiB, ACCESS_PUBLIC, auth_login_fields,
     "Log in with a user id or e-mail address and a password; sets the session cookie"},
    {"DELETE", "/api/v1/session", h_session_delete, 0, ACCESS_LOGIN, NULL,
     "Log out: end this session and clear its cookie"},
    {"POST", "/api/v1/session/mfa", h_session_mfa, 1 * KiB, ACCESS_LOGIN, auth_code_fields,
     "The second step of a login: a TOTP code or a recovery code; renews the cookie"},
    {"GET", "/api/v1/me", h_me, 0, ACCESS_LOGIN, NULL,
     "Who is logged in: person, MFA state, roles and the organisations they reach"},
    {"POST", "/api/v1/me/mfa", h_me_mfa, 0, ACCESS_LOGIN, NULL,
     "Start setting up TOTP: a new secret, its otpauth URI and QR code (SVG)"},
    {"POST", "/api/v1/me/mfa/confirm", h_me_mfa_confirm, 1 * KiB, ACCESS_LOGIN, auth_code_fields,
     "Finish setting up TOTP with a code from the app; returns 10 recovery codes"},
    {"POST", "/api/v1/me/password", h_me_password, 4 * KiB, ACCESS_LOGIN, auth_password_fields,
     "Change the own password (after MFA); ends every other session"},
#ifdef VARN_TEST_FIXTURES
    FIXTURE_ROUTES
#endif
};

const size_t varn_routes_count = sizeof(varn_routes) / sizeof(varn_routes[0]);
