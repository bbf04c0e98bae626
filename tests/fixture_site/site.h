/* The fixture news site's parts: the article table, a string builder, and the page generators
 * (HTML, feeds, sitemaps). The server itself is main.c; the routes are listed in README.md. */
#ifndef FIXTURE_SITE_H
#define FIXTURE_SITE_H

#include <stdarg.h>
#include <stddef.h>

enum article_kind {
    ARTICLE_HTML = 0, /* /news/SLUG.html (and /mirror/SLUG.html) */
    ARTICLE_JS = 1,   /* /js/SLUG.html: the text is only in a script that builds the page */
    ARTICLE_GBK = 2,  /* /gbk/SLUG.html: GBK bytes, a header that says iso-8859-1 */
};

typedef struct {
    const char *slug;
    const char *lang; /* "zh" or "en" */
    const char *title;
    const char *author;
    const char *published;     /* ISO 8601 with offset: "2024-01-30T14:30:00+08:00" */
    const char *paragraphs[8]; /* NULL-terminated */
    enum article_kind kind;
    const char *media;         /* an audio/video file's path on the site ("/media/x.wav"), or NULL */
} site_article;

/* The built-in table (articles.c), NULL-slug terminated. */
extern const site_article site_articles[];

/* A growable string; every function keeps s NUL-terminated (s NULL until the first add). */
typedef struct {
    char *s;
    size_t len, cap;
} sbuf;

void sb_add(sbuf *b, const char *s, size_t n);
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_escaped(sbuf *b, const char *text); /* HTML/XML escaping of & < > " */

/* The path of an article on the site ("/news/SLUG.html", "/js/...", "/gbk/..."). */
void site_article_path(const site_article *a, char *out, size_t size);

/* Pages: `host` is "127.0.0.1:PORT" for absolute URLs; `list` holds n articles, newest first. */
void page_article(sbuf *b, const site_article *a, const site_article *const *list, int n);
void page_js_article(sbuf *b, const site_article *a);
void page_index(sbuf *b, const site_article *const *list, int n, int page);
void page_rss(sbuf *b, const char *host, const site_article *const *list, int n);
void page_atom(sbuf *b, const char *host, const site_article *const *list, int n);
void page_sitemap_index(sbuf *b, const char *host);
/* part 0: the newer half of the articles, part 1: the older half */
void page_sitemap(sbuf *b, const char *host, const site_article *const *list, int n, int part);
void page_robots(sbuf *b, const char *host, double crawl_delay);

/* The articles at one moment, newest first: the table, added ones, and --content DIR's files. */
typedef struct {
    const site_article **list;
    int n;
    site_article *owned; /* those read from the folder */
    int n_owned;
} site_snapshot;

int site_list(const char *content_dir, site_snapshot *out);
void site_list_free(site_snapshot *s);
/* Reads an article from JSON {"slug", "lang", "title", "author", "published", "paragraphs",
 * "media" (optional)}
 * (strings malloc'd); 0 on success. */
int site_article_from_json(const char *text, size_t len, site_article *a);
/* Adds an article for the rest of the process's life (takes its strings); 0 on success. */
int site_add_article(const site_article *a);

/* gzip of `len` bytes (malloc'd into *out); 0 on success. */
int site_gzip(const char *data, size_t len, char **out, size_t *out_len);
/* UTF-8 to GBK (malloc'd); 0 on success. */
int site_to_gbk(const char *utf8, size_t len, char **out, size_t *out_len);

#endif
