/* Sessions: login, the MFA step, logout and the cookie's caller. */
#include "auth/auth.h"
#include "core/err.h"

/* Placeholder until sessions land: no cookie is valid, so every session-only route answers
 * 401 and nothing is reachable without an API token. */
int session_resolve(struct db *db, const char *cookie, struct caller *out)
{
    (void)db;
    (void)cookie;
    (void)out;
    return ERR_NOTFOUND;
}
