/* Keeping the stored findings current: re-evaluate when the audit log (any change) or the day
 * moved, in one transaction with today's snapshot of the counts. */
#include "engine/engine.h"
#include "engine/engine_sql.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"

#include <string.h>
#include <time.h>

static bool stale(struct db *db, const char *today, int64_t *head, int *rc)
{
    int64_t seq = 0;
    char day[11] = "";
    bool found = false;
    *rc = esql_audit_head(db, head);
    if (!*rc)
        *rc = esql_state_get(db, &seq, day, &found);
    return !*rc && (!found || seq != *head || strcmp(day, today) != 0);
}

static int64_t elapsed_us(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

int engine_refresh(struct db *db, int64_t now, bool force, bool *refreshed)
{
    char at[CLOCK_ISO_LEN], today[11], msg[512] = "";
    int64_t head = 0;
    int rc = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_format(now, at);
    memcpy(today, at, 10);
    today[10] = '\0';
    *refreshed = false;
    if (!force && !stale(db, today, &head, &rc))
        return rc;
    rc = db_begin(db);
    if (rc)
        return rc;
    /* Another connection may have refreshed while this one waited for the lock. */
    if (!stale(db, today, &head, &rc) && !force) {
        db_rollback(db);
        return rc;
    }
    struct arena a;
    arena_init(&a);
    struct finding_set set = {.arena = &a};
    if (!rc)
        rc = engine_evaluate(db, now, 0, &set, msg, sizeof(msg));
    if (!rc)
        rc = esql_findings_replace(db, &set, at);
    if (!rc)
        rc = esql_snapshot(db, today);
    int64_t us = elapsed_us(&t0);
    if (!rc)
        rc = esql_state_put(db, head, today, at, us);
    if (!rc)
        rc = db_commit(db);
    if (rc) {
        db_rollback(db);
        log_msg("error", "refreshing the findings failed: %s", msg[0] ? msg : err_str(rc));
    } else {
        *refreshed = true;
        log_msg("info", "findings refreshed: %zu findings in %lld ms", set.n,
                (long long)(us / 1000));
    }
    arena_release(&a);
    return rc;
}
