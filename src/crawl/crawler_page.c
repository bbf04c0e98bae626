/* Finished requests: retried with backoff, or given up, or turned into new frontier entries
 * (feed and sitemap entries, followed links) and an item record (charset -> extract -> content
 * dedup -> outbox). Runs inside the state transaction of its batch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl/crawl_internal.h"
#include "crawl/crawler.h"
#include "crawl/feed.h"
#include "yuqing/charset.h"
#include "yuqing/error.h"
#include "yuqing/log.h"
#include "yuqing/url.h"

/* A finished request seen the same way whether curl or Chromium made it. */
typedef struct page {
    enum yq_fetch_error error;
    long status;
    const char *reason;
    const char *final_url;
    const char *content_type;
    const char *body;
    size_t len;
    double latency;
    const char *retry_after;
    const char *protocol; /* "HTTP/1.1", "HTTP/2", ... or "Chromium" */
} page;

crawl_ticket *crawl_ticket_new(crawler *c, crawl_job *job) {
    crawl_ticket *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->crawler = c;
    t->job = job;
    t->next = c->outstanding;
    if (t->next) t->next->prev = t;
    c->outstanding = t;
    return t;
}

void crawl_ticket_free(crawl_ticket *t) {
    if (t->response) yq_fetch_response_free(t->response);
    free(t->rendered.html);
    free(t->robots_origin);
    free(t);
}

void crawl_on_fetched(void *user, yq_fetch_response *r) {
    crawl_ticket *t = user;
    crawler *c = t->crawler;
    t->response = r;
    if (t->prev)
        t->prev->next = t->next;
    else
        c->outstanding = t->next;
    if (t->next) t->next->prev = t->prev;
    t->prev = t->next = NULL;
    if (c->n_finished == c->cap_finished) {
        int cap = c->cap_finished ? c->cap_finished * 2 : 64;
        crawl_ticket **grown = realloc(c->finished, (size_t)cap * sizeof *grown);
        if (!grown) abort(); /* cannot even record a completion: nothing sane is left to do */
        c->finished = grown, c->cap_finished = cap;
    }
    c->finished[c->n_finished++] = t;
}

static int domain_allowed(const yq_crawl_source *s, const char *host) {
    for (size_t i = 0; i < s->n_allowed_domains; i++)
        if (crawl_host_in_domain(host, s->allowed_domains[i])) return 1;
    return 0;
}

int crawl_enqueue(crawler *c, crawl_source_state *ss, const char *url, int depth, int kind) {
    const yq_crawl_source *s = ss->source;
    char *host = NULL, *canonical = NULL;
    if (depth > s->max_depth || yq_url_host(url, &host)) return free(host), 0;
    int ok = domain_allowed(s, host) && !yq_regex_list_match(&s->deny, url) &&
             yq_url_canonical(url, c->tracking, &canonical) == 0;
    free(host);
    if (!ok) return free(canonical), 0;
    uint64_t fp = yq_fingerprint64(canonical, strlen(canonical));
    free(canonical);
    int rc = kind == CRAWL_KIND_INDEX ? 1 : crawl_store_revisit_known(&c->store, fp);
    if (rc < 0) return rc;
    if (rc == 1) kind = CRAWL_KIND_INDEX; /* a start URL or feed found as a link: once per tick */
    rc = kind == CRAWL_KIND_INDEX ? crawl_store_revisit_add(&c->store, fp, ss->tick)
                                  : crawl_store_seen_add(&c->store, fp);
    if (rc <= 0) return rc;
    crawl_request rq = {.fp = fp, .url = (char *)url, .source = s->name, .depth = depth, .kind = kind};
    rc = crawl_store_push(&c->store, &rq);
    return rc < 0 ? rc : 1;
}

/* A link found on an HTML page: followed when it matches follow/article/revisit (any link when
 * follow is empty), as an index page, an article or a plain page. */
static int follow_link(crawler *c, crawl_job *job, const char *url) {
    const yq_crawl_source *s = job->ss->source;
    int revisit = yq_regex_list_match(&s->revisit, url), article = yq_regex_list_match(&s->article, url);
    if (s->follow.n && !revisit && !article && !yq_regex_list_match(&s->follow, url)) return 0;
    int kind = revisit ? CRAWL_KIND_INDEX : article ? CRAWL_KIND_ARTICLE : CRAWL_KIND_PAGE;
    return crawl_enqueue(c, job->ss, url, job->req.depth + 1, kind);
}

/* The header's charset when it is UTF-8 and the bytes are valid UTF-8; otherwise the page's own
 * declaration and detection decide (Chinese sites often send a wrong header charset). */
