/* Per-element text statistics for the content extractor: weighted text length, link text,
 * punctuation and paragraph counts, and the class/id hint weight. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl/extract_stats.h"

/* Text length weight of a code point: CJK ideographs carry about a Latin word's worth of
 * meaning in a third of the characters; spaces and controls count nothing. */
static double char_weight(unsigned c) {
    if (c <= ' ' || c == 0xA0 || c == 0x3000) return 0;
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xAC00 && c <= 0xD7AF)) return 3;
    return 1;
}

static int is_punct(unsigned c) {
    return c == ',' || c == '.' || c == ';' || c == '!' || c == '?' || c == 0xFF0C || c == 0x3002 ||
           c == 0x3001 || c == 0xFF1B || c == 0xFF01 || c == 0xFF1F || c == 0xFF1A;
}

/* Adds a text's length, punctuation and words; `in_word` carries a word across text nodes. */
static void add_text(nstat *s, const char *text, int *in_word) {
    for (const char *p = text; *p;) {
        unsigned c = yq_utf8_next(&p);
        double w = char_weight(c);
        s->chars += w;
        s->punct += is_punct(c);
        s->words += w == 3 || (w == 1 && !*in_word);
        *in_word = w == 1;
    }
}

nstat *stats_of(const xmlNode *n) {
    return n && n->type == XML_ELEMENT_NODE ? (nstat *)n->_private : NULL;
}

/* A <div> of text (no block inside, not mostly links) counts as a paragraph, as Readability
 * turns such a <div> into a <p> before it counts them. */
static int is_text_div(const xmlNode *n, const nstat *s, int blocks) {
    return node_is(n, "div") && !blocks && s->chars > 0 && s->link_chars * 2 < s->chars;
}

int stats_compute(xmlNode *n, nstat_pool *pool) {
    if (pool->n == pool->cap) {
        size_t cap = pool->cap ? pool->cap * 2 : 1024;
        nstat **p = realloc(pool->items, cap * sizeof *p);
        if (!p) return -1;
        pool->items = p, pool->cap = cap;
    }
    nstat *s = calloc(1, sizeof *s);
    if (!s) return -1;
    pool->items[pool->n++] = s;
    n->_private = s;
    s->weight = class_weight(n);
    int in_word = 0, line_text = 0; /* line_text: the current line (since the last <br>) has text */
    int blocks = 0;                 /* child elements that are blocks */
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content) {
            double chars = s->chars;
            int punct = s->punct;
            add_text(s, (const char *)c->content, &in_word);
            s->own_chars += s->chars - chars, s->own_punct += s->punct - punct;
            line_text |= s->chars > chars;
        }
        if (c->type != XML_ELEMENT_NODE) continue;
        if (node_is(c, "br")) s->breaks += line_text, line_text = 0;
        blocks += !is_inline(c) && !node_is(c, "br") && !node_is(c, "img");
        if (stats_compute(c, pool) != 0) return -1;
        nstat *cs = c->_private;
        if (is_inline(c) && !node_is(c, "a")) s->own_chars += cs->chars, s->own_punct += cs->punct;
        s->chars += cs->chars, s->link_chars += cs->link_chars, s->punct += cs->punct, s->words += cs->words;
        in_word = 0;
        s->paras += cs->paras, s->images += cs->images, s->items += cs->items, s->inputs += cs->inputs;
        s->breaks += cs->breaks;
        line_text |= cs->chars > 0;
    }
    if (node_is(n, "a")) s->link_chars = s->chars;
    s->paras += node_is(n, "p") || is_text_div(n, s, blocks);
    s->images += node_is(n, "img");
    s->items += node_is(n, "li");
    s->inputs += node_is(n, "input") || node_is(n, "button") || node_is(n, "select");
    return 0;
}

void stats_release(nstat_pool *pool) {
    for (size_t i = 0; i < pool->n; i++) free(pool->items[i]);
    free(pool->items);
    *pool = (nstat_pool){0};
}

double link_density(const nstat *s) { return s && s->chars > 0 ? s->link_chars / s->chars : 0; }

/* 1 when any of `words` occurs in `hay` (lower case). */
static int has_any(const char *hay, const char *const *words, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strstr(hay, words[i])) return 1;
    return 0;
}

/* The element's class and id, lower case, space separated (into out[size]). */
static void class_and_id(const xmlNode *n, char *out, size_t size) {
    char *cls = node_attr(n, "class"), *id = node_attr(n, "id");
    snprintf(out, size, "%s %s", cls ? cls : "", id ? id : "");
    xmlFree(cls);
    xmlFree(id);
    for (char *p = out; *p; p++) *p = (char)tolower((unsigned char)*p);
}

static const char *const positive[] = {"article", "body", "content", "entry", "hentry", "main", "page",
                                       "post", "text", "blog", "story", "detail", "zhengwen", "正文"};
static const char *const negative[] = {
    "-ad-", " ad ", "ad-", "ads", "advert", "hidden", "banner", "combx", "comment", "com-", "contact",
    "foot", "footnote", "masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share",
    "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "tool", "widget", "nav", "menu",
    "breadcrumb", "recommend", "social", "subscribe", "newsletter", "copyright", "login", "byline"};
static const char *const unlikely[] = {
    "-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment", "community", "cover-wrap", "disqus",
    "extra", "footer", "gdpr", "header", "legends", "menu", "related", "remark", "replies", "rss",
    "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "supplemental", "ad-break", "agegate",
    "pagination", "pager", "popup", "yom-remote", "share", "recommend", "newsletter", "copyright", "-cta"};
static const char *const maybe[] = {"and", "article", "body", "column", "content", "main", "shadow"};

int class_weight(const xmlNode *n) {
    char ci[512];
    class_and_id(n, ci + 1, sizeof ci - 2);
    ci[0] = ' ';
    strcat(ci, " ");
    int w = 0;
    if (has_any(ci, negative, sizeof negative / sizeof negative[0])) w -= 25;
    if (has_any(ci, positive, sizeof positive / sizeof positive[0])) w += 25;
    return w;
}

int unlikely_candidate(const xmlNode *n) {
    char ci[512];
    class_and_id(n, ci, sizeof ci);
    char *role = node_attr(n, "role");
    int bad_role = role && (!strcasecmp(role, "navigation") || !strcasecmp(role, "complementary") ||
                            !strcasecmp(role, "banner") || !strcasecmp(role, "contentinfo"));
    xmlFree(role);
    if (bad_role) return 1;
    return has_any(ci, unlikely, sizeof unlikely / sizeof unlikely[0]) &&
           !has_any(ci, maybe, sizeof maybe / sizeof maybe[0]);
}
