/* The policy engine: profiles as data, the rule registry, evaluation into findings, and the
 * stored findings the server keeps current (see docs/policy-profiles.md). */
#ifndef VARN_ENGINE_ENGINE_H
#define VARN_ENGINE_ENGINE_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

enum finding_status {
    FINDING_OK,
    FINDING_DUE_SOON,
    FINDING_OVERDUE,
    FINDING_MISSING,
    FINDING_EXCEPTED,
    FINDING_NOT_TRACKED,
};
#define FINDING_STATUS_COUNT 6

/* "ok", "due_soon", ...; and back (ERR_INVALID for an unknown name). */
const char *finding_status_name(enum finding_status s);
int finding_status_parse(const char *name, enum finding_status *out);

/* One obligation judged for one subject. Strings live in the evaluation's arena. */
struct finding {
    const char *obligation;      /* requirement id, e.g. ITC-ATK-5 */
    const char *cite;            /* § id */
    const char *section;         /* policy section */
    const char *rule;            /* rule kind */
    const char *profile;         /* profile code */
    const char *profile_version; /* the version it was judged against */
    int64_t organisation_id;     /* whose obligation */
    const char *organisation;    /* its code */
    const char *subject_kind;    /* organisation, system, information */
    const char *subject_ref;     /* external id or code */
    const char *subject_name;    /* for people */
    enum finding_status status;
    char due[11];            /* YYYY-MM-DD, or "" */
    int64_t responsible_id;  /* person id, or 0 */
    const char *responsible; /* their user id, or NULL */
};

struct finding_set {
    struct arena *arena; /* where findings and their strings live */
    struct finding *v;
    size_t n, cap;
};

/* Evaluate every profile assigned to an organisation at instant now (seconds, UTC), into out
 * (whose arena the caller set). organisation_id 0: all organisations; otherwise that one
 * only. A profile that does not validate fails the evaluation with ERR_INVALID and msg naming
 * the profile, the obligation and the field. */
int engine_evaluate(struct db *db, int64_t now, int64_t organisation_id, struct finding_set *out,
                    char *msg, size_t msglen);

/* Evaluate at now and replace the stored findings, and today's snapshot of their counts, in
 * one transaction, when they are stale: when the audit log, the day or a profile moved since
 * the last refresh (always with force). *refreshed says whether it ran. */
int engine_refresh(struct db *db, int64_t now, bool force, bool *refreshed);

/* A thread with its own connection to db_url that refreshes the findings when stale, every
 * interval_seconds, until stopped. */
struct engine_refresher;
int engine_refresher_start(const char *db_url, unsigned interval_seconds,
                           struct engine_refresher **out);
void engine_refresher_stop(struct engine_refresher *r);

/* Check a profile's text as docs/policy-profiles.md says; msg names the obligation and field. */
int engine_profile_validate(const char *text, const char *origin, char *msg, size_t msglen);

/* Load a profile (validated first) into the database: added, or replacing the one with its
 * code, audited as actor. *code_out (room for 33 bytes) gets its code. */
int engine_profile_import(struct db *db, const char *text, const char *origin, const char *actor,
                          char code_out[33], char *msg, size_t msglen);

/* Assign a loaded profile to an organisation (by codes), audited as actor. *added is false
 * when it was assigned already. */
int engine_profile_assign(struct db *db, const char *org_code, const char *profile_code,
                          const char *actor, bool *added, char *msg, size_t msglen);

/* The id of the organisation with this code; ERR_NOTFOUND. */
int engine_organisation_id(struct db *db, const char *code, int64_t *id);

/* Load the profiles built into the binary (policies/ in the source tree) into the database, adding
 * those that are missing and updating built-in ones whose version changed. For init and demo. */
int engine_sync_builtin(struct db *db, char *msg, size_t msglen);

#endif