static const char *header_charset(const page *p) {
    const char *cs = p->content_type ? strcasestr(p->content_type, "charset=") : NULL;
    if (!cs) return NULL;
    cs += 8;
    if (*cs == '"') cs++;
    if (strncasecmp(cs, "utf-8", 5) && strncasecmp(cs, "utf8", 4)) return NULL;
    const unsigned char *b = (const unsigned char *)p->body, *end = b + p->len;
    while (b < end) {
        int n = *b < 0x80             ? 1
                : (*b & 0xE0) == 0xC0 ? 2
                : (*b & 0xF0) == 0xE0 ? 3
                : (*b & 0xF8) == 0xF0 ? 4
                                      : 0;
        if (!n || end - b < n) return NULL;
        for (int i = 1; i < n; i++)
            if ((b[i] & 0xC0) != 0x80) return NULL;
        b += n;
    }
    return "UTF-8";
}

/* Whether a page of this job becomes an item. */
static int is_article(const crawl_job *job, const char *url) {
    if (job->req.kind == CRAWL_KIND_ARTICLE) return 1;
    if (job->req.kind == CRAWL_KIND_INDEX) return 0;
    return !job->ss->source->article.n || yq_regex_list_match(&job->ss->source->article, url);
}

/* Stores the article as an item unless an earlier item of the same source had the same body (a
 * copy republished by another source is kept: the analysis counts it in the story's reach). */
static int store_item(crawler *c, crawl_job *job, const page *p, const yq_article *a, const char *charset) {
    char *canonical = NULL, id[17], hash[17];
    if (yq_url_canonical(p->final_url, c->tracking, &canonical)) return 0;
    yq_url_fingerprint_hex(canonical, id);
    uint64_t content = yq_fingerprint64(a->body, strlen(a->body));
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)content);
    int rc = crawl_store_content_add(&c->store, job->ss->source->name, content, id);
    if (rc == 0) {
        yq_info("%s: same content as an earlier item of this source: not stored again", p->final_url);
        c->stats.duplicates++;
    } else if (rc > 0) {
        crawl_item_meta m = {.id = id,
                             .url = p->final_url,
                             .canonical_url = canonical,
                             .source = job->ss->source->name,
                             .charset = charset,
                             .content_hash = hash,
                             .fetched_at = time(NULL),
                             .http_status = p->status};
        char *json = crawl_item_json(&m, a);
        rc = json ? crawl_store_item_add(&c->store, id, json) : yq_error(YQ_ENOMEM, "out of memory");
        if (rc > 0) c->stats.items++;
        free(json);
    }
    free(canonical);
    return rc < 0 ? rc : 0;
}

static int html_page(crawler *c, crawl_job *job, const page *p) {
    char *utf8 = NULL, charset[64] = "";
    size_t len;
    int rc = yq_charset_to_utf8(p->body, p->len, header_charset(p), &utf8, &len, charset);
    if (rc) return yq_warn("%s: %s", p->final_url, yq_last_error()), 0;
    yq_article a = {0};
    rc = yq_extract_html(utf8, len, p->final_url, "UTF-8", &a);
    free(utf8);
    if (rc) return yq_warn("%s: cannot extract: %s", p->final_url, yq_last_error()), 0;
    for (int i = 0; rc >= 0 && i < a.n_links; i++)
        rc = follow_link(c, job, a.links[i]);
    if (rc >= 0 && a.body && *a.body && is_article(job, p->final_url))
        rc = store_item(c, job, p, &a, charset);
    yq_article_free(&a);
    return rc < 0 ? rc : 0;
}

/* A feed or sitemap: its entries are articles, a sitemap index's entries more sitemaps.
 * Returns 1 when the page was one, 0 when not, or a negative error. */
static int feed_page(crawler *c, crawl_job *job, const page *p) {
    if (!crawl_feed_sniff(p->body, p->len)) return 0;
    crawl_feed feed;
    int rc = crawl_feed_parse(p->body, p->len, p->final_url, (size_t)c->config->max_response_size, &feed);
    if (rc) return yq_warn("%s: %s", p->final_url, yq_last_error()), 1;
    int kind = feed.kind == CRAWL_FEED_SITEMAPINDEX ? CRAWL_KIND_INDEX : CRAWL_KIND_ARTICLE;
    for (size_t i = 0; rc >= 0 && i < feed.n_urls; i++)
        rc = crawl_enqueue(c, job->ss, feed.urls[i], job->req.depth + 1, kind);
    int was_feed = feed.kind != CRAWL_FEED_NONE;
    crawl_feed_free(&feed);
    return rc < 0 ? rc : was_feed;
}

/* HTML, or no Content-Type at all: worth extracting (PDFs, images and the like are not). */
static int looks_html(const page *p) {
    return !p->content_type || strcasestr(p->content_type, "html") || strcasestr(p->content_type, "xml");
}

