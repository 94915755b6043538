/* ISO 8601 periods (PnYnMnWnD) and adding them to calendar dates, for deadlines and warnings. */
#include "engine/rule.h"
#include "core/err.h"
#include "core/str.h"

#include <string.h>
#include <time.h>

int period_parse(const char *s, struct period *out)
{
    static const char units[] = "YMWD";
    int values[4] = {0, 0, 0, 0};
    size_t next = 0; /* units must come in order, each at most once */
    bool any = false;
    if (!s || s[0] != 'P')
        return ERR_INVALID;
    for (const char *p = s + 1; *p;) {
        int v = 0, digits = 0;
        while (*p >= '0' && *p <= '9') {
            if (++digits > 4)
                return ERR_INVALID;
            v = v * 10 + (*p++ - '0');
        }
        const char *u = *p ? strchr(units, *p) : NULL;
        if (!digits || !u || (size_t)(u - units) < next)
            return ERR_INVALID;
        next = (size_t)(u - units) + 1;
        values[u - units] = v;
        any = true;
        p++;
    }
    if (!any)
        return ERR_INVALID;
    out->years = values[0];
    out->months = values[1];
    out->days = values[2] * 7 + values[3];
    return 0;
}

static int days_in_month(int year, int month /* 1-12 */)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

int period_add(const char *date, struct period p, char out[11])
{
    int64_t y, m, d;
    if (!date || strlen(date) < 10 || date[4] != '-' || date[7] != '-')
        return ERR_INVALID;
    char part[5];
    memcpy(part, date, 4);
    part[4] = '\0';
    if (str_to_int64(part, 1, 9999, &y))
        return ERR_INVALID;
    memcpy(part, date + 5, 2);
    part[2] = '\0';
    if (str_to_int64(part, 1, 12, &m))
        return ERR_INVALID;
    memcpy(part, date + 8, 2);
    if (str_to_int64(part, 1, 31, &d))
        return ERR_INVALID;
    int64_t months = (y * 12 + (m - 1)) + p.years * 12 + p.months;
    int year = (int)(months / 12), month = (int)(months % 12) + 1;
    int day = (int)d > days_in_month(year, month) ? days_in_month(year, month) : (int)d;
    struct tm tm = {
        .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day + p.days, .tm_hour = 12};
    time_t t = timegm(&tm);
    struct tm norm;
    if (t == (time_t)-1 || !gmtime_r(&t, &norm) || norm.tm_year + 1900 > 9999)
        return ERR_INVALID;
    return str_format(out, 11, "%04d-%02d-%02d", norm.tm_year + 1900, norm.tm_mon + 1,
                      norm.tm_mday) < 0
               ? ERR_TOOBIG
               : 0;
}
