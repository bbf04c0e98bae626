/* The crawl configuration: every key read with its default, and bad files rejected with the
 * file, line and key in the message. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/crawl.h"
#include "yuqing/error.h"

static const char full[] =
    "concurrency: 8\n"
    "per_domain_concurrency: 1\n"
    "delay: 250ms\n"
    "autothrottle: false\n"
    "timeout: 20s\n"
    "retries: 2\n"
    "user_agents: [UA-one, UA-two]\n"
    "obey_robots: no\n"
    "robots_agent: mybot\n"
    "proxy: http://proxy:3128\n"
    "cookies:\n"
    "  news.example: \"a=1; b=2\"\n"
    "max_response_size: 2MB\n"
    "tracking_params: [utm_*, ref]\n"
    "render_concurrency: 3\n"
    "output:\n"
    "  jsonl: items.jsonl\n"
    "  sqlite: items.db\n"
    "sources:\n"
    "  - name: news\n"
    "    start_urls: [http://News.Example:8080/, https://feeds.example/rss.xml]\n"
    "    follow: ['/news/']\n"
    "    deny: ['\\.pdf$']\n"
    "    article: ['/news/\\d+\\.html$']\n"
    "    max_depth: 3\n"
    "    max_pages: 500\n"
    "    schedule: '*/10 * * * *'\n"
    "    allow_private: true\n"
    "  - name: blog\n"
    "    start_urls: http://blog.example/\n"
    "    allowed_domains: [blog.example, cdn.example]\n"
    "    schedule: {every: 30s}\n"
    "    render: true\n"
    "    transcribe: yes\n";

static void test_full(void) {
    yq_crawl_config *c = NULL;
    int rc = yq_crawl_config_parse("c.yaml", full, strlen(full), &c);
    CHECKF(rc == 0, "%s", yq_last_error());
    if (rc) return;
    CHECK(c->concurrency == 8 && c->per_domain_concurrency == 1 && c->delay == 0.25 && !c->autothrottle);
    CHECK(c->timeout == 20 && c->connect_timeout == 10 && c->retries == 2 && c->max_redirects == 5);
    CHECK(c->n_user_agents == 2 && !strcmp(c->user_agents[1], "UA-two"));
    CHECK(!c->obey_robots && !strcmp(c->robots_agent, "mybot") && !strcmp(c->proxy, "http://proxy:3128"));
    CHECK(c->n_cookies == 1 && !strcmp(c->cookies[0].domain, "news.example") && !strcmp(c->cookies[0].cookie, "a=1; b=2"));
    CHECK(c->max_response_size == 2 << 20);
    CHECK(c->n_tracking_params == 2 && !strcmp(c->tracking_params[1], "ref"));
    CHECK(c->render_concurrency == 3 && !strcmp(c->out_jsonl, "items.jsonl") && !strcmp(c->out_sqlite_table, "items"));
    CHECK(c->n_sources == 2);
    if (c->n_sources == 2) {
        const yq_crawl_source *s = &c->sources[0];
        CHECK(s->n_start_urls == 2 && s->max_depth == 3 && s->max_pages == 500 && s->allow_private && !s->render);
        CHECK(s->n_allowed_domains == 2 && !strcmp(s->allowed_domains[0], "news.example") &&
              !strcmp(s->allowed_domains[1], "feeds.example"));
        CHECK(yq_regex_list_match(&s->article, "http://news.example/news/12.html"));
        CHECK(!yq_regex_list_match(&s->article, "http://news.example/news/12.html?x"));
        CHECK(yq_regex_list_match(&s->deny, "http://news.example/a.pdf"));
        CHECK(s->schedule.every == 0 && s->schedule.cron.minute == (1ull | 1ull << 10 | 1ull << 20 | 1ull << 30 | 1ull << 40 | 1ull << 50));
        const yq_crawl_source *b = &c->sources[1];
        CHECK(b->n_start_urls == 1 && b->schedule.every == 30 && b->render && b->transcribe && b->max_depth == 2);
        CHECK(b->n_allowed_domains == 2 && !strcmp(b->allowed_domains[1], "cdn.example"));
    }
    yq_crawl_config_free(c);
}

