/* HTTP handlers of the requirement rules (requirement_http.c). */
#ifndef VARN_CLASSIFICATION_REQUIREMENT_HTTP_H
#define VARN_CLASSIFICATION_REQUIREMENT_HTTP_H

#include "http/route.h"

extern const struct field requirement_rule_create_fields[];
extern const struct field requirement_rule_update_fields[];

int h_requirement_rule_list(struct req *req, struct resp *resp);
int h_requirement_rule_create(struct req *req, struct resp *resp);
int h_requirement_rule_update(struct req *req, struct resp *resp);
int h_requirement_rule_delete(struct req *req, struct resp *resp);

#endif
