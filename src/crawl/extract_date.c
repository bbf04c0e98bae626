/* Dates as pages write them: ISO 8601, Chinese "2024年1月30日 14:30", slashes and dots, day-first
 * "30.01.2024" (dots: the European form), month-first "1/30/2024 2:30 PM" (slashes: the US form),
 * month names in English, German, French and Spanish, and RFC 1123, to one ISO 8601 form. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crawl/extract_internal.h"

/* Reads 1..max digits at s[*i]; returns the number or -1. */
static int digits(const char *s, size_t *i, int max) {
    int v = 0, n = 0;
    while (n < max && isdigit((unsigned char)s[*i])) v = v * 10 + (s[(*i)++] - '0'), n++;
    return n ? v : -1;
}

/* Skips one separator out of `seps` (ASCII) or the UTF-8 word `word` (may be NULL). */
static int skip_sep(const char *s, size_t *i, const char *seps, const char *word) {
    if (s[*i] && strchr(seps, s[*i])) return ++*i, 1;
    if (word && !strncmp(s + *i, word, strlen(word))) return *i += strlen(word), 1;
    return 0;
}

static void skip_spaces(const char *s, size_t *i) {
    while (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n') ++*i;
}

/* Skips what bylines put between a date and its time: spaces, then "|", "at", "@" or ","
 * followed by spaces ("February 24, 2020 | 9:25pm", "16. March, 2023 at 16:59"). */
static void skip_time_sep(const char *s, size_t *i) {
    static const char *const seps[] = {"|", "at", "@", ","};
    skip_spaces(s, i);
    for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
        size_t n = strlen(seps[k]);
        if (!strncmp(s + *i, seps[k], n) && (s[*i + n] == ' ' || s[*i + n] == '\t')) {
            *i += n;
            skip_spaces(s, i);
            return;
        }
    }
}

/* Time and offset after a date: " 14:30[:00][.123][Z|+08:00|+0800| GMT]". */
static size_t parse_time(const char *s, size_t i, xdate *d) {
    size_t j = i;
    if (s[j] == 'T') j++;
    else skip_time_sep(s, &j);
    int h = digits(s, &j, 2);
    if (h < 0 || h > 23 || !skip_sep(s, &j, ":", "时")) return i;
    int m = digits(s, &j, 2);
    if (m < 0 || m > 59) return i;
    skip_sep(s, &j, "", "分");
    size_t k = j;
    int sec = 0;
    if (skip_sep(s, &k, ":", NULL) && (sec = digits(s, &k, 2)) >= 0) j = k;
    else sec = 0;
    if (s[j] == '.') {
        j++;
        while (isdigit((unsigned char)s[j])) j++;
    }
    k = j;
    skip_spaces(s, &k);
    if (h >= 1 && h <= 12 && (s[k] == 'A' || s[k] == 'P' || s[k] == 'a' || s[k] == 'p') &&
        (s[k + 1] == 'M' || s[k + 1] == 'm')) { /* 12-hour clock */
        h = h % 12 + (s[k] == 'P' || s[k] == 'p' ? 12 : 0);
        j = k + 2;
    }
    d->hour = h, d->minute = m, d->second = sec, d->has_time = 1;
    k = j;
    skip_spaces(s, &k);
    if (s[j] == 'Z' || !strncmp(s + k, "GMT", 3) || !strncmp(s + k, "UTC", 3)) {
        d->has_offset = 1, d->offset_min = 0;
        j = s[j] == 'Z' ? j + 1 : k + 3;
    }
    if (s[j] == '+' || s[j] == '-') {
        int sign = s[j] == '-' ? -1 : 1;
        k = j + 1;
        int oh = digits(s, &k, 2), om = 0;
        if (oh >= 0 && oh <= 14) {
            skip_sep(s, &k, ":", NULL);
            om = digits(s, &k, 2);
            d->has_offset = 1, d->offset_min = sign * (oh * 60 + (om > 0 ? om : 0));
            j = k;
        }
    }
    return j;
}

/* "2024-01-30", "2024/1/30", "2024.1.30", "2024年1月30日", "20240130" is not accepted. */
static size_t parse_numeric(const char *s, xdate *d) {
    size_t i = 0;
    int y = digits(s, &i, 4);
    if (y < 1990 || y > 2099 || i != 4 || !skip_sep(s, &i, "-/.", "年")) return 0;
    skip_spaces(s, &i);
    int mo = digits(s, &i, 2);
    if (mo < 1 || mo > 12 || !skip_sep(s, &i, "-/.", "月")) return 0;
    skip_spaces(s, &i);
    int day = digits(s, &i, 2);
    if (day < 1 || day > 31 || isdigit((unsigned char)s[i])) return 0;
    skip_sep(s, &i, "", "日");
    *d = (xdate){.year = y, .month = mo, .day = day};
    return parse_time(s, i, d);
}

