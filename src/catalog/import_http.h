/* POST /api/v1/imports/{kind}: the command line's CSV import over HTTP, as its caller. */
#ifndef VARN_CATALOG_IMPORT_HTTP_H
#define VARN_CATALOG_IMPORT_HTTP_H

struct req;
struct resp;

#define IMPORT_HTTP_BODY_MAX (20u * 1024u * 1024u) /* the largest file the API takes */

int h_import(struct req *req, struct resp *resp);

#endif
