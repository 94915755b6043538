/* Growable byte buffer with a hard maximum: exceeding it fails, it never truncates. */
#ifndef VARN_CORE_BUF_H
#define VARN_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len; /* bytes in use, excluding the terminating NUL */
    size_t cap; /* bytes allocated, including room for the NUL */
    size_t max; /* the most len may ever reach */
};

void buf_init(struct buf *b, size_t max);

/* Append n bytes. Returns 0, or ERR_TOOBIG (and leaves the buffer as it was) when the result
 * would exceed the maximum. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
/* Make room for extra more bytes (and the NUL) without changing the contents, for a writer
 * that fills data + len itself and then advances len: 0, or ERR_TOOBIG past the maximum. */
int buf_reserve(struct buf *b, size_t extra);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append the whole file at path. 0; ERR_IO (errno says why) when it cannot be opened or read;
 * ERR_TOOBIG when it passes the maximum (the buffer then holds what fitted before). */
int buf_read_file(struct buf *b, const char *path);

/* The contents as a C string; "" for an empty buffer. Valid until the next change. */
const char *buf_str(const struct buf *b);

/* Hand the contents to the caller (free() them) and reset the buffer. */
char *buf_detach(struct buf *b, size_t *len);

void buf_reset(struct buf *b);
void buf_release(struct buf *b);

#endif
