/* ISO 8601 times of crawled items to UTC (see yq_iso_to_utc in store.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "yuqing/error.h"
#include "yuqing/store.h"

/* Reads exactly `n` digits at *p into *v. */
static int digits(const char **p, int n, int *v) {
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9') return 0;
        *v = *v * 10 + (**p - '0');
    }
    return 1;
}

/* The offset east of UTC in seconds at p ("Z", "+08:00", "+0800", "-05"), or 0 when absent. */
static int read_offset(const char *p, long *offset) {
    int hours = 0, minutes = 0;
    *offset = 0;
    if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0')) return 1;
    if (*p == ' ') p++;
    if (*p != '+' && *p != '-') return 0;
    int sign = *p++ == '-' ? -1 : 1;
    if (!digits(&p, 2, &hours)) return 0;
    if (*p == ':') p++;
    if (*p && !digits(&p, 2, &minutes)) return 0;
    *offset = sign * (hours * 3600L + minutes * 60L);
    return *p == '\0' && hours <= 14 && minutes < 60;
}

int yq_iso_to_utc(const char *text, char out[21]) {
    struct tm tm = {0};
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0;
    long offset = 0;
    int ok = digits(&p, 4, &y) && *p++ == '-' && digits(&p, 2, &mo) && *p++ == '-' && digits(&p, 2, &d);
    if (ok && (*p == 'T' || *p == ' ') && p[1] >= '0' && p[1] <= '9') {
        p++;
        ok = digits(&p, 2, &h) && *p++ == ':' && digits(&p, 2, &mi);
        if (ok && *p == ':') p++, ok = digits(&p, 2, &s);
        if (ok && (*p == '.' || *p == ','))
            for (p++; *p >= '0' && *p <= '9';)
                p++;
    }
    ok = ok && read_offset(p, &offset) && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 &&
         s <= 60;
    if (!ok) return YQ_EINVAL;
    tm = (struct tm){
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
    time_t t = timegm(&tm) - offset;
    struct tm utc;
    gmtime_r(&t, &utc);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return YQ_OK;
}
