/* Article extraction: one HTML page to its title, publication time, author, main text, language,
 * media and links. The library call behind `yuqing extract`, and the crawler's extract stage. */
#ifndef YUQING_EXTRACT_H
#define YUQING_EXTRACT_H

#include <stddef.h>

/* One extracted page. Every string is malloc'd UTF-8 or NULL when unknown. */
typedef struct yq_article {
    char *url;          /* the page's URL as given */
    char *title;        /* headline without the site-name suffix */
    char *published_at; /* ISO 8601: "2024-01-30T14:30:00+08:00", "2024-01-30T14:30:00" or "2024-01-30" */
    char *author;
    char *body;   /* main text, paragraphs separated by blank lines */
    char *lang;   /* "zh", "en" or NULL */
    char **media; /* absolute URLs of audio/video sources, n_media of them */
    int n_media;
    char **links; /* absolute hrefs of <a>, deduplicated, in page order */
    int n_links;
} yq_article;

/* Extracts an article from `len` raw bytes of HTML. `url` (may be NULL) resolves relative links;
 * `charset_hint` (may be NULL) overrides the page's own encoding. *out is filled on success and
 * must be released with yq_article_free. Never reads the network. Errors: YQ_EFORMAT (not
 * parseable as HTML), YQ_EUNSUPPORTED (unknown charset hint), YQ_ENOMEM. */
int yq_extract_html(const char *bytes, size_t len, const char *url, const char *charset_hint, yq_article *out);

/* Frees every field of `a` and zeroes it; safe on a zeroed article. */
void yq_article_free(yq_article *a);

/* The article as one JSON object (fields url, title, published_at, author, body, lang, media,
 * links; null when unknown), malloc'd and unformatted; NULL when out of memory. */
char *yq_article_to_json(const yq_article *a);

#endif
