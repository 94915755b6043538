/* HTTP handlers of risk management (risk_http.c) and their body field tables. */
#ifndef VARN_RISK_RISK_HTTP_H
#define VARN_RISK_RISK_HTTP_H

#include "core/json_body.h"

struct req;
struct resp;

extern const struct field risk_matrix_fields[];
extern const struct field risk_assessment_create_fields[];
extern const struct field risk_assessment_update_fields[];
extern const struct field risk_participation_fields[];
extern const struct field risk_create_fields[];
extern const struct field risk_update_fields[];
extern const struct field risk_acceptance_fields[];
extern const struct field risk_measure_create_fields[];
extern const struct field risk_measure_update_fields[];

int h_risk_matrix_get(struct req *req, struct resp *resp);
int h_risk_matrix_put(struct req *req, struct resp *resp);
int h_risk_assessment_list(struct req *req, struct resp *resp);
int h_risk_assessment_create(struct req *req, struct resp *resp);
int h_risk_assessment_get(struct req *req, struct resp *resp);
int h_risk_assessment_update(struct req *req, struct resp *resp);
int h_risk_participation(struct req *req, struct resp *resp);
int h_risk_list(struct req *req, struct resp *resp);
int h_risk_create(struct req *req, struct resp *resp);
int h_risk_get(struct req *req, struct resp *resp);
int h_risk_update(struct req *req, struct resp *resp);
int h_risk_accept(struct req *req, struct resp *resp);
int h_risk_measure_list(struct req *req, struct resp *resp);
int h_risk_measure_create(struct req *req, struct resp *resp);
int h_risk_measure_update(struct req *req, struct resp *resp);

#endif
