/* One fetch through its redirect hops: the easy handle's set-up, libcurl's callbacks (body with
 * its size cap, headers, the private-address checks) and the decision at the end of each hop
 * (redirect, loop, failure kind). Redirects are followed here, not by libcurl, so that a loop is
 * recognised and reported with its chain. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/fetch_internal.h"
#include "yuqing/error.h"
#include "yuqing/log.h"

double fetch_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void transfer_fail(transfer *t, enum yq_fetch_error error, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->r->reason, sizeof t->r->reason, fmt, ap);
    va_end(ap);
    t->r->error = error;
    yq_warn("fetch %s: %s: %s", t->r->url, yq_fetch_error_name(error), t->r->reason);
}

transfer *transfer_new(yq_fetcher *f, const yq_fetch_request *rq, yq_fetch_done done, void *user) {
    transfer *t = calloc(1, sizeof *t);
    yq_fetch_response *r = calloc(1, sizeof *r);
    if (!t || !r) goto fail;
    t->r = r;
    t->f = f, t->done = done, t->user = user;
    r->url = strdup(rq->url);
    r->body = calloc(1, 1);
    t->method = strdup(rq->method ? rq->method : "GET");
    t->user_agent = strdup(rq->user_agent ? rq->user_agent : f->user_agent);
    t->visited[t->n_visited++] = strdup(rq->url);
    if (!r->url || !r->body || !t->method || !t->user_agent || !t->visited[0]) goto fail;
    if (rq->body) {
        if (!(t->body = malloc(rq->body_len + 1))) goto fail;
        memcpy(t->body, rq->body, rq->body_len);
        t->body_len = rq->body_len;
    }
    for (const char *const *h = rq->headers; h && *h; h++) {
        struct curl_slist *list = curl_slist_append(t->headers, *h);
        if (!list) goto fail;
        t->headers = list;
    }
    t->timeout_ms = rq->timeout_ms > 0 ? rq->timeout_ms : f->config.timeout_ms;
    t->max_size = rq->max_size > 0 ? rq->max_size : f->config.max_size;
    t->max_redirects = rq->max_redirects == 0  ? f->config.max_redirects
                       : rq->max_redirects < 0 ? -1
                                               : rq->max_redirects;
    t->allow_private = rq->allow_private;
    t->started = fetch_now();
    return t;
fail:
    if (t) t->r = r;
    transfer_free(t);
    if (!t) free(r);
    return NULL;
}

void transfer_free(transfer *t) {
    if (!t) return;
    if (t->easy) curl_easy_cleanup(t->easy);
    free(t->method);
    free(t->body);
    free(t->user_agent);
    curl_slist_free_all(t->headers);
    for (int i = 0; i < t->n_visited; i++)
        free(t->visited[i]);
    free(t->body_buf);
    yq_fetch_response_free(t->r);
    free(t);
}

/* --- libcurl callbacks ---------------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *user) {
    transfer *t = user;
    size_t len = size * n;
    if (t->r->body_len + len > t->max_size) {
        t->too_large = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (t->r->body_len + len + 1 > t->body_cap) {
        size_t cap = (t->r->body_len + len + 1) * 2;
        if (cap > t->max_size + 1) cap = t->max_size + 1;
        char *p = realloc(t->body_buf, cap);
        if (!p) return 0;
        t->body_buf = p;
        t->body_cap = cap;
    }
    memcpy(t->body_buf + t->r->body_len, data, len);
    t->r->body_len += len;
    return len;
}

static void clear_headers(yq_fetch_response *r) {
    for (int i = 0; i < r->n_headers; i++) {
        free(r->header_names[i]);
        free(r->header_values[i]);
    }
    r->n_headers = 0;
}

static int add_header(yq_fetch_response *r, const char *line, size_t len) {
    const char *colon = memchr(line, ':', len);
    if (!colon) return 0;
    const char *v = colon + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    char **names = realloc(r->header_names, (size_t)(r->n_headers + 1) * sizeof *names);
    if (names) r->header_names = names;
    char **values = realloc(r->header_values, (size_t)(r->n_headers + 1) * sizeof *values);
    if (values) r->header_values = values;
    if (!names || !values) return -1;
    char *name = strndup(line, (size_t)(colon - line)), *value = strndup(v, (size_t)(end - v));
    if (!name || !value) {
        free(name);
        free(value);
        return -1;
    }
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    names[r->n_headers] = name;
    values[r->n_headers++] = value;
    return 0;
}

/* One header line; a status line starts a new header block (1xx, then the final response). */
static size_t on_header(char *data, size_t size, size_t n, void *user) {
    transfer *t = user;
    size_t len = size * n;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        clear_headers(t->r);
        return len;
    }
    return add_header(t->r, data, len) ? 0 : len;
}

/* Refuses a connection to a private address before it is made. */
static curl_socket_t on_open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *a) {
    transfer *t = user;
    char ip[INET6_ADDRSTRLEN] = "";
    if (a->family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&a->addr)->sin_addr, ip, sizeof ip);
    else if (a->family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a->addr)->sin6_addr, ip, sizeof ip);
    if (!t->allow_private && !t->f->proxy && ip[0] && yq_fetch_ip_is_private(ip) != 0) {
        t->refused = 1;
        snprintf(t->refused_ip, sizeof t->refused_ip, "%s", ip);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* Checks the peer of every connection used, reused ones included, just before the request. */
static int on_prereq(void *user, char *primary_ip, char *local_ip, int primary_port, int local_port) {
    transfer *t = user;
    if (t->allow_private || t->f->proxy || yq_fetch_ip_is_private(primary_ip) == 0) return CURL_PREREQFUNC_OK;
    t->refused = 1;
    snprintf(t->refused_ip, sizeof t->refused_ip, "%s", primary_ip);
    return CURL_PREREQFUNC_ABORT;
}

/* --- hops ------------------------------------------------------------------------------------ */

static void set_common_options(transfer *t) {
    yq_fetcher *f = t->f;
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, f->config.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_size);
    curl_easy_setopt(e, CURLOPT_USERAGENT, t->user_agent);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    if (t->headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    if (f->proxy) curl_easy_setopt(e, CURLOPT_PROXY, f->proxy);
    if (f->ca_file) curl_easy_setopt(e, CURLOPT_CAINFO, f->ca_file);
    if (f->share) {
        curl_easy_setopt(e, CURLOPT_SHARE, f->share);
        curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
    }
}

static void set_method(transfer *t) {
    CURL *e = t->easy;
    if (strcmp(t->method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(t->method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
        if (t->body) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
        }
        if (strcmp(t->method, "POST") != 0 || !t->body) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->method);
    }
}

int transfer_start_hop(transfer *t) {
    const char *url = t->visited[t->n_visited - 1];
    long left_ms = t->timeout_ms - (long)((fetch_now() - t->started) * 1000);
    if (left_ms <= 0) {
        transfer_fail(t, YQ_FETCH_TIMEOUT, "no time left for the redirect to %s", url);
        return -1;
    }
    if (!t->allow_private && fetch_url_host_is_private(url)) {
        transfer_fail(t, YQ_FETCH_REFUSED_PRIVATE, "%s is a private address (not allowed)", url);
        return -1;
    }
    if (!t->easy) {
        if (!(t->easy = curl_easy_init())) {
            transfer_fail(t, YQ_FETCH_NETWORK, "out of memory");
            return -1;
        }
        set_common_options(t);
        set_method(t);
    }
    curl_easy_setopt(t->easy, CURLOPT_URL, url);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, left_ms);
    t->errbuf[0] = '\0';
    clear_headers(t->r);
    t->r->body_len = 0;
    return 0;
}
