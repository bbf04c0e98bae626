/* robots.txt against published cases: RFC 9309's example file (§5.1) and encoding table
 * (§2.2.2), Google's "URL matching based on path values" and "order of precedence" tables
 * (developers.google.com/search/docs/crawling-indexing/robots/robots_txt), and the cache's
 * RFC 9309 rules for 4xx, 5xx and unreachable servers. */
#include <string.h>

#include "testutil.h"
#include "yuqing/robots.h"

static yq_robots *parse(const char *text, const char *agent) {
    yq_robots *r = NULL;
    CHECK(yq_robots_parse(text, strlen(text), agent, &r) == 0);
    return r;
}

/* RFC 9309 §5.1 */
static const char rfc_example[] = "User-Agent: *\n"
                                  "Disallow: *.gif$\n"
                                  "Disallow: /example/\n"
                                  "Allow: /publications/\n"
                                  "\n"
                                  "User-Agent: foobot\n"
                                  "Disallow:/\n"
                                  "Allow:/example/page.html\n"
                                  "Allow:/example/allowed.gif\n"
                                  "\n"
                                  "User-Agent: barbot\n"
                                  "User-Agent: bazbot\n"
                                  "Disallow: /example/page.html\n"
                                  "\n"
                                  "User-Agent: quxbot\n"
                                  "\n"
                                  "EOF\n";

static void test_rfc_example(void) {
    yq_robots *foo = parse(rfc_example, "FooBot"), *bar = parse(rfc_example, "barbot"),
              *baz = parse(rfc_example, "bazbot"), *qux = parse(rfc_example, "quxbot"),
              *other = parse(rfc_example, "yuqing");
    CHECK(!yq_robots_allowed(foo, "/"));
    CHECK(!yq_robots_allowed(foo, "/example/other.html"));
    CHECK(yq_robots_allowed(foo, "/example/page.html"));
    CHECK(yq_robots_allowed(foo, "http://example.com/example/allowed.gif"));
    CHECK(!yq_robots_allowed(bar, "/example/page.html"));
    CHECK(yq_robots_allowed(bar, "/example/other.html"));
    CHECK(!yq_robots_allowed(baz, "/example/page.html"));
    CHECK(yq_robots_allowed(qux, "/example/page.html"));
    CHECK(yq_robots_allowed(qux, "/x.gif"));
    CHECK(!yq_robots_allowed(other, "/x.gif"));
    CHECK(yq_robots_allowed(other, "/x.gif?size=2"));
    CHECK(!yq_robots_allowed(other, "/example/a"));
    CHECK(yq_robots_allowed(other, "/publications/a"));
    CHECK(yq_robots_allowed(other, "/robots.txt"));
    yq_robots_free(foo);
    yq_robots_free(bar);
    yq_robots_free(baz);
    yq_robots_free(qux);
    yq_robots_free(other);
}

/* RFC 9309 §2.2.2: percent-encoding on either side. */
static void test_encoding(void) {
    yq_robots *r = parse("user-agent: *\n"
                         "disallow: /foo/bar?baz=quz\n"
                         "disallow: /foo/bar/ツ\n"
                         "disallow: /foo/bar/%62%61%7A\n"
                         "disallow: /a/%E3%83%84\n",
                         "yuqing");
    CHECK(!yq_robots_allowed(r, "/foo/bar?baz=quz"));
    CHECK(yq_robots_allowed(r, "/foo/bar?baz=qux"));
    CHECK(!yq_robots_allowed(r, "/foo/bar/%E3%83%84"));
    CHECK(!yq_robots_allowed(r, "/foo/bar/%e3%83%84"));
    CHECK(!yq_robots_allowed(r, "/foo/bar/baz"));
    CHECK(!yq_robots_allowed(r, "/a/ツ"));
    yq_robots_free(r);
}

typedef struct {
    const char *pattern;
    const char *yes[7];
    const char *no[6];
} path_case;

