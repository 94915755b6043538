/* Authorisation in one place: who the caller is, which roles a route admits (the permission
 * matrix in permissions.csv), and the organisations a caller reaches with them. */
#ifndef VARN_AUTHZ_AUTHZ_H
#define VARN_AUTHZ_AUTHZ_H

#include "http/route.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

/* Role bits; the same values as the role table (db/migrations/0002_identity.sql). */
enum role_bit {
    ROLE_ADMINISTRATOR = 1 << 0,
    ROLE_CISO = 1 << 1,
    ROLE_SECURITY_OFFICER = 1 << 2,
    ROLE_SYSTEM_OWNER = 1 << 3,
    ROLE_INFORMATION_OWNER = 1 << 4,
    ROLE_MANAGER = 1 << 5,
    ROLE_HEAD_OF_ADMINISTRATION = 1 << 6,
    ROLE_DPO = 1 << 7,
    ROLE_COMMITTEE_MEMBER = 1 << 8,
    ROLE_USER = 1 << 9,
    ROLE_SUPPLIER_CONTACT = 1 << 10,
    ROLE_EXTERNAL_PARTY = 1 << 11,
};

#define ROLE_COUNT 12

/* The bit of a role id ("ciso"), or 0 for an unknown id. */
unsigned role_bit_of(const char *id);
/* The role id of a single bit, or NULL. */
const char *role_id_of(unsigned bit);

enum caller_kind {
    CALLER_ANONYMOUS, /* nobody logged in */
    CALLER_SESSION,   /* a person with a session cookie */
    CALLER_TOKEN,     /* an integration with an API token */
};

struct caller {
    enum caller_kind kind; /* how the caller authenticated */
    int64_t person_id;     /* session callers: the person; 0 otherwise */
    int64_t session_id;    /* session callers: the session row */
    int64_t token_id;      /* token callers: the token row */
    bool mfa_passed;       /* session has passed its MFA step (or needs none) */
    char actor[80];        /* for the audit log: user_id, "token:<id>" or "anonymous" */
    char address[64];      /* client address */
};

/* Build the matrix from the embedded permissions.csv and check it against the route table:
 * every route must appear exactly once; ACCESS_ROLES routes must admit at least one role and
 * the others none. On failure msg names the route or line. Call once at start-up. */
int authz_load(const struct route *routes, size_t n, char *msg, size_t msglen);

/* The roles (mask) the matrix gives route r. */
unsigned authz_route_roles(const struct route *r);

/* The union of the roles the caller holds in any organisation. */
int authz_caller_roles(struct db *db, const struct caller *c, unsigned *mask);

/* Bind :caller_person, :caller_token and :caller_roles for a statement that starts with
 * AUTHZ_SCOPE_CTE; roles is the mask of the route being served. */
int authz_bind_scope(struct db_stmt *st, const struct caller *c, unsigned roles);

/* The organisations a caller reaches with roles, the same set AUTHZ_SCOPE_CTE gives, worked out
 * in C from two plain queries (the caller's role holdings, then the organisation tree). The CTE
 * builds three temporary b-trees every time a statement runs it; a request that filters many
 * rows works this out once and filters with it instead (authz_reach_has, or bound ranges of
 * ids: authz_reach_ranges). */
struct authz_reach {
    size_t n;     /* organisations in reach */
    int64_t *ids; /* sorted ascending, no duplicates; NULL when n is 0 */
};

/* The reach of caller c with roles (the route's mask) into *out; release it afterwards. An
 * anonymous caller, a disabled person and a revoked token reach nothing. */
int authz_reach(struct db *db, const struct caller *c, unsigned roles, struct authz_reach *out);
/* Is org in reach? (binary search) */
bool authz_reach_has(const struct authz_reach *r, int64_t org);
/* The ids in reach as runs of consecutive ids: ranges[i][0]..ranges[i][1]. Returns how many
 * runs there are; only the first max are written, so a result above max means "too many". */
size_t authz_reach_ranges(const struct authz_reach *r, int64_t (*ranges)[2], size_t max);
void authz_reach_release(struct authz_reach *r);

/* The organisations a caller reaches: those where they hold one of :caller_roles, and all
 * organisations below those. Every query that returns or changes tenant data starts with this
 * and filters with "organisation_id IN (SELECT org_id FROM scope)", or filters with the same
 * set from authz_reach. */
#define AUTHZ_SCOPE_CTE                                                                            \
    "WITH RECURSIVE scope(org_id) AS ("                                                            \
    " SELECT ra.organisation_id FROM role_assignment ra JOIN role r ON r.id = ra.role"             \
    "  JOIN person p ON p.id = ra.person_id"                                                       \
    "  WHERE ra.person_id = :caller_person AND p.disabled = 0 AND (r.bit & :caller_roles) <> 0"    \
    " UNION SELECT t.organisation_id FROM api_token t JOIN role r ON r.id = t.role"                \
    "  WHERE t.id = :caller_token AND t.revoked_at IS NULL AND (r.bit & :caller_roles) <> 0"       \
    " UNION SELECT o.id FROM organisation o JOIN scope s ON o.parent_id = s.org_id) "

#endif
