/* The system catalog: systems and their components. Contracts for the API (and later import). */
#ifndef VARN_CATALOG_CATALOG_H
#define VARN_CATALOG_CATALOG_H

#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>

struct db;
struct buf;

#define CPE_MAX 512 /* bytes of a CPE 2.3 formatted string */

/* ---- field checks: 0, or ERR_INVALID with *why a sentence (static storage) ---- */

/* A CPE 2.3 formatted string: "cpe:2.3:" and 11 components separated by unescaped colons;
 * part a, o or h; each other component "*", "-" or letters, digits, '_', '-', '.' and
 * backslash-escaped punctuation, with an optional leading and trailing "*" or run of "?";
 * language "*", "-" or a language tag like en or en-us. */
int cpe_check(const char *cpe, const char **why);
/* Two letters A-Z: an ISO 3166-1 alpha-2 country code (upper case). */
int country_check(const char *code, const char **why);
/* planned, production, decommissioning or retired. */
int lifecycle_check(const char *s, const char **why);
/* own, it_centre, supplier or cloud. */
int hosting_check(const char *s, const char **why);

/* ---- systems ----
 * Bodies are validated JSON objects (the route's field table); a missing member keeps the
 * current value. References (organisation, system_owner, administrator, supplier) must be in
 * the actor's reach, else they are refused like unknown ones (422 naming the field); the
 * system owner must hold the role system_owner in the owning organisation or one above it;
 * the supplier must be an organisation of kind supplier. Every change is audited in its
 * transaction; a write that changes nothing writes nothing. ERR_NOTFOUND: not in reach. */
int system_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                  struct json_problem *p);
int system_update(struct db *db, const struct org_actor *who, const char *external_id, json_t *body,
                  json_t **out, struct json_problem *p);
int system_get(struct db *db, const struct org_actor *who, const char *external_id, json_t **out);

struct system_list_query {
    const char *limit, *cursor, *sort, *q; /* as for every list; sort external_id or name */
    const char *organisation;              /* owning organisation code */
    const char *owner;                     /* system owner's user id */
    const char *lifecycle;                 /* one lifecycle */
    const char *level;                     /* 0-4: the highest of K, R, T at least this */
    const char *personal_data;             /* none, personal or sensitive */
    bool mine;                             /* only those the caller's person owns/administers */
};
int system_list(struct db *db, const struct org_actor *who, const struct system_list_query *q,
                json_t **out, struct json_problem *p);
/* The same page written as JSON text into out (the bytes resp_json gives for system_list's
 * object), straight from the rows without building jansson values: for the HTTP list. */
int system_list_write(struct db *db, const struct org_actor *who, const struct system_list_query *q,
                      struct buf *out, struct json_problem *p);

/* ---- a system's stored list item (db/migrations/0010_list_items.sql) ----
 * Render and store the item GET /systems shows for system id, or for every system
 * (missing_only: those without one; *count, when given, the number rendered), from its
 * columns. Every SQL that writes a system's columns calls one of these in the same
 * transaction: insert and update here, cls_sql_levels_set, and the demo's bulk load. */
int system_item_render(struct db *db, int64_t id);
int system_items_render(struct db *db, bool missing_only, int *count);

/* ---- components of a system (the system in reach, else ERR_NOTFOUND) ---- */

int component_list(struct db *db, const struct org_actor *who, const char *system_external_id,
                   json_t **out);
int component_create(struct db *db, const struct org_actor *who, const char *system_external_id,
                     json_t *body, json_t **out, struct json_problem *p);
int component_update(struct db *db, const struct org_actor *who, const char *system_external_id,
                     const char *id, json_t *body, json_t **out, struct json_problem *p);
int component_delete(struct db *db, const struct org_actor *who, const char *system_external_id,
                     const char *id, struct json_problem *p);

/* ---- for the import (catalog_import.c): inside the caller's transaction ----
 * Create or update (by external_id) the system body; create or update the component body of
 * the system (the component of the same kind and name is updated). *outcome tells which. */
int system_import_save(struct db *db, const struct org_actor *who, json_t *body,
                       enum org_outcome *outcome, struct json_problem *p);
int component_import_save(struct db *db, const struct org_actor *who,
                          const char *system_external_id, json_t *body, enum org_outcome *outcome,
                          struct json_problem *p);

/* Import a CSV file of kind "systems", "components" or "information" (or a CycloneDX JSON
 * SBOM of kind "sbom" into the software components of system_external_id) in one
 * transaction, as org_import does: every problem in rep and nothing applied (ERR_INVALID), or
 * all rows applied and audited as actor. */
int catalog_import(struct db *db, const char *kind, const char *system_external_id,
                   const char *actor, const char *file, const char *data, size_t len,
                   struct import_report *rep);
/* catalog_import as opt->who (actor is then ignored), committing only without opt->dry_run. */
int catalog_import_with(struct db *db, const char *kind, const char *system_external_id,
                        const struct import_options *opt, const char *actor, const char *file,
                        const char *data, size_t len, struct import_report *rep);

/* ---- organisations using a system, its dependencies (the system in reach, else ERR_NOTFOUND) ----
 * other is an organisation code (dependency false) or a system's external id (true), in reach,
 * else ERR_NOTFOUND; a system never depends on itself (422 self_dependency). on: PUT, idempotent;
 * off: DELETE, ERR_NOTFOUND when there is no such pair. Audited when something changes. */
int system_relation(struct db *db, const struct org_actor *who, const char *system_external_id,
                    bool dependency, const char *other, bool on, struct json_problem *p);

/* ---- a supplier's contract (the organisation in reach and of kind supplier) ----
 * {organisation, contract_reference, contract_end, updated_at}, nulls when none is recorded.
 * get: another kind is ERR_NOTFOUND; put: 422 not_a_supplier; contract_end a real date or null.
 * A put that changes nothing writes nothing. */
int supplier_contract_get(struct db *db, const struct org_actor *who, const char *code,
                          json_t **out);
int supplier_contract_put(struct db *db, const struct org_actor *who, const char *code,
                          json_t *body, json_t **out, struct json_problem *p);

#endif
