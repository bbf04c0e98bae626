/* A report's period: local dates in the report's time zone turned into UTC bounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "yuqing/error.h"
#include "yuqing/report.h"

/* "YYYY-MM-DD" local midnight, plus `days`, as UTC "YYYY-MM-DDTHH:MM:SSZ". */
static int local_date_to_utc(const char *flag, const char *date, int days, char out[21]) {
    struct tm tm = {0};
    char *end = strptime(date, "%Y-%m-%d", &tm);
    if (!end || *end) return yq_error(YQ_EINVAL, "%s: expected a date YYYY-MM-DD, got '%s'", flag, date);
    tm.tm_mday += days;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    struct tm utc;
    gmtime_r(&t, &utc);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return YQ_OK;
}

static int set_timezone(yq_report_range *range, const char *timezone) {
    if (timezone && timezone[0]) {
        char zonefile[256];
        snprintf(zonefile, sizeof zonefile, "/usr/share/zoneinfo/%s", timezone);
        if (strstr(timezone, "..") || access(zonefile, R_OK) != 0)
            return yq_error(YQ_EINVAL, "unknown time zone '%s'", timezone);
        setenv("TZ", timezone, 1);
        snprintf(range->timezone, sizeof range->timezone, "%s", timezone);
    }
    tzset();
    if (!timezone || !timezone[0]) {
        time_t now = time(NULL);
        struct tm local;
        localtime_r(&now, &local);
        snprintf(range->timezone, sizeof range->timezone, "%s", local.tm_zone ? local.tm_zone : "local");
    }
    return YQ_OK;
}

int yq_report_range_init(yq_report_range *range, const char *timezone, const char *since, const char *until) {
    memset(range, 0, sizeof *range);
    int rc = set_timezone(range, timezone);
    range->since = since;
    range->until = until;
    if (!rc && since) rc = local_date_to_utc("--since", since, 0, range->since_utc);
    if (!rc && until) rc = local_date_to_utc("--until", until, 1, range->until_utc);
    if (!rc && since && until && strcmp(range->since_utc, range->until_utc) >= 0)
        rc = yq_error(YQ_EINVAL, "--since %s is after --until %s", since, until);
    return rc;
}

const char *yq_utc_to_local(const char *utc, char out[32]) {
    struct tm tm = {0};
    if (!utc || !strptime(utc, "%Y-%m-%dT%H:%M:%SZ", &tm)) return utc;
    time_t t = timegm(&tm);
    struct tm local;
    localtime_r(&t, &local);
    char offset[8];
    strftime(offset, sizeof offset, "%z", &local); /* +0800 -> +08:00 */
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &local);
    snprintf(out + n, 32 - n, "%.3s:%.2s", offset, offset + 3);
    return out;
}
