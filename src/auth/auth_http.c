/* HTTP handlers of the auth module, thin: read the validated body, call session.c or totp.c,
 * turn the outcome into a response, a problem or a cookie. */
#include "auth/auth_http.h"
#include "auth/auth.h"
#include "core/err.h"
#include "core/str.h"
#include "http/request.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const struct field auth_login_fields[] = {
    {"username", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, 254,
     "User id or e-mail address"},
    {"password", FIELD_STRING, FIELD_REQUIRED, 1, PASSWORD_MAX_BYTES, "The password"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field auth_code_fields[] = {
    {"code", FIELD_STRING, FIELD_REQUIRED | FIELD_ONE_LINE, 1, 32,
     "A 6-digit code from the authenticator app, or a recovery code xxxx-xxxx"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct field auth_password_fields[] = {
    {"current", FIELD_STRING, FIELD_REQUIRED, 1, PASSWORD_MAX_BYTES, "The current password"},
    {"new", FIELD_STRING, FIELD_REQUIRED, 1, PASSWORD_MAX_BYTES,
     "The new password: at least 12 characters, not a common password"},
    {NULL, 0, 0, 0, 0, NULL},
};

static const char COOKIE_ATTRIBUTES[] = "; Path=/; Secure; HttpOnly; SameSite=Strict";

static const char *body_text(struct req *req, const char *name)
{
    return json_string_value(json_object_get(req->json, name));
}

static void wipe_string(void *p)
{
    sodium_memzero(p, strlen(p));
}

/* A browser-session cookie (no Max-Age, no Domain) carrying the new token, which is wiped
 * from the request's memory when the request ends. */
static void set_session_cookie(struct req *req, char token[SESSION_TOKEN_SIZE])
{
    char *cookie = arena_printf(&req->arena, "%s=%s%s", SESSION_COOKIE, token, COOKIE_ATTRIBUTES);
    arena_defer(&req->arena, wipe_string, cookie);
    req->set_cookie = cookie;
    sodium_memzero(token, SESSION_TOKEN_SIZE);
}

static void clear_session_cookie(struct req *req)
{
    req->set_cookie =
        arena_printf(&req->arena, "%s=%s; Max-Age=0", SESSION_COOKIE, COOKIE_ATTRIBUTES);
}

/* The problems every outcome but AUTH_OK maps to; invalid_* statuses differ per route. */
static int outcome_problem(struct req *req, struct resp *resp, const struct auth_result *r,
                           int invalid_status, const char *invalid_code, const char *field,
                           const char *invalid_detail)
{
    switch (r->outcome) {
    case AUTH_OK:
        break;
    case AUTH_INVALID:
        return req_problem(req, invalid_status, invalid_code, field, "%s", invalid_detail);
    case AUTH_BLOCKED:
        resp->retry_after = arena_printf(&req->arena, "%lld", (long long)r->retry_after);
        return req_problem(req, 429, "too_many_attempts", NULL,
                           "too many failed attempts; try again in %lld seconds",
                           (long long)r->retry_after);
    case AUTH_REFUSED:
        return req_problem(req, 409, r->code, NULL, "%s", r->why);
    }
    return ERR_INVALID;
}

static const char *mfa_name(enum mfa_state m)
{
    switch (m) {
    case MFA_REQUIRED:
        return "required";
    case MFA_ENROL:
        return "enrol";
    case MFA_NONE:
        break;
    }
    return "none";
}

int h_session_create(struct req *req, struct resp *resp)
{
    struct db *db;
    struct auth_result r;
    int rc = req_db(req, &db);
    if (!rc)
        rc = session_login(db, &req->caller, body_text(req, "username"), body_text(req, "password"),
                           &r);
    if (rc)
        return rc;
    /* One answer for an unknown user, a wrong password and a disabled account. */
    if (r.outcome != AUTH_OK)
        return outcome_problem(req, resp, &r, 401, "invalid_credentials", NULL,
                               "the user name or the password is wrong");
    set_session_cookie(req, r.token);
    return resp_json(req, resp, 200, json_pack("{s:s}", "mfa", mfa_name(r.mfa)));
}

int h_session_delete(struct req *req, struct resp *resp)
{
    struct db *db;
    int rc = req_db(req, &db);
    if (!rc)
        rc = session_logout(db, &req->caller);
    if (rc)
        return rc;
    clear_session_cookie(req);
    resp->status = 204;
    resp->body = "";
    resp->len = 0;
    return 0;
}

int h_session_mfa(struct req *req, struct resp *resp)
{
    struct db *db;
    struct auth_result r;
    int rc = req_db(req, &db);
    if (!rc)
        rc = session_mfa(db, &req->caller, body_text(req, "code"), &r);
    if (rc)
        return rc;
    if (r.outcome != AUTH_OK)
        return outcome_problem(req, resp, &r, 401, "invalid_code", "code",
                               "the code is wrong, expired or already used");
    set_session_cookie(req, r.token);
    return resp_json(req, resp, 200, json_pack("{s:s}", "mfa", "done"));
}

int h_me(struct req *req, struct resp *resp)
{
    struct db *db;
    json_t *me = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = session_me(db, &req->caller, &me);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, me);
}

int h_me_mfa(struct req *req, struct resp *resp)
{
    struct db *db;
    struct auth_result r;
    char secret[TOTP_SECRET_SIZE];
    char *uri = NULL, *svg = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = mfa_enrol_begin(db, &req->caller, secret, &uri, &svg, &r);
    if (rc)
        return rc;
    if (r.outcome != AUTH_OK)
        return outcome_problem(req, resp, &r, 409, "conflict", NULL, "");
    json_t *body =
        json_pack("{s:s, s:s, s:s}", "secret", secret, "otpauth_uri", uri, "qr_svg", svg);
    sodium_memzero(secret, sizeof(secret));
    sodium_memzero(uri, strlen(uri));
    free(uri);
    free(svg);
    return resp_json(req, resp, 200, body);
}

int h_me_mfa_confirm(struct req *req, struct resp *resp)
{
    struct db *db;
    struct auth_result r;
    char codes[RECOVERY_CODES][RECOVERY_CODE_SIZE];
    int rc = req_db(req, &db);
    if (!rc)
        rc = mfa_enrol_confirm(db, &req->caller, body_text(req, "code"), codes, &r);
    if (rc)
        return rc;
    if (r.outcome != AUTH_OK)
        return outcome_problem(req, resp, &r, 422, "invalid_code", "code",
                               "the code does not match; check the app and the device's clock");
    json_t *list = json_array();
    for (int i = 0; i < RECOVERY_CODES; i++)
        json_array_append_new(list, json_string(codes[i]));
    sodium_memzero(codes, sizeof(codes));
    set_session_cookie(req, r.token);
    return resp_json(req, resp, 200, json_pack("{s:o}", "recovery_codes", list));
}

int h_me_password(struct req *req, struct resp *resp)
{
    struct db *db;
    struct auth_result r;
    /* Any session may reach this route, but only one past MFA may change the password. */
    if (!req->caller.mfa_passed)
        return req_problem(req, 403, "mfa_required", NULL,
                           "complete the two-step verification first");
    int rc = req_db(req, &db);
    if (!rc)
        rc = session_password_change(db, &req->caller, body_text(req, "current"),
                                     body_text(req, "new"), &r);
    if (rc)
        return rc;
    if (r.outcome == AUTH_REFUSED)
        return req_problem(req, 422, r.code, "new", "%s", r.why);
    if (r.outcome != AUTH_OK)
        return outcome_problem(req, resp, &r, 422, "wrong_password", "current",
                               "the current password is wrong");
    set_session_cookie(req, r.token);
    resp->status = 204;
    resp->body = "";
    resp->len = 0;
    return 0;
}

int h_token_list(struct req *req, struct resp *resp)
{
    struct db *db;
    json_t *items = NULL;
    int rc = req_db(req, &db);
    if (!rc)
        rc = token_list(db, &req->caller, req->roles, &items);
    if (rc)
        return rc;
    return resp_json(req, resp, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

int h_token_revoke(struct req *req, struct resp *resp)
{
    struct db *db;
    int64_t id;
    if (str_to_int64(req_param(req, "id"), 1, INT64_MAX, &id) != 0)
        return ERR_NOTFOUND;
    int rc = req_db(req, &db);
    if (!rc)
        rc = token_revoke(db, &req->caller, req->roles, id, req->caller.actor, req->caller.address);
    if (rc)
        return rc;
    resp->status = 204;
    resp->body = "";
    resp->len = 0;
    return 0;
}
