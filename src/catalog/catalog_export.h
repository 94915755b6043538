/* Spreadsheet exports (CSV as the audit export, XLSX, JSON) of the system and information lists. */
#ifndef VARN_CATALOG_CATALOG_EXPORT_H
#define VARN_CATALOG_CATALOG_EXPORT_H

#include "core/buf.h"
#include "org/org.h"

#include <jansson.h>
#include <stdint.h>

struct req;
struct resp;
struct db;

#define CAT_EXPORT_MAX      20000                 /* rows one export may hold */
#define CAT_EXPORT_BYTES    (64u * 1024u * 1024u) /* the most one export may take */
#define CAT_EXPORT_CELL_MAX 4100 /* bytes of one cell (a description of 4 000 characters) */

enum cat_format { CAT_FORMAT_JSON, CAT_FORMAT_CSV, CAT_FORMAT_XLSX };
enum cat_list {
    CAT_LIST_SYSTEMS,
    CAT_LIST_INFORMATION,
    CAT_LIST_REQUIREMENTS,
    CAT_LIST_FINDINGS,
    CAT_LIST_RISKS,            /* the risk register (risk_register_rows) */
    CAT_LIST_RISK_ASSESSMENTS, /* risk assessments (risk_assessment_rows) */
    CAT_LIST_ACCOUNTS,         /* accounts in systems (src/access: access_account_rows) */
    CAT_LIST_GRANTS,           /* grants of entitlements (access_grant_rows) */
    /* access workflows (src/access) */
    CAT_LIST_ACCESS_REVIEW_ITEMS, /* a review campaign's items (review_item_rows) */
    CAT_LIST_OFFBOARDING,         /* the offboarding list (offboarding_rows) */
};

/* "json", "csv" or "xlsx" (NULL is json) into *format; ERR_INVALID for another. */
int cat_export_format_parse(const char *s, enum cat_format *format);

/* Every row of a list (systems or information only; query: a struct system_list_query or
 * information_list_query, whose limit and cursor are overwritten), in its order, into *all;
 * ERR_TOOBIG past CAT_EXPORT_MAX; ERR_REJECTED with p for a bad filter. */
int cat_export_rows(struct db *db, const struct org_actor *who, enum cat_list list, void *query,
                    json_t **all, struct json_problem *p);

/* The file of items into out. CSV: a BOM, semicolons, CRLF, Swedish headers, true/false as
 * ja/nej. XLSX: one sheet with a Swedish name, a bold header row, column widths, K/R/T as
 * numbers and everything else (dates too) as text. In both, formula-like text (= + - @, tab,
 * CR first) gets a leading apostrophe. JSON: {"items": [...]}. */
int cat_export_build(enum cat_list list, enum cat_format format, json_t *items, struct buf *out);

/* Record an export in the audit log in a transaction of its own: "systems.export" or
 * "information.export", after {"format", "filter", "rows"}. */
int cat_export_record(struct db *db, const char *actor, const char *address, int64_t org_id,
                      enum cat_list list, enum cat_format format, json_t *filter, size_t rows);

/* As cat_export_record, naming the object exported (a system's external id) or NULL. */
int cat_export_record_object(struct db *db, const char *actor, const char *address, int64_t org_id,
                             enum cat_list list, enum cat_format format, json_t *filter,
                             size_t rows, const char *object_id);

/* The kravlista's rows of a system's requirements (system_requirements' answer, borrowed): per
 * item the requirement (text_sv), the aspect and level in Swedish, met (true, false or null:
 * ja, nej or empty in the file) and the code. A new reference. */
json_t *cat_requirement_rows(json_t *requirements);

/* The HTTP side: ?format=json|csv|xlsx into *format (0, or a 422 problem response). */
int cat_export_format(struct req *req, enum cat_format *format);
/* A list request's start: only the query parameters in params (NULL-terminated), its format,
 * then the database. 0, or the problem response already made. */
int cat_list_start(struct req *req, const char *const *params, struct db **db,
                   enum cat_format *format);
/* Answer a list request with format's attachment (a Swedish file name), recorded in the audit
 * log with the query's filters (params) first; 422 too_many_rows past CAT_EXPORT_MAX. */
/* Answer with items as format's attachment (CSV or XLSX; named name.csv or name.xlsx, or the
 * list's own file name when name is NULL), recorded in the audit log first with filter and
 * object_id (either may be NULL). */
int cat_export_send(struct req *req, struct resp *resp, struct db *db, enum cat_list list,
                    enum cat_format format, json_t *items, json_t *filter, const char *object_id,
                    const char *name);
/* Answer with rows (taken) as format's file, recorded in the audit log first with the query's
 * filters (params, less format, limit and cursor) and object_id (or NULL); ERR_TOOBIG past
 * CAT_EXPORT_MAX. Every list's export goes through here. */
int cat_export_rows_send(struct req *req, struct resp *resp, struct db *db, enum cat_list list,
                         enum cat_format format, json_t *rows, const char *const *params,
                         const char *object_id);
/* The answer to a list or export that failed with rc: 422 too_many_rows for ERR_TOOBIG, else as
 * req_fail. */
int cat_export_fail(struct req *req, int rc, const struct json_problem *p);
/* The answer to a list request whose module call returned rc and the page out (taken): the
 * page as JSON, or its items flattened by rows into format's file (cat_export_rows_send); a
 * failure as cat_export_fail. */
int cat_list_answer(struct req *req, struct resp *resp, struct db *db, int rc, json_t *out,
                    const struct json_problem *p, enum cat_format format, enum cat_list list,
                    json_t *(*rows)(json_t *items), const char *const *params,
                    const char *object_id);
int cat_export_respond(struct req *req, struct resp *resp, struct db *db,
                       const struct org_actor *who, enum cat_list list, enum cat_format format,
                       void *query, const char *const *params);

#endif
