/* Politeness for the crawler, as plain objects and pure functions the crawl loop calls (it owns
 * the scheduling): per-host concurrency and delay with AutoThrottle, the retry policy
 * (exponential backoff, Retry-After), and the User-Agent pool.
 *
 * Crawl-loop use (one thread; `now` is a monotonic clock in seconds, e.g. CLOCK_MONOTONIC):
 *     yq_polite_config pc = yq_polite_defaults();  pc.delay_s = cfg->delay; ...
 *     yq_polite *p = yq_polite_new(&pc);
 *     ...to start a request to `host` (from yq_url_host):
 *     double wait = yq_polite_acquire(p, host, now);
 *     if (wait > 0) { park the request for `wait` seconds; }  // nothing was recorded
 *     else { submit it; }                                      // counted as in flight
 *     ...when its response (or failure) is delivered:
 *     yq_polite_release(p, host, now, r->ttfb_s, r->status);   // every acquire gets one release
 *     ...robots.txt Crawl-delay:          yq_polite_set_floor(p, host, yq_robots_crawl_delay(rules));
 *     ...429/503 with Retry-After:        yq_polite_pause(p, host, now + seconds);
 *
 *     yq_retry_config rc = yq_retry_defaults();
 *     double d = yq_retry_delay(&rc, attempt, r->error, r->status,
 *                               yq_fetch_header(r, "retry-after"), time(NULL), &rng);
 *     if (d >= 0) re-queue the request to start at now + d (attempt + 1); else give up (logged).
 *
 *     const char *ua = yq_ua_pick(pool, n, &rng);                // pool NULL: the default pool
 */
#ifndef YUQING_POLITENESS_H
#define YUQING_POLITENESS_H

#include <stdint.h>
#include <time.h>

#include "yuqing/fetch.h"

/* --- per-host concurrency, delay and AutoThrottle --------------------------------------------- */

typedef struct yq_polite_config {
    int per_host_concurrency;  /* requests in flight to one host at most (>= 1) */
    double delay_s;            /* minimum gap between the starts of two requests to one host;
                                  also AutoThrottle's lower bound */
    int autothrottle;          /* 1: the delay adapts to the host's latency (below) */
    double target_concurrency; /* AutoThrottle: requests the host should serve in parallel */
    double start_delay_s;      /* AutoThrottle: a new host's delay before any response */
    double max_delay_s;        /* AutoThrottle: upper bound of the delay */
} yq_polite_config;

/* per_host_concurrency 2, delay 1 s, autothrottle on, target 1.0, start 5 s, max 60 s
 * (Scrapy's AutoThrottle defaults, with a 1 s floor). */
yq_polite_config yq_polite_defaults(void);

typedef struct yq_polite yq_polite;

/* NULL on out-of-memory. The config is copied. */
yq_polite *yq_polite_new(const yq_polite_config *config);
void yq_polite_free(yq_polite *p);

/* Asks to start a request to `host` at time `now`. Returns 0 when it may start now (the start is
 * recorded and the host's in-flight count raised), else the seconds to wait before asking again
 * (nothing recorded). Waits come from the host's concurrency limit (then the answer is the
 * host's current delay, a guess), its delay since the previous start, or a pause. */
double yq_polite_acquire(yq_polite *p, const char *host, double now);

/* Reports that a request started by acquire has finished: lowers the in-flight count and, with
 * AutoThrottle, adapts the delay as Scrapy does: target = latency_s / target_concurrency;
 * delay = max(target, (delay + target) / 2), clamped to [delay_s, max_delay_s]; a non-200
 * status (0 for no response) may raise the delay but never lower it. */
void yq_polite_release(yq_polite *p, const char *host, double now, double latency_s, long status);

/* Sets a floor under the host's delay (robots.txt Crawl-delay); seconds < 0 removes it. */
void yq_polite_set_floor(yq_polite *p, const char *host, double seconds);

/* No new request to `host` starts before `until` (e.g. now + Retry-After on a 429). */
void yq_polite_pause(yq_polite *p, const char *host, double until);

/* The host's current delay in seconds (its floor and AutoThrottle included). */
double yq_polite_delay(const yq_polite *p, const char *host);

/* Requests to `host` now in flight. */
int yq_polite_in_flight(const yq_polite *p, const char *host);

/* --- retries -------------------------------------------------------------------------------- */

typedef struct yq_retry_config {
    int max_retries; /* retries after the first attempt */
    double base_s;   /* backoff of the first retry */
    double max_s;    /* cap of a backoff; a Retry-After longer than this gives up */
} yq_retry_config;

/* 3 retries, base 1 s, max 300 s. */
yq_retry_config yq_retry_defaults(void);

/* Decides about a finished attempt (`attempt` = attempts made so far, 1 after the first).
 * Retried: YQ_FETCH_TIMEOUT, YQ_FETCH_NETWORK, and HTTP 408, 425, 429, 500, 502, 503, 504.
 * Not: OK, other HTTP statuses, too_large, redirect_loop, refused_private.
 * Returns -1 (give up: not retryable, or attempt > max_retries, or Retry-After > max_s) or the
 * delay in seconds before the next attempt: base_s * 2^(attempt-1) * (0.5 + 0.5 * random),
 * capped at max_s, and at least the Retry-After value when `retry_after` (the header, may be
 * NULL) parses. `now` is the wall clock (for HTTP-date Retry-After); `rng` a yq_random state. */
double yq_retry_delay(const yq_retry_config *c, int attempt, enum yq_fetch_error error, long status,
                      const char *retry_after, time_t now, uint64_t *rng);

/* Parses a Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00
 * GMT", also RFC 850 and asctime forms) relative to `now`. Returns 0 and *seconds (>= 0, a date
 * in the past gives 0), or YQ_EINVAL. */
int yq_retry_after_parse(const char *value, time_t now, double *seconds);

/* --- randomness and User-Agents ------------------------------------------------------------- */

/* splitmix64: the next 64 random bits from *state (seed it with any value, e.g. time ^ pid). */
uint64_t yq_random(uint64_t *state);
/* Uniform in [0, 1). */
double yq_random_unit(uint64_t *state);

/* The default User-Agent pool, NULL-terminated: current desktop and mobile Chrome, Firefox,
 * Safari and Edge strings (see useragent.c for the list and when it was last refreshed). */
extern const char *const yq_ua_default_pool[];

/* One UA chosen uniformly at random from `pool` (n entries; pool NULL: the default pool, n
 * ignored). Borrowed from the pool. */
const char *yq_ua_pick(const char *const *pool, int n, uint64_t *rng);

#endif
