/* Region allocator: everything a request allocates is freed at once when the request ends. */
#ifndef VARN_CORE_ARENA_H
#define VARN_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena_cleanup;

struct arena {
    struct arena_block *head;       /* newest block; older ones follow */
    struct arena_cleanup *cleanups; /* run in reverse order of registration */
    size_t allocated;               /* bytes handed out, for diagnostics */
};

void arena_init(struct arena *a);

/* Zeroed, 16-byte aligned memory that lives until arena_release. Aborts on exhaustion. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* Run fn(arg) when the arena is released: for resources that are not arena memory
 * (jansson values, statements). Cleanups run newest first. */
void arena_defer(struct arena *a, void (*fn)(void *), void *arg);

/* Run the cleanups and free every block. The arena can be used again afterwards. */
void arena_release(struct arena *a);

#endif
