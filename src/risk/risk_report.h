/* The risk report for IT-nämnden: a PDF (A4, Swedish) per organisation in reach with the
 * assessments of the last 12 months, risks per band, the highest residual risks, overdue
 * measures and what changed since the previous report. */
#ifndef VARN_RISK_RISK_REPORT_H
#define VARN_RISK_RISK_REPORT_H

#include "core/buf.h"
#include "org/org.h"

#include <stdint.h>

struct db;
struct req;
struct resp;

#define RISK_REPORT_BYTES    (32u * 1024u * 1024u) /* the most one report may take */
#define RISK_REPORT_ROWS_MAX 500                   /* rows of one table in the report */
#define RISK_REPORT_TOP      10                    /* the highest residual risks listed */

struct risk_report_query {
    const char *organisation; /* a code, or NULL: every organisation in reach */
    const char *since;        /* YYYY-MM-DD, or NULL: the previous report's date or 90 days */
};

/* The report as PDF into out, at the instant now. ERR_REJECTED with p for a bad since (422)
 * or an organisation that is not in reach (404); *since_used gets the date changes are counted
 * from (11 bytes). */
int risk_report_build(struct db *db, const struct org_actor *who, const struct risk_report_query *q,
                      int64_t now, struct buf *out, char since_used[11], struct json_problem *p);

/* Record the report in the audit log in a transaction of its own: "risk_report.export", object
 * the organisation's code or "*", after {"format": "pdf", "filter": {...}, "since"}. */
int risk_report_record(struct db *db, const struct org_actor *who, int64_t org_id,
                       const struct risk_report_query *q, const char *since);

/* GET /api/v1/risk-report?organisation=CODE&since=YYYY-MM-DD */
int h_risk_report(struct req *req, struct resp *resp);

#endif
