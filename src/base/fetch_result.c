/* The end of one hop of a fetch: a redirect to follow (or a loop to report), or the finished
 * response with its error kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fetch_internal.h"
#include "yuqing/log.h"

/* "A -> B -> C" of the URLs visited and `next`, cut to fit `out`. */
static void chain_text(const transfer *t, const char *next, char *out, size_t size) {
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i <= t->n_visited && len < size; i++) {
        const char *url = i < t->n_visited ? t->visited[i] : next;
        int n = snprintf(out + len, size - len, "%s%s", i ? " -> " : "", url);
        if (n < 0) break;
        len += (size_t)n;
    }
}

/* The host of `url` (malloc'd), or NULL. */
static char *url_host(const char *url) {
    CURLU *u = curl_url();
    char *host = NULL, *copy = NULL;
    if (u && !curl_url_set(u, CURLUPART_URL, url, 0) && !curl_url_get(u, CURLUPART_HOST, &host, 0))
        copy = strdup(host);
    curl_free(host);
    curl_url_cleanup(u);
    return copy;
}

/* Custom headers (e.g. Authorization) are not sent on to another host. */
static void drop_headers_on_new_host(transfer *t, const char *from, const char *to) {
    char *a = url_host(from), *b = url_host(to);
    if (t->headers && (!a || !b || strcasecmp(a, b) != 0)) {
        curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, NULL);
        curl_slist_free_all(t->headers);
        t->headers = NULL;
    }
    free(a);
    free(b);
}

/* Sets up the hop to `location` after status `status`. Returns 1 when it runs, 0 when the
 * transfer ended (loop, limit, refused target). */
static int follow(transfer *t, long status, const char *location) {
    char chain[sizeof t->r->reason - 64];
    chain_text(t, location, chain, sizeof chain);
    for (int i = 0; i < t->n_visited; i++) {
        if (strcmp(t->visited[i], location) == 0) {
            transfer_fail(t, YQ_FETCH_REDIRECT_LOOP, "redirect loop: %s", chain);
            return 0;
        }
    }
    if (t->n_visited - 1 >= t->max_redirects || t->n_visited >= FETCH_MAX_VISITED) {
        transfer_fail(t, YQ_FETCH_REDIRECT_LOOP, "more than %d redirects: %s", t->max_redirects, chain);
        return 0;
    }
    char *next = strdup(location);
    if (!next) {
        transfer_fail(t, YQ_FETCH_NETWORK, "out of memory");
        return 0;
    }
    drop_headers_on_new_host(t, t->visited[t->n_visited - 1], next);
    t->visited[t->n_visited++] = next;
    t->r->redirects++;
    /* 303, and 301/302 after a POST, continue as GET (as browsers do); 307/308 keep the method */
    if (status == 303 || ((status == 301 || status == 302) && strcmp(t->method, "POST") == 0)) {
        free(t->method);
        t->method = strdup("GET");
        curl_easy_setopt(t->easy, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(t->easy, CURLOPT_HTTPGET, 1L);
        if (!t->method) {
            transfer_fail(t, YQ_FETCH_NETWORK, "out of memory");
            return 0;
        }
    }
    return transfer_start_hop(t) == 0;
}

/* Fills in the response from a hop that got an HTTP response. */
static void finish_response(transfer *t, long status) {
    yq_fetch_response *r = t->r;
    r->status = status;
    r->error = status >= 400 ? YQ_FETCH_HTTP : YQ_FETCH_OK;
    if (status >= 400) snprintf(r->reason, sizeof r->reason, "HTTP %ld", status);
    const char *type = yq_fetch_header(r, "content-type");
    if (type) r->content_type = strdup(type);
    if (t->body_buf) {
        free(r->body);
        r->body = t->body_buf;
        r->body[r->body_len] = '\0';
        t->body_buf = NULL;
    }
}

/* The error kind and reason of a hop that failed in libcurl. */
static void fail_from_curl(transfer *t, CURLcode code) {
    const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(code);
    if (t->refused)
        transfer_fail(t, YQ_FETCH_REFUSED_PRIVATE, "%s resolves to private address %s (not allowed)",
                      t->visited[t->n_visited - 1], t->refused_ip);
    else if (t->too_large || code == CURLE_FILESIZE_EXCEEDED)
        transfer_fail(t, YQ_FETCH_TOO_LARGE, "response larger than the limit of %zu bytes: transfer aborted",
                      t->max_size);
    else if (code == CURLE_OPERATION_TIMEDOUT)
        transfer_fail(t, YQ_FETCH_TIMEOUT, "%s (limit %ld ms)", detail, t->timeout_ms);
    else
        transfer_fail(t, YQ_FETCH_NETWORK, "%s", detail);
    t->r->body_len = 0;
}

/* The HTTP version of the easy handle's last response (10, 11, 20, 30; 0 when none). */
static int http_version(CURL *easy) {
    long version = CURL_HTTP_VERSION_NONE;
    curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
    switch (version) {
    case CURL_HTTP_VERSION_1_0:
        return 10;
    case CURL_HTTP_VERSION_1_1:
        return 11;
    case CURL_HTTP_VERSION_2_0:
        return 20;
    case CURL_HTTP_VERSION_3:
        return 30;
    default:
        return 0;
    }
}

int transfer_end_hop(transfer *t, CURLcode code) {
    yq_fetch_response *r = t->r;
    long status = 0;
    char *url = NULL;
    curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
    free(r->final_url);
    r->final_url = strdup(url ? url : t->visited[t->n_visited - 1]);
    curl_off_t pre = 0, start = 0;
    long connects = 0;
    curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &pre);
    curl_easy_getinfo(t->easy, CURLINFO_STARTTRANSFER_TIME_T, &start);
    curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
    r->ttfb_s = (double)(start - pre) * 1e-6;
    r->connection_reused = connects == 0;
    r->total_s = fetch_now() - t->started;
    if (code != CURLE_OK) {
        fail_from_curl(t, code);
        return 0;
    }
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    r->http_version = http_version(t->easy);
    char *location = NULL;
    curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &location);
    if (status >= 300 && status < 400 && location && t->max_redirects >= 0) {
        r->status = status;
        if (follow(t, status, location)) return 1;
        r->body_len = 0;
        return 0;
    }
    if (status >= 300 && status < 400 && location && !(r->location = strdup(location))) {
        transfer_fail(t, YQ_FETCH_NETWORK, "out of memory");
        return 0;
    }
    finish_response(t, status);
    return 0;
}
