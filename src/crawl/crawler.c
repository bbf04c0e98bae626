/* `yuqing crawl`'s engine: opens the state and the sinks, runs the sources' ticks (each a pass
 * over the source's frontier from its start URLs), and loops: dispatch -> fetch -> process ->
 * commit -> write sinks, until every source is done (--once) or a stop is asked (--daemon). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crawl/crawler.h"
#include "yuqing/error.h"
#include "yuqing/log.h"

static int start_tick(crawler *c, crawl_source_state *ss) {
    ss->tick++;
    ss->done = 0;
    ss->pages = 0;
    ss->next_run = yq_schedule_next(&ss->source->schedule, time(NULL)); /* a long tick delays the next */
    int rc = crawl_store_pause(&c->store, ss->source->name, 0);
    if (rc >= 0) rc = crawl_store_source_set(&c->store, ss->source->name, ss->tick, 0);
    for (size_t i = 0; rc >= 0 && i < ss->source->n_start_urls; i++) {
        const char *url = ss->source->start_urls[i]; /* an article is fetched once, an index each tick */
        int kind = yq_regex_list_match(&ss->source->article, url) ? CRAWL_KIND_ARTICLE : CRAWL_KIND_INDEX;
        rc = crawl_enqueue(c, ss, url, 0, kind);
    }
    yq_info("source %s: tick %lld started", ss->source->name, ss->tick);
    return rc < 0 ? rc : YQ_OK;
}

/* A tick ends when nothing of the source is running and nothing is left to start (or its page
 * budget is spent). */
static int maybe_finish_tick(crawler *c, crawl_source_state *ss) {
    if (ss->done || ss->running) return YQ_OK;
    const yq_crawl_source *s = ss->source;
    int spent = s->max_pages && ss->pages >= s->max_pages;
    if (!spent && (ss->jobs || crawl_store_pending(&c->store, s->name) > 0)) return YQ_OK;
    ss->done = 1;
    yq_info("source %s: tick %lld done (%lld requests%s)", s->name, ss->tick, ss->pages,
            spent ? ", max_pages reached" : "");
    if (spent) { /* what is left waits for the next tick, out of memory so other sources load */
        int rc = crawl_store_pause(&c->store, s->name, 1);
        if (rc) return rc;
        for (int i = c->n_jobs - 1; i >= 0; i--)
            if (c->jobs[i]->ss == ss) crawl_job_drop(c, c->jobs[i]);
    }
    return crawl_store_source_set(&c->store, s->name, ss->tick, 1);
}

/* Starts due ticks: in --once mode each source's first (unless a killed run left one open),
 * in --daemon mode whenever the schedule says. Returns 1 while any source is busy. */
static int tick_sources(crawler *c, int first) {
    int busy = 0, rc = YQ_OK;
    for (size_t i = 0; rc >= 0 && i < c->config->n_sources; i++) {
        crawl_source_state *ss = &c->sources[i];
        int due = first || (c->options->mode == YQ_CRAWL_DAEMON && ss->next_run != (time_t)-1 &&
                            time(NULL) >= ss->next_run);
        if (ss->done && due) rc = start_tick(c, ss);
        if (rc >= 0) rc = maybe_finish_tick(c, ss);
        busy |= !ss->done;
    }
    return rc < 0 ? rc : busy;
}

static void progress(crawler *c, int last) {
    double now = crawl_now();
    if (!last && now - c->last_progress < 2.0) return;
    c->last_progress = now;
    if (yq_log_get_level() < YQ_LOG_WARN) return;
    const crawl_stats *s = &c->stats;
    fprintf(
        stderr,
        "crawl: %lld fetched, %lld items, %lld duplicates, %lld retries, %lld failed, %lld robots-denied, "
        "%d in flight, %lld pending%s\n",
        s->fetched, s->items, s->duplicates, s->retried, s->failed, s->robots_denied, c->running,
        crawl_store_pending(&c->store, NULL), last ? " (done)" : "");
}

static void wake_fetcher(void *fetcher) {
    yq_fetcher_wakeup(fetcher);
}

/* Moves finished browser runs to the finished list. */
static void collect_rendered(crawler *c) {
    crawl_render_result r;
    while (c->render && crawl_render_take(c->render, &r)) {
        crawl_ticket *t = r.user;
        t->rendered = r;
        crawl_on_fetched(t, NULL);
    }
}

/* Waits for transfers (or just time) for up to `wait` seconds. */
static int wait_for_work(crawler *c, double wait) {
    int ms = (int)(wait * 1000);
    if (ms > 100) ms = 100;
    if (ms < 1) ms = 1;
    if (yq_fetcher_pending(c->fetcher) > 0) return yq_fetcher_poll(c->fetcher, ms) < 0 ? YQ_EIO : YQ_OK;
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
    return YQ_OK;
}

/* One round: start what may start, wait, then process and commit what finished. */
static int round_trip(crawler *c) {
    int rc = crawl_store_begin(&c->store);
    if (rc) return rc;
    double wait = crawl_dispatch(c);
    rc = wait < 0 ? (int)wait : crawl_store_commit(&c->store);
    if (rc) return rc;
    if ((rc = wait_for_work(c, wait)) != 0) return rc;
    collect_rendered(c);
    if (!c->n_finished) return YQ_OK;
    if ((rc = crawl_store_begin(&c->store)) != 0) return rc;
    rc = crawl_process(c);
    if (!rc) rc = crawl_store_commit(&c->store);
    if (!rc) rc = crawl_sinks_drain(&c->sinks, &c->store);
    return rc;
}

