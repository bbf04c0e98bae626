/* Cron schedules against crontab(5): fields, ranges, steps, lists, names, the day-of-month /
 * day-of-week OR rule, and next firing times worked out by hand on a calendar (UTC). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/schedule.h"

static time_t utc(int y, int mon, int d, int h, int min) {
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d, .tm_hour = h, .tm_min = min};
    return timegm(&tm);
}

/* Does `expr` match the given UTC time? */
static int at(const char *expr, int y, int mon, int d, int h, int min) {
    yq_cron c;
    if (yq_cron_parse(expr, &c) != 0) return -1;
    time_t t = utc(y, mon, d, h, min);
    struct tm tm;
    gmtime_r(&t, &tm);
    return yq_cron_matches(&c, &tm);
}

static void test_fields(void) {
    /* 2024-01-01 is a Monday; 2024-01-05 a Friday; 2024-01-07 a Sunday. */
    CHECK(at("5 0 * * *", 2024, 1, 3, 0, 5) == 1);
    CHECK(at("5 0 * * *", 2024, 1, 3, 0, 6) == 0);
    CHECK(at("15 14 1 * *", 2024, 3, 1, 14, 15) == 1);
    CHECK(at("15 14 1 * *", 2024, 3, 2, 14, 15) == 0);
    CHECK(at("0 22 * * 1-5", 2024, 1, 5, 22, 0) == 1);  /* Friday */
    CHECK(at("0 22 * * 1-5", 2024, 1, 6, 22, 0) == 0);  /* Saturday */
    CHECK(at("23 0-23/2 * * *", 2024, 1, 6, 4, 23) == 1);
    CHECK(at("23 0-23/2 * * *", 2024, 1, 6, 5, 23) == 0);
    CHECK(at("5 4 * * sun", 2024, 1, 7, 4, 5) == 1);
    CHECK(at("5 4 * * 7", 2024, 1, 7, 4, 5) == 1);       /* 7 is Sunday too */
    CHECK(at("5 4 * * 0", 2024, 1, 8, 4, 5) == 0);
    CHECK(at("*/15 * * * *", 2024, 1, 8, 13, 45) == 1);
    CHECK(at("*/15 * * * *", 2024, 1, 8, 13, 46) == 0);
    CHECK(at("0 0 * jan,Jul *", 2024, 7, 9, 0, 0) == 1);
    CHECK(at("0 0 * JAN,jul *", 2024, 8, 9, 0, 0) == 0);
    CHECK(at("0 9-17/4 * * mon-fri", 2024, 1, 2, 13, 0) == 1);
    CHECK(at("0 9-17/4 * * mon-fri", 2024, 1, 2, 11, 0) == 0);
    CHECK(at("1,2,5-7 * * * *", 2024, 1, 2, 11, 6) == 1);
    CHECK(at("1,2,5-7 * * * *", 2024, 1, 2, 11, 4) == 0);
    CHECK(at("@hourly", 2024, 1, 2, 11, 0) == 1);
    CHECK(at("@daily", 2024, 1, 2, 11, 0) == 0);
}

static void test_day_rule(void) {
    /* crontab(5): "30 4 1,15 * 5" runs at 4:30 on the 1st and 15th of each month, plus every Friday. */
    CHECK(at("30 4 1,15 * 5", 2024, 1, 1, 4, 30) == 1);  /* the 1st, a Monday */
    CHECK(at("30 4 1,15 * 5", 2024, 1, 5, 4, 30) == 1);  /* a Friday, the 5th */
    CHECK(at("30 4 1,15 * 5", 2024, 1, 6, 4, 30) == 0);
    /* With one day field '*', both must match: "* * 13 * *" ignores the weekday. */
    CHECK(at("0 0 13 * *", 2024, 9, 13, 0, 0) == 1);
    CHECK(at("0 0 */2 * 5", 2024, 1, 5, 0, 0) == 1);     /* '*' first: AND: 5th odd, Friday */
    CHECK(at("0 0 */2 * 5", 2024, 1, 12, 0, 0) == 0);    /* Friday but the 12th is not in 1,3,5,.. */
}

static void test_errors(void) {
    static const char *const bad[] = {"60 * * * *", "* * * *", "* * * * * *", "*/0 * * * *", "5-1 * * * *",
                                      "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * foo *", "* * * * 8",
                                      "1,,2 * * * *", "@sometimes", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        yq_cron c;
        CHECKF(yq_cron_parse(bad[i], &c) == YQ_EINVAL, "'%s' accepted", bad[i]);
    }
    yq_cron c;
    CHECK(yq_cron_parse("* * * foo *", &c) == YQ_EINVAL && strstr(yq_last_error(), "month"));
}

static void test_next(void) {
    yq_schedule s = {0};
    CHECK(yq_cron_parse("30 4 1,15 * 5", &s.cron) == 0);
    time_t t = utc(2024, 1, 1, 0, 0);
    static const int days[] = {1, 5, 12, 15, 19, 26, 1 + 31, 2 + 31}; /* 1 Feb 2024: Thursday */
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        t = yq_schedule_next(&s, t);
        time_t want = days[i] > 31 ? utc(2024, 2, days[i] - 31, 4, 30) : utc(2024, 1, days[i], 4, 30);
        CHECKF(t == want, "step %zu: got %ld, want %ld", i, (long)t, (long)want);
    }
    CHECK(yq_cron_parse("0 0 29 2 *", &s.cron) == 0);
    CHECK(yq_schedule_next(&s, utc(2025, 1, 1, 0, 0)) == utc(2028, 2, 29, 0, 0));
    CHECK(yq_cron_parse("0 0 31 2 *", &s.cron) == 0);
    CHECK(yq_schedule_next(&s, utc(2025, 1, 1, 0, 0)) == (time_t)-1);
    CHECK(yq_cron_parse("*/15 * * * *", &s.cron) == 0);
    CHECK(yq_schedule_next(&s, utc(2025, 1, 1, 0, 15) + 10) == utc(2025, 1, 1, 0, 30));
    CHECK(yq_schedule_next(&s, utc(2025, 1, 1, 23, 59)) == utc(2025, 1, 2, 0, 0));
    s.every = 900;
    CHECK(yq_schedule_next(&s, 1000) == 1900);
}

int main(void) {
    setenv("TZ", "UTC", 1);
    tzset();
    test_fields();
    test_day_rule();
    test_errors();
    test_next();
    return test_summary("test_crawl_cron");
}
