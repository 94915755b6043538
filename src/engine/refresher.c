/* The server's background refresher: a thread with its own connection that keeps the stored
 * findings current, so that time alone (a deadline passing at midnight) shows without any
 * request, and a change shows within seconds even when nobody reads findings. */
#include "engine/engine.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct engine_refresher {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    struct db *db;
    unsigned interval;
};

static void *run(void *arg)
{
    struct engine_refresher *r = arg;
    pthread_mutex_lock(&r->lock);
    while (!r->stop) {
        pthread_mutex_unlock(&r->lock);
        bool refreshed;
        int rc = engine_refresh(r->db, clock_now(), false, &refreshed);
        if (rc && rc != ERR_BUSY)
            log_msg("error", "background refresh of the findings: %s", err_str(rc));
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += r->interval;
        pthread_mutex_lock(&r->lock);
        while (!r->stop && pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int engine_refresher_start(const char *db_url, unsigned interval_seconds,
                           struct engine_refresher **out)
{
    char msg[512];
    struct engine_refresher *r = calloc(1, sizeof(*r));
    if (!r)
        return ERR_NOMEM;
    int rc = db_open(db_url, 0, &r->db, msg, sizeof(msg));
    if (rc) {
        log_msg("error", "the findings refresher cannot open the database: %s", msg);
        free(r);
        return rc;
    }
    r->interval = interval_seconds ? interval_seconds : 1;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    if (pthread_create(&r->thread, NULL, run, r) != 0) {
        db_close(r->db);
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        free(r);
        return ERR_NOMEM;
    }
    *out = r;
    return 0;
}

void engine_refresher_stop(struct engine_refresher *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    db_close(r->db);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
