/* Operational log: one JSON object per line on stderr, written with a single write(2). */
#ifndef VARN_CORE_LOG_H
#define VARN_CORE_LOG_H

#include <jansson.h>

/* Write obj as one log line after adding "time" (wall-clock UTC with milliseconds) and
 * "level". Takes ownership of obj. Strings are JSON-escaped, so CR/LF in user input cannot
 * forge log lines. */
void log_json(const char *level, json_t *obj);

/* A plain message: {"time", "level", "msg"}. */
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
