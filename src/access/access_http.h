/* HTTP handlers of access control (access_http.c) and their body field tables. */
#ifndef VARN_ACCESS_ACCESS_HTTP_H
#define VARN_ACCESS_ACCESS_HTTP_H

#include "core/json_body.h"

struct req;
struct resp;

extern const struct field access_account_create_fields[];
extern const struct field access_account_update_fields[];
extern const struct field access_exception_fields[];
extern const struct field access_entitlement_fields[];
extern const struct field access_grant_create_fields[];
extern const struct field access_revoke_fields[];

int h_account_list(struct req *req, struct resp *resp);
int h_account_create(struct req *req, struct resp *resp);
int h_account_get(struct req *req, struct resp *resp);
int h_account_update(struct req *req, struct resp *resp);
int h_account_exception(struct req *req, struct resp *resp);
int h_entitlement_list(struct req *req, struct resp *resp);
int h_entitlement_create(struct req *req, struct resp *resp);
int h_grant_list(struct req *req, struct resp *resp);
int h_grant_create(struct req *req, struct resp *resp);
int h_grant_get(struct req *req, struct resp *resp);
int h_grant_revoke(struct req *req, struct resp *resp);
int h_mfa_coverage(struct req *req, struct resp *resp);

#endif
