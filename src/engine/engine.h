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
    char due[11];               /* YYYY-MM-DD, or "" */
    int64_t responsible_id;     /* person id, or 0 */
    const char *responsible;    /* their user id, or NULL */
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

/* Load the profiles built into the binary (policies/*.json) into the database, adding those
 * that are missing and updating built-in ones whose version changed. For init and demo. */
int engine_sync_builtin(struct db *db, int64_t now, char *msg, size_t msglen);

#endif
