/* Politeness, retries and User-Agents as pure functions: per-host gaps and concurrency worked by
 * hand, AutoThrottle steps worked by hand from Scrapy's formula (scrapy/extensions/throttle.py),
 * Retry-After in its three date forms (RFC 9110 §5.6.7), splitmix64's published outputs. */
#include <string.h>

#include "testutil.h"
#include "yuqing/politeness.h"

static int near(double a, double b) {
    return a > b - 1e-9 && a < b + 1e-9;
}

static void test_gaps_and_concurrency(void) {
    yq_polite_config c = yq_polite_defaults();
    c.autothrottle = 0;
    c.delay_s = 1.0;
    c.per_host_concurrency = 2;
    yq_polite *p = yq_polite_new(&c);
    CHECK(yq_polite_acquire(p, "a.com", 0.0) == 0);
    CHECK(near(yq_polite_acquire(p, "a.com", 0.25), 0.75)); /* too soon after the first start */
    CHECK(yq_polite_acquire(p, "b.com", 0.25) == 0);        /* hosts are independent */
    CHECK(yq_polite_acquire(p, "a.com", 1.0) == 0);
    CHECK(yq_polite_in_flight(p, "a.com") == 2);
    CHECK(yq_polite_acquire(p, "a.com", 5.0) > 0); /* two in flight */
    yq_polite_release(p, "a.com", 5.0, 0.1, 200);
    CHECK(yq_polite_acquire(p, "a.com", 5.0) == 0);
    yq_polite_set_floor(p, "a.com", 3.0); /* robots.txt Crawl-delay */
    CHECK(near(yq_polite_delay(p, "a.com"), 3.0));
    yq_polite_release(p, "a.com", 5.0, 0.1, 200);
    CHECK(near(yq_polite_acquire(p, "a.com", 6.0), 2.0));
    yq_polite_pause(p, "a.com", 20.0); /* Retry-After */
    CHECK(near(yq_polite_acquire(p, "a.com", 10.0), 10.0));
    CHECK(yq_polite_acquire(p, "a.com", 20.0) == 0);
    yq_polite_free(p);
}

static void test_autothrottle(void) {
    yq_polite_config c = yq_polite_defaults(); /* start 5, min 1, max 60, target 1 */
    yq_polite *p = yq_polite_new(&c);
    CHECK(near(yq_polite_delay(p, "h"), 5.0));
    CHECK(yq_polite_acquire(p, "h", 0) == 0);
    yq_polite_release(p, "h", 0, 0.2, 200); /* (5 + 0.2) / 2 */
    CHECK(near(yq_polite_delay(p, "h"), 2.6));
    yq_polite_release(p, "h", 0, 0.2, 200); /* (2.6 + 0.2) / 2 */
    CHECK(near(yq_polite_delay(p, "h"), 1.4));
    yq_polite_release(p, "h", 0, 0.2, 200); /* 0.8, below the 1 s floor */
    CHECK(near(yq_polite_delay(p, "h"), 1.0));
    yq_polite_release(p, "h", 0, 10.0, 500); /* max(10, 5.5): errors may raise the delay */
    CHECK(near(yq_polite_delay(p, "h"), 10.0));
    yq_polite_release(p, "h", 0, 0.1, 503); /* 5.05 < 10: errors never lower it */
    CHECK(near(yq_polite_delay(p, "h"), 10.0));
    yq_polite_release(p, "h", 0, 200.0, 200); /* capped at 60 */
    CHECK(near(yq_polite_delay(p, "h"), 60.0));
    c.target_concurrency = 4;
    yq_polite *q = yq_polite_new(&c);
    yq_polite_release(q, "h", 0, 8.0, 200); /* target 2: (5 + 2) / 2 */
    CHECK(near(yq_polite_delay(q, "h"), 3.5));
    yq_polite_free(p);
    yq_polite_free(q);
}

