/* The audit log: every change, login, MFA change, export and refused access, hash-chained and
 * written in the same transaction as what it records. */
#ifndef VARN_AUDIT_AUDIT_H
#define VARN_AUDIT_AUDIT_H

#include <jansson.h>
#include <stdint.h>

struct db;

/* The hash before the first entry. */
#define AUDIT_GENESIS  "0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_HASH_LEN 65 /* 64 hex digits and NUL */

struct audit_event {
    const char *actor;       /* user_id, "token:<id>", "cli:<name>" or "anonymous" */
    const char *address;     /* client address, or NULL */
    const char *action;      /* "<object>.<verb>", e.g. "person.update", "login.failure" */
    const char *object_kind; /* "person", "organisation", ..., or NULL */
    const char *object_id;   /* the object's code, user_id or id, or NULL */
    int64_t organisation_id; /* the organisation it belongs to; 0 for none */
    json_t *before;          /* state before (borrowed), or NULL */
    json_t *after;           /* state after (borrowed), or NULL */
};

/* One stored entry, as the verifier and the search read it. */
struct audit_record {
    int64_t seq;
    const char *at;
    const char *actor;
    const char *address;
    const char *action;
    const char *object_kind;
    const char *object_id;
    int64_t organisation_id;
    const char *before; /* canonical JSON text or NULL */
    const char *after;  /* canonical JSON text or NULL */
    const char *prev_hash;
    const char *hash;
};

/* Append ev to the chain at the current clock time. Must run inside the caller's write
 * transaction (db_begin), so that the entry commits or rolls back with the change. */
int audit_append(struct db *db, const struct audit_event *ev);

/* Append ev in a transaction of its own (refused access, failed logins: nothing else to
 * commit with). */
int audit_append_alone(struct db *db, const struct audit_event *ev);

/* The hash of record r chained to r->prev_hash, as hex into out. */
void audit_hash(const struct audit_record *r, char out[AUDIT_HASH_LEN]);

/* Canonical JSON text of a value (sorted keys, compact), or NULL for NULL; free() it. */
char *audit_canonical_json(json_t *v);

#endif
