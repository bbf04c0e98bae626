/* The fetcher against the fixture news site on a loopback port, with the server's request log
 * as the witness: gzip, redirects and the loop cut off with its reason, the 50 MB response cut
 * at the size limit, 503-then-200 retried with growing gaps, 429's Retry-After honoured, private
 * addresses refused unless allowed, User-Agents from the pool, cookies, concurrency, timeouts,
 * connection reuse; and the address classification against RFC 6890's registries. */
#include <cjson/cJSON.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/fetch.h"
#include "yuqing/politeness.h"
#include "yuqing/robots.h"

static pid_t site_pid;
static int site_port;
static char log_path[64], content_dir[64];

static int start_site(void) {
    snprintf(log_path, sizeof log_path, "/tmp/yuqing-fetch-log-XXXXXX");
    int fd = mkstemp(log_path);
    if (fd < 0) return -1;
    close(fd);
    snprintf(content_dir, sizeof content_dir, "/tmp/yuqing-fetch-content-XXXXXX");
    if (!mkdtemp(content_dir)) return -1;
    int out[2];
    if (pipe(out)) return -1;
    site_pid = fork();
    if (site_pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        execl(YQ_FIXTURE_SITE, "fixture_site", "--log", log_path, "--content", content_dir, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[32] = "";
    ssize_t n = read(out[0], line, sizeof line - 1);
    close(out[0]);
    site_port = n > 0 ? atoi(line) : 0;
    return site_port > 0 ? 0 : -1;
}

static void stop_site(void) {
    kill(site_pid, SIGTERM);
    waitpid(site_pid, NULL, 0);
    unlink(log_path);
    char path[128];
    snprintf(path, sizeof path, "%s/new.json", content_dir);
    unlink(path);
    rmdir(content_dir);
}

static const char *url(const char *path) {
    static char buf[8][256];
    static int next;
    char *u = buf[next++ % 8];
    snprintf(u, 256, "http://127.0.0.1:%d%s", site_port, path);
    return u;
}

static yq_fetch_response *get(const char *path, size_t max_size, long timeout_ms) {
    yq_fetch_request rq = {
        .url = url(path), .allow_private = 1, .max_size = max_size, .timeout_ms = timeout_ms};
    yq_fetch_response *r = NULL;
    CHECK(yq_fetch_once(NULL, &rq, &r) == 0 && r);
    return r;
}

/* The server's log lines for `path` (and query, when not NULL): times and ports. */
static int log_lines(const char *path, const char *query, double *times, int *ports, int max) {
    FILE *f = fopen(log_path, "r");
    char line[4096];
    int n = 0;
    while (f && fgets(line, sizeof line, f) && n < max) {
        cJSON *o = cJSON_Parse(line);
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(o, "path"));
        const char *q = cJSON_GetStringValue(cJSON_GetObjectItem(o, "query"));
        if (p && strcmp(p, path) == 0 && (!query || (q && strcmp(q, query) == 0))) {
            if (times) times[n] = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "t"));
            if (ports) ports[n] = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "port"));
            n++;
        }
        cJSON_Delete(o);
    }
    if (f) fclose(f);
    return n;
}

static void test_plain_and_gzip(void) {
    yq_fetch_response *r = get("/gzip.html", 0, 0);
    CHECK(r->error == YQ_FETCH_OK && r->status == 200);
    const char *enc = yq_fetch_header(r, "Content-Encoding");
    CHECK(enc && strcmp(enc, "gzip") == 0);
    CHECK(strncmp(r->body, "<!DOCTYPE html>", 15) == 0 && strstr(r->body, "</html>"));
    CHECK(r->content_type && strstr(r->content_type, "text/html"));
    yq_fetch_response_free(r);
    r = get("/no/such/page", 0, 0);
    CHECK(r->error == YQ_FETCH_HTTP && r->status == 404 && strstr(r->body, "404"));
    yq_fetch_response_free(r);
}

