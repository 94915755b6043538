/* Information classification: information assets with K/R/T, their links to systems, the
 * protection levels systems inherit (high-water mark) or are raised to, and the requirements
 * that follow from the levels. Contracts for the API (and later import). */
#ifndef VARN_CLASSIFICATION_CLASSIFICATION_H
#define VARN_CLASSIFICATION_CLASSIFICATION_H

#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>

struct db;
struct buf;

/* The date a classification made at classified_at (ISO 8601) falls due for review: one year
 * later; 29 February becomes 28 February. ERR_INVALID for a malformed time. */
int classification_review_due(const char *classified_at, char out[ORG_DATE_LEN + 1]);

/* ---- information assets ----
 * As for systems (catalog.h): validated bodies, references in reach or refused like unknown
 * ones, the information owner holding information_owner in the organisation or above, one
 * audit entry per change. Giving k, r or t (even unchanged: a review confirms it) records a
 * classification: classified_at now, classified_by the caller, review_due a year later; the
 * levels of every system that processes the asset follow. */
int information_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                       struct json_problem *p);
int information_update(struct db *db, const struct org_actor *who, const char *external_id,
                       json_t *body, json_t **out, struct json_problem *p);
int information_get(struct db *db, const struct org_actor *who, const char *external_id,
                    json_t **out);

struct information_list_query {
    const char *limit, *cursor, *sort, *q; /* as for every list; sort external_id or name */
    const char *organisation;              /* owning organisation code */
    const char *owner;                     /* information owner's user id */
    const char *k, *r, *t;                 /* 0-4: at least this level */
    const char *personal_data;             /* none, personal or sensitive */
    const char *review_due_before;         /* YYYY-MM-DD: review due before this date */
    bool mine;                             /* only those the caller's person owns */
};
int information_list(struct db *db, const struct org_actor *who,
                     const struct information_list_query *q, json_t **out, struct json_problem *p);
/* The same page written as JSON text into out (the bytes resp_json gives for
 * information_list's object), straight from the rows: for the HTTP list. */
int information_list_write(struct db *db, const struct org_actor *who,
                           const struct information_list_query *q, struct buf *out,
                           struct json_problem *p);

/* Render and store the item GET /information shows for asset id, or for every asset
 * (missing_only: those without one; *count, when given, the number rendered), from its
 * columns (db/migrations/0010_list_items.sql). Insert and update do it themselves. */
int information_item_render(struct db *db, int64_t id);
int information_items_render(struct db *db, bool missing_only, int *count);

/* ---- systems and their information ---- */

/* Link (link true; already linked is fine) or unlink (not linked: ERR_NOTFOUND) a system and
 * an information asset, both in reach (else ERR_NOTFOUND); the system's levels follow. */
int information_link(struct db *db, const struct org_actor *who, const char *system_external_id,
                     const char *info_external_id, bool link);

/* {"k": {"level", "level_name_sv", "inherited", "driven_by", "raised"}, "r": ..., "t": ...}:
 * inherited is the highest level of the linked information (0 with none), driven_by the asset
 * that sets it (null when none is linked or it is outside the caller's reach), raised the
 * raise by hand or null, level the higher of inherited and raised. */
int system_protection(struct db *db, const struct org_actor *who, const char *external_id,
                      json_t **out);
/* Raise one aspect by hand: body {"aspect", "level", "reason", "note"}. A level below the
 * inherited one is 422 below_inherited (field level); reason other needs a note. Replaces an
 * earlier raise of that aspect; audited. *out is the protection afterwards. */
int system_raise(struct db *db, const struct org_actor *who, const char *external_id, json_t *body,
                 json_t **out, struct json_problem *p);
/* The requirement rules that apply at the system's levels (the defaults and those of its
 * organisation and the ones above), each {code, aspect, min_level, text_sv, text_en, met};
 * met is true/false where the catalog knows (MFA), else null. For a planned system only the
 * rules meant for procurement: the kravlista. */
int system_requirements(struct db *db, const struct org_actor *who, const char *external_id,
                        json_t **out);

/* For the import (catalog_import.c), inside the caller's transaction: create or update (by
 * external_id) the asset body (a "classified_at" YYYY-MM-DD member dates the classification;
 * the same levels and date as stored are no new classification) and make the systems that
 * process it exactly systems[0..nsystems) (external ids; unknown ones are 422 field
 * systems). Levels of the systems concerned are recomputed as for the API. */
int information_import_save(struct db *db, const struct org_actor *who, json_t *body,
                            const char *const *systems, int nsystems, enum org_outcome *outcome,
                            struct json_problem *p);

#endif
