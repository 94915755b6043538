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

static const char SQL_CALLER_ROLES[] =
    "SELECT r.bit FROM role_assignment ra JOIN role r ON r.id = ra.role"
    " JOIN person p ON p.id = ra.person_id"
    " WHERE ra.person_id = :caller_person AND p.disabled = 0"
    " UNION SELECT r.bit FROM api_token t JOIN role r ON r.id = t.role"
    " WHERE t.id = :caller_token AND t.revoked_at IS NULL";

int authz_caller_roles(struct db *db, const struct caller *c, unsigned *mask)
{
    struct db_stmt *st;
    *mask = 0;
    int rc = db_prepare(db, SQL_CALLER_ROLES, &st);
    if (rc)
        return rc;
    rc = db_bind_int(st, ":caller_person", c->person_id);
    if (!rc)
        rc = db_bind_int(st, ":caller_token", c->token_id);
    while (!rc && (rc = db_step(st)) == DB_ROW) {
        *mask |= (unsigned)db_col_int(st, 0);
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
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