static void test_redirects(void) {
    yq_fetch_response *r = get("/redirect?n=3", 0, 0);
    CHECK(r->error == YQ_FETCH_OK && r->status == 200 && r->redirects == 3);
    CHECK(r->final_url && strcmp(r->final_url, url("/news/")) == 0);
    CHECK(strstr(r->body, "/news/xinghe-q3-results.html") != NULL);
    yq_fetch_response_free(r);
    r = get("/loop/a", 0, 0);
    CHECK(r->error == YQ_FETCH_REDIRECT_LOOP);
    CHECKF(strstr(r->reason, "redirect loop") && strstr(r->reason, "/loop/a -> ") &&
               strstr(r->reason, "/loop/b"),
           "reason: %s", r->reason);
    yq_fetch_response_free(r);
    CHECK(log_lines("/loop/a", NULL, NULL, NULL, 10) == 1 && log_lines("/loop/b", NULL, NULL, NULL, 10) == 1);
    yq_fetch_request rq = {.url = url("/redirect?n=5"), .allow_private = 1, .max_redirects = 2};
    CHECK(yq_fetch_once(NULL, &rq, &r) == 0);
    CHECKF(r->error == YQ_FETCH_REDIRECT_LOOP && strstr(r->reason, "more than 2 redirects"), "%s", r->reason);
    yq_fetch_response_free(r);
    rq.max_redirects = -1; /* not followed: the 302 itself */
    CHECK(yq_fetch_once(NULL, &rq, &r) == 0);
    CHECK(r->error == YQ_FETCH_OK && r->status == 302 && r->location &&
          strcmp(r->location, url("/redirect?n=4")) == 0);
    yq_fetch_response_free(r);
}

static void test_size_limit(void) {
    const char *paths[] = {"/huge", "/huge?chunked=1"};
    for (int i = 0; i < 2; i++) {
        yq_fetch_response *r = get(paths[i], 1 << 20, 0);
        CHECKF(r->error == YQ_FETCH_TOO_LARGE && r->body_len == 0 && strstr(r->reason, "1048576"),
               "%s: %s %s", paths[i], yq_fetch_error_name(r->error), r->reason);
        yq_fetch_response_free(r);
    }
    yq_fetch_response *r = get("/huge", 60u << 20, 0); /* allowed: all 50 MB arrive */
    CHECK(r->error == YQ_FETCH_OK && r->body_len == 50000000);
    yq_fetch_response_free(r);
}

/* Fetches `path` until it succeeds or the retry policy gives up, sleeping as told. */
static yq_fetch_response *get_with_retries(const char *path, const yq_retry_config *rc, int *attempts) {
    uint64_t rng = 1;
    for (int attempt = 1;; attempt++) {
        yq_fetch_response *r = get(path, 0, 0);
        double d = yq_retry_delay(rc, attempt, r->error, r->status, yq_fetch_header(r, "retry-after"),
                                  time(NULL), &rng);
        *attempts = attempt;
        if (d < 0) return r;
        yq_fetch_response_free(r);
        usleep((useconds_t)(d * 1e6));
    }
}

static void test_retries(void) {
    yq_retry_config rc = {.max_retries = 3, .base_s = 0.2, .max_s = 5};
    int attempts;
    yq_fetch_response *r = get_with_retries("/flaky/a?fail=2", &rc, &attempts);
    CHECK(r->error == YQ_FETCH_OK && r->status == 200 && attempts == 3);
    yq_fetch_response_free(r);
    double t[8];
    CHECK(log_lines("/flaky/a", NULL, t, NULL, 8) == 3);
    CHECKF(t[1] - t[0] >= 0.1 && t[2] - t[1] >= 0.2 && t[2] - t[1] > t[1] - t[0], "gaps %.3f %.3f",
           t[1] - t[0], t[2] - t[1]);
    /* never recovers: 1 + 3 attempts, then the 503 is returned */
    r = get_with_retries("/flaky/b?fail=100", &rc, &attempts);
    CHECK(r->error == YQ_FETCH_HTTP && r->status == 503 && attempts == 4);
    yq_fetch_response_free(r);
    CHECK(log_lines("/flaky/b", NULL, NULL, NULL, 8) == 4);
    /* 429 with Retry-After: 1 (seconds), then with an HTTP date */
    r = get_with_retries("/ratelimit/c?fail=1&after=1", &rc, &attempts);
    CHECK(r->status == 200 && attempts == 2);
    yq_fetch_response_free(r);
    CHECK(log_lines("/ratelimit/c", NULL, t, NULL, 8) == 2 && t[1] - t[0] >= 0.99);
    r = get_with_retries("/ratelimit/d?fail=1&after=2&date=1", &rc, &attempts);
    CHECK(r->status == 200 && attempts == 2);
    yq_fetch_response_free(r);
    CHECK(log_lines("/ratelimit/d", NULL, t, NULL, 8) == 2 && t[1] - t[0] >= 0.99);
}

