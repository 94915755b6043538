/* SQL of the demo's access control data (demo_access_sql.c): accounts, entitlements, grants,
 * requests, review campaigns and tasks, inserted row by row with cached statements. */
#ifndef VARN_DEMO_ACCESS_SQL_H
#define VARN_DEMO_ACCESS_SQL_H

#include <stdbool.h>
#include <stdint.h>

struct db;

struct demo_account_row {
    int64_t system_id, organisation_id, person_id; /* person 0: tied to no person */
    const char *username, *status, *source;
    const char *last_login;        /* NULL: never */
    const char *exception_reason;  /* NULL: no exception */
    const char *exception_until;   /* with the reason */
    int64_t exception_approved_by; /* with the reason */
    bool shared, privileged, mfa_enrolled;
};

struct demo_grant_row {
    int64_t account_id, entitlement_id, system_id, organisation_id;
    const char *granted_at, *source;
    int64_t granted_by, request_id; /* 0: none */
    const char *revoked_at;         /* NULL: active */
    int64_t revoked_by;             /* with revoked_at */
    const char *revoke_reason;      /* with revoked_at */
};

struct demo_request_row {
    int64_t organisation_id, system_id, entitlement_id, person_id, requested_by;
    const char *justification, *status, *created_at;
    int64_t decided_by; /* 0: undecided */
    const char *decided_at, *decision_comment;
};

struct demo_person_row {
    const char *user_id, *name, *email, *employment_start;
    const char *employment_end;          /* NULL: none */
    const char *title;                   /* NULL: none */
    const char *role_changed_at;         /* NULL: none */
    int64_t organisation_id, manager_id; /* manager 0: none */
    bool privileged;
};

/* A person without credentials or roles (the region-scale staff); *id gets the new id. */
int demo_sql_staff_insert(struct db *db, const struct demo_person_row *p, const char *at,
                          int64_t *id);
/* A demo person's job title and, when changed_at is not NULL, when their role changed. */
int demo_sql_person_title(struct db *db, int64_t person_id, const char *title,
                          const char *changed_at);
int demo_sql_system_admin(struct db *db, int64_t system_id, int64_t person_id);
int demo_sql_entitlement_insert(struct db *db, int64_t system_id, const char *name,
                                const char *description, bool privileged, const char *at,
                                int64_t *id);
int demo_sql_account_insert(struct db *db, const struct demo_account_row *a, const char *at,
                            int64_t *id);
int demo_sql_grant_insert(struct db *db, const struct demo_grant_row *g, int64_t *id);
int demo_sql_request_insert(struct db *db, const struct demo_request_row *r, int64_t *id);
int demo_sql_review_insert(struct db *db, int64_t org_id, const char *title, const char *due_on,
                           const char *status, int64_t started_by, const char *started_at,
                           const char *completed_at, int64_t *id);
/* The system's part of a completed campaign: an item, decided by reviewer at decided_at, for
 * every grant of the system that was active when the campaign started; 'revoke' (with the
 * grant's revoke reason as comment) for those revoked at decided_at, else 'keep'. Sets the
 * system's item count and completion. */
int demo_sql_review_system_done(struct db *db, int64_t review_id, int64_t system_id,
                                int64_t reviewer_id, const char *started_at,
                                const char *decided_at);
/* The region-scale staff's accounts, set-based, in the order of the indexes (organisation of
 * the system, system, username). Person k (id first_person + k) has 6 accounts, 7 when k % 3
 * is not 0: the first on one of the IT centre's systems (orgs[0]), the rest on systems of their
 * own organisation among orgs (all on the IT centre's for an organisation not among them),
 * spread by k; system i of organisation i % DEMO_SCALE_ORGS has id first_system + i. Their
 * flags and logins are drawn from k and the account's slot: 2 in 100 disabled, 3 never logged
 * in, MFA for 9 in 10 privileged and 65 in 100 other accounts; of those who have left, every other
 * person last logged in at recent (after their last day), the others on their last day. */
#define DEMO_SCALE_ORGS 5
struct demo_scale_accounts {
    int64_t first_person, people, first_system, per_org, orgs[DEMO_SCALE_ORGS];
    const char *logins[8], *recent, *today, *at;
};
int demo_sql_scale_accounts(struct db *db, const struct demo_scale_accounts *w);
/* The highest account id and the number of accounts from first on. */
int demo_sql_account_span(struct db *db, int64_t first, int64_t *last, int64_t *count);
/* How many grants there are, active or not. */
int demo_sql_count_grants(struct db *db, int64_t *n);
/* The grants of the region-scale accounts with ids first .. first + n - 1, set-based. For an
 * account d = id - first: entitlements are ranked by SCALE ranks (0 privileged, then 1..5);
 * it holds 1 (tied to no person), 3 (d even and d >= third_from) or else 2 of them, in a run
 * of ranks starting at 1 + d * 7 % 5, a privileged account rank 0 instead of the run's first.
 * granted_at is one of the eight times in granted[] (by d % 8). */
int demo_sql_scale_grants(struct db *db, int64_t first, int64_t n, int64_t third_from,
                          const char *const granted[8]);

/* A provisioning task (request_id) or a removal task (grant_id and review_item of it in
 * review_id); done_at NULL: still open. */
int demo_sql_task_insert(struct db *db, int64_t org_id, int64_t system_id, const char *kind,
                         int64_t request_id, int64_t grant_id, int64_t review_id,
                         int64_t assignee_id, const char *due_on, const char *created_at,
                         const char *done_at);

#endif
