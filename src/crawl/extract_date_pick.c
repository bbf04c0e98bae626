/* Which date is the page's publication date: the tags' publication date, else their modification
 * date, else a date written in the text; the byline under the headline settles a publication
 * against a modification date, and a visible local time gives a UTC timestamp its offset. */
#include <stdlib.h>
#include <string.h>

#include "crawl/extract_internal.h"

/* Appends the text below `n`, a space around each block element ("</h1><p>May 5" is not glued
 * into one word). */
static void spaced_text(const xmlNode *n, xbuf *b) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content) xbuf_puts(b, (const char *)n->content);
        return;
    }
    if (n->type != XML_ELEMENT_NODE || node_is(n, "script") || node_is(n, "style")) return;
    int block = !is_inline(n);
    if (block) xbuf_puts(b, " ");
    for (const xmlNode *c = n->children; c; c = c->next)
        spaced_text(c, b);
    if (block) xbuf_puts(b, " ");
}

/* The <body> element, else the root. */
static xmlNode *body_element(xmlNode *root) {
    for (xmlNode *c = root->children; c; c = c->next)
        if (node_is(c, "body")) return c;
    return root;
}

/* The text of the document's <body> (not the <title>: a date after the headline is looked for
 * after the visible one), whitespace collapsed, malloc'd. */
static char *document_text(htmlDocPtr doc) {
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root) return NULL;
    xbuf b = {0};
    spaced_text(body_element(root), &b);
    return text_squeeze(xbuf_take(&b));
}

/* A date within a short distance after one of the labels pages put before it. */
static int labelled_date(const char *text, xdate *d) {
    static const char *const labels[] = {"发布时间", "发布日期",  "发表时间",  "发表于",
                                         "发布于",   "张贴",      "时间：",    "日期：",
                                         "时间:",    "Published", "Posted on", "Posted"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        for (const char *p = text; (p = strstr(p, labels[i])) != NULL; p++) {
            size_t from = (size_t)(p - text) + strlen(labels[i]);
            long at = date_find(text, from, d);
            if (at >= 0 && (size_t)at - from <= 24) return 1;
        }
    }
    return 0;
}

/* The first date after the headline `title` in the text (NULL title or not found: none). */
static int byline_date(const char *text, const char *title, xdate *d) {
    const char *after = title && *title ? strstr(text, title) : NULL;
    return after && date_find(text, (size_t)(after - text), d) >= 0;
}

/* A date written in the text: after a label, else the first after the headline, else the first. */
static int text_date(const char *text, const char *title, xdate *d) {
    return labelled_date(text, d) || byline_date(text, title, d) || date_find(text, 0, d) >= 0;
}

/* The byline's date: the first date at most BYLINE_REACH bytes after an occurrence of the
 * headline (the <title>, the <h1>), so that a date quoted in the article is not taken for it. */
enum { BYLINE_REACH = 400 };

static int near_byline_date(const char *text, const char *title, xdate *d) {
    size_t n = title ? strlen(title) : 0;
    if (!n) return 0;
    for (const char *p = text; (p = strstr(p, title)) != NULL; p++) {
        size_t from = (size_t)(p - text) + n;
        long at = date_find(text, from, d);
        if (at >= 0 && (size_t)at - from <= BYLINE_REACH) return 1;
    }
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400, doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The wall-clock minutes since 1970 a date shows, its offset ignored. */
static long wall_minutes(const xdate *d) {
    return days_from_civil(d->year, d->month, d->day) * 1440 + d->hour * 60 + d->minute;
}

static void add_minutes(xdate *d, long minutes) {
    long t = wall_minutes(d) + minutes, days = t >= 0 ? t / 1440 : (t - 1439) / 1440, z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365,
         doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    d->year = (int)(yoe + era * 400 + (month <= 2)), d->month = (int)month, d->day = (int)day;
    d->hour = (int)(t - days * 1440) / 60, d->minute = (int)(t - days * 1440) % 60;
}

/* 1 for minutes that are a time zone's offset from UTC: whole hours, half hours, and the
 * +hh:45 zones (Nepal, Chatham Islands). */
static int is_offset(long minutes) {
    long part = (minutes < 0 ? -minutes : minutes) % 60;
    return part == 0 || part == 30 || (part == 45 && minutes > 0);
}

/* A UTC timestamp shown on the page as local time (the first dated time within 14 hours of it,
 * a whole quarter-hour away): rewritten in that local time with its offset, the same instant. */
static void localise_utc(const char *text, xdate *d) {
    if (!d->has_time || !d->has_offset || d->offset_min != 0) return;
    xdate shown;
    for (long at = 0; (at = date_find(text, (size_t)at, &shown)) >= 0; at++) {
        long diff = shown.has_time && !shown.has_offset ? wall_minutes(&shown) - wall_minutes(d) : 9999;
        if (diff < -14 * 60 || diff > 14 * 60) continue;
        if (diff != 0 && is_offset(diff) && (!shown.second || shown.second == d->second))
            add_minutes(d, diff), d->offset_min = (int)diff;
        return;
    }
}

/* The first of the raw strings that parses as a date. */
static int first_date(const char *const *raw, size_t n, xdate *d) {
    for (size_t i = 0; i < n; i++)
        if (raw[i] && date_parse(raw[i], d)) return 1;
    return 0;
}

static int same_day(const xdate *a, const xdate *b) {
    return a->year == b->year && a->month == b->month && a->day == b->day;
}

char *extract_date(htmlDocPtr doc, const date_sources *src, const char *title) {
    xdate published, modified, shown;
    int has_published = first_date(src->published, 3, &published);
    int has_modified = first_date(src->modified, 2, &modified);
    char *text = document_text(doc);
    int found = 1;
    if (!has_published && has_modified)
        published = modified;
    else if (!has_published)
        found = text && text_date(text, title, &published);
    else if (has_modified && text && near_byline_date(text, title, &shown) && same_day(&shown, &modified) &&
             !same_day(&shown, &published))
        published = modified; /* the page shows its update as the article's date */
    if (found && text) localise_utc(text, &published);
    free(text);
    if (!found) return NULL;
    char out[32];
    date_format(&published, out);
    return strdup(out);
}
