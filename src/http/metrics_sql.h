/* SQL of /metrics (metrics_sql.c): the findings counts and the engine's last evaluation. */
#ifndef VARN_HTTP_METRICS_SQL_H
#define VARN_HTTP_METRICS_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct caller;
struct db;
struct db_stmt;

/* One row of the findings counts: pointers valid until the next step. */
struct metrics_finding_count {
    const char *organisation; /* the organisation's code */
    const char *section;      /* the profile's section, as the engine wrote it */
    const char *status;       /* ok, due_soon, overdue, missing, excepted, not_tracked */
    int64_t count;            /* findings with these three */
};

/* Findings counted per organisation, section and status, limited to the organisations the
 * caller reaches with roles (AUTHZ_SCOPE_CTE), ordered by organisation code, section and
 * status: open, then next until DB_DONE, then db_finalize. */
int metrics_sql_findings_open(struct db *db, const struct caller *c, unsigned roles,
                              struct db_stmt **st);
int metrics_sql_findings_next(struct db_stmt *st, struct metrics_finding_count *row);

/* The engine state's evaluated_at (ISO 8601 UTC text) into out; *found false when the engine
 * has not run yet. ERR_TOOBIG when it does not fit in size bytes. */
int metrics_sql_evaluated_at(struct db *db, char *out, size_t size, bool *found);

#endif
