/* Small helpers the access workflows share: ids in paths, pages and cursors, dates, who the
 * caller is. */
#ifndef VARN_ACCESS_WORKFLOW_UTIL_H
#define VARN_ACCESS_WORKFLOW_UTIL_H

#include "org/org.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define WF_CURSOR_MAX 64

const char *wf_member(json_t *o, const char *name);
int64_t wf_hidden(json_t *o, const char *name);
bool wf_given(const char *s);
bool wf_one_of(const char *s, const char *const *list);
/* A path id: a positive integer, else ERR_NOTFOUND. */
int wf_path_id(const char *s, int64_t *id);
void wf_id_text(int64_t id, char out[24]);
/* Today (YYYY-MM-DD) and now (ISO 8601) from the business clock; today + days. */
void wf_today(char out[ORG_DATE_LEN + 1]);
void wf_now(char out[21]);
int wf_days_after(const char *date, int days, char out[ORG_DATE_LEN + 1]);
/* Whole days from a to b (dates), b - a; 0 when either is malformed. */
int64_t wf_days_between(const char *a, const char *b);
/* The person the caller is, or 0 (a token, the command line). */
int64_t wf_caller_person(const struct org_actor *who);
/* limit 1..ORG_PAGE_MAX (default ORG_PAGE_DEFAULT), 422 otherwise. */
int wf_page_limit(const char *limit, int *out, struct json_problem *p);
/* Opaque keyset cursors over ids: kind letter and the last id seen. */
void wf_cursor_make(char kind, int64_t id, char out[WF_CURSOR_MAX]);
int wf_cursor_read(const char *cursor, char kind, int64_t *id, struct json_problem *p);
/* "true"/"false" (absent: false) for a boolean filter; 422 naming it otherwise. */
int wf_bool_filter(const char *v, const char *name, bool *out, struct json_problem *p);
struct db_stmt;
/* Bind the caller of a statement starting with AUTHZ_SCOPE_CTE: its scope with only the
 * caller's oversight roles (WORKFLOW_IT_ROLES), and :me, the caller's person. Requests, tasks
 * and campaigns are seen whole by the IT centre's roles over an organisation; others see their
 * own (see the queries). */
int wf_bind_caller(struct db_stmt *st, const struct org_actor *who);
/* One row of sql (bound as wf_bind_caller, and :id) as JSON; ERR_NOTFOUND without one. */
int wf_find(struct db *db, const struct org_actor *who, const char *sql, int64_t id, json_t **out);
/* {items, next_cursor} from rows (one more than page when there is a next page); items are
 * made public (hidden members dropped). Takes rows. */
json_t *wf_page(json_t *rows, int page, char kind);

#endif
