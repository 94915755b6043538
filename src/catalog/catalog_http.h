/* HTTP handlers of the catalog: systems and their components. */
#ifndef VARN_CATALOG_CATALOG_HTTP_H
#define VARN_CATALOG_CATALOG_HTTP_H

#include "http/route.h"

extern const struct field system_create_fields[];
extern const struct field system_update_fields[];
extern const struct field component_create_fields[];
extern const struct field component_update_fields[];

int h_system_list(struct req *req, struct resp *resp);
int h_my_systems(struct req *req, struct resp *resp);
int h_system_create(struct req *req, struct resp *resp);
int h_system_get(struct req *req, struct resp *resp);
int h_system_update(struct req *req, struct resp *resp);
int h_component_list(struct req *req, struct resp *resp);
int h_component_create(struct req *req, struct resp *resp);
int h_component_update(struct req *req, struct resp *resp);
int h_component_delete(struct req *req, struct resp *resp);

#endif
