/* The fixture site's pages: article, JavaScript-built article, index, RSS, Atom, sitemaps and
 * robots.txt, written into a string builder; gzip and GBK conversion for the special routes. */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "site.h"

#define PER_PAGE 5

void sb_add(sbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) abort(); /* a test fixture: out of memory ends it */
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_printf(sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) abort();
    sb_add(b, s, (size_t)n);
    free(s);
}

void sb_escaped(sbuf *b, const char *text) {
    for (const char *p = text; *p; p++) {
        const char *e = *p == '&'   ? "&amp;"
                        : *p == '<' ? "&lt;"
                        : *p == '>' ? "&gt;"
                        : *p == '"' ? "&quot;"
                                    : NULL;
        if (e)
            sb_add(b, e, strlen(e));
        else
            sb_add(b, p, 1);
    }
}

void site_article_path(const site_article *a, char *out, size_t size) {
    static const char *const dirs[] = {"news", "js", "gbk"};
    snprintf(out, size, "/%s/%s.html", dirs[a->kind], a->slug);
}

static const char *site_name(const char *lang) {
    return strcmp(lang, "zh") == 0 ? "示例新闻网" : "Example News";
}

static void nav(sbuf *b) {
    sb_printf(
        b, "<header><nav><a href=\"/\">首页 Home</a> | <a href=\"/news/\">新闻 News</a> | "
           "<a href=\"/feed.rss\">RSS</a> | <a href=\"/members/login.html\">登录 Login</a></nav></header>\n");
}

static void footer(sbuf *b) {
    sb_printf(
        b, "<footer><p>© 2024 示例新闻网 Example News. 版权所有 All rights reserved.</p>"
           "<p><a href=\"/about.html\">关于我们</a> | <a href=\"/contact.html\">联系我们</a></p></footer>\n");
}

static void head(sbuf *b, const char *lang, const char *title, const char *charset) {
    sb_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"%s\">\n<title>",
              strcmp(lang, "zh") == 0 ? "zh-CN" : "en", charset);
    sb_escaped(b, title);
    sb_printf(b, " - %s</title>\n", site_name(lang));
}

void page_article(sbuf *b, const site_article *a, const site_article *const *list, int n) {
    head(b, a->lang, a->title, a->kind == ARTICLE_GBK ? "gb2312" : "utf-8");
    sb_printf(b, "<meta property=\"og:title\" content=\"");
    sb_escaped(b, a->title);
    sb_printf(
        b, "\">\n<meta property=\"article:published_time\" content=\"%s\">\n<meta name=\"author\" content=\"",
        a->published);
    sb_escaped(b, a->author);
    sb_printf(b, "\">\n</head><body>\n");
    nav(b);
    sb_printf(b, "<main><article>\n<h1>");
    sb_escaped(b, a->title);
    sb_printf(b, "</h1>\n<p class=\"byline\">");
    sb_escaped(b, a->author);
    sb_printf(b, " · <time datetime=\"%s\">%.10s</time></p>\n", a->published, a->published);
    for (int i = 0; a->paragraphs[i]; i++) {
        sb_printf(b, "<p>");
        sb_escaped(b, a->paragraphs[i]);
        sb_printf(b, "</p>\n");
    }
    if (a->media) {
        sb_printf(b, "<audio controls src=\"");
        sb_escaped(b, a->media);
        sb_printf(b, "\"></audio>\n");
    }
    sb_printf(b, "</article>\n<aside><h3>%s</h3><ul>\n", strcmp(a->lang, "zh") == 0 ? "相关阅读" : "Related");
    for (int i = 0; i < n && i < 3; i++) {
        char path[256];
        site_article_path(list[i], path, sizeof path);
        sb_printf(b, "<li><a href=\"%s\">", path);
        sb_escaped(b, list[i]->title);
        sb_printf(b, "</a></li>\n");
    }
    sb_printf(b, "</ul></aside></main>\n");
    footer(b);
    sb_printf(b, "</body></html>\n");
}

/* A JavaScript string literal with every non-ASCII character as \uXXXX, so that the text is
 * not in the page's bytes. */
