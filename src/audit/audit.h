/* The audit log: every change, login, MFA change, export and refused access, hash-chained and
 * written in the same transaction as what it records. */
#ifndef VARN_AUDIT_AUDIT_H
#define VARN_AUDIT_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct buf;
struct caller;
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

/* The hash of record r chained to r->prev_hash, as hex into out. ERR_INVALID when a text is
 * not valid UTF-8: then there is no canonical form, and nothing the hash could cover. */
int audit_hash(const struct audit_record *r, char out[AUDIT_HASH_LEN]);

/* Canonical JSON text of a value (sorted keys, compact), or NULL for NULL; free() it. */
char *audit_canonical_json(json_t *v);

/* ---- the verifier (audit_verify.c) ---- */

struct audit_verify_result {
    int64_t entries;                /* entries read and found sound */
    int64_t head_seq;               /* the last sound entry (0 for an empty log) */
    char head_hash[AUDIT_HASH_LEN]; /* its hash (AUDIT_GENESIS for an empty log) */
    int64_t anchor_seq;             /* the entry whose hash is the anchor; 0: not found */
    char problem[256];              /* the first problem, as a sentence; "" when intact */
};

/* Read the whole chain in seq order, one row at a time, and check that every entry's hash
 * recomputes, links to the previous entry's hash, that seq runs 1, 2, 3 ... without gaps or
 * repeats (so the row count equals max(seq)) and that times never go back. When anchor (a
 * hash noted earlier) is given, it must be the hash of one of the entries. Returns 0 when
 * all holds, ERR_INVALID with out->problem naming the first bad entry, or another negative
 * error when the log could not be read. */
int audit_verify(struct db *db, const char *anchor, struct audit_verify_result *out);

/* Is s 64 lower-case hex digits, as every stored hash is? */
bool audit_hash_valid(const char *s);

/* ---- search and export (audit_search.c) ---- */

#define AUDIT_PAGE_MAX   500    /* the largest page of a search */
#define AUDIT_EXPORT_MAX 100000 /* the most entries one CSV export may hold */
#define AUDIT_EXPORT_BYTES                                                                         \
    (128u * 1024u * 1024u) /* the CSV's bounded buffer: 100 000 rows of about 1.3 KiB */

/* What a search asks for; NULL or 0 members do not filter. */
struct audit_filter {
    const char *from;         /* at >= from (ISO 8601 UTC, as stored) */
    const char *to;           /* at < to */
    const char *actor;        /* exact */
    const char *organisation; /* the organisation's code */
    const char *object_kind;  /* exact */
    const char *object_id;    /* exact */
    const char *action;       /* exact */
    int64_t before_seq;       /* keyset cursor: only entries with seq < before_seq */
    int64_t limit;            /* at most this many entries */
};

/* Who is searching: the scope parameters of AUTHZ_SCOPE_CTE, and whether entries without an
 * organisation are visible (administrators only). */
struct audit_viewer {
    const struct caller *caller; /* the caller */
    unsigned roles;              /* the route's roles, for the scope */
    bool administrator;          /* holds the administrator role */
};

/* One page, newest first: {"items": [...], "next_cursor": "SEQ" or null}. *out is new. */
int audit_search(struct db *db, const struct audit_viewer *v, const struct audit_filter *f,
                 json_t **out);

/* The filtered entries (f->limit and f->before_seq ignored) as CSV for Swedish Excel, into
 * the bounded buffer csv; ERR_TOOBIG when more than AUDIT_EXPORT_MAX entries match (*rows
 * then says how many) or the text outgrows its buffer. */
int audit_export_csv(struct db *db, const struct audit_viewer *v, const struct audit_filter *f,
                     struct buf *csv, int64_t *rows);

/* The last entry's seq and hash (0 and AUDIT_GENESIS for an empty log): what to anchor. */
int audit_head(struct db *db, int64_t *seq, char hash[AUDIT_HASH_LEN]);

/* Record a CSV export of rows entries matching f, in a transaction of its own: action
 * "audit.export", the filter and row count in "after", in the caller's own organisation (that
 * of their token or of their person), so that their organisation's officers see it too. */
int audit_export_record(struct db *db, const struct caller *c, const struct audit_filter *f,
                        int64_t rows);

#endif