static int page_done(crawler *c, crawl_job *job, const page *p) {
    c->stats.fetched++;
    yq_debug("%s: %ld over %s, %zu bytes", p->final_url, p->status, p->protocol, p->len);
    int rc = feed_page(c, job, p);
    if (rc == 0 && looks_html(p))
        rc = html_page(c, job, p);
    else if (rc == 0)
        yq_debug("%s: %s is not a page: links and text not read", p->final_url, p->content_type);
    if (rc >= 0 && strcmp(p->final_url, job->req.url) && job->req.kind != CRAWL_KIND_INDEX) {
        char *canonical = NULL; /* a redirect's target counts as seen too */
        if (!yq_url_canonical(p->final_url, c->tracking, &canonical))
            rc = crawl_store_seen_add(&c->store, yq_fingerprint64(canonical, strlen(canonical)));
        free(canonical);
    }
    if (rc >= 0) rc = crawl_store_done(&c->store, job->req.fp);
    return rc < 0 ? rc : 0;
}

/* A failed attempt: retried later (1), or given up (0). */
static int maybe_retry(crawler *c, crawl_job *job, const page *p, double now) {
    double d = yq_retry_delay(&c->retry, job->req.attempts + 1, p->error, p->status, p->retry_after,
                              time(NULL), &c->rng);
    if (d < 0) return 0;
    double pause;
    if (p->retry_after && !yq_retry_after_parse(p->retry_after, time(NULL), &pause))
        yq_polite_pause(c->polite, job->host, now + pause);
    yq_warn("%s: %s; retry %d in %.1f s", job->req.url, p->reason, job->req.attempts + 1, d);
    c->stats.retried++;
    int rc = crawl_store_requeue(&c->store, job->req.fp, job->req.attempts + 1, (double)time(NULL) + d);
    return rc < 0 ? rc : 1;
}

static int job_finished(crawler *c, crawl_job *job, const page *p) {
    double now = crawl_now();
    yq_polite_release(c->polite, job->host, now, p->latency, p->status);
    job->ss->running--;
    c->running--;
    int rc = p->error == YQ_FETCH_OK ? 0 : maybe_retry(c, job, p, now);
    if (rc == 0 && p->error != YQ_FETCH_OK) {
        yq_warn("%s: giving up after %d attempt%s: %s", job->req.url, job->req.attempts + 1,
                job->req.attempts ? "s" : "", p->reason);
        c->stats.failed++;
        rc = crawl_store_done(&c->store, job->req.fp);
    } else if (rc == 0) {
        rc = page_done(c, job, p);
    }
    crawl_job_drop(c, job);
    return rc < 0 ? rc : 0;
}

/* "HTTP/1.1" for 11 and so on (yq_fetch_response's http_version). */
static const char *protocol_name(int http_version) {
    switch (http_version) {
    case 10:
        return "HTTP/1.0";
    case 11:
        return "HTTP/1.1";
    case 20:
        return "HTTP/2";
    case 30:
        return "HTTP/3";
    default:
        return "HTTP";
    }
}

static page from_response(const yq_fetch_response *r) {
    page p = {.error = r->error,
              .status = r->status,
              .reason = r->reason,
              .final_url = r->final_url,
              .content_type = r->content_type,
              .body = r->body,
              .len = r->body_len,
              .latency = r->ttfb_s,
              .retry_after = yq_fetch_header(r, "retry-after"),
              .protocol = protocol_name(r->http_version)};
    if (!r->reason[0]) p.reason = "HTTP error status";
    return p;
}

static page from_render(const crawl_render_result *r, const char *url) {
    enum yq_fetch_error error = r->ok        ? YQ_FETCH_OK
                                : r->refused ? YQ_FETCH_REFUSED_PRIVATE
                                             : YQ_FETCH_NETWORK;
    page p = {.error = error,
              .status = r->ok ? 200 : 0,
              .reason = r->reason,
              .final_url = url,
              .content_type = "text/html; charset=utf-8",
              .body = r->html ? r->html : "",
              .len = r->len,
              .latency = r->seconds,
              .protocol = "Chromium"};
    return p;
}

static void robots_finished(crawler *c, crawl_ticket *t) {
    const yq_fetch_response *r = t->response;
    long status = r->error == YQ_FETCH_OK || r->error == YQ_FETCH_HTTP ? r->status : 0;
    if (r->error == YQ_FETCH_REFUSED_PRIVATE)
        status = 404; /* the pages' own requests are refused, and say why */
    c->robots_running--;
    if (yq_robots_cache_put(c->robots, t->robots_origin, status, r->body, r->body_len, crawl_now(), 0))
        yq_warn("%s/robots.txt: %s", t->robots_origin, yq_last_error());
}

int crawl_process(crawler *c) {
    int rc = YQ_OK;
    for (int i = 0; i < c->n_finished; i++) {
        crawl_ticket *t = c->finished[i];
        if (t->robots_origin) {
            robots_finished(c, t);
        } else if (!rc) {
            page p = t->is_render ? from_render(&t->rendered, t->job->req.url) : from_response(t->response);
            rc = job_finished(c, t->job, &p);
        }
        crawl_ticket_free(t);
    }
    c->n_finished = 0;
    return rc;
}
