/* The OpenAPI 3.1 document, generated from the route table so that it covers every route. */
#ifndef VARN_HTTP_OPENAPI_H
#define VARN_HTTP_OPENAPI_H

#include "http/route.h"

#include <jansson.h>

/* A new JSON document describing routes[0..n). */
json_t *openapi_build(const struct route *routes, size_t n);

#endif
