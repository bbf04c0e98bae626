/* The HTTP client shared by the crawler and the LLM client (--llm-url): libcurl's multi interface
 * running many transfers on one thread, with redirects followed by us (loops detected), a
 * response-size cap, per-request timeouts, and refusal of private addresses by default.
 *
 * Crawler use (one thread owns the fetcher; nothing here is thread-safe except yq_fetcher_wakeup):
 *
 *     yq_fetcher_config fc = yq_fetcher_defaults();
 *     fc.proxy = cfg->proxy;                      // optional
 *     yq_fetcher *f;
 *     if (yq_fetcher_new(&fc, &f)) ...            // yq_last_error() says why
 *     yq_fetch_request rq = {.url = url, .user_agent = yq_ua_pick(...), .allow_private = src->allow_private};
 *     yq_fetcher_submit(f, &rq, on_done, job);    // strings are copied; returns at once
 *     while (yq_fetcher_pending(f) > 0 || more_work)
 *         yq_fetcher_poll(f, 100);                // runs transfers, calls on_done(job, response)
 *     yq_fetcher_free(f);                         // aborts what is left (no callbacks)
 *
 *     static void on_done(void *job, yq_fetch_response *r) {
 *         // r->error == YQ_FETCH_OK: r->status is 2xx, or 3xx when max_redirects was -1
 *         // r->error == YQ_FETCH_HTTP: r->status >= 400, body and headers still there
 *         // else no usable response; r->reason says why ("redirect loop: A -> B -> A", ...)
 *         // r->body is decoded (gzip/deflate/br) and NUL-terminated; r->ttfb_s feeds autothrottle
 *         yq_fetch_response_free(r);              // the callback owns r
 *     }
 *
 * Redirects are followed inside the fetcher. A crawler that must check each hop (robots.txt,
 * allowed domains) sets max_redirects = -1 and queues r->location as a new request instead.
 *
 * Every failure (timeout, too large, redirect loop, refused address, network) is also logged at
 * warning level with the URL and the reason, so a cut-off transfer is never silent. */
#ifndef YUQING_FETCH_H
#define YUQING_FETCH_H

#include <stddef.h>

typedef struct yq_fetcher yq_fetcher;

/* Why a transfer ended. Only YQ_FETCH_OK and YQ_FETCH_HTTP carry an HTTP response. */
enum yq_fetch_error {
    YQ_FETCH_OK = 0,          /* a response with status < 400 */
    YQ_FETCH_HTTP,            /* a response with status >= 400 (body and headers kept) */
    YQ_FETCH_TIMEOUT,         /* connect or total time exceeded timeout_ms */
    YQ_FETCH_TOO_LARGE,       /* the body (decoded) exceeded max_size: transfer aborted, body dropped */
    YQ_FETCH_REDIRECT_LOOP,   /* a redirect came back to a URL already visited, or too many redirects */
    YQ_FETCH_REFUSED_PRIVATE, /* the target (or a redirect's target) resolved to a private,
                                 loopback, link-local or otherwise non-public address */
    YQ_FETCH_NETWORK,         /* DNS, connection, TLS or protocol failure, bad URL or scheme */
};

/* Short name of an error kind: "ok", "http", "timeout", "too_large", "redirect_loop",
 * "refused_private", "network". Static string. */
const char *yq_fetch_error_name(enum yq_fetch_error error);

typedef struct yq_fetcher_config {
    int max_transfers;       /* transfers running at once; more submissions wait in a queue */
    long timeout_ms;         /* default total time per request, redirects included */
    long connect_timeout_ms; /* per connection attempt */
    size_t max_size;         /* default cap on a decoded body, bytes */
    int max_redirects;       /* default number of redirects followed */
    const char *user_agent;  /* default User-Agent (copied) */
    const char *proxy;       /* NULL: none; else e.g. "http://host:3128", "socks5h://host:1080".
                                With a proxy the proxy resolves names, so the private-address
                                check only sees literal IP hosts and "localhost" */
    int cookies;             /* 1: one cookie store shared by all transfers; cookies are sent
                                back only to their own domain (RFC 6265 rules, libcurl's engine) */
    const char *ca_file;     /* NULL: the system's CA certificates; else a PEM file of the CA
                                certificates to trust instead (copied); verification stays on */
} yq_fetcher_config;

/* max_transfers 64, timeout 30 s, connect 10 s, max_size 16 MiB, 10 redirects,
 * user_agent "yuqing/VERSION", no proxy, cookies on, the system's CA certificates. */
yq_fetcher_config yq_fetcher_defaults(void);

