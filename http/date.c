/* http/date.c — IMF-fixdate parsing and formatting (see date.h). Days are counted with the civil-calendar
 * arithmetic of the proleptic Gregorian calendar, so neither timegm(3) nor the process's locale or TZ
 * matter. */
#include "http/date.h"

#include <stdio.h>
#include <string.h>

static const char s_months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char s_days[] = "ThuFriSatSunMonTueWed"; /* 1970-01-01 was a Thursday */

/* Days from 1970-01-01 to y-m-d (m 1..12). */
static int64_t s_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int s_num(const char *p, int digits, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < digits; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

int64_t ur_http_date_parse(const char *s, size_t n)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, fixed positions. */
    if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
        s[22] != ':' || s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
        return -1;
    int64_t d, y, hh, mm, ss;
    if (s_num(s + 5, 2, &d) || s_num(s + 12, 4, &y) || s_num(s + 17, 2, &hh) || s_num(s + 20, 2, &mm) ||
        s_num(s + 23, 2, &ss))
        return -1;
    int64_t m = 0;
    for (int i = 0; i < 12; i++)
        if (!memcmp(s + 8, s_months + 3 * i, 3)) m = i + 1;
    if (!m || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 || y < 1970) return -1;
    return s_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

int ur_http_date_format(int64_t t, char *out, size_t cap)
{
    if (t < 0 || t > 253402300799LL || cap < 30) return -1; /* 9999-12-31T23:59:59Z */
    int64_t days = t / 86400, rem = t % 86400;
    /* civil_from_days, the inverse of s_days_from_civil. */
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
    snprintf(out, cap, "%.3s, %02d %.3s %04d %02d:%02d:%02d GMT", s_days + 3 * (days % 7), (int)d,
             s_months + 3 * (m - 1), (int)y, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    return 0;
}
