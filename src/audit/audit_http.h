/* HTTP handlers of the audit log (audit_http.c), listed in src/http/routes.c. */
#ifndef VARN_AUDIT_HTTP_H
#define VARN_AUDIT_HTTP_H

struct req;
struct resp;

/* GET /api/v1/audit: a page of entries the caller may see, newest first, or ?format=csv. */
int h_audit_search(struct req *req, struct resp *resp);

/* GET /api/v1/audit/head: {"seq", "hash"} of the last entry, to anchor outside Värn. */
int h_audit_head(struct req *req, struct resp *resp);

#endif
