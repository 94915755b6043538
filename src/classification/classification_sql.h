/* SQL of classification (classification_sql.c): information assets, links, raises, rules. */
#ifndef VARN_CLASSIFICATION_CLASSIFICATION_SQL_H
#define VARN_CLASSIFICATION_CLASSIFICATION_SQL_H

#include "catalog/cat_list.h"
#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct cat_page;

struct information_write {
    int64_t id; /* update: the row */
    const char *external_id, *name, *description, *personal_data, *secrecy_reference;
    const char *classified_at, *classified_by, *review_due;
    int64_t organisation_id, owner_id;
    int64_t k, r, t;
};

struct information_filter {
    struct cat_list_filter list;               /* organisation, owner, q, order, cursor, limit */
    const char *personal_data, *review_before; /* NULL: any */
    int64_t k, r, t;                           /* -1: any; else at least */
    bool mine;                                 /* owned by the caller's person */
};

/* An asset as its API object plus hidden _id, _organisation_id, _owner_id. */
int cls_sql_info_find(struct db *db, const struct org_actor *who, const char *external_id,
                      json_t **out);
int cls_sql_info_by_id(struct db *db, int64_t id, json_t **out);
/* Steps the page's rows into pg (collected or written, see cat_page_rows). */
int cls_sql_info_list(struct db *db, const struct org_actor *who,
                      const struct information_filter *f, struct cat_page *pg);
int cls_sql_info_taken(struct db *db, const char *external_id, bool *taken);
int cls_sql_info_insert(struct db *db, struct information_write *w, const char *at);
int cls_sql_info_update(struct db *db, const struct information_write *w, const char *at);

/* Links. */
int cls_sql_link_exists(struct db *db, int64_t system_id, int64_t info_id, bool *yes);
int cls_sql_link_insert(struct db *db, int64_t system_id, int64_t info_id);
int cls_sql_link_delete(struct db *db, int64_t system_id, int64_t info_id);
/* The ids (integers) of the systems that process info_id. */
int cls_sql_systems_of_info(struct db *db, int64_t info_id, json_t *ids);
/* The information linked to system_id, highest levels first: external_id, name, #k, #r, #t,
 * #personal (0-2), ?visible (in the actor's reach). */
int cls_sql_linked_info(struct db *db, const struct org_actor *who, int64_t system_id,
                        json_t *items);

/* Raises of system_id: aspect, #level, reason, note, by, at. */
int cls_sql_raises(struct db *db, int64_t system_id, json_t *items);
int cls_sql_raise_put(struct db *db, int64_t system_id, const char *aspect, int64_t level,
                      const char *reason, const char *note, const char *by, const char *at);
/* Store the levels in force of a system, and render its list item again. */
int cls_sql_levels_set(struct db *db, int64_t system_id, const int64_t krt[3], int64_t personal);

/* Rules for a system of organisation org_id: the defaults and those of org_id or above:
 * code, aspect, #min_level, text_sv, text_en, ?applies_to_planned. */
int cls_sql_rules(struct db *db, int64_t org_id, json_t *items);

#endif