static void test_private(void) {
    yq_fetch_request rq = {.url = url("/news/")};
    yq_fetch_response *r;
    CHECK(yq_fetch_once(NULL, &rq, &r) == 0);
    CHECKF(r->error == YQ_FETCH_REFUSED_PRIVATE && strstr(r->reason, "private"), "%s", r->reason);
    yq_fetch_response_free(r);
    char local[128];
    snprintf(local, sizeof local, "http://localhost:%d/news/", site_port);
    rq.url = local;
    CHECK(yq_fetch_once(NULL, &rq, &r) == 0 && r->error == YQ_FETCH_REFUSED_PRIVATE);
    yq_fetch_response_free(r);
    /* a name that is not a literal address: refused when connecting */
    struct addrinfo *ai = NULL;
    if (getaddrinfo("ip6-localhost", NULL, NULL, &ai) == 0) {
        snprintf(local, sizeof local, "http://ip6-localhost:%d/news/", site_port);
        CHECK(yq_fetch_once(NULL, &rq, &r) == 0);
        CHECKF(r->error == YQ_FETCH_REFUSED_PRIVATE && strstr(r->reason, "::1"), "%s", r->reason);
        yq_fetch_response_free(r);
        freeaddrinfo(ai);
    }
    /* allowed, then refused on the same fetcher (its connection is open) */
    int before = log_lines("/news/", NULL, NULL, NULL, 100);
    rq.url = url("/news/");
    rq.allow_private = 1;
    CHECK(yq_fetch_once(NULL, &rq, &r) == 0 && r->error == YQ_FETCH_OK);
    yq_fetch_response_free(r);
    CHECK(log_lines("/news/", NULL, NULL, NULL, 100) == before + 1);
    CHECK(yq_fetch_once(NULL, &(yq_fetch_request){.url = url("/redirect?n=1&x=private")}, &r) == 0);
    CHECK(r->error == YQ_FETCH_REFUSED_PRIVATE);
    yq_fetch_response_free(r);
    CHECK(log_lines("/redirect", "n=1&x=private", NULL, NULL, 100) == 0);
}

typedef struct {
    int done;
    yq_fetch_response *r[32];
} collected;

static void collect(void *user, yq_fetch_response *r) {
    collected *c = user;
    c->r[c->done++] = r;
}

static void run_until(yq_fetcher *f, collected *c, int n) {
    for (int i = 0; i < 200 && c->done < n; i++)
        CHECK(yq_fetcher_poll(f, 100) >= 0);
}

static void free_collected(collected *c) {
    for (int i = 0; i < c->done; i++)
        yq_fetch_response_free(c->r[i]);
    c->done = 0;
}

