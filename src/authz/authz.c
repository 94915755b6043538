/* The permission matrix (route x role, from permissions.csv) and the caller's reach. */
#include "authz/authz.h"
#include "core/err.h"
#include "core/str.h"
#include "core/xalloc.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* permissions.csv, embedded at build time. */
extern const char authz_permissions_csv[];

static const char *const role_ids[ROLE_COUNT] = {
    "administrator",     "ciso",    "security_officer",       "system_owner",
    "information_owner", "manager", "head_of_administration", "dpo",
    "committee_member",  "user",    "supplier_contact",       "external_party",
};

/* One mask per route, in route-table order; written once at start-up, then only read. */
static unsigned *route_masks;
static const struct route *matrix_routes;
static size_t matrix_count;

unsigned role_bit_of(const char *id)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (strcmp(role_ids[i], id) == 0)
            return 1u << i;
    return 0;
}

const char *role_id_of(unsigned bit)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (bit == 1u << i)
            return role_ids[i];
    return NULL;
}

/* Split one CSV line (no quoting: the matrix needs none) into at most max fields. */
static int split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static long find_route(const char *method, const char *pattern)
{
    for (size_t i = 0; i < matrix_count; i++)
        if (strcmp(matrix_routes[i].method, method) == 0 &&
            strcmp(matrix_routes[i].pattern, pattern) == 0)
            return (long)i;
    return -1;
}

int authz_load(const struct route *routes, size_t n, char *msg, size_t msglen)
{
    enum { COLS = 2 + ROLE_COUNT };
    char *text = xstrdup(authz_permissions_csv);
    bool *seen = xcalloc(n ? n : 1, sizeof(*seen));
    free(route_masks);
    route_masks = xcalloc(n ? n : 1, sizeof(*route_masks));
    matrix_routes = routes;
    matrix_count = n;
    int rc = 0;
    int lineno = 0;
    char *save = text;
    for (char *line = save; line && *line; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        char *f[COLS + 1];
        int nf = split(line, f, COLS + 1);
        if (lineno == 1) {
            bool ok = nf == COLS && strcmp(f[0], "method") == 0 && strcmp(f[1], "pattern") == 0;
            for (int i = 0; ok && i < ROLE_COUNT; i++)
                ok = strcmp(f[2 + i], role_ids[i]) == 0;
            if (!ok) {
                str_format(msg, msglen,
                           "permissions.csv line 1: the header must be "
                           "method,pattern and the twelve role ids in order");
                rc = ERR_INVALID;
                goto out;
            }
            continue;
        }
        if (nf != COLS) {
            str_format(msg, msglen, "permissions.csv line %d: %d fields, expected %d", lineno, nf,
                       COLS);
            rc = ERR_INVALID;
            goto out;
        }
        long r = find_route(f[0], f[1]);
        if (r < 0 || seen[r]) {
            str_format(msg, msglen, "permissions.csv line %d: %s %s is %s", lineno, f[0], f[1],
                       r < 0 ? "not a route" : "listed twice");
            rc = ERR_INVALID;
            goto out;
        }
        seen[r] = true;
        unsigned mask = 0;
        for (int i = 0; i < ROLE_COUNT; i++) {
            if (strcmp(f[2 + i], "x") == 0) {
                mask |= 1u << i;
            } else if (f[2 + i][0] != '\0') {
                str_format(msg, msglen, "permissions.csv line %d: cell '%s' must be x or empty",
                           lineno, f[2 + i]);
                rc = ERR_INVALID;
                goto out;
            }
        }
        bool needs_roles = routes[r].access == ACCESS_ROLES;
        if (needs_roles != (mask != 0)) {
            str_format(msg, msglen, "permissions.csv line %d: %s %s %s", lineno, f[0], f[1],
                       needs_roles ? "is for roles but admits none"
                                   : "is public or for any session and must list no roles");
            rc = ERR_INVALID;
            goto out;
        }
        route_masks[r] = mask;
    }
    for (size_t i = 0; i < n; i++) {
        if (!seen[i]) {
            str_format(msg, msglen, "permissions.csv lacks the route %s %s", routes[i].method,
                       routes[i].pattern);
            rc = ERR_INVALID;
            goto out;
        }
    }
out:
    free(seen);
    free(text);
    return rc;
}

unsigned authz_route_roles(const struct route *r)
{
    if (!route_masks || r < matrix_routes || r >= matrix_routes + matrix_count)
        return 0;
    return route_masks[r - matrix_routes];
}

/* The person's half and the token's half apart: a caller is one or the other (the other id is
 * 0, which no row has), so only its own half runs; the bits are OR-ed together. */
static const char SQL_PERSON_ROLES[] =
    "SELECT r.bit FROM role_assignment ra JOIN role r ON r.id = ra.role"
    " JOIN person p ON p.id = ra.person_id"
    " WHERE ra.person_id = :caller_person AND p.disabled = 0";
static const char SQL_TOKEN_ROLES[] = "SELECT r.bit FROM api_token t JOIN role r ON r.id = t.role"
                                      " WHERE t.id = :caller_token AND t.revoked_at IS NULL";

static int roles_of(struct db *db, const char *sql, const char *param, int64_t id, unsigned *mask)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, param, id);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        *mask |= (unsigned)db_col_int(st, 0);
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int authz_caller_roles(struct db *db, const struct caller *c, unsigned *mask)
{
    int rc = 0;
    *mask = 0;
    if (c->person_id)
        rc = roles_of(db, SQL_PERSON_ROLES, ":caller_person", c->person_id, mask);
    if (!rc && c->token_id)
        rc = roles_of(db, SQL_TOKEN_ROLES, ":caller_token", c->token_id, mask);
    return rc;
}