/* Google's table of path matching (each pattern as a lone Disallow under '*'). */
static const path_case google_paths[] = {
    {"/", {"/", "/x", "/a/b?c"}, {0}},
    {"/*", {"/", "/x"}, {0}},
    {"/$", {"/"}, {"/page.htm"}},
    {"/fish",
     {"/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html",
      "/fish.php?id=anything"},
     {"/Fish.asp", "/catfish", "/?id=fish", "/desert/fish"}},
    {"/fish*",
     {"/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html",
      "/fish.php?id=anything"},
     {"/Fish.asp", "/catfish", "/?id=fish", "/desert/fish"}},
    {"/fish/",
     {"/fish/", "/fish/?id=anything", "/fish/salmon.htm"},
     {"/fish", "/fish.html", "/animals/fish/", "/Fish/Salmon.asp"}},
    {"/*.php",
     {"/index.php", "/filename.php", "/folder/filename.php", "/folder/filename.php?parameters",
      "/folder/any.php.file.html", "/filename.php/"},
     {"/", "/windows.PHP"}},
    {"/*.php$",
     {"/filename.php", "/folder/filename.php"},
     {"/filename.php?parameters", "/filename.php/", "/filename.php5", "/windows.PHP"}},
    {"/fish*.php", {"/fish.php", "/fishheads/catfish.php?parameters"}, {"/Fish.PHP"}},
};

static void test_google_paths(void) {
    for (size_t i = 0; i < sizeof google_paths / sizeof *google_paths; i++) {
        const path_case *pc = &google_paths[i];
        char text[128];
        snprintf(text, sizeof text, "User-agent: *\nDisallow: %s\n", pc->pattern);
        yq_robots *r = parse(text, "yuqing");
        for (int k = 0; k < 7 && pc->yes[k]; k++)
            CHECKF(!yq_robots_allowed(r, pc->yes[k]), "%s should match %s", pc->pattern, pc->yes[k]);
        for (int k = 0; k < 6 && pc->no[k]; k++)
            CHECKF(yq_robots_allowed(r, pc->no[k]), "%s should not match %s", pc->pattern, pc->no[k]);
        yq_robots_free(r);
    }
}

