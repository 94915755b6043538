/* Region allocator with cleanup callbacks, in the manner of nginx pools and git's mem-pool. */
#include "core/arena.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define ARENA_BLOCK_SIZE 8192
#define ARENA_ALIGN      16

struct arena_block {
    struct arena_block *next; /* older block */
    size_t used;              /* bytes used in data */
    size_t size;              /* capacity of data */
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next; /* registered earlier */
    void (*fn)(void *);         /* what to call */
    void *arg;                  /* with what */
};

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->cleanups = NULL;
    a->allocated = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n) {
        fprintf(stderr, "varn: arena allocation of %zu bytes overflows\n", n);
        abort();
    }
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < need) {
        /* Large requests get a block of their own so the current block keeps its free space. */
        size_t size = need > ARENA_BLOCK_SIZE / 2 ? need : ARENA_BLOCK_SIZE;
        struct arena_block *nb = xmalloc(sizeof(*nb) + size);
        nb->used = 0;
        nb->size = size;
        if (b && need > ARENA_BLOCK_SIZE / 2) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->allocated += need;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        fprintf(stderr, "varn: bad format string '%s'\n", fmt);
        abort();
    }
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
    struct arena_cleanup *c = arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}

void arena_release(struct arena *a)
{
    /* Cleanup records live in the arena's own blocks, so run them all before freeing. */
    for (struct arena_cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->arg);
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena_init(a);
}