static void test_retry(void) {
    yq_retry_config c = yq_retry_defaults(); /* 3 retries, base 1 s, max 300 s */
    uint64_t rng = 42;
    for (int i = 0; i < 100; i++) {
        double d1 = yq_retry_delay(&c, 1, YQ_FETCH_HTTP, 503, NULL, 0, &rng);
        double d3 = yq_retry_delay(&c, 3, YQ_FETCH_TIMEOUT, 0, NULL, 0, &rng);
        CHECK(d1 >= 0.5 && d1 <= 1.0);
        CHECK(d3 >= 2.0 && d3 <= 4.0);
    }
    CHECK(yq_retry_delay(&c, 4, YQ_FETCH_HTTP, 503, NULL, 0, &rng) < 0);
    CHECK(yq_retry_delay(&c, 1, YQ_FETCH_HTTP, 404, NULL, 0, &rng) < 0);
    CHECK(yq_retry_delay(&c, 1, YQ_FETCH_OK, 200, NULL, 0, &rng) < 0);
    CHECK(yq_retry_delay(&c, 1, YQ_FETCH_TOO_LARGE, 200, NULL, 0, &rng) < 0);
    CHECK(yq_retry_delay(&c, 1, YQ_FETCH_REDIRECT_LOOP, 302, NULL, 0, &rng) < 0);
    CHECK(yq_retry_delay(&c, 1, YQ_FETCH_REFUSED_PRIVATE, 0, NULL, 0, &rng) < 0);
    CHECK(yq_retry_delay(&c, 1, YQ_FETCH_NETWORK, 0, NULL, 0, &rng) > 0);
    CHECK(yq_retry_delay(&c, 1, YQ_FETCH_HTTP, 429, "7", 0, &rng) >= 7.0);
    CHECK(yq_retry_delay(&c, 1, YQ_FETCH_HTTP, 429, "1000", 0, &rng) < 0); /* longer than max_s */
    /* Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 (Python: calendar.timegm) */
    time_t now = 1445412480 - 30;
    double s = -1;
    CHECK(yq_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT", now, &s) == 0 && near(s, 30));
    CHECK(yq_retry_after_parse("Wednesday, 21-Oct-15 07:28:00 GMT", now, &s) == 0 && near(s, 30));
    CHECK(yq_retry_after_parse("Wed Oct 21 07:28:00 2015", now, &s) == 0 && near(s, 30));
    CHECK(yq_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT", now + 100, &s) == 0 && s == 0);
    CHECK(yq_retry_after_parse(" 120 ", now, &s) == 0 && near(s, 120));
    CHECK(yq_retry_after_parse("soon", now, &s) != 0);
    CHECK(yq_retry_after_parse("12abc", now, &s) != 0);
    CHECK(yq_retry_delay(&c, 1, YQ_FETCH_HTTP, 503, "Wed, 21 Oct 2015 07:28:00 GMT", now, &rng) >= 30.0);
}

static void test_random_and_agents(void) {
    /* splitmix64 from state 0: the reference outputs of Vigna's splitmix64.c */
    uint64_t state = 0;
    CHECK(yq_random(&state) == 0xe220a8397b1dcdafULL);
    CHECK(yq_random(&state) == 0x6e789e6aa1b965f4ULL);
    CHECK(yq_random(&state) == 0x06c45d188009454fULL);
    int n = 0;
    while (yq_ua_default_pool[n])
        n++;
    CHECK(n >= 8);
    int seen[64] = {0}, distinct = 0;
    uint64_t rng = 7;
    for (int i = 0; i < 1000; i++) {
        const char *ua = yq_ua_pick(NULL, 0, &rng);
        int k = 0;
        while (k < n && yq_ua_default_pool[k] != ua)
            k++;
        CHECK(k < n && strncmp(ua, "Mozilla/5.0 (", 13) == 0);
        if (k < n && !seen[k]++) distinct++;
    }
    CHECK(distinct == n);
    const char *const mine[] = {"a", "b"};
    CHECK(strcmp(yq_ua_pick(mine, 1, &rng), "a") == 0);
}

int main(void) {
    test_gaps_and_concurrency();
    test_autothrottle();
    test_retry();
    test_random_and_agents();
    return test_summary("test_politeness");
}
