/* Allocation wrappers that abort on exhaustion, so callers never check for NULL. */
#ifndef VARN_CORE_XALLOC_H
#define VARN_CORE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
