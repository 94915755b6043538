/* HTTP handlers of the policy engine's read side: findings, their summary and trend, the
 * loaded policies, and attestations. */
#ifndef VARN_ENGINE_FINDINGS_HTTP_H
#define VARN_ENGINE_FINDINGS_HTTP_H

#include "http/route.h"

/* The largest attestation body: a 2 MiB file in base64 and the rest. */
#define ATTESTATION_BODY_MAX (2u * 1024u * 1024u / 3u * 4u + 16u * 1024u)

extern const struct field attestation_fields[];

int h_findings_list(struct req *req, struct resp *resp);
int h_findings_summary(struct req *req, struct resp *resp);
int h_findings_trend(struct req *req, struct resp *resp);
int h_policies_list(struct req *req, struct resp *resp);
int h_policy_get(struct req *req, struct resp *resp);
int h_attestation_create(struct req *req, struct resp *resp);
int h_attestation_list(struct req *req, struct resp *resp);
int h_attestation_evidence(struct req *req, struct resp *resp);

#endif
