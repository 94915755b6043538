/* SQL of the catalog (catalog_sql.c): systems and components as JSON rows, reads in reach. */
#ifndef VARN_CATALOG_CATALOG_SQL_H
#define VARN_CATALOG_CATALOG_SQL_H

#include "catalog/cat_list.h"
#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct cat_page;

/* What a system write stores. Strings may be NULL for SQL NULL. */
struct system_write {
    int64_t id; /* update: the row */
    const char *external_id, *name, *description, *lifecycle, *hosting, *hosting_country;
    const char *last_significant_change;
    int64_t organisation_id, owner_id, administrator_id, supplier_id; /* 0: none */
    bool internet_facing, sso, mfa_enforced;
};

struct system_filter {
    struct cat_list_filter list; /* organisation, owner, q, order, cursor, limit */
    const char *lifecycle;       /* NULL: any */
    int64_t level;               /* -1: any */
    int64_t personal;            /* -1: any; else 0-2 exactly */
    bool mine;                   /* owner or administrator is the caller */
};

/* A system as its API object plus hidden _id, _organisation_id, _owner_id, _administrator_id,
 * _supplier_id. find: in reach by external_id; by_id: any. */
int cat_sql_system_find(struct db *db, const struct org_actor *who, const char *external_id,
                        json_t **out);
int cat_sql_system_by_id(struct db *db, int64_t id, json_t **out);
/* Steps the page's rows into pg (collected or written, see cat_page_rows). */
int cat_sql_system_list(struct db *db, const struct org_actor *who, const struct system_filter *f,
                        struct cat_page *pg);
int cat_sql_system_taken(struct db *db, const char *external_id, bool *taken);
int cat_sql_system_insert(struct db *db, struct system_write *w, const char *at);
int cat_sql_system_update(struct db *db, const struct system_write *w, const char *at);

/* Does person hold role in organisation org_id or one above it (and is not disabled)? */
int cat_sql_holds_role(struct db *db, int64_t person_id, const char *role, int64_t org_id,
                       bool *yes);

/* Components of system_id: the API object plus hidden _system_id. */
int cat_sql_component_list(struct db *db, int64_t system_id, json_t *items);
int cat_sql_component_find(struct db *db, int64_t system_id, int64_t id, json_t **out);
/* Insert (c has no "id") or update (c has "id") the component c of system_id. */
int cat_sql_component_save(struct db *db, int64_t system_id, json_t *c, const char *at,
                           int64_t *id);
int cat_sql_component_delete(struct db *db, int64_t id);

/* The organisations using a system (system_user_org) or the systems it depends on
 * (system_dependency). */
enum cat_relation { CAT_REL_USER, CAT_REL_DEPENDENCY };

/* Codes (users) or external ids (dependencies) of system_id, in reach only, sorted, appended
 * to values as strings. */
int cat_sql_relations(struct db *db, const struct org_actor *who, enum cat_relation kind,
                      int64_t system_id, json_t *values);
int cat_sql_relation_exists(struct db *db, enum cat_relation kind, int64_t system_id,
                            int64_t other_id, bool *yes);
/* Insert (on) or delete the pair. */
int cat_sql_relation_set(struct db *db, enum cat_relation kind, int64_t system_id, int64_t other_id,
                         bool on);

/* A supplier's contract {contract_reference, contract_end, updated_at}; none: ERR_NOTFOUND. */
int cat_sql_contract_get(struct db *db, int64_t org_id, json_t **out);
/* Insert or replace it; end may be NULL. */
int cat_sql_contract_put(struct db *db, int64_t org_id, const char *reference, const char *end,
                         const char *at);

#endif
