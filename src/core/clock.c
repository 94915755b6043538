/* Business clock and strict ISO 8601 parsing, computed in C (no database date functions). */
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static bool clock_fixed;
static int64_t clock_fixed_at;

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int64_t m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* Read exactly n digits. */
static bool digits(const char **p, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool parse_date_part(const char **p, int64_t *days)
{
    int64_t y, m, d;
    if (!digits(p, 4, &y) || **p != '-')
        return false;
    (*p)++;
    if (!digits(p, 2, &m) || **p != '-')
        return false;
    (*p)++;
    if (!digits(p, 2, &d))
        return false;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

int clock_parse_date(const char *s, int64_t *out)
{
    const char *p = s;
    int64_t days;
    if (!s || !parse_date_part(&p, &days) || *p != '\0')
        return ERR_INVALID;
    *out = days * 86400;
    return 0;
}

int clock_parse(const char *s, int64_t *out)
{
    if (!s)
        return ERR_INVALID;
    const char *p = s;
    int64_t days, hh, mm, ss = 0;
    if (!parse_date_part(&p, &days))
        return ERR_INVALID;
    if (*p == '\0') {
        *out = days * 86400;
        return 0;
    }
    if (*p != 'T')
        return ERR_INVALID;
    p++;
    if (!digits(&p, 2, &hh) || *p != ':')
        return ERR_INVALID;
    p++;
    if (!digits(&p, 2, &mm))
        return ERR_INVALID;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &ss))
            return ERR_INVALID;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return ERR_INVALID;
            while (*p >= '0' && *p <= '9')
                p++; /* fractions are accepted and dropped: the clock counts seconds */
        }
    }
    if (hh > 23 || mm > 59 || ss > 59)
        return ERR_INVALID;
    int64_t offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int64_t oh, om;
        p++;
        if (!digits(&p, 2, &oh) || *p != ':')
            return ERR_INVALID;
        p++;
        if (!digits(&p, 2, &om) || oh > 23 || om > 59)
            return ERR_INVALID;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return ERR_INVALID;
    }
    if (*p != '\0')
        return ERR_INVALID;
    *out = days * 86400 + hh * 3600 + mm * 60 + ss - offset;
    return 0;
}

void clock_format(int64_t t, char out[CLOCK_ISO_LEN])
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t rem = t - days * 86400;
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    /* The buffer fits every year up to 9999; later years cannot come from clock_parse. */
    if (str_format(out, CLOCK_ISO_LEN, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", (long long)y,
                   (long long)m, (long long)d, (long long)(rem / 3600), (long long)(rem / 60 % 60),
                   (long long)(rem % 60)) != 0)
        str_copy(out, CLOCK_ISO_LEN, "9999-12-31T23:59:59Z");
}

int clock_init_from_env(void)
{
    const char *v = getenv("VARN_NOW");
    if (!v)
        return 0;
    int64_t t;
    if (clock_parse(v, &t) != 0)
        return ERR_INVALID;
    clock_fix(t);
    return 0;
}

void clock_fix(int64_t t)
{
    clock_fixed = true;
    clock_fixed_at = t;
}

void clock_unfix(void)
{
    clock_fixed = false;
}

int64_t clock_now(void)
{
    if (clock_fixed)
        return clock_fixed_at;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}
