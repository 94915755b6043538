/* Risk management: each organisation's risk matrix, risk assessments of systems or
 * organisations with their participants, risks rated likelihood x consequence before and after
 * treatment, acceptance of residual risk, and measures. Contracts for the API and the import. */
#ifndef VARN_RISK_RISK_H
#define VARN_RISK_RISK_H

#include "authz/authz.h"
#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

#define RISK_LEVELS_MIN   3    /* names on an axis of the matrix */
#define RISK_LEVELS_MAX   5    /* (the schema allows levels 1-5) */
#define RISK_BANDS_MAX    5    /* colour bands of a matrix */
#define RISK_NAME_MAX     60   /* characters of a level or band name */
#define RISK_TITLE_MAX    200  /* characters of a title */
#define RISK_TEXT_MAX     4000 /* characters of a threat, vulnerability, method or evidence */
#define RISK_LINKS_MAX    100  /* systems or information one risk or assessment names */
#define RISK_EXPORT_MAX   20000
#define RISK_VALIDITY_MAX 16 /* bytes of an ISO 8601 period */

/* The roles that may accept a residual risk above the threshold, and approve assessments. */
#define RISK_ACCEPT_ROLES (ROLE_CISO | ROLE_HEAD_OF_ADMINISTRATION | ROLE_ADMINISTRATOR)
#define RISK_APPROVE_ROLES                                                                         \
    (ROLE_SYSTEM_OWNER | ROLE_CISO | ROLE_SECURITY_OFFICER | ROLE_ADMINISTRATOR)

/* ---- the matrix ---- */

/* The default matrix (4x4, Inera's sannolikhet and KLASSA's konsekvens names, bands Låg up to
 * 4, Medel up to 8, Hög up to 16, threshold 8, validity P1Y) as a new object without
 * "organisation" and "source". */
json_t *risk_matrix_default(void);
/* Check a matrix body {likelihood_names, consequence_names, bands, acceptance_threshold,
 * acceptance_validity}: 3-5 distinct one-line names per axis; 1-5 bands {name, colour
 * #rrggbb, max} with strictly rising max, the last at least the largest score; threshold from 1
 * to the largest score; validity an ISO 8601 period PnYnMnWnD longer than nothing. 0, or
 * ERR_REJECTED with p naming the field. */
int risk_matrix_check(json_t *m, struct json_problem *p);
/* The band {name, colour} of score in matrix m (a new reference; the last band above all). */
json_t *risk_band_of(json_t *m, int64_t score);

/* {organisation, source ("organisation" or "default"), likelihood_names, consequence_names,
 * bands, acceptance_threshold, acceptance_validity, updated_at (null for the default)}. */
int risk_matrix_get(struct db *db, const struct org_actor *who, const char *code, json_t **out);
/* Set the organisation's own matrix (body as risk_matrix_check). Levels in use by its risks
 * beyond the new size: 422 levels_in_use. Audited as risk_matrix.update. */
int risk_matrix_put(struct db *db, const struct org_actor *who, const char *code, json_t *body,
                    json_t **out, struct json_problem *p);

/* ---- assessments ----
 * Objects: {id, organisation, title, scope, systems, assessed_on, trigger_kind, method,
 * status, approved_by, approved_at, participants, risk_count, created_at, updated_at}.
 * scope system needs exactly one system, systems at least one; systems in reach (422 field
 * systems otherwise). Creating one invites the owners of its systems (capacity system_owner)
 * and of the information they process (information_owner); so does adding systems later.
 * Status approved needs a person (403 person_required) holding one of RISK_APPROVE_ROLES in
 * the organisation or above (403 not_authorised_to_approve) and sets approved_by/at; leaving
 * approved clears them. */
int risk_assessment_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                           struct json_problem *p);
int risk_assessment_update(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                           json_t **out, struct json_problem *p);
int risk_assessment_get(struct db *db, const struct org_actor *who, const char *id, json_t **out);

struct risk_assessment_query {
    const char *limit, *cursor, *q;
    const char *organisation, *system, *status, *trigger_kind;
};
/* {items, next_cursor}, by id; all: every matching row (up to RISK_EXPORT_MAX, else
 * ERR_TOOBIG) for an export. */
int risk_assessment_list(struct db *db, const struct org_actor *who,
                         const struct risk_assessment_query *q, bool all, json_t **out,
                         struct json_problem *p);

