/* Files built into the binary at build time (scripts/embed.py files). */
#ifndef VARN_CORE_EMBEDDED_H
#define VARN_CORE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* base name, e.g. "itcentrum.json" */
    const char *data; /* the contents, NUL-terminated */
    size_t len;       /* bytes, without the NUL */
};

#endif
