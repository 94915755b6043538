/* Lookup of the UI files embedded at build time. */
#include "http/static.h"

#include <string.h>

const struct static_file *static_find(const char *path)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (size_t i = 0; i < varn_static_files_count; i++)
        if (strcmp(varn_static_files[i].path, path) == 0)
            return &varn_static_files[i];
    return NULL;
}
