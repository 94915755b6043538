/* HTTP handlers of the auth module: login, the MFA step, logout, enrolment, password, GET /me. */
#ifndef VARN_AUTH_AUTH_HTTP_H
#define VARN_AUTH_AUTH_HTTP_H

#include "http/route.h"

extern const struct field auth_login_fields[];
extern const struct field auth_code_fields[];
extern const struct field auth_password_fields[];

int h_session_create(struct req *req, struct resp *resp);
int h_session_delete(struct req *req, struct resp *resp);
int h_session_mfa(struct req *req, struct resp *resp);
int h_me(struct req *req, struct resp *resp);
int h_me_mfa(struct req *req, struct resp *resp);
int h_me_mfa_confirm(struct req *req, struct resp *resp);
int h_me_password(struct req *req, struct resp *resp);
int h_token_list(struct req *req, struct resp *resp);
int h_token_revoke(struct req *req, struct resp *resp);

#endif
