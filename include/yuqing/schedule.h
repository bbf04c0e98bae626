/* When a crawl source runs: a fixed interval ("every 15m") or a 5-field cron expression with the
 * semantics of crontab(5): ranges, steps, lists, month and day names, and the rule that when both
 * day of month and day of week are restricted a day matching either one matches. */
#ifndef YUQING_SCHEDULE_H
#define YUQING_SCHEDULE_H

#include <stdint.h>
#include <time.h>

typedef struct yq_cron {
    uint64_t minute;       /* bit m set: minute m (0-59) matches */
    uint32_t hour;         /* bits 0-23 */
    uint32_t day_of_month; /* bits 1-31 */
    uint16_t month;        /* bits 1-12 */
    uint8_t day_of_week;   /* bits 0-6, Sunday = 0 (7 in the text is Sunday too) */
    uint8_t dom_star;      /* the day-of-month field started with '*' */
    uint8_t dow_star;      /* the day-of-week field started with '*' */
} yq_cron;

typedef struct yq_schedule {
    double every; /* > 0: an interval in seconds; 0: `cron` applies */
    yq_cron cron;
} yq_schedule;

/* Parses five whitespace-separated fields (minute hour day-of-month month day-of-week) or one of
 * @yearly @annually @monthly @weekly @daily @midnight @hourly. Errors: YQ_EINVAL with a message
 * naming the bad field. */
int yq_cron_parse(const char *text, yq_cron *out);

/* 1 when the broken-down local time `tm` (its minute, hour, mday, mon, wday) matches. */
int yq_cron_matches(const yq_cron *cron, const struct tm *tm);

/* The first time strictly after `after` (whole minutes, local time) when the schedule fires:
 * `after + every` for intervals. Returns (time_t)-1 when a cron expression never matches
 * (such as "0 0 31 2 *"). */
time_t yq_schedule_next(const yq_schedule *schedule, time_t after);

#endif
