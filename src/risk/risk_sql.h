/* SQL of risk management (risk_sql.c): matrices, assessments with their systems and
 * participants, risks with their systems and information, measures. Tenant reads start with
 * AUTHZ_SCOPE_CTE; rows come as JSON (cat_row_json: "#x" integers, "_x" hidden ids). */
#ifndef VARN_RISK_RISK_SQL_H
#define VARN_RISK_RISK_SQL_H

#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* ---- matrix ---- */

/* The organisation's own matrix {likelihood_names, consequence_names, bands (JSON text),
 * #acceptance_threshold, acceptance_validity, updated_at}; none: ERR_NOTFOUND. */
int risk_sql_matrix_get(struct db *db, int64_t org_id, json_t **out);
int risk_sql_matrix_put(struct db *db, int64_t org_id, const char *likelihood_names,
                        const char *consequence_names, const char *bands, int64_t threshold,
                        const char *validity, const char *at);
/* The highest likelihood and consequence any risk of the organisation uses (0 with none). */
int risk_sql_levels_used(struct db *db, int64_t org_id, int64_t *likelihood, int64_t *consequence);

/* Does person hold one of the roles in mask in org_id or an organisation above it? */
int risk_sql_holds_any(struct db *db, int64_t person_id, unsigned mask, int64_t org_id, bool *yes);

/* ---- assessments ---- */

struct assessment_write {
    int64_t id; /* update: the row */
    int64_t organisation_id;
    const char *title, *scope, *assessed_on, *trigger_kind, *method, *status;
    int64_t approved_by; /* 0: none */
    const char *approved_at;
};

struct assessment_filter {
    const char *organisation, *system, *status, *trigger_kind, *like; /* NULL: any */
    int64_t after_id;                                                 /* keyset cursor */
    int limit;
};

/* An assessment as its API object (without systems and participants) plus hidden
 * _organisation_id. find: in reach; by_id: any. */
int risk_sql_assessment_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
int risk_sql_assessment_by_id(struct db *db, int64_t id, json_t **out);
int risk_sql_assessment_list(struct db *db, const struct org_actor *who,
                             const struct assessment_filter *f, json_t *items);
int risk_sql_assessment_insert(struct db *db, struct assessment_write *w, const char *at);
int risk_sql_assessment_update(struct db *db, const struct assessment_write *w, const char *at);
/* The first assessment of the organisation with this title and date (import), or 0. */
int risk_sql_assessment_lookup(struct db *db, int64_t org_id, const char *title,
                               const char *assessed_on, int64_t *id);
/* The external ids of its systems in reach, sorted, as strings into values. */
int risk_sql_assessment_systems(struct db *db, const struct org_actor *who, int64_t id,
                                json_t *values);
/* Replace its systems by ids[0..n). */
int risk_sql_assessment_systems_set(struct db *db, int64_t id, const int64_t *ids, size_t n);
/* Invite the owners of its systems (system_owner) and of the information they process
 * (information_owner), each person once; those already invited stay as they are. */
int risk_sql_invite(struct db *db, int64_t id);
/* Participants {user_id, name, capacity, participated_at, _person_id} by capacity, user id. */
int risk_sql_participants(struct db *db, int64_t id, json_t *items);
/* Insert (capacity other) or update the participation of person_id; at NULL clears it. */
int risk_sql_participant_set(struct db *db, int64_t id, int64_t person_id, const char *at);
int risk_sql_risk_count(struct db *db, int64_t assessment_id, int64_t *n);

/* ---- risks ---- */

struct risk_write {
    int64_t id; /* update: the row */
    int64_t assessment_id, organisation_id, owner_id;
    const char *external_id, *title, *threat, *vulnerability, *treatment; /* NULL: none */
    int64_t il, ic, rl, rc;                                               /* residual 0: none */
    int64_t accepted_by;                                                  /* 0: none */
    const char *accepted_at, *acceptance_expires;
};

struct risk_filter {
    const char *organisation, *system, *treatment, *owner, *like; /* NULL: any */
    int64_t assessment;                                           /* 0: any */
    int64_t score_min, score_max; /* of the residual (else inherent) score */
    bool by_score;                /* highest residual score first, then id */
    int64_t after_score, after_id;
    int limit;
};

/* A risk as its API object (levels as integers, no bands) plus hidden _organisation_id,
 * _owner_id, _assessment_id and #score (the residual score, else the inherent one). */
int risk_sql_risk_find(struct db *db, const struct org_actor *who, int64_t id, json_t **out);
int risk_sql_risk_by_id(struct db *db, int64_t id, json_t **out);
/* In reach by external_id; none: ERR_NOTFOUND. taken: anywhere. */
int risk_sql_risk_find_external(struct db *db, const struct org_actor *who, const char *ext,
                                json_t **out);
int risk_sql_risk_taken(struct db *db, const char *ext, bool *taken);
int risk_sql_risk_list(struct db *db, const struct org_actor *who, const struct risk_filter *f,
                       json_t *items);
int risk_sql_risk_insert(struct db *db, struct risk_write *w, const char *at);
int risk_sql_risk_update(struct db *db, const struct risk_write *w, const char *at);
/* The organisations in the caller's reach (an array of ids), or NULL in *out for the command
 * line, which reaches everything. Worked out once per request: the scope query costs as much
 * as a page of rows, so the links of each row must not repeat it. */
int risk_sql_reach(struct db *db, const struct org_actor *who, json_t **out);
/* The external ids of its systems (information false) or information (true) whose
 * organisation is in reach (from risk_sql_reach; NULL: all). */
int risk_sql_risk_links(struct db *db, const json_t *reach, int64_t id, bool information,
                        json_t *values);
int risk_sql_risk_links_set(struct db *db, int64_t id, bool information, const int64_t *ids,
                            size_t n);

/* ---- measures ---- */

struct measure_write {
    int64_t id, risk_id, owner_id;
    const char *title, *due, *status, *done_on, *evidence;
};

/* {id, risk, title, owner, due, status, done_on, evidence, created_at, updated_at} + _owner_id */
int risk_sql_measures(struct db *db, int64_t risk_id, json_t *items);
int risk_sql_measure_find(struct db *db, int64_t risk_id, int64_t id, json_t **out);
int risk_sql_measure_insert(struct db *db, struct measure_write *w, const char *at);
int risk_sql_measure_update(struct db *db, const struct measure_write *w, const char *at);

#endif
