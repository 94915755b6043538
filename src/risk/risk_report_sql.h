/* The risk report's queries: each appends its rows as JSON objects keyed by column name. */
#ifndef VARN_RISK_RISK_REPORT_SQL_H
#define VARN_RISK_RISK_REPORT_SQL_H

#include "org/org.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* The organisations of the report in reach of who, by code: the one named by code, or (code
 * NULL) those with a risk assessment. Rows {#id, code, name}. */
int rr_sql_orgs(struct db *db, const struct org_actor *who, const char *code, json_t *rows);
/* The organisation's matrix {bands, #acceptance_threshold}; no row when it has none. */
int rr_sql_matrix(struct db *db, int64_t org, json_t *rows);
/* Assessments on from..to (dates, both included): {#total, #approved}. */
int rr_sql_assessments(struct db *db, int64_t org, const char *from, const char *to, json_t *rows);
/* Every risk, highest residual score (the inherent one without a residual rating) first:
 * {#id, title, #il, #ic, #rl, #rc (null without a residual rating), treatment, owner,
 * system (the first by name), #systems, created_at, updated_at}. */
int rr_sql_risks(struct db *db, int64_t org, json_t *rows);
/* Measures planned or in progress with a due date before today, earliest first, at most max:
 * {title, owner, due, risk}. */
int rr_sql_overdue(struct db *db, int64_t org, const char *today, int max, json_t *rows);
/* Measures done on or after since, at most max: {title, owner, done_on, risk}. */
int rr_sql_done(struct db *db, int64_t org, const char *since, int max, json_t *rows);
/* When the latest report of object (an organisation's code or "*") was made: {at}, or none. */
int rr_sql_last_report(struct db *db, const char *object, json_t *rows);

#endif
