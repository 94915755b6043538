/* HTTP handlers of classification: information assets, links, protection, raises, requirements. */
#ifndef VARN_CLASSIFICATION_CLASSIFICATION_HTTP_H
#define VARN_CLASSIFICATION_CLASSIFICATION_HTTP_H

#include "http/route.h"

extern const struct field information_create_fields[];
extern const struct field information_update_fields[];
extern const struct field raise_fields[];
extern const struct field link_fields[];

int h_information_list(struct req *req, struct resp *resp);
int h_my_information(struct req *req, struct resp *resp);
int h_information_create(struct req *req, struct resp *resp);
int h_information_get(struct req *req, struct resp *resp);
int h_information_update(struct req *req, struct resp *resp);
int h_information_link(struct req *req, struct resp *resp);
int h_information_unlink(struct req *req, struct resp *resp);
int h_system_protection(struct req *req, struct resp *resp);
int h_system_raise(struct req *req, struct resp *resp);
int h_system_requirements(struct req *req, struct resp *resp);

#endif
