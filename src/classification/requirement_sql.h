/* SQL of the requirement rules (requirement_sql.c): the default set (organisation_id NULL) and
 * the rules organisations add for their systems and those below them. */
#ifndef VARN_CLASSIFICATION_REQUIREMENT_SQL_H
#define VARN_CLASSIFICATION_REQUIREMENT_SQL_H

#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

struct rule_write {
    int64_t id;              /* update: the row */
    int64_t organisation_id; /* create: the owning organisation */
    const char *aspect, *code, *text_sv, *text_en;
    int64_t min_level;
    bool applies_to_planned;
};

/* Each rule as {#id, organisation (code or null), source, aspect, #min_level, code, text_sv,
 * text_en, ?applies_to_planned, _organisation_id}. org_id > 0: the defaults and the rules of
 * org_id ("organisation") and of the organisations above it ("inherited"); org_id 0: the
 * defaults and the rules of every organisation in the actor's reach ("organisation"). */
int req_sql_rule_list(struct db *db, const struct org_actor *who, int64_t org_id, json_t *items);
/* One rule that is a default or belongs to an organisation in reach; else ERR_NOTFOUND. */
int req_sql_rule_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
/* Is code used by a rule that applies together with one of org_id: a default, org_id's own,
 * one above or below it (rule exclude_id aside)? */
int req_sql_code_taken(struct db *db, int64_t org_id, const char *code, int64_t exclude_id,
                       bool *taken);
int req_sql_rule_insert(struct db *db, struct rule_write *w);
int req_sql_rule_update(struct db *db, const struct rule_write *w);
int req_sql_rule_delete(struct db *db, int64_t id);

#endif
