/* HTTP handlers of the directory import (directory_http.c) and their body field tables. */
#ifndef VARN_ACCESS_DIRECTORY_HTTP_H
#define VARN_ACCESS_DIRECTORY_HTTP_H

#include "core/json_body.h"

struct req;
struct resp;

extern const struct field dir_source_create_fields[];
extern const struct field dir_source_update_fields[];
extern const struct field dir_groups_fields[];
extern const struct field dir_sync_fields[];

int h_dir_source_list(struct req *req, struct resp *resp);
int h_dir_source_create(struct req *req, struct resp *resp);
int h_dir_source_get(struct req *req, struct resp *resp);
int h_dir_source_update(struct req *req, struct resp *resp);
int h_dir_groups_put(struct req *req, struct resp *resp);
int h_dir_sync_request(struct req *req, struct resp *resp);
int h_dir_sync_list(struct req *req, struct resp *resp);
int h_dir_sync_get(struct req *req, struct resp *resp);

#endif