static void js_string(sbuf *b, const char *s) {
    sb_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp = *p, len = 1;
        if (cp >= 0xF0)
            cp &= 0x07, len = 4;
        else if (cp >= 0xE0)
            cp &= 0x0F, len = 3;
        else if (cp >= 0xC0)
            cp &= 0x1F, len = 2;
        for (unsigned i = 1; i < len && p[i]; i++)
            cp = cp << 6 | (p[i] & 0x3F);
        p += len;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            sb_printf(b, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        } else if (cp >= 0x80 || cp == '"' || cp == '\\' || cp == '<' || cp < 0x20) {
            sb_printf(b, "\\u%04x", cp);
        } else {
            char c = (char)cp;
            sb_add(b, &c, 1);
        }
    }
    sb_add(b, "\"", 1);
}

void page_js_article(sbuf *b, const site_article *a) {
    head(b, a->lang, "Loading", "utf-8");
    sb_printf(b, "</head><body>\n");
    nav(b);
    sb_printf(b, "<main id=\"app\"><p>Loading…</p></main>\n");
    footer(b);
    sb_printf(b, "<script>\nvar data = {title: ");
    js_string(b, a->title);
    sb_printf(b, ", author: ");
    js_string(b, a->author);
    sb_printf(b, ", published: \"%s\", paragraphs: [", a->published);
    for (int i = 0; a->paragraphs[i]; i++) {
        if (i) sb_printf(b, ", ");
        js_string(b, a->paragraphs[i]);
    }
    sb_printf(b, "]};\n"
                 "document.title = data.title;\n"
                 "var main = document.getElementById('app'); main.innerHTML = '';\n"
                 "var art = document.createElement('article');\n"
                 "var h = document.createElement('h1'); h.textContent = data.title; art.appendChild(h);\n"
                 "var t = document.createElement('time'); t.setAttribute('datetime', data.published);\n"
                 "t.textContent = data.published.slice(0, 10); art.appendChild(t);\n"
                 "data.paragraphs.forEach(function (text) {\n"
                 "  var p = document.createElement('p'); p.textContent = text; art.appendChild(p);\n"
                 "});\n"
                 "main.appendChild(art);\n</script>\n</body></html>\n");
}

void page_index(sbuf *b, const site_article *const *list, int n, int page) {
    head(b, "zh", page > 1 ? "新闻列表" : "首页", "utf-8");
    sb_printf(b, "</head><body>\n");
    nav(b);
    sb_printf(b, "<main><h1>新闻 News</h1><ul class=\"list\">\n");
    int first = (page - 1) * PER_PAGE;
    for (int i = first; i < n && i < first + PER_PAGE; i++) {
        char path[256];
        site_article_path(list[i], path, sizeof path);
        sb_printf(b, "<li><a href=\"%s\">", path);
        sb_escaped(b, list[i]->title);
        sb_printf(b, "</a> <span>%.10s</span></li>\n", list[i]->published);
    }
    sb_printf(b, "</ul>\n");
    if (page == 1 && n > 0) {
        char path[256];
        site_article_path(list[0], path, sizeof path);
        /* the same article again: with tracking parameters, a fragment, and under /mirror/ */
        sb_printf(
            b,
            "<p class=\"promo\"><a href=\"%s?utm_source=index&amp;utm_medium=web&amp;spm=a1.b2\">头条</a> "
            "<a href=\"%s?from=timeline#comments\">评论</a> "
            "<a href=\"/mirror/%s.html\">镜像</a> <a href=\"/private/secret.html\">内部</a></p>\n",
            path, path, list[0]->slug);
    }
    if (first + PER_PAGE < n)
        sb_printf(b, "<a class=\"next\" href=\"/news/?page=%d\">下一页 Next</a>\n", page + 1);
    sb_printf(b, "</main>\n");
    footer(b);
    sb_printf(b, "</body></html>\n");
}

/* "Mon, 28 Oct 2024 09:30:00 +0800" from "2024-10-28T09:30:00+08:00". */
static void rfc822(const char *iso, char *out, size_t size) {
    struct tm tm = {0};
    int oh = 0, om = 0;
    char sign = '+';
    sscanf(iso, "%d-%d-%dT%d:%d:%d%c%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
           &tm.tm_sec, &sign, &oh, &om);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm); /* fills in the weekday */
    char date[40];
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S", &tm);
    snprintf(out, size, "%s %c%02d%02d", date, sign, oh, om);
}