int authz_bind_scope(struct db_stmt *st, const struct caller *c, unsigned roles)
{
    int rc = db_bind_int(st, ":caller_person", c->person_id);
    if (!rc)
        rc = db_bind_int(st, ":caller_token", c->token_id);
    if (!rc)
        rc = db_bind_int(st, ":caller_roles", roles);
    return rc;
}

/* ---- the reach worked out in C ---- */

/* The first two parts of AUTHZ_SCOPE_CTE, the organisations where the caller holds one of the
 * roles: as a person, as a token (each run only for a caller of its kind, as above). */
static const char SQL_REACH_PERSON[] =
    "SELECT ra.organisation_id FROM role_assignment ra JOIN role r ON r.id = ra.role"
    " JOIN person p ON p.id = ra.person_id"
    " WHERE ra.person_id = :caller_person AND p.disabled = 0 AND (r.bit & :caller_roles) <> 0";
static const char SQL_REACH_TOKEN[] =
    "SELECT t.organisation_id FROM api_token t JOIN role r ON r.id = t.role"
    " WHERE t.id = :caller_token AND t.revoked_at IS NULL AND (r.bit & :caller_roles) <> 0";
/* The tree, for its recursive part: every organisation with its parent. */
static const char SQL_REACH_TREE[] = "SELECT id, parent_id FROM organisation";

struct org_edge {
    int64_t id, parent; /* parent 0: none (ids start at 1) */
};

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_edge(const void *a, const void *b)
{
    return cmp_id(&((const struct org_edge *)a)->id, &((const struct org_edge *)b)->id);
}

/* Sort ids[0..n) and drop duplicates; the new count. */
static size_t sort_unique(int64_t *ids, size_t n)
{
    size_t k = 0;
    qsort(ids, n, sizeof(*ids), cmp_id);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    return k;
}

static bool sorted_has(const int64_t *ids, size_t n, int64_t id)
{
    return n && bsearch(&id, ids, n, sizeof(*ids), cmp_id) != NULL;
}

/* Append the roots sql gives for the caller's id (bound as param) to a growing array. */
static int read_roots(struct db *db, const char *sql, const char *param, int64_t id, unsigned roles,
                      int64_t **out, size_t *n, size_t *cap)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, param, id);
    if (!rc)
        rc = db_bind_int(st, ":caller_roles", roles);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 8;
            *out = xrealloc(*out, *cap * sizeof(**out));
        }
        (*out)[(*n)++] = db_col_int(st, 0);
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* Every organisation with its parent, sorted by id. */
static int read_tree(struct db *db, struct org_edge **out, size_t *n)
{
    struct db_stmt *st;
    size_t cap = 0;
    int rc = db_prepare(db, SQL_REACH_TREE, &st);
    if (rc)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = xrealloc(*out, cap * sizeof(**out));
        }
        (*out)[*n].id = db_col_int(st, 0);
        (*out)[*n].parent = db_col_is_null(st, 1) ? 0 : db_col_int(st, 1);
        (*n)++;
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    qsort(*out, *n, sizeof(**out), cmp_edge);
    return 0;
}

int authz_reach(struct db *db, const struct caller *c, unsigned roles, struct authz_reach *out)
{
    int64_t *roots = NULL;
    struct org_edge *tree = NULL;
    size_t nroots = 0, cap = 0, ntree = 0;
    int rc = 0;
    *out = (struct authz_reach){0};
    if (c->person_id)
        rc = read_roots(db, SQL_REACH_PERSON, ":caller_person", c->person_id, roles, &roots,
                        &nroots, &cap);
    if (!rc && c->token_id)
        rc = read_roots(db, SQL_REACH_TOKEN, ":caller_token", c->token_id, roles, &roots, &nroots,
                        &cap);
    if (rc || nroots == 0)
        goto out;
    nroots = sort_unique(roots, nroots);
    rc = read_tree(db, &tree, &ntree);
    if (rc)
        goto out;
    /* Mark the roots, then whatever hangs below a marked organisation, one level per pass,
     * until a pass adds nothing (the tree is shallow; a cycle in the data ends too). */
    bool *in = xcalloc(ntree ? ntree : 1, sizeof(*in));
    size_t n = nroots;
    for (size_t i = 0; i < ntree; i++)
        in[i] = sorted_has(roots, nroots, tree[i].id);
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < ntree; i++) {
            if (in[i] || !tree[i].parent)
                continue;
            struct org_edge key = {.id = tree[i].parent};
            const struct org_edge *p = bsearch(&key, tree, ntree, sizeof(*tree), cmp_edge);
            if (p && in[p - tree]) {
                in[i] = true;
                grew = true;
                n++;
            }
        }
    }
    out->ids = xcalloc(n, sizeof(*out->ids));
    memcpy(out->ids, roots, nroots * sizeof(*roots));
    for (size_t i = 0, k = nroots; i < ntree; i++)
        if (in[i] && !sorted_has(roots, nroots, tree[i].id))
            out->ids[k++] = tree[i].id;
    out->n = sort_unique(out->ids, n);
    free(in);
out:
    free(roots);
    free(tree);
    return rc;
}

bool authz_reach_has(const struct authz_reach *r, int64_t org)
{
    return sorted_has(r->ids, r->n, org);
}

size_t authz_reach_ranges(const struct authz_reach *r, int64_t (*ranges)[2], size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (i == 0 || r->ids[i] != r->ids[i - 1] + 1) {
            if (k < max)
                ranges[k][0] = ranges[k][1] = r->ids[i];
            k++;
        } else if (k <= max) {
            ranges[k - 1][1] = r->ids[i];
        }
    }
    return k;
}

void authz_reach_release(struct authz_reach *r)
{
    free(r->ids);
    *r = (struct authz_reach){0};
}
