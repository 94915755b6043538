/* Login throttling: failures counted per key (account or address) in login_failure, with a
 * lockout that doubles from 1 s after the threshold up to 15 minutes. */
#include "auth/auth.h"
#include "auth/auth_int.h"
#include "auth/auth_sql.h"
#include "core/clock.h"
#include "core/err.h"

/* From the fifth failure on, every failure locks the account: never 100 failures in a row
 * without a lockout (NIST SP 800-63B 5.2.2). Only a success (or an administrator setting a new
 * password) resets the count, so waiting does not buy new free attempts. */
const struct throttle_rule THROTTLE_ACCOUNT = {.threshold = 5, .window = 0, .max_delay = 15 * 60};

/* An address is often a whole office behind one NAT: a higher threshold, forgotten after an
 * hour without failures, so that one person's typos do not lock out the municipality. */
const struct throttle_rule THROTTLE_ADDRESS = {
    .threshold = 20, .window = 60 * 60, .max_delay = 15 * 60};

int64_t throttle_delay(const struct throttle_rule *r, int64_t failures)
{
    if (failures < r->threshold)
        return 0;
    int64_t exponent = failures - r->threshold;
    if (exponent >= 30)
        return r->max_delay;
    int64_t delay = (int64_t)1 << exponent;
    return delay < r->max_delay ? delay : r->max_delay;
}

int throttle_wait(struct db *db, const char *key, int64_t now, int64_t *wait)
{
    char last[CLOCK_ISO_LEN], blocked[CLOCK_ISO_LEN];
    int64_t failures = 0, until = 0;
    *wait = 0;
    int rc = auth_sql_failure_get(db, key, &failures, last, blocked);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (!blocked[0])
        return 0;
    if (clock_parse(blocked, &until) != 0)
        return ERR_DB; /* only this file writes it */
    if (until > now)
        *wait = until - now;
    return 0;
}

int throttle_fail(struct db *db, const char *key, const struct throttle_rule *r, int64_t now,
                  int64_t *failures, int64_t *blocked_until)
{
    char last[CLOCK_ISO_LEN], blocked[CLOCK_ISO_LEN], at[CLOCK_ISO_LEN];
    int64_t n = 0, last_at = 0;
    int rc = auth_sql_failure_get(db, key, &n, last, blocked);
    if (rc == ERR_NOTFOUND) {
        n = 0;
        rc = 0;
    }
    if (rc)
        return rc;
    /* A rule with a window forgets failures older than it. */
    if (n > 0 && r->window > 0 && clock_parse(last, &last_at) == 0 && now - last_at >= r->window)
        n = 0;
    n++;
    int64_t delay = throttle_delay(r, n);
    *failures = n;
    *blocked_until = delay ? now + delay : 0;
    clock_format(now, at);
    if (delay)
        clock_format(now + delay, blocked);
    return auth_sql_failure_put(db, key, n, at, delay ? blocked : NULL);
}

int throttle_clear(struct db *db, const char *key)
{
    return auth_sql_failure_delete(db, key);
}

int throttle_gate(struct db *db, const struct caller *c, const char *key, int64_t org_id,
                  int64_t now, const char *action, struct auth_result *out, bool *blocked)
{
    int64_t wait = 0;
    *blocked = false;
    int rc = throttle_wait(db, key, now, &wait);
    if (rc || wait <= 0)
        return rc;
    *blocked = true;
    out->outcome = AUTH_BLOCKED;
    out->retry_after = wait;
    return auth_audit(db, c, NULL, action, c->actor, org_id,
                      json_pack("{s:I}", "retry_after", (json_int_t)wait));
}
