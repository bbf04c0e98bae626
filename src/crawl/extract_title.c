/* The headline of a page: the <h1> the metadata titles confirm, else an <h2> that carries the
 * metadata title, else og:title / JSON-LD headline / <title> with its site-name suffix removed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl/extract_internal.h"

/* Code points in s[0..n). */
static size_t count_chars(const char *s, size_t n) {
    size_t k = 0;
    for (const char *p = s; p < s + n;) yq_utf8_next(&p), k++;
    return k;
}

/* Where the last site-name separator of `t` starts (and its length), or NULL. */
static const char *last_separator(const char *t, size_t len, size_t *sep_len) {
    static const char *const seps[] = {" | ", " - ", " – ", " — ", "_", "｜", " :: ", " » ", " · ", "--", "-"};
    const char *best = NULL;
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
        size_t n = strlen(seps[i]);
        for (const char *p = t; (p = strstr(p, seps[i])) && p + n <= t + len; p++)
            if (!best || p > best) best = p, *sep_len = n;
        if (best) break; /* the most specific separator kind present wins */
    }
    return best;
}

/* Removes trailing " - Site" / "_频道_网站" segments that are short next to what remains. */
static void strip_site_suffix(char *t) {
    size_t len = strlen(t), sep_len = 0;
    const char *sep;
    while ((sep = last_separator(t, len, &sep_len)) != NULL) {
        size_t head = (size_t)(sep - t), tail = len - head - sep_len;
        size_t head_chars = count_chars(t, head), tail_chars = count_chars(sep + sep_len, tail);
        int bare = sep[0] == '-' || sep[0] == '_'; /* "COVID-19", "snake_case": only before a CJK site name */
        int cjk_tail = (unsigned char)sep[sep_len] >= 0x80;
        if (head_chars < 4 || tail_chars > head_chars || tail_chars > 40 || (bare && !cjk_tail)) break;
        len = head;
        while (len > 0 && t[len - 1] == ' ') len--;
        t[len] = 0;
    }
}

/* Words of a title, each CJK character counting as one. */
static int count_words(const char *s) {
    int n = 0, in_word = 0;
    while (*s) {
        unsigned c = yq_utf8_next(&s);
        int alnum = c < 0x80 && isalnum((int)c);
        n += c >= 0x3400 || (alnum && !in_word);
        in_word = alnum;
    }
    return n;
}

/* Share of the headline's words (CJK: characters) that also occur in `title`, ignoring case. */
static double overlap(const char *h1, const char *title) {
    int words = 0, found = 0;
    for (const char *p = h1; *p;) {
        const char *start = p;
        unsigned c = yq_utf8_next(&p);
        if ((c < 0x80 && !isalnum((int)c)) || (c >= 0x80 && c < 0x3400)) continue; /* punctuation */
        if (c < 0x80)
            while (isalnum((unsigned char)*p) || *p == '\'') p++;
        words++;
        size_t n = (size_t)(p - start);
        for (const char *t = title; *t; t++)
            if (!strncasecmp(t, start, n)) {
                found++;
                break;
            }
    }
    return words ? (double)found / words : 0;
}

/* The <h1> that best agrees with the metadata titles (site names stripped, so that a logo <h1>
 * does not agree with a "Headline | Site" title): at least half its words occur there, or (a
 * page's only headline) at least 0.3. NULL when none does. */
static const char *agreeing_h1(const char *t, const char *title_tag, char *const *h1, int n_h1) {
    char *main_t = t ? strdup(t) : NULL, *main_tag = title_tag ? strdup(title_tag) : NULL;
    if (main_t) strip_site_suffix(main_t);
    if (main_tag) strip_site_suffix(main_tag);
    const char *best = NULL;
    double best_overlap = n_h1 == 1 ? 0.3 : 0.5;
    for (int i = 0; i < n_h1; i++) {
        double o = main_t ? overlap(h1[i], main_t) : 1;
        if (main_tag && overlap(h1[i], main_tag) > o) o = overlap(h1[i], main_tag);
        if (*h1[i] && o >= best_overlap && (!best || o > best_overlap)) best = h1[i], best_overlap = o;
    }
    free(main_t);
    free(main_tag);
    return best;
}

/* Upper-case ASCII letters of s. */
static int capitals(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s >= 'A' && *s <= 'Z';
    return n;
}

/* Where the metadata titles differ only in case, the one with the fewest capitals: a CMS that
 * Title-Cases or upper-cases a copy ("Returning To Puerto Rico") derives it from the headline
 * as written ("Returning to Puerto Rico"). Rewrites `s` in place. */
static void plainest_case(char *s, const title_sources *src) {
    const char *others[] = {src->og, src->headline, src->title_tag};
    for (size_t i = 0; i < 3; i++) {
        char *o = others[i] ? strdup(others[i]) : NULL;
        if (o) strip_site_suffix(o);
        if (o && !strcasecmp(o, s) && capitals(o) < capitals(s)) memcpy(s, o, strlen(s));
        free(o);
    }
}

/* A title that is one path-like token ("BeginnersGuide/Download"): the name of a wiki page or
 * file, not a headline. */
static int is_page_path(const char *s) {
    return !strchr(s, ' ') && strchr(s, '/') && !strchr(s, ':');
}

/* For a generic title ("Home", the site's name, a page path): the longest <h1> of 3 words or
 * more, else for a page path the first <h2> of 2 words or more; NULL when none. */
static const char *visible_heading(const char *s, const title_sources *src) {
    const char *longest = NULL;
    for (int i = 0; i < src->n_h1; i++)
        if (count_words(src->h1[i]) >= 3 && (!longest || strlen(src->h1[i]) > strlen(longest)))
            longest = src->h1[i];
    if (!longest && s && is_page_path(s) && src->h2 && count_words(src->h2) >= 2) return src->h2;
    return longest;
}

/* With no <h1> to confirm it, a site that sets its headline as an <h2> and gives the metadata a
 * shorter social title ("Chef joins war on toxic food" beside "Jamie's war on toxic food: chef
 * and fitness guru lead plea ..."): the first <h2> when it holds at least 60% of the title's
 * words (3 or more) and has more of its own. */
static int h2_carries_title(const char *title, const char *h2) {
    int words = count_words(title);
    return h2 && words >= 3 && count_words(h2) > words && overlap(title, h2) >= 0.6;
}

char *extract_title(const title_sources *src) {
    const char *t = src->og ? src->og : src->headline ? src->headline : src->title_tag;
    const char *best = agreeing_h1(t, src->title_tag, src->h1, src->n_h1);
    if (best) return strdup(best); /* the visible headline, confirmed by the metadata */
    char *s = t && *t ? strdup(t) : NULL;
    if (s) strip_site_suffix(s), plainest_case(s, src);
    if (s && !src->n_h1 && h2_carries_title(s, src->h2)) {
        free(s);
        return strdup(src->h2);
    }
    if (s && count_words(s) >= 3) return s;
    const char *heading = visible_heading(s, src);
    if (!heading) return s;
    free(s);
    return strdup(heading);
}