static void test_multi(void) {
    yq_fetcher_config fc = yq_fetcher_defaults();
    fc.max_transfers = 16;
    yq_fetcher *f;
    CHECK(yq_fetcher_new(&fc, &f) == 0);
    collected c = {0};
    /* sequential requests reuse one connection */
    for (int i = 0; i < 3; i++) {
        CHECK(yq_fetcher_submit(f, &(yq_fetch_request){.url = url("/feed.atom"), .allow_private = 1}, collect,
                                &c) == 0);
        run_until(f, &c, 1);
        CHECK(c.r[0]->error == YQ_FETCH_OK && (i == 0 || c.r[0]->connection_reused));
        free_collected(&c);
    }
    int ports[8] = {0};
    CHECKF(log_lines("/feed.atom", NULL, NULL, ports, 8) == 3 && ports[1] == ports[0] && ports[2] == ports[0],
           "ports %d %d %d", ports[0], ports[1], ports[2]);
    /* 16 slow requests at once: all arrive at the server before the first one answers */
    for (int i = 0; i < 16; i++) {
        char path[64];
        snprintf(path, sizeof path, "/slow?ms=1500&i=%d", i);
        CHECK(yq_fetcher_submit(f, &(yq_fetch_request){.url = url(path), .allow_private = 1}, collect, &c) ==
              0);
    }
    CHECK(yq_fetcher_pending(f) == 16);
    run_until(f, &c, 16);
    CHECK(c.done == 16 && yq_fetcher_pending(f) == 0);
    for (int i = 0; i < c.done; i++)
        CHECK(c.r[i]->error == YQ_FETCH_OK && c.r[i]->ttfb_s >= 1.4);
    free_collected(&c);
    double t[32];
    int n = log_lines("/slow", NULL, t, NULL, 32);
    double lo = t[0], hi = t[0];
    for (int i = 1; i < n; i++)
        lo = t[i] < lo ? t[i] : lo, hi = t[i] > hi ? t[i] : hi;
    CHECKF(n == 16 && hi - lo < 1.4, "%d requests over %.3f s", n, hi - lo);
    /* cookies come back to their host */
    yq_fetcher_submit(f, &(yq_fetch_request){.url = url("/cookie/set"), .allow_private = 1}, collect, &c);
    run_until(f, &c, 1);
    free_collected(&c);
    yq_fetcher_submit(f, &(yq_fetch_request){.url = url("/cookie/check"), .allow_private = 1}, collect, &c);
    run_until(f, &c, 1);
    CHECK(c.done == 1 && strcmp(c.r[0]->body, "session=S1\n") == 0);
    free_collected(&c);
    /* a timeout, a refused port, a bad URL */
    yq_fetcher_submit(f,
                      &(yq_fetch_request){.url = url("/slow?ms=3000"), .allow_private = 1, .timeout_ms = 300},
                      collect, &c);
    yq_fetcher_submit(f, &(yq_fetch_request){.url = "http://127.0.0.1:1/", .allow_private = 1}, collect, &c);
    yq_fetcher_submit(f, &(yq_fetch_request){.url = "ftp://127.0.0.1/", .allow_private = 1}, collect, &c);
    run_until(f, &c, 3);
    int kinds[8] = {0};
    for (int i = 0; i < c.done; i++)
        kinds[c.r[i]->error]++;
    CHECK(c.done == 3 && kinds[YQ_FETCH_TIMEOUT] == 1 && kinds[YQ_FETCH_NETWORK] == 2);
    free_collected(&c);
    /* freeing with transfers still running */
    yq_fetcher_submit(f, &(yq_fetch_request){.url = url("/slow?ms=3000"), .allow_private = 1}, collect, &c);
    yq_fetcher_poll(f, 50);
    yq_fetcher_free(f);
    CHECK(c.done == 0);
}

static void test_agents_and_robots(void) {
    uint64_t rng = 3;
    for (int i = 0; i < 3; i++) {
        const char *ua = yq_ua_pick(NULL, 0, &rng);
        yq_fetch_request rq = {.url = url("/headers"), .allow_private = 1, .user_agent = ua};
        yq_fetch_response *r;
        CHECK(yq_fetch_once(NULL, &rq, &r) == 0);
        cJSON *o = cJSON_Parse(r->body);
        const char *seen = cJSON_GetStringValue(cJSON_GetObjectItem(o, "user_agent"));
        const char *enc = cJSON_GetStringValue(cJSON_GetObjectItem(o, "accept_encoding"));
        CHECK(seen && strcmp(seen, ua) == 0);
        CHECK(enc && strstr(enc, "gzip") && strstr(enc, "deflate") && strstr(enc, "br"));
        cJSON_Delete(o);
        yq_fetch_response_free(r);
    }
    yq_fetch_response *r = get("/robots.txt", 0, 0);
    yq_robots *rules;
    CHECK(r->status == 200 && yq_robots_parse(r->body, r->body_len, "yuqing", &rules) == 0);
    CHECK(!yq_robots_allowed(rules, url("/private/secret.html")) &&
          yq_robots_allowed(rules, url("/members/x")));
    CHECK(yq_robots_crawl_delay(rules) == 1.0);
    yq_robots_free(rules);
    yq_fetch_response_free(r);
}

