/* Starting requests: due frontier rows are loaded into memory, checked against robots.txt
 * (fetched once per origin through the same fetcher), held back by per-host politeness and the
 * source's page budget, then sent to the fetcher (or to Chromium for `render` sources). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crawl/crawler.h"
#include "yuqing/error.h"
#include "yuqing/log.h"
#include "yuqing/url.h"

double crawl_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void crawl_job_drop(crawler *c, crawl_job *job) {
    for (int i = 0; i < c->n_jobs; i++)
        if (c->jobs[i] == job) {
            c->jobs[i] = c->jobs[--c->n_jobs];
            break;
        }
    if (job->ss) job->ss->jobs--;
    crawl_request_free(&job->req);
    free(job->host);
    free(job->origin);
    free(job);
}

static crawl_source_state *find_source(crawler *c, const char *name) {
    for (size_t i = 0; i < c->config->n_sources; i++)
        if (!strcmp(c->sources[i].source->name, name)) return &c->sources[i];
    return NULL;
}

/* Makes a job of a loaded request, or drops the request (unknown source, bad URL). */
static int adopt(crawler *c, crawl_request *req) {
    crawl_job *job = calloc(1, sizeof *job);
    if (!job) return yq_error(YQ_ENOMEM, "out of memory");
    job->req = *req;
    job->ss = find_source(c, req->source);
    if (!job->ss || yq_url_host(req->url, &job->host) || yq_url_origin(req->url, &job->origin)) {
        yq_warn("dropping %s (%s)", req->url, job->ss ? "not a crawlable URL" : "its source is no longer configured");
        int rc = crawl_store_done(&c->store, req->fp);
        job->ss = NULL;
        c->jobs[c->n_jobs++] = job;
        crawl_job_drop(c, job);
        return rc < 0 ? rc : YQ_OK;
    }
    job->ss->jobs++;
    c->jobs[c->n_jobs++] = job;
    return YQ_OK;
}

/* Loads due requests while there is room in memory. */
static int refill(crawler *c) {
    int room = c->cap_jobs - c->n_jobs;
    if (room < c->cap_jobs / 4) return YQ_OK;
    crawl_request *list;
    int n, rc = crawl_store_take(&c->store, (double)time(NULL), room, &list, &n);
    for (int i = 0; !rc && i < n; i++) rc = adopt(c, &list[i]);
    free(list);
    return rc;
}

/* "Cookie: ..." for the configured domain that `host` is (or is under), or NULL. */
static const char *cookie_for(const crawler *c, const char *host, char *line, size_t size) {
    for (size_t i = 0; i < c->config->n_cookies; i++) {
        const char *d = c->config->cookies[i].domain;
        size_t hl = strlen(host), dl = strlen(d);
        if (hl == dl ? !strcasecmp(host, d) : hl > dl && host[hl - dl - 1] == '.' && !strcasecmp(host + hl - dl, d)) {
            snprintf(line, size, "Cookie: %s", c->config->cookies[i].cookie);
            return line;
        }
    }
    return NULL;
}

static const char *pick_ua(crawler *c) {
    return yq_ua_pick((const char *const *)c->config->user_agents, (int)c->config->n_user_agents,
                      &c->rng);
}

static int submit_fetch(crawler *c, crawl_ticket *t, const char *url, int allow_private, const char *host) {
    char cookie[2048];
    const char *headers[2] = {host ? cookie_for(c, host, cookie, sizeof cookie) : NULL, NULL};
    yq_fetch_request rq = {
        .url = url,
        .user_agent = pick_ua(c),
        .headers = headers[0] ? headers : NULL,
        .timeout_ms = (long)(c->config->timeout * 1000),
        .max_size = (size_t)c->config->max_response_size,
        .max_redirects = c->config->max_redirects ? c->config->max_redirects : -1,
        .allow_private = allow_private,
    };
    return yq_fetcher_submit(c->fetcher, &rq, crawl_on_fetched, t);
}

