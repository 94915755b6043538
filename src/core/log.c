/* JSON-lines operational log on stderr. It keeps wall-clock time even under VARN_NOW, so that
 * operators can line it up with other logs. */
#include "core/log.h"
#include "core/clock.h"
#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void wall_time(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    if (str_format(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                   ts.tv_nsec / 1000000) != 0)
        str_copy(out, 32, "1970-01-01T00:00:00.000Z");
}

void log_json(const char *level, json_t *obj)
{
    char t[32];
    wall_time(t);
    json_t *line = json_pack("{s:s, s:s}", "time", t, "level", level);
    json_object_update(line, obj);
    json_decref(obj);
    char *s = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(line);
    if (!s)
        return;
    size_t n = strlen(s);
    s[n] = '\n'; /* replaces the NUL: one write keeps concurrent lines whole */
    ssize_t w = write(STDERR_FILENO, s, n + 1);
    (void)w;
    free(s);
}

void log_msg(const char *level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* A longer message is cut here on purpose, marked so, rather than dropped. */
    if ((size_t)n >= sizeof(msg))
        memcpy(msg + sizeof(msg) - 4, "...", 4);
    log_json(level, json_pack("{s:s}", "msg", msg));
}
