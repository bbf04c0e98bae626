/* The crawl loop's shared state, split over crawler.c (setup, ticks, the loop), crawler_dispatch.c
 * (frontier -> robots.txt -> politeness -> fetcher or browser) and crawler_page.c (a finished
 * request -> retry, or feed/page -> links and item). One thread runs all of it. */
#ifndef YUQING_CRAWL_CRAWLER_H
#define YUQING_CRAWL_CRAWLER_H

#include <stdint.h>
#include <time.h>

#include "crawl/render.h"
#include "crawl/sink.h"
#include "crawl/store.h"
#include "yuqing/crawl.h"
#include "yuqing/extract.h"
#include "yuqing/fetch.h"
#include "yuqing/politeness.h"
#include "yuqing/robots.h"

/* A source's progress through its current tick (one pass over its frontier). */
typedef struct crawl_source_state {
    const yq_crawl_source *source;
    long long tick;
    int done;          /* the tick is finished */
    long long pages;   /* requests started in this tick (against max_pages) */
    time_t next_run;   /* when the next tick starts (wall clock) */
    int jobs;          /* its requests in the crawler's memory */
    int running;       /* of which sent and not finished */
} crawl_source_state;

enum { JOB_QUEUED = 0, JOB_RUNNING = 1 };

/* A frontier request loaded into memory. */
typedef struct crawl_job {
    crawl_request req;
    crawl_source_state *ss;
    char *host;   /* politeness key */
    char *origin; /* robots.txt key */
    int state;
    double wait_until; /* monotonic seconds: not tried before */
    double started;    /* monotonic seconds when sent */
} crawl_job;

/* What a submitted transfer is for: a job, or robots.txt of an origin. */
typedef struct crawl_ticket {
    struct crawler *crawler;
    crawl_job *job;       /* NULL for robots.txt */
    char *robots_origin;  /* malloc'd, for robots.txt */
    yq_fetch_response *response;
    crawl_render_result rendered;
    int is_render;
} crawl_ticket;

typedef struct crawl_stats {
    long long fetched, items, duplicates, failed, retried, robots_denied;
} crawl_stats;

typedef struct crawler {
    const yq_crawl_config *config;
    const yq_crawl_options *options;
    crawl_store store;
    crawl_sinks sinks;
    yq_fetcher *fetcher;
    yq_polite *polite;
    yq_robots_cache *robots;
    yq_retry_config retry;
    crawl_render *render;
    uint64_t rng;
    const char **tracking; /* NULL-terminated tracking-parameter patterns */
    crawl_source_state *sources;
    crawl_job **jobs; /* loaded requests */
    int n_jobs, cap_jobs;
    int running;      /* jobs sent and not finished */
    int robots_running;
    crawl_ticket **finished; /* delivered by callbacks, processed in one transaction */
    int n_finished, cap_finished;
    crawl_stats stats;
    double last_progress;
} crawler;

/* Monotonic seconds. */
double crawl_now(void);

/* Loads due frontier requests, then starts those that robots.txt and politeness allow.
 * Returns the seconds until something may become startable (capped), or a negative error. */
double crawl_dispatch(crawler *c);

/* The fetcher's completion callback: queues the ticket for crawl_process. */
void crawl_on_fetched(void *ticket, yq_fetch_response *r);

/* Processes finished transfers (inside a state transaction). */
int crawl_process(crawler *c);

/* Canonicalises `url` and queues it for `ss` (index pages once per tick, others once ever).
 * Returns 1 when queued, 0 when already seen or not a crawlable URL, or a negative error. */
int crawl_enqueue(crawler *c, crawl_source_state *ss, const char *url, int depth, int kind);

/* Forgets a job (frees it; the caller has updated the frontier). */
void crawl_job_drop(crawler *c, crawl_job *job);

/* What the item record needs besides the extracted article. */
typedef struct crawl_item_meta {
    const char *id, *url, *canonical_url, *source, *charset, *content_hash;
    time_t fetched_at;
    long http_status;
} crawl_item_meta;

/* The item as one JSON line (malloc'd), or NULL when out of memory. */
char *crawl_item_json(const crawl_item_meta *m, const yq_article *a);

#endif
