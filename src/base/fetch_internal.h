/* What the fetcher's files share: one transfer (a request through all its redirect hops) and
 * the fetcher that runs them. Internal to src/base. */
#ifndef YUQING_BASE_FETCH_INTERNAL_H
#define YUQING_BASE_FETCH_INTERNAL_H

#include <curl/curl.h>
#include <stdatomic.h>

#include "yuqing/fetch.h"

#define FETCH_MAX_VISITED 64

typedef struct transfer transfer;

struct yq_fetcher {
    yq_fetcher_config config; /* strings owned below */
    char *user_agent, *proxy, *ca_file;
    CURLM *multi;
    CURLSH *share;                     /* the cookie store (when config.cookies) */
    transfer *queue_head, *queue_tail; /* submitted, not yet started */
    transfer *done_head;               /* finished, not yet delivered */
    transfer *running_head;            /* inside the multi handle (run_prev/run_next) */
    int running;                       /* transfers inside the multi handle */
    int pending;                       /* submitted and not yet delivered */
    atomic_int woken;
};

struct transfer {
    transfer *next;                /* queue or delivery list */
    transfer *run_prev, *run_next; /* the running list */
    yq_fetcher *f;
    CURL *easy;
    /* the request (copies) */
    char *method, *body, *user_agent;
    size_t body_len, max_size;
    struct curl_slist *headers;
    long timeout_ms;
    int max_redirects, allow_private;
    yq_fetch_done done;
    void *user;
    /* state of the current hop */
    char *visited[FETCH_MAX_VISITED]; /* URLs requested, the current one last */
    int n_visited;
    char *body_buf;
    size_t body_cap;
    int too_large, refused;
    char refused_ip[64];
    char errbuf[CURL_ERROR_SIZE];
    double started; /* monotonic seconds */
    yq_fetch_response *r;
};

/* Monotonic seconds. */
double fetch_now(void);

/* A transfer for `request` with a response shell (url and error filled in on failure); NULL on
 * out-of-memory. */
transfer *transfer_new(yq_fetcher *f, const yq_fetch_request *request, yq_fetch_done done, void *user);
void transfer_free(transfer *t);

/* Sets up the easy handle for the hop to t->visited[t->n_visited - 1]. Returns 0, or -1 with
 * t->r->error and reason set (the transfer is finished). */
int transfer_start_hop(transfer *t);

/* Handles the end of a hop (curl's result code). Returns 1 when a redirect hop was set up and the
 * easy handle should run again, 0 when the transfer is finished (t->r complete). */
int transfer_end_hop(transfer *t, CURLcode code);

/* Sets t->r's error and a reason (also logged at warning level). */
void transfer_fail(transfer *t, enum yq_fetch_error error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* 1 when the literal host of `url` (an IP address or "localhost") is a private target. */
int fetch_url_host_is_private(const char *url);

#endif
