/* The web UI, embedded in the binary at build time (see scripts/embed.py). */
#ifndef VARN_HTTP_STATIC_H
#define VARN_HTTP_STATIC_H

#include <stddef.h>

struct static_file {
    const char *path;          /* URL path, e.g. "/index.html" */
    const char *mime;          /* Content-Type */
    const unsigned char *data; /* the file as is */
    size_t len;                /* its length */
    const unsigned char *gz;   /* gzip-compressed, or NULL when that is not smaller */
    size_t gz_len;             /* its length */
    const char *etag;          /* strong ETag, quoted */
};

extern const struct static_file varn_static_files[];
extern const size_t varn_static_files_count;

/* The file for a URL path: "/" means index.html; NULL when there is none. */
const struct static_file *static_find(const char *path);

#endif
