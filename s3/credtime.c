/* s3/credtime.c — ISO-8601 times, refresh windows and the "expired credentials" error codes (see
 * credtime.h). Calendar arithmetic is done by hand: timegm() depends on nothing here but is not in C11,
 * and a pure function is easier to fuzz. */
#include "s3/credtime.h"

#include <errno.h>
#include <string.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil). */
static long long s_days(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* n decimal digits at s into *v; false when one is not a digit. */
static bool s_num(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

int ur_creds_parse_time(const char *s, size_t n, time_t *out)
{
    int y, mo, d, h, mi, sec;
    if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return -EINVAL;
    if (!s_num(s, 4, &y) || !s_num(s + 5, 2, &mo) || !s_num(s + 8, 2, &d) || !s_num(s + 11, 2, &h) ||
        !s_num(s + 14, 2, &mi) || !s_num(s + 17, 2, &sec))
        return -EINVAL;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || sec > 60)
        return -EINVAL;
    size_t i = 19;
    if (s[i] == '.') {
        size_t f = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f) return -EINVAL;
    }
    long long off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        size_t colon = i + 3 < n && s[i + 3] == ':';
        if (n - i != 5 + colon || !s_num(s + i + 1, 2, &oh) || !s_num(s + i + 3 + colon, 2, &om) || oh > 23 ||
            om > 59)
            return -EINVAL;
        off = (s[i] == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
        i = n;
    } else {
        return -EINVAL;
    }
    if (i != n) return -EINVAL;
    long long t =
        s_days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600LL + mi * 60LL + (sec == 60 ? 59 : sec) - off;
    if (t < 0) return -EINVAL;
    *out = (time_t)t;
    return 0;
}

enum ur_creds_freshness ur_creds_freshness(time_t expiration, time_t now)
{
    if (expiration == 0) return UR_CREDS_FRESH;
    if (now >= expiration) return UR_CREDS_EXPIRED;
    if (expiration - now <= UR_CREDS_REFRESH_BLOCK_S) return UR_CREDS_BLOCK;
    if (expiration - now <= UR_CREDS_REFRESH_AHEAD_S) return UR_CREDS_REFRESH;
    return UR_CREDS_FRESH;
}

time_t ur_creds_refresh_at(time_t expiration, time_t last_fetch)
{
    if (expiration == 0) return 0;
    time_t at = expiration - UR_CREDS_REFRESH_AHEAD_S, earliest = last_fetch + UR_CREDS_REFRESH_MIN_GAP_S;
    return at > earliest ? at : earliest;
}

bool ur_creds_error_is_expired(const char *code)
{
    static const char *const codes[] = {"ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired",
                                        "InvalidToken", "RequestExpired"};
    for (size_t i = 0; code && i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(code, codes[i]) == 0) return true;
    return false;
}
