/* All SQL of the engine itself: profiles and their assignments, what evaluation reads
 * (organisations, role holders, attestations) and what a refresh writes. */
#ifndef VARN_ENGINE_ENGINE_SQL_H
#define VARN_ENGINE_ENGINE_SQL_H

#include "core/arena.h"
#include "engine/engine.h"

#include <stdbool.h>
#include <stdint.h>

struct db;

struct org_entry {
    int64_t id, parent_id; /* parent 0 at the root */
    const char *code, *name;
    unsigned kind_bit; /* 1 << index in ORG_KINDS */
};

/* The first active holder of a role in an organisation. */
struct holder {
    int64_t organisation_id;
    const char *role;
    int64_t person_id;
    const char *user_id;
};

struct assignment {
    int64_t organisation_id, profile_id;
};

struct stored_profile {
    int64_t id;
    const char *code, *version, *body;
};

/* Every organisation, by id. */
int esql_orgs(struct db *db, struct arena *a, struct org_entry **out, size_t *n);
/* The first active holder of each role in each organisation, by organisation and role. */
int esql_holders(struct db *db, struct arena *a, struct holder **out, size_t *n);
/* Every organisation–profile assignment, by profile. */
int esql_assignments(struct db *db, struct arena *a, struct assignment **out, size_t *n);
/* The profiles assigned to at least one organisation (all == false) or every loaded one. */
int esql_profiles(struct db *db, struct arena *a, bool all, struct stored_profile **out, size_t *n);
/* One loaded profile by code; ERR_NOTFOUND. */
int esql_profile_by_code(struct db *db, struct arena *a, const char *code,
                         struct stored_profile *out);

/* The date (YYYY-MM-DD) of each organisation's last attestation of obligation: pairs of
 * organisation id and date, by organisation. */
struct last_attestation {
    int64_t organisation_id;
    char date[11];
};
int esql_last_attestations(struct db *db, struct arena *a, const char *obligation,
                           struct last_attestation **out, size_t *n);

/* The audit log's last seq (0 when empty). */
int esql_audit_head(struct db *db, int64_t *seq);
/* The state of the last refresh; *found false when none ran. */
int esql_state_get(struct db *db, int64_t *seq, char day[11], bool *found);
int esql_state_put(struct db *db, int64_t seq, const char *day, const char *at,
                   int64_t duration_us);
/* Replace the stored findings with set, evaluated at at. */
int esql_findings_replace(struct db *db, const struct finding_set *set, const char *at);
/* Today's snapshot of the counts per organisation, section and status, from the findings. */
int esql_snapshot(struct db *db, const char *day);

/* Add a profile, or replace the body of the one with its code (a built-in one never replaces
 * a profile loaded by hand); *id gets its id and *changed whether anything was written. */
int esql_profile_put(struct db *db, const char *code, const char *version, const char *title,
                     const char *body, bool builtin, const char *at, int64_t *id, bool *changed);
/* Assign a profile to an organisation; *added false when it was assigned already. */
int esql_profile_assign(struct db *db, int64_t organisation_id, int64_t profile_id, const char *at,
                        bool *added);
int esql_org_id(struct db *db, const char *code, int64_t *id);

#endif
