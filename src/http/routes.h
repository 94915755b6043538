/* The one route table of the server. */
#ifndef VARN_HTTP_ROUTES_H
#define VARN_HTTP_ROUTES_H

#include "http/route.h"

extern const struct route varn_routes[];
extern const size_t varn_routes_count;

#endif
