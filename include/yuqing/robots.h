/* robots.txt per RFC 9309: parsing the groups that apply to one product token, matching paths
 * (longest match wins, Allow wins a tie, '*' and '$' wildcards), Crawl-delay and Sitemap lines,
 * and a per-origin cache with RFC 9309's rules for fetch failures.
 *
 * Crawl-loop use (one thread; `now` is any monotonic clock in seconds):
 *     yq_robots_cache *rc = yq_robots_cache_new("yuqing");    // config robots_agent
 *     ...for a URL about to be fetched:
 *     char *origin; yq_url_origin(url, &origin);
 *     const yq_robots *rules;
 *     switch (yq_robots_cache_get(rc, origin, now, &rules)) {
 *     case YQ_ROBOTS_FETCH:   // nobody has it: fetch ORIGIN "/robots.txt" (with redirects, the
 *                             // source's allow_private), then yq_robots_cache_put(rc, origin,
 *                             // status (0 when unreachable), body, len, now); park the URL
 *     case YQ_ROBOTS_WAIT:    // a fetch is under way: park the URL, try again later
 *         break;
 *     case YQ_ROBOTS_READY:
 *         if (!yq_robots_allowed(rules, url)) drop it (never request it);
 *         delay = yq_robots_crawl_delay(rules);   // < 0: none; else a floor for the host's delay
 *     }
 * `rules` stays valid until the next yq_robots_cache_put for the same origin or cache free. */
#ifndef YUQING_ROBOTS_H
#define YUQING_ROBOTS_H

#include <stddef.h>

typedef struct yq_robots yq_robots;

/* Parses robots.txt `body` (at most the first 500 KiB are read, as RFC 9309 allows) keeping the
 * rules of the groups whose User-agent matches `agent`'s product token (case-insensitive; all
 * such groups merged), else those of the '*' groups, else none (everything allowed). Unknown
 * lines and bad lines are skipped. Errors: YQ_ENOMEM. */
int yq_robots_parse(const char *body, size_t len, const char *agent, yq_robots **out);

/* Rules that allow (allow = 1) or disallow (0) everything. Errors: YQ_ENOMEM. */
int yq_robots_new_all(int allow, yq_robots **out);

void yq_robots_free(yq_robots *r);

/* 1 when `url` may be fetched, 0 when not. `url` is an absolute URL or a path starting with '/'
 * (optionally with "?query"). The match is against path + query, percent-encoding normalised on
 * both sides; "/robots.txt" itself is always allowed. */
int yq_robots_allowed(const yq_robots *r, const char *url);

/* Crawl-delay of the chosen group in seconds (fractions allowed), or -1 when none. */
double yq_robots_crawl_delay(const yq_robots *r);

/* Sitemap URLs listed anywhere in the file (borrowed; *n receives the count). */
const char *const *yq_robots_sitemaps(const yq_robots *r, int *n);

/* --- per-origin cache ----------------------------------------------------------------------- */

typedef struct yq_robots_cache yq_robots_cache;

enum yq_robots_state {
    YQ_ROBOTS_READY = 0, /* *rules is set */
    YQ_ROBOTS_FETCH = 1, /* the caller must fetch robots.txt now (the entry is marked pending) */
    YQ_ROBOTS_WAIT = 2,  /* another fetch of this robots.txt is under way */
};

/* A cache for product token `agent` (copied). NULL on out-of-memory. Entries live 24 hours
 * (RFC 9309 §2.4); a pending fetch not answered within 10 minutes is handed out again. */
yq_robots_cache *yq_robots_cache_new(const char *agent);
void yq_robots_cache_free(yq_robots_cache *c);

enum yq_robots_state yq_robots_cache_get(yq_robots_cache *c, const char *origin, double now,
                                         const yq_robots **rules);

/* Stores the outcome of fetching ORIGIN/robots.txt (after redirects): `status` 2xx parses
 * `body`; 4xx (incl. 404) allows everything; 5xx, other statuses and 0 (unreachable: timeout,
 * network error, redirect loop) disallow everything for `retry_s` seconds (RFC 9309 §2.3.1.4),
 * after which get() answers YQ_ROBOTS_FETCH again. Pass retry_s <= 0 for the default, 600.
 * Errors: YQ_ENOMEM. */
int yq_robots_cache_put(yq_robots_cache *c, const char *origin, long status, const char *body, size_t len,
                        double now, double retry_s);

#endif