static void test_post_json(void) {
    char endpoint[128];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/admin/article", site_port);
    const char *json = "{\"slug\": \"posted\", \"lang\": \"en\", \"title\": \"Posted at run time\", "
                       "\"published\": \"2030-01-01T00:00:00+00:00\", \"paragraphs\": [\"Fresh news.\"]}";
    yq_fetch_response *r;
    CHECK(yq_fetch_post_json(endpoint, "secret", json, 5000, &r) == 0);
    CHECK(r->error == YQ_FETCH_OK && r->status == 200 && strstr(r->body, "added"));
    yq_fetch_response_free(r);
    r = get("/feed.rss", 0, 0);
    CHECK(strstr(r->body, "/news/posted.html") != NULL);
    yq_fetch_response_free(r);
    /* an article file dropped into --content DIR shows at once */
    char path[128];
    snprintf(path, sizeof path, "%s/new.json", content_dir);
    FILE *f = fopen(path, "w");
    fputs("{\"slug\": \"from-dir\", \"title\": \"From the folder\", \"paragraphs\": [\"Hello.\"]}", f);
    fclose(f);
    r = get("/feed.atom", 0, 0);
    CHECK(strstr(r->body, "/news/from-dir.html") != NULL);
    yq_fetch_response_free(r);
    r = get("/news/from-dir.html", 0, 0);
    CHECK(r->status == 200 && strstr(r->body, "<p>Hello.</p>"));
    yq_fetch_response_free(r);
}

/* RFC 6890 and the IANA special-purpose registries. */
static void test_addresses(void) {
    static const struct {
        const char *ip;
        int private;
    } cases[] = {
        {"127.0.0.1", 1},
        {"127.255.0.9", 1},
        {"10.1.2.3", 1},
        {"172.16.0.1", 1},
        {"172.31.255.255", 1},
        {"172.32.0.1", 0},
        {"192.168.1.1", 1},
        {"169.254.169.254", 1},
        {"100.64.0.1", 1},
        {"100.128.0.1", 0},
        {"0.0.0.0", 1},
        {"255.255.255.255", 1},
        {"224.0.0.1", 1},
        {"192.0.2.10", 1},
        {"198.18.0.1", 1},
        {"8.8.8.8", 0},
        {"1.1.1.1", 0},
        {"93.184.216.34", 0},
        {"::", 1},
        {"::1", 1},
        {"fe80::1", 1},
        {"fe80::1%eth0", 1},
        {"fc00::1", 1},
        {"fd12:3456::1", 1},
        {"ff02::1", 1},
        {"::ffff:127.0.0.1", 1},
        {"::ffff:10.0.0.1", 1},
        {"::ffff:8.8.8.8", 0},
        {"64:ff9b::a00:1", 1},
        {"64:ff9b::808:808", 0},
        {"2002:c0a8:101::1", 1},
        {"2001:db8::1", 1},
        {"2001:4860:4860::8888", 0},
        {"2606:4700::1111", 0},
        {"not-an-ip", -1},
        {"example.com", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECKF(yq_fetch_ip_is_private(cases[i].ip) == cases[i].private, "%s", cases[i].ip);
}

int main(void) {
    test_addresses();
    if (start_site()) {
        fprintf(stderr, "cannot start %s\n", YQ_FIXTURE_SITE);
        return 1;
    }
    test_plain_and_gzip();
    test_redirects();
    test_size_limit();
    test_retries();
    test_private();
    test_multi();
    test_agents_and_robots();
    test_post_json();
    stop_site();
    return test_summary("test_fetch");
}
