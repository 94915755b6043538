/* Small string helpers that replace the banned libc calls (sprintf, strcpy, atoi). */
#ifndef VARN_CORE_STR_H
#define VARN_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* snprintf into dst that fails with ERR_TOOBIG instead of truncating. */
int str_format(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copy src into dst; ERR_TOOBIG (and dst set to "") when it does not fit. */
int str_copy(char *dst, size_t size, const char *src);

/* Parse a whole decimal integer in [min, max]; no sign games, no trailing bytes. */
int str_to_int64(const char *s, int64_t min, int64_t max, int64_t *out);

bool str_starts_with(const char *s, const char *prefix);

#endif