void page_rss(sbuf *b, const char *host, const site_article *const *list, int n) {
    sb_printf(b,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\n"
              "<title>示例新闻网</title><link>http://%s/</link><description>Fixture news</description>\n",
              host);
    for (int i = 0; i < n; i++) {
        char path[256], date[80];
        site_article_path(list[i], path, sizeof path);
        rfc822(list[i]->published, date, sizeof date);
        sb_printf(b, "<item><title>");
        sb_escaped(b, list[i]->title);
        sb_printf(
            b, "</title><link>http://%s%s</link><guid>http://%s%s</guid><pubDate>%s</pubDate><description>",
            host, path, host, path, date);
        sb_escaped(b, list[i]->paragraphs[0] ? list[i]->paragraphs[0] : "");
        sb_printf(b, "</description></item>\n");
    }
    sb_printf(b, "</channel></rss>\n");
}

void page_atom(sbuf *b, const char *host, const site_article *const *list, int n) {
    sb_printf(b,
              "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
              "<title>Example News</title><id>http://%s/</id><link href=\"http://%s/\"/>"
              "<updated>%s</updated>\n",
              host, host, n ? list[0]->published : "2024-01-01T00:00:00Z");
    for (int i = 0; i < n; i++) {
        char path[256];
        site_article_path(list[i], path, sizeof path);
        sb_printf(b, "<entry><title>");
        sb_escaped(b, list[i]->title);
        sb_printf(b,
                  "</title><link href=\"http://%s%s\"/><id>http://%s%s</id><updated>%s</updated>"
                  "<author><name>",
                  host, path, host, path, list[i]->published);
        sb_escaped(b, list[i]->author);
        sb_printf(b, "</name></author></entry>\n");
    }
    sb_printf(b, "</feed>\n");
}

void page_sitemap_index(sbuf *b, const char *host) {
    sb_printf(b,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
              "<sitemap><loc>http://%s/sitemap-news.xml</loc></sitemap>\n"
              "<sitemap><loc>http://%s/sitemap-archive.xml.gz</loc></sitemap>\n"
              "</sitemapindex>\n",
              host, host);
}

void page_sitemap(sbuf *b, const char *host, const site_article *const *list, int n, int part) {
    sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    int half = (n + 1) / 2;
    for (int i = part ? half : 0; i < (part ? n : half); i++) {
        char path[256];
        site_article_path(list[i], path, sizeof path);
        sb_printf(b, "<url><loc>http://%s%s</loc><lastmod>%s</lastmod></url>\n", host, path,
                  list[i]->published);
    }
    sb_printf(b, "</urlset>\n");
}

void page_robots(sbuf *b, const char *host, double crawl_delay) {
    sb_printf(b, "# robots.txt of the fixture news site\nUser-agent: yuqing\nDisallow: /private/\n");
    if (crawl_delay > 0) sb_printf(b, "Crawl-delay: %g\n", crawl_delay);
    sb_printf(
        b,
        "\nUser-agent: *\nDisallow: /private/\nDisallow: /members/\n\nSitemap: http://%s/sitemap_index.xml\n",
        host);
}

int site_gzip(const char *data, size_t len, char **out, size_t *out_len) {
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    size_t cap = deflateBound(&z, (uLong)len);
    *out = malloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)*out;
    z.avail_out = (uInt)cap;
    int rc = *out ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
    *out_len = z.total_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

int site_to_gbk(const char *utf8, size_t len, char **out, size_t *out_len) {
    iconv_t cd = iconv_open("GBK//TRANSLIT", "UTF-8");
    if (cd == (iconv_t)-1) return -1;
    size_t cap = len * 2 + 1, in_left = len, out_left = cap;
    *out = malloc(cap);
    char *in = (char *)utf8, *o = *out;
    size_t rc = *out ? iconv(cd, &in, &in_left, &o, &out_left) : (size_t)-1;
    iconv_close(cd);
    *out_len = cap - out_left;
    return rc == (size_t)-1 ? -1 : 0;
}