static void test_defaults(void) {
    static const char text[] = "sources:\n  - name: a\n    start_urls: [http://a.example/]\n";
    yq_crawl_config *c = NULL;
    CHECK(yq_crawl_config_parse("d.yaml", text, strlen(text), &c) == 0);
    if (!c) return;
    CHECK(c->concurrency == 16 && c->per_domain_concurrency == 2 && c->delay == 1 && c->autothrottle);
    CHECK(c->obey_robots && !strcmp(c->robots_agent, "yuqing") && !c->proxy && c->max_response_size == 10 << 20);
    CHECK(c->n_tracking_params == 5 && !strcmp(c->tracking_params[0], "utm_*"));
    CHECK(!c->out_jsonl && !c->out_sqlite && c->n_user_agents == 0);
    CHECK(c->sources[0].schedule.every == 900 && c->sources[0].max_pages == 0 && !c->sources[0].allow_private);
    yq_crawl_config_free(c);
}

/* `text` must be refused with a message starting "bad.yaml:LINE: " and containing `needle`. */
static void expect_error(const char *text, int line, const char *needle) {
    yq_crawl_config *c = NULL;
    int rc = yq_crawl_config_parse("bad.yaml", text, strlen(text), &c);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "bad.yaml:%d: ", line);
    CHECKF(rc == YQ_EINVAL && c == NULL, "accepted: %s", text);
    CHECKF(!strncmp(yq_last_error(), prefix, strlen(prefix)) && strstr(yq_last_error(), needle),
           "'%s' lacks '%s%s'", yq_last_error(), prefix, needle);
    yq_crawl_config_free(c);
}

#define SRC "sources:\n  - name: a\n    start_urls: [http://a.example/]\n"

static void test_errors(void) {
    expect_error("concurency: 3\n" SRC, 1, "unknown key 'concurency'");
    expect_error(SRC "    folow: [x]\n", 4, "unknown key 'folow' in source");
    expect_error(SRC "    follow: ['(']\n", 4, "follow: bad regex '('");
    expect_error(SRC "    schedule: '61 * * * *'\n", 4, "schedule: cron minute");
    expect_error(SRC "    schedule: {every: soon}\n", 4, "every: expected a duration");
    expect_error(SRC "    schedule: {hourly: 1}\n", 4, "unknown key 'hourly' in schedule");
    expect_error(SRC "    max_depth: -1\n", 4, "max_depth: expected an integer");
    expect_error(SRC "    render: maybe\n", 4, "render: expected true or false");
    expect_error("delay: fast\n" SRC, 1, "delay: expected a duration");
    expect_error("max_response_size: huge\n" SRC, 1, "max_response_size: expected a size");
    expect_error("concurrency: 0\n" SRC, 1, "concurrency: expected an integer in [1, 10000]");
    expect_error("cookies: [a]\n" SRC, 1, "cookies: expected a mapping");
    expect_error("output:\n  csv: x\n" SRC, 2, "unknown key 'csv' in output");
    expect_error("output:\n  sqlite_table: 'x; drop'\n" SRC, 2, "sqlite_table");
    expect_error("concurrency: 2\n", 1, "sources: expected a list");
    expect_error("sources:\n  - start_urls: [http://a/]\n", 2, "name: every source needs a name");
    expect_error("sources:\n  - name: a\n    start_urls: [ftp://a/]\n", 3, "'ftp://a/' is not an absolute http");
    expect_error("sources:\n  - name: a\n    start_urls: []\n", 3, "start_urls: give at least one URL");
    expect_error(SRC "  - name: a\n    start_urls: [http://b/]\n", 4, "duplicate source name 'a'");
}

int main(void) {
    test_full();
    test_defaults();
    test_errors();
    return test_summary("test_crawl_config");
}
