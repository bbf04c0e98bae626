/* Feeds and sitemaps to URL lists, walking the document once with libxml2's xmlTextReader:
 * the root element says the kind; item links, entry alternate links and <loc> give the URLs. */
#include <libxml/uri.h>
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "crawl/feed.h"
#include "yuqing/error.h"

int crawl_feed_sniff(const char *bytes, size_t len) {
    const unsigned char *p = (const unsigned char *)bytes, *end = p + len;
    if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b) return 1;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) p += 3;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    static const char *const starts[] = {"<?xml", "<rss", "<feed", "<urlset", "<sitemapindex", "<rdf:RDF"};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        size_t n = strlen(starts[i]);
        if ((size_t)(end - p) >= n && !memcmp(p, starts[i], n)) return 1;
    }
    return 0;
}

/* Inflates gzip data into a malloc'd buffer of at most max_size bytes. */
static int gunzip(const char *bytes, size_t len, size_t max_size, char **out, size_t *out_len) {
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return yq_error(YQ_ENOMEM, "out of memory inflating gzip");
    size_t cap = len * 4 + 1024, used = 0;
    if (cap > max_size) cap = max_size ? max_size : 1;
    char *buf = malloc(cap);
    int zrc = Z_OK;
    z.next_in = (Bytef *)bytes;
    z.avail_in = (uInt)len;
    while (buf && zrc == Z_OK) {
        if (used == cap) {
            char *grown = cap >= max_size ? NULL : realloc(buf, cap * 2 > max_size ? max_size : cap * 2);
            if (!grown) break;
            buf = grown;
            cap = cap * 2 > max_size ? max_size : cap * 2;
        }
        z.next_out = (Bytef *)buf + used;
        z.avail_out = (uInt)(cap - used);
        zrc = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
    }
    inflateEnd(&z);
    if (zrc != Z_STREAM_END) {
        free(buf);
        return yq_error(YQ_EFORMAT, "gzip data is corrupt, truncated or inflates to more than %zu bytes", max_size);
    }
    *out = buf;
    *out_len = used;
    return YQ_OK;
}

typedef struct walker {
    xmlTextReaderPtr reader;
    crawl_feed *feed;
    size_t cap;
    int entry_depth; /* depth of the open item/entry/url/sitemap element, or -1 */
    int entry_done;  /* the open entry already gave its URL */
    char *guid;      /* RSS: a permalink guid, used when the item has no <link> */
} walker;

static int add_url(walker *w, const char *href) {
    xmlChar *base = xmlTextReaderBaseUri(w->reader);
    xmlChar *absolute = xmlBuildURI((const xmlChar *)href, base);
    xmlFree(base);
    const char *url = absolute ? (const char *)absolute : href;
    int http = !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8);
    if (http && w->feed->n_urls == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        char **grown = realloc(w->feed->urls, cap * sizeof *grown);
        if (!grown) {
            xmlFree(absolute);
            return yq_error(YQ_ENOMEM, "out of memory reading a feed");
        }
        w->feed->urls = grown, w->cap = cap;
    }
    if (http && !(w->feed->urls[w->feed->n_urls++] = strdup(url))) {
        w->feed->n_urls--;
        xmlFree(absolute);
        return yq_error(YQ_ENOMEM, "out of memory reading a feed");
    }
    xmlFree(absolute);
    w->entry_done = 1;
    return YQ_OK;
}

/* The trimmed text content of the current element (malloc'd by libxml2). */
static char *element_text(walker *w) {
    xmlChar *text = xmlTextReaderReadString(w->reader);
    if (!text) return NULL;
    char *s = (char *)text, *e = s + strlen(s);
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) e--;
    memmove(text, s, (size_t)(e - s));
    text[e - s] = '\0';
    return (char *)text;
}

static crawl_feed_kind root_kind(const char *name) {
    if (!strcmp(name, "rss") || !strcmp(name, "RDF")) return CRAWL_FEED_RSS;
    if (!strcmp(name, "feed")) return CRAWL_FEED_ATOM;
    if (!strcmp(name, "urlset")) return CRAWL_FEED_URLSET;
    if (!strcmp(name, "sitemapindex")) return CRAWL_FEED_SITEMAPINDEX;
    return CRAWL_FEED_NONE;
}

static const char *entry_name(crawl_feed_kind kind) {
    static const char *const names[] = {"", "item", "entry", "url", "sitemap"};
    return names[kind];
}

/* An Atom <link>: the entry's URL when rel is absent or "alternate". */
static int atom_link(walker *w) {
    xmlChar *rel = xmlTextReaderGetAttribute(w->reader, (const xmlChar *)"rel");
    xmlChar *href = xmlTextReaderGetAttribute(w->reader, (const xmlChar *)"href");
    int rc = YQ_OK;
    if (href && (!rel || !strcmp((const char *)rel, "alternate"))) rc = add_url(w, (const char *)href);
    xmlFree(rel);
    xmlFree(href);
    return rc;
}

