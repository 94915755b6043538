/* The edge's gate: authentication, CSRF and the permission matrix, before any handler runs. */
#ifndef VARN_HTTP_ACCESS_H
#define VARN_HTTP_ACCESS_H

struct req;

/* 0 when the request may go on to its handler; otherwise a problem is recorded on req
 * (401, 403) and ERR_REJECTED returned, or another negative error. */
int access_check(struct req *req);

#endif
