/* The directory sync worker of 'varn serve': one thread with its own connection that runs
 * queued syncs and queues the scheduled ones, so that no HTTP worker ever waits on a
 * directory. A request wakes it at once; otherwise it looks every few seconds. */
#include "access/directory.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define POLL_SECONDS 5

struct dir_worker {
    pthread_t thread;
    struct db *db;
    bool stop;
    bool woken;
};

/* One worker per process; the lock and condition are static so that dir_worker_wake needs
 * no handle (the HTTP handlers have none). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct dir_worker *running;

void dir_worker_wake(void)
{
    pthread_mutex_lock(&lock);
    if (running) {
        running->woken = true;
        pthread_cond_signal(&wake);
    }
    pthread_mutex_unlock(&lock);
}

static bool stopping(struct dir_worker *w)
{
    pthread_mutex_lock(&lock);
    bool s = w->stop;
    pthread_mutex_unlock(&lock);
    return s;
}

/* Run every queued sync, oldest first. */
static void drain(struct dir_worker *w)
{
    for (int guard = 0; guard < 1000 && !stopping(w); guard++) {
        int64_t id = 0;
        bool failed;
        struct access_changes counts;
        struct dir_sync_stats st;
        char error[DIR_ERROR_MAX];
        int rc = dir_sync_next(w->db, &id);
        if (rc || !id)
            return;
        rc = dir_sync_run(w->db, id, &failed, &counts, &st, error, sizeof(error));
        if (rc == ERR_CONFLICT)
            continue;
        if (rc) {
            log_msg("error", "directory sync %lld: %s", (long long)id, err_str(rc));
            return;
        }
        if (failed)
            log_msg("warn", "directory sync %lld failed: %s", (long long)id, error);
        else
            log_msg("info",
                    "directory sync %lld done: %zu users and %zu groups read in %lld ms, %zu "
                    "rows applied in %lld ms; %ld accounts new, %ld removed, %ld changed; "
                    "%ld grants new, %ld removed",
                    (long long)id, st.users, st.groups, (long long)st.read_ms, st.rows,
                    (long long)st.apply_ms, counts.accounts_new, counts.accounts_removed,
                    counts.accounts_changed, counts.grants_new, counts.grants_removed);
    }
}

static void *run(void *arg)
{
    struct dir_worker *w = arg;
    int rc = dir_recover(w->db);
    if (rc)
        log_msg("error", "directory worker: marking interrupted syncs: %s", err_str(rc));
    while (!stopping(w)) {
        rc = dir_schedule(w->db, clock_now());
        if (rc && rc != ERR_BUSY)
            log_msg("error", "directory worker: scheduling syncs: %s", err_str(rc));
        drain(w);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += POLL_SECONDS;
        pthread_mutex_lock(&lock);
        while (!w->stop && !w->woken && pthread_cond_timedwait(&wake, &lock, &until) == 0)
            ;
        w->woken = false;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int dir_worker_start(const char *db_url, struct dir_worker **out)
{
    char msg[512];
    struct dir_worker *w = calloc(1, sizeof(*w));
    if (!w)
        return ERR_NOMEM;
    int rc = db_open(db_url, 0, &w->db, msg, sizeof(msg));
    if (rc) {
        log_msg("error", "the directory worker cannot open the database: %s", msg);
        free(w);
        return rc;
    }
    pthread_mutex_lock(&lock);
    running = w;
    pthread_mutex_unlock(&lock);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        pthread_mutex_lock(&lock);
        running = NULL;
        pthread_mutex_unlock(&lock);
        db_close(w->db);
        free(w);
        return ERR_NOMEM;
    }
    *out = w;
    return 0;
}

void dir_worker_stop(struct dir_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&lock);
    w->stop = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    /* A sync in progress ends at its next LDAP timeout at the latest. */
    pthread_join(w->thread, NULL);
    pthread_mutex_lock(&lock);
    running = NULL;
    pthread_mutex_unlock(&lock);
    db_close(w->db);
    free(w);
}