/* Record that user_id took part (participated true: now; false: not). The person themself, or
 * a caller holding administrator, ciso, security_officer or system_owner over the assessment
 * (403 not_authorised otherwise); someone not invited joins with capacity other. */
int risk_participation(struct db *db, const struct org_actor *who, const char *id,
                       const char *user_id, json_t *body, json_t **out, struct json_problem *p);

/* ---- risks ----
 * Objects: {id, external_id, assessment, assessment_title, organisation, title, threat,
 * vulnerability, systems, information, inherent_likelihood, inherent_consequence,
 * inherent_score, inherent_band {name, colour}, residual_likelihood, residual_consequence,
 * residual_score, residual_band (nulls without a residual rating), treatment, owner,
 * accepted_by, accepted_at, acceptance_expires, acceptance_valid, created_at, updated_at}.
 * Levels from 1 to the size of the organisation's matrix (422 naming the level); residual
 * likelihood and consequence go together. Changing the residual rating withdraws an
 * acceptance. */
int risk_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                struct json_problem *p);
int risk_update(struct db *db, const struct org_actor *who, const char *id, json_t *body,
                json_t **out, struct json_problem *p);
int risk_get(struct db *db, const struct org_actor *who, const char *id, json_t **out);

struct risk_list_query {
    const char *limit, *cursor, *q, *sort; /* sort: id (default) or residual_score */
    const char *organisation, *assessment, *system, *treatment, *band, *owner;
};
/* band needs organisation (bands are the organisation's): 422 field band otherwise. */
int risk_list(struct db *db, const struct org_actor *who, const struct risk_list_query *q, bool all,
              json_t **out, struct json_problem *p);
/* The items of risk_list(all) as flat rows with Swedish values for the register export. */
json_t *risk_register_rows(json_t *items);
json_t *risk_assessment_rows(json_t *items);

/* Accept the residual risk (the inherent one without a residual rating): a person (403
 * person_required); above the organisation's threshold only one holding RISK_ACCEPT_ROLES in
 * the organisation or above, else also the risk's owner (403 not_authorised_to_accept).
 * Sets accepted_by/at and acceptance_expires = today + the matrix's validity. */
int risk_accept(struct db *db, const struct org_actor *who, const char *id, json_t **out,
                struct json_problem *p);

/* ---- measures (the risk in reach, else ERR_NOTFOUND) ----
 * {id, risk, title, owner, due, status, done_on, evidence, overdue, created_at, updated_at};
 * status planned (default), in_progress, done or cancelled; done needs done_on (422
 * done_on_required), done_on only with done. */
int risk_measure_list(struct db *db, const struct org_actor *who, const char *risk_id,
                      json_t **out);
int risk_measure_create(struct db *db, const struct org_actor *who, const char *risk_id,
                        json_t *body, json_t **out, struct json_problem *p);
int risk_measure_update(struct db *db, const struct org_actor *who, const char *risk_id,
                        const char *id, json_t *body, json_t **out, struct json_problem *p);

/* ---- import (risk_import.c) ----
 * A CSV risk register (docs/import.md) in one transaction, as the other imports: every
 * problem in rep and nothing applied (ERR_INVALID), or every row applied and audited. Rows
 * name their assessment by organisation, title and date (made when missing); a risk with the
 * row's external_id is updated. */
int risk_import(struct db *db, const struct import_options *opt, const char *actor,
                const char *file, const char *data, size_t len, struct import_report *rep);

/* For the import, inside the caller's transaction: the assessment of org with title and
 * date, created (trigger yearly, scope organisation) when missing; then create or update the
 * risk body by its external_id. */
int risk_import_save(struct db *db, const struct org_actor *who, json_t *body,
                     enum org_outcome *outcome, struct json_problem *p);

/* ---- the region-scale demo (risk_demo.c) ---- */

struct risk_demo_result {
    int assessments, risks, measures, participants; /* participations recorded */
};
/* 6 000 assessments of the systems (ids[0..nsystems), system i of organisation orgs[i % norgs],
 * owned by owners[i % norgs]) and 40 000 risks with measures (some overdue), acceptances (some
 * expiring, some expired) and participants, deterministically; inside the caller's
 * transaction, unaudited (the caller audits the whole). */
int risk_demo_scale(struct db *db, const int64_t *systems, int nsystems, const int64_t *orgs,
                    const int64_t *owners, int norgs, struct risk_demo_result *out);

#endif
