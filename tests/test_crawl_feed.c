/* Feeds and sitemaps: the specification examples of RSS 2.0, Atom (RFC 4287) and sitemaps.org
 * (tests/data/crawl) to the URLs a reader of those specifications finds in them. */
#include <stdlib.h>
#include <string.h>

#include "crawl/feed.h"
#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"

/* Parses tests/data/crawl/NAME and compares kind and URLs. */
static void expect(const char *name, crawl_feed_kind kind, const char *const *urls, size_t n) {
    char *bytes;
    size_t len;
    char path[256];
    snprintf(path, sizeof path, "crawl/%s", name);
    if (yq_read_file(test_data_path(path), &bytes, &len) != 0) {
        CHECKF(0, "%s: %s", name, yq_last_error());
        return;
    }
    CHECKF(crawl_feed_sniff(bytes, len) == 1, "%s not sniffed as XML", name);
    crawl_feed feed;
    int rc = crawl_feed_parse(bytes, len, "http://feeds.example/dir/feed.xml", 1 << 20, &feed);
    free(bytes);
    CHECKF(rc == 0, "%s: %s", name, yq_last_error());
    if (rc) return;
    CHECKF(feed.kind == kind, "%s: kind %d, want %d", name, feed.kind, kind);
    CHECKF(feed.n_urls == n, "%s: %zu URLs, want %zu", name, feed.n_urls, n);
    for (size_t i = 0; i < n && i < feed.n_urls; i++)
        CHECKF(!strcmp(feed.urls[i], urls[i]), "%s: URL %zu is %s, want %s", name, i, feed.urls[i], urls[i]);
    crawl_feed_free(&feed);
}

static void test_rss(void) {
    /* The second item has no <link>: its guid is a permalink (isPermaLink defaults to true). */
    static const char *const urls[] = {"http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp",
                                       "http://liftoff.msfc.nasa.gov/2003/05/30.html#item572",
                                       "http://liftoff.msfc.nasa.gov/news/2003/news-VASIMR.asp",
                                       "http://liftoff.msfc.nasa.gov/news/2003/news-laundry.asp"};
    expect("rss2.xml", CRAWL_FEED_RSS, urls, 4);
}

static void test_atom(void) {
    static const char *const urls[] = {"http://example.org/2005/04/02/atom"}; /* not the enclosure */
    expect("atom.xml", CRAWL_FEED_ATOM, urls, 1);
    static const char *const based[] = {"http://example.org/blog/2003/12/13/atom03",
                                        "http://example.org/other/second?a=1&b=2"};
    expect("atom_base.xml", CRAWL_FEED_ATOM, based, 2);
}

static void test_sitemaps(void) {
    static const char *const urls[] = {"http://www.example.com/",
                                       "http://www.example.com/catalog?item=12&desc=vacation_hawaii",
                                       "http://www.example.com/catalog?item=73&desc=vacation_new_zealand",
                                       "http://www.example.com/catalog?item=74&desc=vacation_newfoundland",
                                       "http://www.example.com/catalog?item=83&desc=vacation_usa"};
    expect("sitemap.xml", CRAWL_FEED_URLSET, urls, 5);
    expect("sitemap.xml.gz", CRAWL_FEED_URLSET, urls, 5);
    static const char *const index[] = {"http://www.example.com/sitemap1.xml.gz",
                                        "http://www.example.com/sitemap2.xml.gz"};
    expect("sitemapindex.xml", CRAWL_FEED_SITEMAPINDEX, index, 2);
}

static void test_not_feeds(void) {
    static const char html[] = "<!DOCTYPE html><html><body><a href='/x'>x</a></body></html>";
    CHECK(crawl_feed_sniff(html, strlen(html)) == 0);
    static const char xhtml[] = "<?xml version='1.0'?><html><body><link href='x'/></body></html>";
    crawl_feed feed;
    CHECK(crawl_feed_parse(xhtml, strlen(xhtml), "http://a/", 1000, &feed) == 0);
    CHECK(feed.kind == CRAWL_FEED_NONE && feed.n_urls == 0);
    crawl_feed_free(&feed);
    /* A gzip bomb is cut at max_size; a truncated stream is an error. */
    char *gz;
    size_t len;
    if (yq_read_file(test_data_path("crawl/sitemap.xml.gz"), &gz, &len) == 0) {
        CHECK(crawl_feed_parse(gz, len, "http://a/", 100, &feed) == YQ_EFORMAT);
        CHECK(crawl_feed_parse(gz, len / 2, "http://a/", 1 << 20, &feed) == YQ_EFORMAT);
        free(gz);
    }
    /* External entities are not loaded. */
    static const char xxe[] = "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                              "<urlset><url><loc>http://a/&e;</loc></url></urlset>";
    CHECK(crawl_feed_parse(xxe, strlen(xxe), "http://a/", 1000, &feed) == 0);
    CHECK(feed.n_urls <= 1 && (!feed.n_urls || !strstr(feed.urls[0], "root:")));
    crawl_feed_free(&feed);
}

int main(void) {
    test_rss();
    test_atom();
    test_sitemaps();
    test_not_feeds();
    return test_summary("test_crawl_feed");
}
