/* Requirement rules an organisation can change: the default set (read-only) and each
 * organisation's own rules, which apply to its systems and those below it and so change what
 * system_requirements (classification.h) returns. */
#ifndef VARN_CLASSIFICATION_REQUIREMENT_RULES_H
#define VARN_CLASSIFICATION_REQUIREMENT_RULES_H

#include "org/org.h"

#include <jansson.h>

struct db;

#define RULE_CODE_MAX 40  /* bytes of a rule's code: a-z 0-9 _ */
#define RULE_TEXT_MAX 500 /* characters of text_sv and text_en */

/* {"organisation", "items": [rule]}: organisation a code in reach (else 422
 * unknown_organisation), or NULL for the defaults and the rules of every organisation in
 * reach. A rule: {id, organisation, source (default, organisation or inherited), aspect,
 * min_level, code, text_sv, text_en, applies_to_planned}. */
int requirement_rule_list(struct db *db, const struct org_actor *who, const char *organisation,
                          json_t **out, struct json_problem *p);
/* Body {organisation, aspect, min_level, code, text_sv, text_en, applies_to_planned}: a new rule
 * of an organisation in reach. Audited (requirement_rule.create). */
int requirement_rule_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                            struct json_problem *p);
/* Change or delete an organisation's own rule: not in reach or missing is ERR_NOTFOUND, a
 * default rule 409 read_only_default. Audited (requirement_rule.update, .delete); a PATCH that
 * changes nothing writes nothing. */
int requirement_rule_update(struct db *db, const struct org_actor *who, const char *id,
                            json_t *body, json_t **out, struct json_problem *p);
int requirement_rule_delete(struct db *db, const struct org_actor *who, const char *id,
                            struct json_problem *p);

#endif
