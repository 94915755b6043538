/* The read side of the policy engine: the stored findings listed, filtered, counted per
 * section and per day, and the loaded profiles with their obligations' standing; and the
 * attestations that settle the duties needing a person's word. Everything is limited to the
 * caller's organisations. */
#ifndef VARN_ENGINE_FINDINGS_H
#define VARN_ENGINE_FINDINGS_H

#include "core/json_body.h"
#include "org/org.h"

#include <jansson.h>
#include <stdint.h>

struct db;

/* A findings list request's query string; NULL or "" means not given. */
struct findings_query {
    const char *limit, *cursor;
    const char *organisation; /* code */
    const char *section;
    const char *status; /* comma list of ok, due_soon, overdue, missing, excepted, not_tracked */
    const char *responsible; /* user id, or "me" */
    const char *due_before;  /* YYYY-MM-DD */
    const char *obligation, *profile, *subject_kind;
};

/* Bring the stored findings up to date (engine_refresh) before a read; a failure is logged
 * and the last stored findings are served. */
void findings_fresh(struct db *db);

/* {"items", "next_cursor"}: most urgent first (overdue, missing, due_soon, not_tracked,
 * excepted, ok; then due, nulls last; then obligation and subject). */
int findings_list(struct db *db, const struct org_actor *who, const struct findings_query *q,
                  json_t **out, struct json_problem *p);
/* Every matching item (for exports), flattened for a spreadsheet: subject as "name (id)" and
 * the status in Swedish; ERR_TOOBIG past max rows. */
int findings_export_rows(struct db *db, const struct org_actor *who, struct findings_query *q,
                         size_t max, json_t **all, struct json_problem *p);

/* Counts per status and met_share per organisation and section, with the region's total. */
int findings_summary(struct db *db, const struct org_actor *who, const char *organisation,
                     json_t **out, struct json_problem *p);
/* Counts per status and day from the daily snapshots, over the last days (1-366, default 90)
 * up to now. */
int findings_trend(struct db *db, const struct org_actor *who, const char *organisation,
                   const char *days, int64_t now, json_t **out, struct json_problem *p);

/* The loaded profiles with the organisations in reach that have each. */
int policies_list(struct db *db, const struct org_actor *who, json_t **out);
/* One profile: sections and every obligation with its counts in reach; ERR_NOTFOUND. */
int policy_get(struct db *db, const struct org_actor *who, const char *code, json_t **out);

/* ---- attestations ---- */

#define ATTESTATION_STATEMENT_MAX 2000
#define ATTESTATION_REFERENCE_MAX 200
#define ATTESTATION_FILE_MAX      (2 * 1024 * 1024) /* bytes of an attached file, decoded */

/* Record an attestation (body as the route's fields describe it) with its audit entry. */
int attestation_create(struct db *db, const struct org_actor *who, json_t *body, json_t **out,
                       struct json_problem *p);
/* {"items", "next_cursor"}, newest first, without the files. */
int attestation_list(struct db *db, const struct org_actor *who, const char *organisation,
                     const char *obligation, const char *limit, const char *cursor, json_t **out,
                     struct json_problem *p);
/* The attached file: its name, content type and bytes (malloc'd, the caller frees). */
int attestation_evidence(struct db *db, const struct org_actor *who, const char *id, char **name,
                         char **content_type, unsigned char **data, size_t *len);

#endif
