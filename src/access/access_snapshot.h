/* A snapshot of the accounts and grants of some systems, as a CSV export or a directory reads
 * them, applied to the database: what is new is added, what is gone is removed or revoked, and
 * what differs is changed. One code path for the CSV import and the directory sync. */
#ifndef VARN_ACCESS_ACCESS_SNAPSHOT_H
#define VARN_ACCESS_ACCESS_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* One account, or one grant of an entitlement to an account, as the source has it. Several
 * rows of the same (system_id, username) give one account with several grants (the first of
 * them gives the account's columns; a grant given twice keeps the earliest granted_at);
 * entitlement NULL gives the account alone. Strings are borrowed for the duration of the call. */
struct access_row {
    int64_t system_id;
    const char *username;
    int64_t person_id;       /* 0: tied to no person */
    const char *entitlement; /* name within the system; created when new; NULL: none */
    bool shared;
    bool privileged;
    bool mfa_enrolled;
    const char *last_login; /* UTC ISO 8601, or NULL */
    bool disabled;
    const char *granted_at; /* YYYY-MM-DD or UTC ISO 8601; NULL: now */
};

struct access_changes {
    long accounts_new, accounts_removed, accounts_changed;
    long grants_new, grants_removed;
};

/* Apply rows as the whole truth for the systems in system_ids: accounts of those systems that
 * are absent become 'removed' and their grants are revoked; absent grants are revoked. Runs in
 * the caller's transaction and writes one audit entry per system with its counts. source is
 * "csv" or "ldap". sync_id > 0 also records each change in directory_sync_change. */
int access_snapshot_apply(struct db *db, const int64_t *system_ids, size_t nsystems,
                          const struct access_row *rows, size_t nrows, const char *source,
                          int64_t sync_id, const char *actor, const char *now,
                          struct access_changes *out);

/* access_snapshot_apply with flags. ACCESS_SNAPSHOT_ACCOUNTS_ONLY: the rows say nothing of
 * grants (a file of accounts): the grants of the accounts kept are left alone, and only those
 * of accounts that become 'removed' are revoked. */
#define ACCESS_SNAPSHOT_ACCOUNTS_ONLY 1u
int access_snapshot_apply_with(struct db *db, const int64_t *system_ids, size_t nsystems,
                               const struct access_row *rows, size_t nrows, const char *source,
                               unsigned flags, int64_t sync_id, const char *actor, const char *now,
                               struct access_changes *out);

#endif
