/* The business clock: real UTC time, or a fixed instant from VARN_NOW for tests and forecasts. */
#ifndef VARN_CORE_CLOCK_H
#define VARN_CORE_CLOCK_H

#include <stdint.h>

/* Room for "YYYY-MM-DDTHH:MM:SSZ" and its NUL. */
#define CLOCK_ISO_LEN 21

/* Parse an ISO 8601 instant into seconds since the epoch (UTC). Accepted forms:
 * YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MM[:SS[.fraction]] followed by Z or ±HH:MM.
 * A time without a zone is refused: it would silently mean different instants on different
 * machines. Returns 0 or ERR_INVALID. */
int clock_parse(const char *s, int64_t *out);

/* Parse a calendar date YYYY-MM-DD; 0 or ERR_INVALID. */
int clock_parse_date(const char *s, int64_t *out);

/* Format seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ". */
void clock_format(int64_t t, char out[CLOCK_ISO_LEN]);

/* Read VARN_NOW once at start-up. Returns 0, or ERR_INVALID when it is set but malformed
 * (the caller must stop: a mistyped forecast date must never fall back to today). */
int clock_init_from_env(void);

/* Fix the clock at t (tests), or release it with clock_unfix(). */
void clock_fix(int64_t t);
void clock_unfix(void);

/* Now, in seconds since the epoch UTC, honouring VARN_NOW. */
int64_t clock_now(void);

#endif
