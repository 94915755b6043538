/* HTTP handlers of the access workflows (workflow_http.c) and their body field tables. */
#ifndef VARN_ACCESS_WORKFLOW_HTTP_H
#define VARN_ACCESS_WORKFLOW_HTTP_H

#include "core/json_body.h"

struct req;
struct resp;

extern const struct field request_create_fields[];
extern const struct field request_decision_fields[];
extern const struct field task_done_fields[];
extern const struct field review_create_fields[];
extern const struct field review_decision_fields[];
extern const struct field review_remind_fields[];

int h_request_list(struct req *req, struct resp *resp);
int h_request_systems(struct req *req, struct resp *resp);
int h_request_create(struct req *req, struct resp *resp);
int h_request_get(struct req *req, struct resp *resp);
int h_request_decide(struct req *req, struct resp *resp);
int h_task_list(struct req *req, struct resp *resp);
int h_task_done(struct req *req, struct resp *resp);
int h_review_list(struct req *req, struct resp *resp);
int h_review_create(struct req *req, struct resp *resp);
int h_review_get(struct req *req, struct resp *resp);
int h_review_items(struct req *req, struct resp *resp);
int h_review_decide(struct req *req, struct resp *resp);
int h_review_remind(struct req *req, struct resp *resp);
int h_offboarding_list(struct req *req, struct resp *resp);

#endif