/* Google's order-of-precedence table. */
static void test_precedence(void) {
    static const struct {
        const char *rules, *url;
        int allowed;
    } cases[] = {
        {"allow: /p\ndisallow: /\n", "http://example.com/page", 1},
        {"allow: /folder\ndisallow: /folder\n", "http://example.com/folder/page", 1},
        {"allow: /page\ndisallow: /*.htm\n", "http://example.com/page.htm", 0},
        {"allow: /page\ndisallow: /*.ph\n", "http://example.com/page.php5", 1},
        {"allow: /$\ndisallow: /\n", "http://example.com/", 1},
        {"allow: /$\ndisallow: /\n", "http://example.com/page.htm", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[128];
        snprintf(text, sizeof text, "user-agent: *\n%s", cases[i].rules);
        yq_robots *r = parse(text, "yuqing");
        CHECKF(yq_robots_allowed(r, cases[i].url) == cases[i].allowed, "precedence case %zu", i);
        yq_robots_free(r);
    }
}

/* Our token's groups (merged) win over '*', whatever the product token's case or version;
 * crawl-delay and sitemaps; comments, CRLF, BOM. */
static void test_groups(void) {
    const char *text = "\xEF\xBB\xBF# comment\r\n"
                       "Sitemap: http://h/sitemap.xml\r\n"
                       "User-agent: *\r\nDisallow: /\r\nCrawl-delay: 9\r\n\r\n"
                       "User-agent: YuQing/2.0 # us\r\nDisallow: /private/\r\nCrawl-delay: 0.5\r\n"
                       "User-agent: other\r\nDisallow: /x/\r\n"
                       "User-agent: yuqing\r\nDisallow: /members/\r\n"
                       "Sitemap: http://h/news.xml\r\n";
    yq_robots *r = parse(text, "yuqing");
    CHECK(yq_robots_allowed(r, "/news/a.html"));
    CHECK(!yq_robots_allowed(r, "/private/a"));
    CHECK(!yq_robots_allowed(r, "/members/a"));
    CHECK(yq_robots_allowed(r, "/x/a"));
    CHECK(yq_robots_crawl_delay(r) == 0.5);
    int n;
    const char *const *maps = yq_robots_sitemaps(r, &n);
    CHECK(n == 2 && strcmp(maps[0], "http://h/sitemap.xml") == 0 &&
          strcmp(maps[1], "http://h/news.xml") == 0);
    yq_robots_free(r);
    r = parse(text, "somebot");
    CHECK(!yq_robots_allowed(r, "/news/a.html"));
    CHECK(yq_robots_crawl_delay(r) == 9);
    yq_robots_free(r);
    r = parse("", "yuqing");
    CHECK(yq_robots_allowed(r, "/anything") && yq_robots_crawl_delay(r) < 0);
    yq_robots_free(r);
}

static void test_cache(void) {
    yq_robots_cache *c = yq_robots_cache_new("yuqing");
    const yq_robots *rules;
    const char *o1 = "http://a.com", *o2 = "http://b.com", *o3 = "http://c.com";
    CHECK(yq_robots_cache_get(c, o1, 0, &rules) == YQ_ROBOTS_FETCH);
    CHECK(yq_robots_cache_get(c, o1, 1, &rules) == YQ_ROBOTS_WAIT);
    const char *body = "User-agent: *\nDisallow: /private/\n";
    CHECK(yq_robots_cache_put(c, o1, 200, body, strlen(body), 2, 0) == 0);
    CHECK(yq_robots_cache_get(c, o1, 3, &rules) == YQ_ROBOTS_READY);
    CHECK(rules && !yq_robots_allowed(rules, "http://a.com/private/x") && yq_robots_allowed(rules, "/x"));
    CHECK(yq_robots_cache_get(c, o1, 2 + 24 * 3600 + 1, &rules) == YQ_ROBOTS_FETCH); /* expired */
    /* 404: allow all */
    CHECK(yq_robots_cache_get(c, o2, 0, &rules) == YQ_ROBOTS_FETCH);
    CHECK(yq_robots_cache_put(c, o2, 404, "Disallow: /", 11, 0, 0) == 0);
    CHECK(yq_robots_cache_get(c, o2, 1, &rules) == YQ_ROBOTS_READY && yq_robots_allowed(rules, "/private/"));
    /* 503 and unreachable: disallow all until the retry time */
    CHECK(yq_robots_cache_put(c, o3, 503, NULL, 0, 0, 60) == 0);
    CHECK(yq_robots_cache_get(c, o3, 59, &rules) == YQ_ROBOTS_READY && !yq_robots_allowed(rules, "/"));
    CHECK(yq_robots_cache_get(c, o3, 61, &rules) == YQ_ROBOTS_FETCH);
    CHECK(yq_robots_cache_put(c, o3, 0, NULL, 0, 61, 0) == 0);
    CHECK(yq_robots_cache_get(c, o3, 62, &rules) == YQ_ROBOTS_READY && !yq_robots_allowed(rules, "/a"));
    CHECK(yq_robots_allowed(rules, "/robots.txt"));
    /* many origins: the table grows */
    for (int i = 0; i < 1000; i++) {
        char origin[64];
        snprintf(origin, sizeof origin, "http://h%d.com", i);
        CHECK(yq_robots_cache_get(c, origin, 0, &rules) == YQ_ROBOTS_FETCH);
    }
    CHECK(yq_robots_cache_get(c, o2, 2, &rules) == YQ_ROBOTS_READY && yq_robots_allowed(rules, "/a"));
    yq_robots_cache_free(c);
}

int main(void) {
    test_rfc_example();
    test_encoding();
    test_google_paths();
    test_precedence();
    test_groups();
    test_cache();
    return test_summary("test_robots");
}
