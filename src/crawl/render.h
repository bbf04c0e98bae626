/* JavaScript pages through headless Chromium (`--headless --dump-dom`): each page in a fresh
 * profile folder (removed afterwards), background networking off, the crawler's User-Agent, a
 * time limit, and at most N browsers at once (worker threads, one browser each). */
#ifndef YUQING_CRAWL_RENDER_H
#define YUQING_CRAWL_RENDER_H

#include <stddef.h>

typedef struct crawl_render crawl_render;

typedef struct crawl_render_result {
    void *user;
    int ok;           /* 1: html holds the rendered DOM */
    char *html;       /* malloc'd, NUL-terminated */
    size_t len;
    double seconds;   /* wall time of the browser run */
    char reason[256]; /* why not ok: "timeout after 30 s", "refused private address", ... */
} crawl_render_result;

/* Starts `concurrency` workers running `chromium`. `wake(wake_arg)` is called from a worker
 * when a result is ready (to interrupt the crawl loop's wait). Errors: YQ_ENOMEM, YQ_EIO. */
int crawl_render_new(const char *chromium, int concurrency, double timeout_s, size_t max_size,
                     void (*wake)(void *), void *wake_arg, crawl_render **out);

/* Stops the workers (killing running browsers) and frees what is left. */
void crawl_render_free(crawl_render *r);

/* Queues a page. Without allow_private, a host resolving to a non-public address is refused
 * (result not ok). Strings are copied. Errors: YQ_ENOMEM. */
int crawl_render_submit(crawl_render *r, const char *url, const char *user_agent, int allow_private, void *user);

/* Takes one finished page: 1 and *out filled (the caller frees out->html), or 0 when none. */
int crawl_render_take(crawl_render *r, crawl_render_result *out);

#endif
