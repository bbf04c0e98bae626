/* Feeds and sitemaps: RSS 2.0 (and RSS 1.0/RDF), Atom (RFC 4287), sitemap urlsets and sitemap
 * indexes (sitemaps.org), plain or gzip'd, parsed with libxml2's streaming reader into the list
 * of URLs they point to. */
#ifndef YUQING_CRAWL_FEED_H
#define YUQING_CRAWL_FEED_H

#include <stddef.h>

typedef enum {
    CRAWL_FEED_NONE = 0,     /* not a feed or sitemap (an HTML page, say) */
    CRAWL_FEED_RSS,          /* <rss> or <rdf:RDF>: item links */
    CRAWL_FEED_ATOM,         /* <feed>: entry alternate links */
    CRAWL_FEED_URLSET,       /* <urlset>: page locations */
    CRAWL_FEED_SITEMAPINDEX, /* <sitemapindex>: locations of more sitemaps */
} crawl_feed_kind;

typedef struct crawl_feed {
    crawl_feed_kind kind;
    char **urls; /* absolute URLs (resolved against the document's URL and xml:base), in order */
    size_t n_urls;
} crawl_feed;

/* 1 when the bytes look like XML or gzip (worth trying crawl_feed_parse), else 0. */
int crawl_feed_sniff(const char *bytes, size_t len);

/* Parses a feed or sitemap of `len` bytes fetched from `url` (gzip is inflated first, to at most
 * `max_size` bytes). A document of another kind gives kind CRAWL_FEED_NONE and no URLs.
 * Errors: YQ_EFORMAT (bad gzip or inflated size over max_size), YQ_ENOMEM. Free with
 * crawl_feed_free. External entities are never loaded and the network is never read. */
int crawl_feed_parse(const char *bytes, size_t len, const char *url, size_t max_size, crawl_feed *out);
void crawl_feed_free(crawl_feed *feed);

#endif
