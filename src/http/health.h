/* Handlers that belong to the server itself: health, readiness and the API document. */
#ifndef VARN_HTTP_HEALTH_H
#define VARN_HTTP_HEALTH_H

struct req;
struct resp;

int h_healthz(struct req *req, struct resp *resp);
int h_readyz(struct req *req, struct resp *resp);
int h_openapi(struct req *req, struct resp *resp);

#endif
