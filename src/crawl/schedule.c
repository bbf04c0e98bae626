/* Crawl schedules: crontab(5) expressions parsed into bit sets, matched against local time, and
 * the next firing time found by walking forward minute by minute (skipping whole days and hours). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/schedule.h"

typedef struct field_spec {
    const char *what;
    int min, max;
    const char *const *names; /* names[i] stands for min + i, or NULL */
} field_spec;

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const field_spec fields[5] = {
    {"minute", 0, 59, NULL},      {"hour", 0, 23, NULL},          {"day of month", 1, 31, NULL},
    {"month", 1, 12, month_names}, {"day of week", 0, 7, day_names},
};

/* One number or (three-letter, any case) name of the field at *p; advances *p. */
static int read_value(const field_spec *f, const char **p, int *out) {
    if (isdigit((unsigned char)**p)) {
        char *end;
        long v = strtol(*p, &end, 10);
        if (v < f->min || v > f->max) return YQ_EINVAL;
        *p = end;
        *out = (int)v;
        return YQ_OK;
    }
    for (int i = 0; f->names && f->names[i]; i++)
        if (!strncasecmp(*p, f->names[i], 3) && !isalpha((unsigned char)(*p)[3])) {
            *p += 3;
            *out = f->min + i;
            return YQ_OK;
        }
    return YQ_EINVAL;
}

/* One list element: "*", "A", "A-B", each optionally followed by "/STEP". */
static int parse_element(const field_spec *f, const char **p, uint64_t *bits) {
    int lo = f->min, hi = f->max, step = 1;
    if (**p == '*') {
        (*p)++;
    } else {
        if (read_value(f, p, &lo)) return YQ_EINVAL;
        hi = lo;
        if (**p == '-') {
            (*p)++;
            if (read_value(f, p, &hi) || hi < lo) return YQ_EINVAL;
        }
    }
    if (**p == '/') {
        (*p)++;
        char *end;
        long s = strtol(*p, &end, 10);
        if (end == *p || s < 1 || s > f->max + 1) return YQ_EINVAL;
        step = (int)s;
        *p = end;
        if (lo == hi) hi = f->max; /* "A/STEP" means A-MAX/STEP, as in cronie */
    }
    for (int v = lo; v <= hi; v += step) *bits |= 1ull << v;
    return YQ_OK;
}

static int parse_field(const field_spec *f, const char *text, uint64_t *bits) {
    const char *p = text;
    *bits = 0;
    for (;;) {
        if (parse_element(f, &p, bits)) return yq_error(YQ_EINVAL, "cron %s: bad value '%s'", f->what, text);
        if (*p == '\0') return YQ_OK;
        if (*p++ != ',') return yq_error(YQ_EINVAL, "cron %s: bad value '%s'", f->what, text);
    }
}

static const struct { const char *name; const char *fields; } shortcuts[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

int yq_cron_parse(const char *text, yq_cron *out) {
    for (size_t i = 0; i < sizeof shortcuts / sizeof shortcuts[0]; i++)
        if (!strcmp(text, shortcuts[i].name)) return yq_cron_parse(shortcuts[i].fields, out);
    char copy[256], *save = NULL, *parts[6];
    if (strlen(text) >= sizeof copy) return yq_error(YQ_EINVAL, "cron expression too long");
    strcpy(copy, text);
    int n = 0;
    for (char *t = strtok_r(copy, " \t", &save); t && n < 6; t = strtok_r(NULL, " \t", &save)) parts[n++] = t;
    if (n != 5) return yq_error(YQ_EINVAL, "cron expression '%s' needs 5 fields (minute hour day month weekday)", text);
    uint64_t bits[5];
    for (int i = 0; i < 5; i++)
        if (parse_field(&fields[i], parts[i], &bits[i])) return YQ_EINVAL;
    memset(out, 0, sizeof *out);
    out->minute = bits[0];
    out->hour = (uint32_t)bits[1];
    out->day_of_month = (uint32_t)bits[2];
    out->month = (uint16_t)bits[3];
    out->day_of_week = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f); /* 7 is Sunday */
    out->dom_star = parts[2][0] == '*';
    out->dow_star = parts[4][0] == '*';
    return YQ_OK;
}

/* The day rule of crontab(5): if either day field is unrestricted ('*'), both must match
 * (the '*' one always does); if both are restricted, either may match. */
static int day_matches(const yq_cron *c, const struct tm *tm) {
    int dom = (c->day_of_month >> tm->tm_mday) & 1, dow = (c->day_of_week >> tm->tm_wday) & 1;
    if (c->dom_star || c->dow_star) return dom && dow;
    return dom || dow;
}

int yq_cron_matches(const yq_cron *c, const struct tm *tm) {
    return ((c->minute >> tm->tm_min) & 1) && ((c->hour >> tm->tm_hour) & 1) &&
           ((c->month >> (tm->tm_mon + 1)) & 1) && day_matches(c, tm);
}

time_t yq_schedule_next(const yq_schedule *s, time_t after) {
    if (s->every > 0) return after + (time_t)(s->every < 1 ? 1 : s->every);
    struct tm tm;
    localtime_r(&after, &tm);
    tm.tm_sec = 0;
    tm.tm_min++;
    tm.tm_isdst = -1;
    /* Eight years covers every day/month combination that can ever match (29 February). */
    for (int steps = 0; steps < 8 * 366 * 24 * 60; steps++) {
        time_t t = mktime(&tm);
        localtime_r(&t, &tm);
        if (!((s->cron.month >> (tm.tm_mon + 1)) & 1) || !day_matches(&s->cron, &tm)) {
            tm.tm_mday++, tm.tm_hour = 0, tm.tm_min = 0;
        } else if (!((s->cron.hour >> tm.tm_hour) & 1)) {
            tm.tm_hour++, tm.tm_min = 0;
        } else if (!((s->cron.minute >> tm.tm_min) & 1)) {
            tm.tm_min++;
        } else {
            return t;
        }
        tm.tm_isdst = -1;
    }
    return (time_t)-1;
}
