/* HTTP handlers of the org module: organisations, people, role assignments and roles. */
#ifndef VARN_ORG_HTTP_H
#define VARN_ORG_HTTP_H

#include "http/route.h"
#include "org/org.h"

/* The caller of req as the org module's actor: its scope for the route's roles, its name and
 * address for the audit log. Other modules' handlers use it too. */
struct org_actor org_actor_of(struct req *req);

/* A module's operations as the handlers of its routes call them, with the caller as actor: make
 * an object from the request's body; change, or read, the object the path parameter names. */
typedef int (*org_create_fn)(struct db *, const struct org_actor *, json_t *body, json_t **out,
                             struct json_problem *);
typedef int (*org_change_fn)(struct db *, const struct org_actor *, const char *key, json_t *body,
                             json_t **out, struct json_problem *);
typedef int (*org_read_fn)(struct db *, const struct org_actor *, const char *key, json_t **out);
/* An action on the object the key names that takes no body (confirm, remind, start a sync). */
typedef int (*org_act_fn)(struct db *, const struct org_actor *, const char *key, json_t **out,
                          struct json_problem *);

/* Run fn and answer 201 with its object, or its problem. */
int org_run_create(struct req *req, struct resp *resp, org_create_fn fn);
/* Run fn on the object path parameter param names and answer status with its result. */
int org_run_change(struct req *req, struct resp *resp, const char *param, int status,
                   org_change_fn fn);
/* Run the action fn on the object path parameter param names and answer status. */
int org_run_act(struct req *req, struct resp *resp, const char *param, int status, org_act_fn fn);
/* Read the object path parameter param names (a route that takes no query parameters). */
int org_run_read(struct req *req, struct resp *resp, const char *param, org_read_fn fn);

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