/* "30.01.2024" (day first: the European use of dots) or "1/30/2024" (month first: the US use of
 * slashes), each optionally followed by a time. */
static size_t parse_day_month_year(const char *s, xdate *d) {
    size_t i = 0;
    int a = digits(s, &i, 2);
    char sep = s[i];
    if (a < 1 || (sep != '.' && sep != '/')) return 0;
    i++;
    int b = digits(s, &i, 2);
    if (b < 1 || s[i++] != sep) return 0;
    size_t at = i;
    int y = digits(s, &i, 4);
    if (i - at != 4 || y < 1990 || y > 2099 || isdigit((unsigned char)s[i])) return 0;
    int day = sep == '.' ? a : b, mo = sep == '.' ? b : a;
    if (mo > 12 || day > 31) return 0;
    *d = (xdate){.year = y, .month = mo, .day = day};
    return parse_time(s, i, d);
}

/* A month name or abbreviation (English, German, French, Spanish) at s[*i]: 1..12, or -1. */
static int month_name(const char *s, size_t *i) {
    static const struct { const char *prefix; int month; } names[] = {
        {"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4}, {"may", 5}, {"jun", 6}, {"jul", 7}, {"aug", 8},
        {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}, {"m\xc3\xa4" "r", 3}, {"mrz", 3}, {"mai", 5},
        {"okt", 10}, {"dez", 12}, {"ene", 1}, {"abr", 4}, {"ago", 8}, {"dic", 12}, {"avr", 4},
        {"f\xc3\xa9" "v", 2}, {"ao\xc3\xbb", 8}, {"d\xc3\xa9" "c", 12}};
    for (size_t m = 0; m < sizeof names / sizeof names[0]; m++) {
        size_t n = strlen(names[m].prefix);
        if (strncasecmp(s + *i, names[m].prefix, n) != 0) continue;
        *i += n;
        while (isalpha((unsigned char)s[*i]) || (unsigned char)s[*i] >= 0x80) ++*i;
        if (s[*i] == '.') ++*i;
        return names[m].month;
    }
    return -1;
}

/* "January 30, 2024", "Jan. 30 2024", "30 January 2024", "10. September 2017", "5 de mayo de
 * 2024", "Tue, 30 Jan 2024 14:30:00 GMT". */
static size_t parse_month_name(const char *s, xdate *d) {
    size_t i = 0;
    int mo, day;
    if (isdigit((unsigned char)s[0])) {
        day = digits(s, &i, 2);
        skip_sep(s, &i, ".", NULL);
        skip_spaces(s, &i);
        if (!strncmp(s + i, "de ", 3)) i += 3;
        mo = month_name(s, &i);
    } else {
        mo = month_name(s, &i);
        skip_spaces(s, &i);
        day = digits(s, &i, 2);
        while (isalpha((unsigned char)s[i])) i++; /* 1st, 2nd, 30th */
        skip_sep(s, &i, ",", NULL);
    }
    skip_spaces(s, &i);
    if (!strncmp(s + i, "de ", 3)) i += 3;
    size_t at = i;
    int y = digits(s, &i, 4);
    if (mo < 1 || day < 1 || day > 31 || y < 1990 || y > 2099 || i - at != 4) return 0;
    *d = (xdate){.year = y, .month = mo, .day = day};
    skip_sep(s, &i, ",", NULL);
    return parse_time(s, i, d);
}

size_t date_parse(const char *s, xdate *d) {
    size_t i = 0;
    while (s[i] == ' ') i++;
    if (isalpha((unsigned char)s[i]) && s[i + 1] && s[i + 2] && s[i + 3] == ',') {
        i += 4; /* weekday of RFC 1123 */
        while (s[i] == ' ') i++;
    }
    size_t n = parse_numeric(s + i, d);
    if (!n) n = parse_day_month_year(s + i, d);
    if (!n) n = parse_month_name(s + i, d);
    return n ? i + n : 0;
}

long date_find(const char *text, size_t from, xdate *d) {
    size_t len = strlen(text);
    for (size_t i = from; i < len; i++) {
        unsigned char c = (unsigned char)text[i], prev = i ? (unsigned char)text[i - 1] : ' ';
        int start = (isdigit(c) && !isdigit(prev)) || (isalpha(c) && !isalpha(prev));
        if (start && date_parse(text + i, d)) return (long)i;
    }
    return -1;
}

void date_format(const xdate *d, char *out) {
    int n = snprintf(out, 32, "%04d-%02d-%02d", d->year, d->month, d->day);
    if (!d->has_time) return;
    n += snprintf(out + n, 32 - (size_t)n, "T%02d:%02d:%02d", d->hour, d->minute, d->second);
    if (!d->has_offset) return;
    int off = d->offset_min < 0 ? -d->offset_min : d->offset_min;
    snprintf(out + n, 32 - (size_t)n, "%c%02d:%02d", d->offset_min < 0 ? '-' : '+', off / 60, off % 60);
}
