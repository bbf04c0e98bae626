/* The fetcher: a queue of submitted requests feeding one libcurl multi handle (connections and
 * DNS cache shared, HTTP/2 multiplexed), driven by yq_fetcher_poll on the caller's thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/fetch_internal.h"
#include "yuqing/error.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

yq_fetcher_config yq_fetcher_defaults(void) {
    return (yq_fetcher_config){
        .max_transfers = 64,
        .timeout_ms = 30000,
        .connect_timeout_ms = 10000,
        .max_size = 16u << 20,
        .max_redirects = 10,
        .user_agent = "yuqing/" YQ_VERSION,
        .proxy = NULL,
        .cookies = 1,
    };
}

int yq_fetcher_new(const yq_fetcher_config *config, yq_fetcher **out) {
    if (config->max_transfers < 1 || config->timeout_ms < 1 || config->max_size < 1 ||
        config->max_redirects < 0)
        return yq_error(YQ_EINVAL, "fetcher: max_transfers, timeout_ms and max_size must be positive");
    pthread_once(&curl_once, curl_init_once);
    yq_fetcher *f = calloc(1, sizeof *f);
    if (!f) return YQ_ENOMEM;
    f->config = *config;
    f->user_agent = strdup(config->user_agent ? config->user_agent : "yuqing/" YQ_VERSION);
    f->proxy = config->proxy && *config->proxy ? strdup(config->proxy) : NULL;
    f->ca_file = config->ca_file ? strdup(config->ca_file) : NULL;
    f->multi = curl_multi_init();
    if (config->cookies && (f->share = curl_share_init()))
        curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
    if (!f->user_agent || (config->proxy && *config->proxy && !f->proxy) ||
        (config->ca_file && !f->ca_file) || !f->multi || (config->cookies && !f->share)) {
        yq_fetcher_free(f);
        return YQ_ENOMEM;
    }
    f->config.user_agent = f->user_agent;
    f->config.proxy = f->proxy;
    f->config.ca_file = f->ca_file;
    curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)config->max_transfers);
    *out = f;
    return 0;
}

static void free_list(transfer *t) {
    while (t) {
        transfer *next = t->next;
        transfer_free(t);
        t = next;
    }
}

void yq_fetcher_free(yq_fetcher *f) {
    if (!f) return;
    while (f->running_head) {
        transfer *t = f->running_head;
        f->running_head = t->run_next;
        curl_multi_remove_handle(f->multi, t->easy);
        transfer_free(t);
    }
    if (f->multi) curl_multi_cleanup(f->multi);
    free_list(f->queue_head);
    free_list(f->done_head);
    if (f->share) curl_share_cleanup(f->share);
    free(f->user_agent);
    free(f->proxy);
    free(f->ca_file);
    free(f);
}

/* Puts a finished transfer on the delivery list (order of delivery does not matter). */
static void mark_done(yq_fetcher *f, transfer *t) {
    t->next = f->done_head;
    f->done_head = t;
}

int yq_fetcher_submit(yq_fetcher *f, const yq_fetch_request *request, yq_fetch_done done, void *user) {
    if (!request->url) return yq_error(YQ_EINVAL, "fetch request without a URL");
    transfer *t = transfer_new(f, request, done, user);
    if (!t) return YQ_ENOMEM;
    t->next = NULL;
    if (f->queue_tail)
        f->queue_tail->next = t;
    else
        f->queue_head = t;
    f->queue_tail = t;
    f->pending++;
    return 0;
}

/* Moves queued requests into the multi handle while there is room. */
static void start_queued(yq_fetcher *f) {
    while (f->queue_head && f->running < f->config.max_transfers) {
        transfer *t = f->queue_head;
        f->queue_head = t->next;
        if (!f->queue_head) f->queue_tail = NULL;
        t->next = NULL;
        if (transfer_start_hop(t) == 0 && curl_multi_add_handle(f->multi, t->easy) == CURLM_OK) {
            f->running++;
            t->run_prev = NULL;
            t->run_next = f->running_head;
            if (f->running_head) f->running_head->run_prev = t;
            f->running_head = t;
        } else {
            if (!t->r->error) transfer_fail(t, YQ_FETCH_NETWORK, "could not start the transfer");
            mark_done(f, t);
        }
    }
}

/* Reads libcurl's completion messages: finished hops either continue (redirect) or finish. */
static void collect(yq_fetcher *f) {
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(f->multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        transfer *t = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
        curl_multi_remove_handle(f->multi, easy);
        if (transfer_end_hop(t, code) && curl_multi_add_handle(f->multi, easy) == CURLM_OK) continue;
        f->running--;
        if (t->run_prev)
            t->run_prev->run_next = t->run_next;
        else
            f->running_head = t->run_next;
        if (t->run_next) t->run_next->run_prev = t->run_prev;
        mark_done(f, t);
    }
}

/* Hands finished transfers to their callbacks; returns how many. */
static int deliver(yq_fetcher *f) {
    int n = 0;
    while (f->done_head) {
        transfer *t = f->done_head;
        f->done_head = t->next;
        yq_fetch_response *r = t->r;
        t->r = NULL;
        yq_fetch_done done = t->done;
        void *user = t->user;
        transfer_free(t);
        f->pending--;
        n++;
        if (done)
            done(user, r);
        else
            yq_fetch_response_free(r);
    }
    return n;
}

int yq_fetcher_poll(yq_fetcher *f, int timeout_ms) {
    double deadline = fetch_now() + timeout_ms * 1e-3;
    for (;;) {
        int still;
        start_queued(f);
        if (curl_multi_perform(f->multi, &still) != CURLM_OK)
            return yq_error(YQ_EIO, "curl_multi_perform failed");
        collect(f);
        start_queued(f);
        if (f->done_head) return deliver(f);
        int left_ms = (int)((deadline - fetch_now()) * 1000);
        if (left_ms <= 0 || atomic_exchange(&f->woken, 0)) return 0;
        if (curl_multi_poll(f->multi, NULL, 0, left_ms, NULL) != CURLM_OK)
            return yq_error(YQ_EIO, "curl_multi_poll failed");
    }
}

int yq_fetcher_pending(const yq_fetcher *f) {
    return f->pending;
}

void yq_fetcher_wakeup(yq_fetcher *f) {
    atomic_store(&f->woken, 1);
    curl_multi_wakeup(f->multi);
}