/* Sends ORIGIN/robots.txt; the ticket's callback stores it in the cache. */
static int fetch_robots(crawler *c, crawl_job *job) {
    crawl_ticket *t = calloc(1, sizeof *t);
    size_t len = strlen(job->origin) + sizeof "/robots.txt";
    if (t) t->robots_origin = malloc(len);
    if (!t || !t->robots_origin) return free(t), yq_error(YQ_ENOMEM, "out of memory");
    t->crawler = c;
    snprintf(t->robots_origin, len, "%s/robots.txt", job->origin);
    int rc = submit_fetch(c, t, t->robots_origin, job->ss->source->allow_private, NULL);
    t->robots_origin[strlen(job->origin)] = '\0'; /* keep the origin: the cache key */
    if (!rc) c->robots_running++;
    return rc;
}

/* robots.txt says: 1 go on, 0 wait (being fetched), -1 disallowed (dropped). */
static int robots_check(crawler *c, crawl_job *job, double now) {
    if (!c->config->obey_robots) return 1;
    const yq_robots *rules = NULL;
    switch (yq_robots_cache_get(c->robots, job->origin, now, &rules)) {
    case YQ_ROBOTS_FETCH:
        return fetch_robots(c, job) < 0 ? -2 : 0;
    case YQ_ROBOTS_WAIT:
        return 0;
    case YQ_ROBOTS_READY:
        break;
    }
    if (!yq_robots_allowed(rules, job->req.url)) {
        yq_info("robots.txt of %s disallows %s: not requested", job->origin, job->req.url);
        c->stats.robots_denied++;
        return crawl_store_done(&c->store, job->req.fp) < 0 ? -2 : -1;
    }
    yq_polite_set_floor(c->polite, job->host, yq_robots_crawl_delay(rules));
    return 1;
}

static int send_job(crawler *c, crawl_job *job, double now) {
    crawl_ticket *t = calloc(1, sizeof *t);
    if (!t) return yq_error(YQ_ENOMEM, "out of memory");
    t->crawler = c;
    t->job = job;
    int rc = crawl_store_mark_in_flight(&c->store, job->req.fp);
    if (rc >= 0 && job->ss->source->render) {
        t->is_render = 1;
        rc = crawl_render_submit(c->render, job->req.url, pick_ua(c), job->ss->source->allow_private, t);
    } else if (rc >= 0) {
        rc = submit_fetch(c, t, job->req.url, job->ss->source->allow_private, job->host);
    }
    if (rc < 0) return free(t), rc;
    job->state = JOB_RUNNING;
    job->started = now;
    job->ss->pages++;
    job->ss->running++;
    c->running++;
    return YQ_OK;
}

/* Tries to start one queued job: 0 (started, or *wait says how long until it may), 1 (dropped:
 * robots.txt disallows it), or a negative error. */
static int try_start(crawler *c, crawl_job *job, double now, double *wait) {
    *wait = 0;
    int allowed = robots_check(c, job, now);
    if (allowed == -2) return YQ_EIO;
    if (allowed < 0) return crawl_job_drop(c, job), 1;
    if (allowed == 0) return *wait = 0.05, job->wait_until = now + 0.05, YQ_OK;
    double delay = yq_polite_acquire(c->polite, job->host, now);
    if (delay > 0) return *wait = delay, job->wait_until = now + delay, YQ_OK;
    int rc = send_job(c, job, now);
    if (rc < 0) yq_polite_release(c->polite, job->host, now, 0, 0);
    return rc;
}

double crawl_dispatch(crawler *c) {
    int rc = refill(c);
    if (rc < 0) return rc;
    double now = crawl_now(), next = 1.0;
    for (int i = 0; i < c->n_jobs && c->running < c->config->concurrency; i++) {
        crawl_job *job = c->jobs[i];
        const yq_crawl_source *s = job->ss->source;
        if (job->state != JOB_QUEUED || job->ss->done || (s->max_pages && job->ss->pages >= s->max_pages)) continue;
        if (job->wait_until > now) {
            if (job->wait_until - now < next) next = job->wait_until - now;
            continue;
        }
        double wait;
        rc = try_start(c, job, now, &wait);
        if (rc < 0) return rc;
        if (rc == 1) i--; /* dropped: another job moved into slot i */
        if (wait > 0 && wait < next) next = wait;
    }
    return next;
}