static int loop(crawler *c) {
    int rc = crawl_store_begin(&c->store);
    int busy = rc ? rc : tick_sources(c, 1);
    if (busy < 0) return busy;
    if ((rc = crawl_store_commit(&c->store)) != 0) return rc;
    while (!(c->options->stop && *c->options->stop)) {
        if (c->options->mode == YQ_CRAWL_ONCE && !busy && !c->running && !c->robots_running) break;
        if ((rc = round_trip(c)) != 0) return rc;
        if ((rc = crawl_store_begin(&c->store)) != 0) return rc;
        busy = tick_sources(c, 0);
        if (busy < 0) return busy;
        if ((rc = crawl_store_commit(&c->store)) != 0) return rc;
        progress(c, 0);
    }
    return YQ_OK;
}

static int load_sources(crawler *c) {
    c->sources = calloc(c->config->n_sources, sizeof *c->sources);
    if (!c->sources) return yq_error(YQ_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->config->n_sources; i++) {
        crawl_source_state *ss = &c->sources[i];
        ss->source = &c->config->sources[i];
        int rc = crawl_store_source_get(&c->store, ss->source->name, &ss->tick, &ss->done);
        if (rc) return rc;
        if (!ss->done) yq_info("source %s: resuming tick %lld", ss->source->name, ss->tick);
    }
    return YQ_OK;
}

static int open_fetch(crawler *c) {
    const yq_crawl_config *cfg = c->config;
    yq_fetcher_config fc = yq_fetcher_defaults();
    fc.max_transfers = cfg->concurrency + 8; /* room for robots.txt requests */
    fc.timeout_ms = (long)(cfg->timeout * 1000);
    fc.connect_timeout_ms = (long)(cfg->connect_timeout * 1000);
    fc.max_size = (size_t)cfg->max_response_size;
    fc.proxy = cfg->proxy;
    fc.ca_file = cfg->ca_file;
    int rc = yq_fetcher_new(&fc, &c->fetcher);
    if (rc) return rc;
    yq_polite_config pc = yq_polite_defaults();
    pc.per_host_concurrency = cfg->per_domain_concurrency;
    pc.delay_s = cfg->delay;
    pc.autothrottle = cfg->autothrottle;
    pc.start_delay_s = cfg->delay;
    pc.max_delay_s = cfg->autothrottle_max_delay > cfg->delay ? cfg->autothrottle_max_delay : cfg->delay;
    c->polite = yq_polite_new(&pc);
    c->robots = yq_robots_cache_new(cfg->robots_agent);
    if (!c->polite || !c->robots) return yq_error(YQ_ENOMEM, "out of memory");
    c->retry = yq_retry_defaults();
    c->retry.max_retries = cfg->retries;
    c->retry.base_s = cfg->retry_backoff;
    for (size_t i = 0; i < cfg->n_sources; i++)
        if (cfg->sources[i].render)
            return crawl_render_new(cfg->chromium, cfg->proxy, cfg->render_concurrency, cfg->render_timeout,
                                    (size_t)cfg->max_response_size, wake_fetcher, c->fetcher, &c->render);
    return YQ_OK;
}

static int open_crawler(crawler *c) {
    const yq_crawl_config *cfg = c->config;
    c->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    c->cap_jobs = cfg->concurrency * 8 > 256 ? cfg->concurrency * 8 : 256;
    c->jobs = calloc((size_t)c->cap_jobs, sizeof *c->jobs);
    c->tracking = calloc(cfg->n_tracking_params + 1, sizeof *c->tracking);
    if (!c->jobs || !c->tracking) return yq_error(YQ_ENOMEM, "out of memory");
    for (size_t i = 0; i < cfg->n_tracking_params; i++)
        c->tracking[i] = cfg->tracking_params[i];
    int rc = crawl_store_open(c->options->state_dir, &c->store);
    if (rc) return rc;
    if (c->store.resumed_in_flight)
        yq_warn("%d requests were in flight when the previous run stopped: requesting them again",
                c->store.resumed_in_flight);
    const char *jsonl = c->options->out_jsonl ? c->options->out_jsonl : cfg->out_jsonl;
    if (!jsonl && !cfg->out_sqlite) jsonl = "-"; /* no sink configured: items go to stdout */
    rc = crawl_sinks_open(&c->sinks, &c->store, jsonl, cfg->out_sqlite, cfg->out_sqlite_table);
    if (!rc) rc = crawl_sinks_drain(&c->sinks, &c->store); /* what a killed run committed but did not write */
    if (!rc) rc = load_sources(c);
    if (!rc) rc = open_fetch(c);
    return rc;
}

static void close_crawler(crawler *c) {
    crawl_render_free(c->render);
    yq_fetcher_free(c->fetcher); /* aborts transfers: their rows stay in the frontier */
    for (int i = 0; i < c->n_finished; i++)
        crawl_ticket_free(c->finished[i]);
    free(c->finished);
    while (c->outstanding) {
        crawl_ticket *next = c->outstanding->next;
        crawl_ticket_free(c->outstanding);
        c->outstanding = next;
    }
    while (c->n_jobs)
        crawl_job_drop(c, c->jobs[c->n_jobs - 1]);
    free(c->jobs);
    yq_polite_free(c->polite);
    yq_robots_cache_free(c->robots);
    crawl_sinks_close(&c->sinks);
    crawl_store_close(&c->store);
    free(c->sources);
    free(c->tracking);
}

int yq_crawl_run(const yq_crawl_config *config, const yq_crawl_options *options) {
    crawler c = {.config = config, .options = options};
    int rc = open_crawler(&c);
    if (!rc) rc = loop(&c);
    if (c.store.db) {
        if (rc) sqlite3_exec(c.store.db, "ROLLBACK", NULL, NULL, NULL);
        int drained = crawl_sinks_drain(&c.sinks, &c.store);
        if (!rc) rc = drained;
        progress(&c, 1);
    }
    close_crawler(&c);
    return rc;
}
