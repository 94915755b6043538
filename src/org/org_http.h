/* HTTP handlers of the org module: organisations, people, role assignments and roles. */
#ifndef VARN_ORG_HTTP_H
#define VARN_ORG_HTTP_H

#include "http/route.h"
#include "org/org.h"

/* The caller of req as the org module's actor: its scope for the route's roles, its name and
 * address for the audit log. Other modules' handlers use it too. */
struct org_actor org_actor_of(struct req *req);

extern const struct field org_create_fields[];
extern const struct field org_update_fields[];
extern const struct field person_create_fields[];
extern const struct field person_update_fields[];
extern const struct field assignment_create_fields[];

int h_roles_list(struct req *req, struct resp *resp);
int h_org_list(struct req *req, struct resp *resp);
int h_org_create(struct req *req, struct resp *resp);
int h_org_get(struct req *req, struct resp *resp);
int h_org_update(struct req *req, struct resp *resp);
int h_person_list(struct req *req, struct resp *resp);
int h_person_create(struct req *req, struct resp *resp);
int h_person_get(struct req *req, struct resp *resp);
int h_person_update(struct req *req, struct resp *resp);
int h_assignment_list(struct req *req, struct resp *resp);
int h_assignment_create(struct req *req, struct resp *resp);
int h_assignment_delete(struct req *req, struct resp *resp);

#endif
