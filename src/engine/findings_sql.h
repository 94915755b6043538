/* All SQL of the findings' read side and of attestations; tenant reads start with
 * AUTHZ_SCOPE_CTE and keep to the caller's organisations. */
#ifndef VARN_ENGINE_FINDINGS_SQL_H
#define VARN_ENGINE_FINDINGS_SQL_H

#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* The status bits of a filter, in the order of urgency (the list's default order). */
#define FINDING_RANKS 6
extern const char *const finding_rank_names[FINDING_RANKS]; /* overdue, missing, ... ok */

struct finding_filter {
    const char *organisation; /* code, or NULL */
    const char *section;
    unsigned status_mask;    /* bit r = finding_rank_names[r]; all when every bit is set */
    const char *responsible; /* user id, or NULL */
    int64_t responsible_id;  /* person id (responsible=me), -1 for nobody, 0 for no filter */
    const char *due_before;  /* YYYY-MM-DD, or NULL */
    const char *obligation;
    const char *profile;
    const char *subject_kind;
    bool has_after; /* keyset: the last item of the previous page */
    int64_t after_rank;
    const char *after_due; /* "9999-12-31" for none */
    const char *after_obligation;
    const char *after_subject;
    int64_t after_id;
    int limit;
};

/* Findings in reach matching f, most urgent first, as list items appended to items; each item
 * also carries the hidden "_rank" (integer) used for the cursor. */
int fnd_sql_list(struct db *db, const struct org_actor *who, const struct finding_filter *f,
                 json_t *items);

/* Rows {organisation, organisation_name, profile, section, status, count} in reach. */
int fnd_sql_summary(struct db *db, const struct org_actor *who, const char *organisation,
                    json_t *rows);
/* Rows {day, status, count} of the snapshots in reach from..to (YYYY-MM-DD). */
int fnd_sql_trend(struct db *db, const struct org_actor *who, const char *organisation,
                  const char *from, const char *to, json_t *rows);

/* Every loaded profile: rows {code, version, title, builtin, updated_at, body}. */
int fnd_sql_profiles(struct db *db, json_t *rows);
/* Rows {profile, organisation} of the assignments in reach. */
int fnd_sql_profile_orgs(struct db *db, const struct org_actor *who, json_t *rows);
/* One profile with its body; ERR_NOTFOUND when there is none. */
int fnd_sql_profile(struct db *db, const char *code, json_t **out);
/* Rows {obligation, status, count} of a profile's findings in reach. */
int fnd_sql_obligation_counts(struct db *db, const struct org_actor *who, const char *profile,
                              json_t *rows);

/* ---- attestations ---- */

/* The organisation with code in reach: its id and parent (0 when none); ERR_NOTFOUND. */
int att_sql_org(struct db *db, const struct org_actor *who, const char *code, int64_t *id,
                int64_t *parent_id);
/* The profiles assigned to an organisation: rows {code, body}. */
int att_sql_org_profiles(struct db *db, int64_t org_id, json_t *rows);
/* Does the caller hold one of roles (a mask) in org or parent (0: none)? */
int att_sql_holds(struct db *db, const struct org_actor *who, unsigned roles, int64_t org_id,
                  int64_t parent_id, bool *holds);
/* Is org in the caller's reach through the administrator role? */
int att_sql_admin_over(struct db *db, const struct org_actor *who, int64_t org_id, bool *admin);

struct attestation_write {
    int64_t organisation_id;
    const char *obligation;
    const char *attested_by;
    int64_t person_id; /* 0: none (a token) */
    const char *at;
    const char *statement;
    const char *evidence_reference;
    const char *evidence_name;
    const char *evidence_type;
    const char *evidence_data; /* base64 */
};
int att_sql_insert(struct db *db, const struct attestation_write *w, int64_t *id);
/* One attestation in reach, as the list shows it; ERR_NOTFOUND. */
int att_sql_get(struct db *db, const struct org_actor *who, int64_t id, json_t **out);

struct attestation_filter {
    const char *organisation;
    const char *obligation;
    bool has_after;
    const char *after_at;
    int64_t after_id;
    int limit;
};
/* Attestations in reach, newest first, without their files. */
int att_sql_list(struct db *db, const struct org_actor *who, const struct attestation_filter *f,
                 json_t *items);
/* The attached file of an attestation in reach: {name, content_type, data}; ERR_NOTFOUND when
 * it is out of reach or has none. */
int att_sql_evidence(struct db *db, const struct org_actor *who, int64_t id, json_t **out);

#endif
