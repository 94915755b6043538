/* SQL of the directory import (directory_sql.c): sources, group maps, syncs and their changes.
 * Tenant reads start with AUTHZ_SCOPE_CTE; rows come as JSON (cat_row_json: "#x" integers,
 * "_x" hidden ids). */
#ifndef VARN_ACCESS_DIRECTORY_SQL_H
#define VARN_ACCESS_DIRECTORY_SQL_H

#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

struct dir_source_write {
    int64_t id; /* update: the row */
    int64_t organisation_id;
    const char *name, *uri, *bind_dn, *bind_password_env, *base_dn, *user_filter;
    const char *group_filter, *attributes, *sync_interval, *next_sync_at; /* NULL: none */
};

/* A source {#id, _organisation_id, organisation, name, uri, bind_dn, bind_password_env,
 * base_dn, user_filter, group_filter, attributes (text), sync_interval, next_sync_at,
 * created_at, updated_at}. find: in reach; by_id: any. */
int dir_sql_source_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
int dir_sql_source_by_id(struct db *db, int64_t id, json_t **out);
/* By id after after_id (0: from the start), limit rows, in reach. */
int dir_sql_source_list(struct db *db, const struct org_actor *who, int64_t after_id, int limit,
                        json_t *items);
/* Sources named name (of organisation code org when not NULL), in any organisation: {#id,
 * organisation, name}. */
int dir_sql_sources_named(struct db *db, const char *name, const char *org, json_t *items);
int dir_sql_source_taken(struct db *db, int64_t org_id, const char *name, int64_t except_id,
                         bool *taken);
int dir_sql_source_insert(struct db *db, struct dir_source_write *w, const char *at);
int dir_sql_source_update(struct db *db, const struct dir_source_write *w, const char *at);
int dir_sql_source_next_set(struct db *db, int64_t id, const char *next_sync_at);
/* Sources whose next_sync_at is at or before now: {#id, sync_interval}. */
int dir_sql_sources_due(struct db *db, const char *now, json_t *items);

/* The group map {group_dn, system (external id), entitlement, _system_id, _entitlement_id}. */
int dir_sql_groups(struct db *db, int64_t source_id, json_t *items);
int dir_sql_groups_clear(struct db *db, int64_t source_id);
int dir_sql_group_add(struct db *db, int64_t source_id, const char *group_dn,
                      int64_t entitlement_id);
/* The entitlement of system_id named name, made (not privileged) when missing (*created). */
int dir_sql_entitlement_ensure(struct db *db, int64_t system_id, const char *name, const char *at,
                               int64_t *id, bool *created);

/* People of organisation org_id and those below it: {key: id}, key the user id (by_email
 * false) or the e-mail address, in lower case. */
int dir_sql_people(struct db *db, int64_t org_id, bool by_email, json_t *map);

/* Syncs {#id, _source_id, status, requested_by, started_at, finished_at, error,
 * #accounts_new, #accounts_removed, #accounts_changed, #grants_new, #grants_removed}. */
int dir_sql_sync_insert(struct db *db, int64_t source_id, const char *actor, const char *at,
                        int64_t *id);
int dir_sql_sync_by_id(struct db *db, int64_t id, json_t **out);
/* The newest sync of source_id, or 0. */
int dir_sql_sync_last(struct db *db, int64_t source_id, int64_t *id);
/* The sync of source_id queued or running, or 0. */
int dir_sql_sync_active(struct db *db, int64_t source_id, int64_t *id);
/* queued -> running; *claimed false when it was not queued. */
int dir_sql_sync_claim(struct db *db, int64_t id, const char *at, bool *claimed);
int dir_sql_sync_done(struct db *db, int64_t id, const char *at, long an, long ar, long ac, long gn,
                      long gr);
int dir_sql_sync_failed(struct db *db, int64_t id, const char *at, const char *error);
int dir_sql_sync_next(struct db *db, int64_t *id);
int dir_sql_sync_recover(struct db *db, const char *at, const char *error);
/* The syncs of a source newest first, below before_id (0: from the newest). */
int dir_sql_sync_list(struct db *db, int64_t source_id, int64_t before_id, int limit,
                      json_t *items);
/* Changes {change, object, system, username, entitlement, detail} ordered by object, system,
 * username and entitlement; change NULL: all. */
int dir_sql_changes(struct db *db, int64_t sync_id, const char *change, int64_t offset, int limit,
                    json_t *items);

#endif