typedef struct yq_fetch_request {
    const char *url;    /* absolute http:// or https:// URL (required) */
    const char *method; /* NULL: "GET"; "POST", "HEAD", ... */
    const char *body;   /* request body (POST), copied; NULL: none */
    size_t body_len;
    const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
    const char *user_agent;     /* NULL: the fetcher's default */
    long timeout_ms;            /* 0: the fetcher's default */
    size_t max_size;            /* 0: the fetcher's default */
    int max_redirects;          /* 0: the fetcher's default; -1: do not follow (3xx returned) */
    int allow_private;          /* 1: private/loopback/link-local targets allowed (tests, LLM on
                                   localhost); 0: refused, also after redirects */
} yq_fetch_request;

/* A finished transfer. Owned by whoever receives it; free with yq_fetch_response_free. */
typedef struct yq_fetch_response {
    enum yq_fetch_error error;
    char reason[512];   /* "" when OK; else a one-line reason, also logged */
    long status;        /* HTTP status of the last response, 0 when none */
    char *url;          /* the URL requested */
    char *final_url;    /* the URL of the last response (after redirects) */
    int redirects;      /* redirects followed */
    char *location;     /* a 3xx not followed (max_redirects -1): its absolute target, else NULL */
    char *content_type; /* Content-Type of the last response, NULL when absent */
    char *body;         /* decoded body, NUL-terminated (never NULL); empty on failure */
    size_t body_len;
    double ttfb_s;         /* seconds from request sent to first response byte, last hop */
    double total_s;        /* seconds from start (first hop) to completion */
    int connection_reused; /* 1 when the last hop reused an open connection */
    int http_version;      /* HTTP version of the last response: 10, 11, 20 or 30; 0 when none */
    char **header_names;   /* headers of the last response, names lower-cased */
    char **header_values;
    int n_headers;
} yq_fetch_response;

/* The first value of response header `name` (case-insensitive), or NULL. Borrowed from r. */
const char *yq_fetch_header(const yq_fetch_response *r, const char *name);

void yq_fetch_response_free(yq_fetch_response *r);

/* Called once per submitted request from inside yq_fetcher_poll; takes ownership of r. It may
 * call yq_fetcher_submit (the new request joins the queue) but not yq_fetcher_free. A NULL
 * callback discards the response. */
typedef void (*yq_fetch_done)(void *user, yq_fetch_response *r);

/* Creates a fetcher (copies the config). Errors: YQ_EINVAL (bad config), YQ_ENOMEM. */
int yq_fetcher_new(const yq_fetcher_config *config, yq_fetcher **out);

/* Aborts unfinished transfers (their callbacks are not called) and frees everything. */
void yq_fetcher_free(yq_fetcher *f);

/* Queues a request; `done(user, response)` is called later from yq_fetcher_poll, also for
 * failures found at once (bad URL). Everything in *request is copied. Returns 0, or YQ_EINVAL
 * when request->url is NULL, YQ_ENOMEM. */
int yq_fetcher_submit(yq_fetcher *f, const yq_fetch_request *request, yq_fetch_done done, void *user);

/* Runs transfers for up to timeout_ms (returns earlier once at least one finished) and delivers
 * finished ones to their callbacks. Returns the number delivered (>= 0) or YQ_EIO. */
int yq_fetcher_poll(yq_fetcher *f, int timeout_ms);

/* Requests submitted and not yet delivered (queued + running). */
int yq_fetcher_pending(const yq_fetcher *f);

/* Makes a yq_fetcher_poll blocked in another thread return early (with 0 when nothing
 * finished); called while no poll runs, the next poll returns after one round. The only function
 * safe to call from another thread (not async-signal-safe: from a signal handler, set a flag and
 * call it from a thread). */
void yq_fetcher_wakeup(yq_fetcher *f);

/* Blocking convenience: one request with a private fetcher (default config with
 * `config` overrides when not NULL). *out is set even when the transfer failed (check
 * (*out)->error). Returns 0, or YQ_EINVAL / YQ_ENOMEM / YQ_EIO when no transfer could be made. */
int yq_fetch_once(const yq_fetcher_config *config, const yq_fetch_request *request, yq_fetch_response **out);

/* Blocking POST of a JSON body with "Content-Type: application/json" and, when `bearer_key` is
 * not NULL, "Authorization: Bearer KEY" (for OpenAI-compatible endpoints). Private addresses are
 * allowed (the URL comes from the user's configuration, e.g. a local `yuqing serve`). */
int yq_fetch_post_json(const char *url, const char *bearer_key, const char *json, long timeout_ms,
                       yq_fetch_response **out);

/* 1 when the numeric IPv4 or IPv6 address `ip` is not a public unicast address: unspecified,
 * loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10), link-local
 * (169.254/16, fe80::/10), multicast, reserved/documentation ranges, and IPv4-mapped/NAT64/6to4
 * forms of those. 0 for a public address, -1 when `ip` is not a numeric address. */
int yq_fetch_ip_is_private(const char *ip);

#endif
