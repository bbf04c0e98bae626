/* Internals of the article extractor shared by its files: a growable text buffer, libxml2 node
 * helpers, the date parser, and the stages (metadata, body, links). */
#ifndef YUQING_CRAWL_EXTRACT_INTERNAL_H
#define YUQING_CRAWL_EXTRACT_INTERNAL_H

#include <libxml/HTMLparser.h>
#include <stddef.h>

#include "yuqing/extract.h"
#include "yuqing/utf8.h"

/* A growable NUL-terminated string; a failed allocation sets `oom` and drops further text. */
typedef struct xbuf {
    char *data;
    size_t len, cap;
    int oom;
} xbuf;

void xbuf_put(xbuf *b, const char *s, size_t n);
void xbuf_puts(xbuf *b, const char *s);
/* Takes the buffer's string (malloc'd, "" when empty; NULL when out of memory). */
char *xbuf_take(xbuf *b);

/* 1 for inline (phrasing) elements: a, span, b, em, font, ... */
int is_inline(const xmlNode *n);
/* The element's lower-case tag name ("" for non-elements). */
const char *node_tag(const xmlNode *n);
/* 1 when element `n` has tag `tag`. */
int node_is(const xmlNode *n, const char *tag);
/* 1 when element `n` has one of the NULL-terminated `tags`. */
int node_is_any(const xmlNode *n, const char *const *tags);
/* Unlinks and frees a node and everything below it. */
void node_drop(xmlNode *n);
/* Attribute value (malloc'd by libxml2, free with xmlFree) or NULL. */
char *node_attr(const xmlNode *n, const char *name);
/* Appends the node's text, whitespace collapsed to single spaces, to `b`. */
void node_text(const xmlNode *n, xbuf *b);
/* The node's collapsed, trimmed text, malloc'd. */
char *node_text_dup(const xmlNode *n);
/* Trims and collapses whitespace of a writable string in place; returns it (NULL stays NULL). */
char *text_squeeze(char *s);

/* A date and time as far as a page tells it. */
typedef struct xdate {
    int year, month, day, hour, minute, second;
    int has_time, has_offset, offset_min;
} xdate;

/* Parses a date at the start of `s` (ISO 8601, "2024年1月30日 14:30", "2024/1/30", "Jan 30,
 * 2024", RFC 1123). Returns the bytes consumed, 0 when there is none. */
size_t date_parse(const char *s, xdate *d);
/* Finds the first date in `text` at or after `from`; returns its offset or -1. */
long date_find(const char *text, size_t from, xdate *d);
/* Writes the date as ISO 8601 (with time and offset only as far as known) to out[32]. */
void date_format(const xdate *d, char *out);

/* Metadata stage: title, published_at, author from JSON-LD, meta tags, <time> and text. */
void extract_meta(htmlDocPtr doc, yq_article *a);
/* What a page offers as its title; any string may be NULL. */
typedef struct title_sources {
    const char *og, *headline, *title_tag; /* og:title, JSON-LD headline, <title> */
    char *const *h1;                       /* the <h1>s that are not a logo */
    int n_h1;
    const char *h2; /* the first <h2> */
} title_sources;

/* The headline: the <h1> that best matches og:title / JSON-LD headline / <title>, else that
 * title with its site-name suffix removed (in the least capitalised form the metadata gives),
 * else for a generic title a visible heading. malloc'd, NULL when there is none. */
char *extract_title(const title_sources *src);
/* The raw date strings of a page's tags, best source first; any may be NULL. */
typedef struct date_sources {
    const char *published[3]; /* JSON-LD datePublished, a publication meta tag, <time datetime> */
    const char *modified[2];  /* JSON-LD dateModified, a modification meta tag */
} date_sources;

/* The publication date: the tags' publication date (the modification date when the byline under
 * the headline `title` shows that one), else their modification date, else a date in the text
 * (after a label such as 发布时间 or Published, else the first after the headline); a UTC time
 * that the page shows as local time gets that offset. malloc'd ISO 8601, or NULL. */
char *extract_date(htmlDocPtr doc, const date_sources *src, const char *title);
/* Cuts the content parts[0..n) at the first heading that opens comments or related stories:
 * drops it and all after it; returns how many parts remain. */
size_t cut_at_end(xmlNode **parts, size_t n);
/* Body stage: the main text of the document (which it prunes), malloc'd; NULL when none. */
char *extract_body(htmlDocPtr doc);
/* The text of `nodes` as paragraphs: one per block element or line break, trimmed, empty ones
 * dropped, separated by blank lines; malloc'd (NULL when out of memory). */
char *render_paragraphs(xmlNode *const *nodes, size_t n);
/* Links stage: media and <a> URLs, absolute against <base> or `url`. */
int extract_links(htmlDocPtr doc, const char *url, yq_article *a);
/* "zh", "en" or NULL for a text, by character statistics. */
const char *detect_lang(const char *text);

#endif