/* RSS <guid>: kept in case the item has no <link>, unless isPermaLink="false". */
static void rss_guid(walker *w) {
    xmlChar *permalink = xmlTextReaderGetAttribute(w->reader, (const xmlChar *)"isPermaLink");
    if (!permalink || strcmp((const char *)permalink, "false")) {
        free(w->guid);
        char *text = element_text(w);
        w->guid = text ? strdup(text) : NULL;
        xmlFree(text);
    }
    xmlFree(permalink);
}

/* A child element of the open entry. */
static int entry_child(walker *w, const char *name) {
    crawl_feed_kind kind = w->feed->kind;
    if (kind == CRAWL_FEED_ATOM) return strcmp(name, "link") ? YQ_OK : atom_link(w);
    if (kind == CRAWL_FEED_RSS && !strcmp(name, "guid")) return rss_guid(w), YQ_OK;
    if (strcmp(name, kind == CRAWL_FEED_RSS ? "link" : "loc")) return YQ_OK;
    char *text = element_text(w);
    int rc = text && *text ? add_url(w, text) : YQ_OK;
    xmlFree(text);
    return rc;
}

/* Closes the open entry: an RSS item without <link> falls back to its guid. */
static int close_entry(walker *w) {
    int rc = YQ_OK;
    if (w->entry_depth >= 0 && !w->entry_done && w->guid) rc = add_url(w, w->guid);
    free(w->guid);
    w->guid = NULL;
    w->entry_depth = -1;
    return rc;
}

static int visit(walker *w) {
    int type = xmlTextReaderNodeType(w->reader), depth = xmlTextReaderDepth(w->reader);
    const char *name = (const char *)xmlTextReaderConstLocalName(w->reader);
    if (type == XML_READER_TYPE_END_ELEMENT && depth == w->entry_depth) return close_entry(w);
    if (type != XML_READER_TYPE_ELEMENT || !name) return YQ_OK;
    if (depth == 0) {
        w->feed->kind = root_kind(name);
        return YQ_OK;
    }
    if (w->feed->kind == CRAWL_FEED_NONE) return YQ_OK;
    if (w->entry_depth >= 0 && depth <= w->entry_depth) {
        int rc = close_entry(w);
        if (rc) return rc;
    }
    if (w->entry_depth < 0 && !strcmp(name, entry_name(w->feed->kind))) {
        w->entry_depth = depth, w->entry_done = 0;
        if (xmlTextReaderIsEmptyElement(w->reader)) w->entry_depth = -1;
        return YQ_OK;
    }
    if (w->entry_depth >= 0 && depth == w->entry_depth + 1 && !w->entry_done) return entry_child(w, name);
    return YQ_OK;
}

static int walk(const char *xml, size_t len, const char *url, crawl_feed *out) {
    int options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    walker w = {.feed = out, .entry_depth = -1};
    w.reader = xmlReaderForMemory(xml, (int)len, url, NULL, options);
    if (!w.reader) return yq_error(YQ_ENOMEM, "out of memory reading a feed");
    int rc = YQ_OK;
    while (!rc && xmlTextReaderRead(w.reader) == 1) {
        rc = visit(&w);
        int root = xmlTextReaderDepth(w.reader) == 0 && xmlTextReaderNodeType(w.reader) == XML_READER_TYPE_ELEMENT;
        if (root && out->kind == CRAWL_FEED_NONE) break; /* not a feed: stop reading */
    }
    if (!rc) rc = close_entry(&w);
    free(w.guid);
    xmlFreeTextReader(w.reader);
    return rc;
}

int crawl_feed_parse(const char *bytes, size_t len, const char *url, size_t max_size, crawl_feed *out) {
    memset(out, 0, sizeof *out);
    char *inflated = NULL;
    if (len >= 2 && (unsigned char)bytes[0] == 0x1f && (unsigned char)bytes[1] == 0x8b) {
        int rc = gunzip(bytes, len, max_size, &inflated, &len);
        if (rc) return rc;
        bytes = inflated;
    }
    int rc = len > 0x7fffffff ? yq_error(YQ_EFORMAT, "feed larger than 2 GiB") : walk(bytes, len, url, out);
    free(inflated);
    if (rc) crawl_feed_free(out);
    return rc;
}

void crawl_feed_free(crawl_feed *feed) {
    for (size_t i = 0; i < feed->n_urls; i++) free(feed->urls[i]);
    free(feed->urls);
    memset(feed, 0, sizeof *feed);
}
