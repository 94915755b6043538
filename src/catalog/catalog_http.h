/* HTTP handlers of the catalog: systems, their components, users and dependencies, and
 * suppliers' contracts. */
#ifndef VARN_CATALOG_CATALOG_HTTP_H
#define VARN_CATALOG_CATALOG_HTTP_H

#include "http/route.h"

extern const struct field system_create_fields[];
extern const struct field system_update_fields[];
extern const struct field component_create_fields[];
extern const struct field component_update_fields[];
extern const struct field relation_fields[];
extern const struct field contract_fields[];

int h_system_list(struct req *req, struct resp *resp);
int h_my_systems(struct req *req, struct resp *resp);
int h_system_create(struct req *req, struct resp *resp);
int h_system_get(struct req *req, struct resp *resp);
int h_system_update(struct req *req, struct resp *resp);
int h_component_list(struct req *req, struct resp *resp);
int h_component_create(struct req *req, struct resp *resp);
int h_component_update(struct req *req, struct resp *resp);
int h_component_delete(struct req *req, struct resp *resp);
int h_system_user_add(struct req *req, struct resp *resp);
int h_system_user_remove(struct req *req, struct resp *resp);
int h_system_dependency_add(struct req *req, struct resp *resp);
int h_system_dependency_remove(struct req *req, struct resp *resp);
int h_contract_get(struct req *req, struct resp *resp);
int h_contract_put(struct req *req, struct resp *resp);

#endif
