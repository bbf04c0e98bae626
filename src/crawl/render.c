/* Headless Chromium runs for JavaScript pages: worker threads each take a page, start
 * `chromium --headless --dump-dom` in its own process group with a fresh profile folder, read
 * the DOM from its stdout until it exits or the time limit kills the whole group, then remove
 * the profile. Results wait in a list until the crawl loop takes them. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crawl/render.h"
#include "yuqing/error.h"
#include "yuqing/fetch.h"
#include "yuqing/log.h"
#include "yuqing/url.h"

typedef struct render_job {
    char *url, *user_agent;
    int allow_private;
    void *user;
    struct render_job *next;
} render_job;

struct crawl_render {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    render_job *head, *tail;
    crawl_render_result *results;
    int n_results, cap_results;
    int stopping;
    pthread_t *threads;
    int n_threads;
    char *chromium;
    double timeout_s;
    size_t max_size;
    void (*wake)(void *);
    void *wake_arg;
};

/* 1 when the URL's host resolves to any non-public address (or does not resolve). */
static int resolves_private(const char *url) {
    char *host = NULL;
    if (yq_url_host(url, &host)) return 1;
    if (host[0] == '[') memmove(host, host + 1, strlen(host)), host[strcspn(host, "]")] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *list = NULL;
    int bad = getaddrinfo(host, NULL, &hints, &list) != 0;
    for (struct addrinfo *a = list; a && !bad; a = a->ai_next) {
        char ip[INET6_ADDRSTRLEN] = "";
        const void *addr = a->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                                                   : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
        inet_ntop(a->ai_family, addr, ip, sizeof ip);
        bad = yq_fetch_ip_is_private(ip) != 0;
    }
    if (list) freeaddrinfo(list);
    free(host);
    return bad;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* In the child after fork: only async-signal-safe calls until exec. */
static void exec_browser(const char *const *argv, int out_fd) {
    setpgid(0, 0);
    dup2(out_fd, 1);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) dup2(null, 0), dup2(null, 2);
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

/* Reads the child's stdout until EOF, the size cap or the deadline. 0 ok, else a reason. */
static const char *read_dom(int fd, double timeout_s, size_t max_size, char **out, size_t *len) {
    size_t cap = 65536, used = 0;
    char *buf = malloc(cap + 1);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const char *why = NULL;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        double left = timeout_s - ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) * 1e-9);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) == 0) { why = "timeout"; break; }
        if (used == cap) {
            char *grown = cap >= max_size ? NULL : realloc(buf, cap * 2 + 1);
            if (!grown) { why = "too large"; break; }
            buf = grown, cap *= 2;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    *out = buf;
    *len = used;
    return why;
}

static void run_browser(crawl_render *r, const render_job *job, crawl_render_result *res) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!job->allow_private && resolves_private(job->url)) {
        snprintf(res->reason, sizeof res->reason, "refused: %s resolves to a private address (or not at all)", job->url);
        return;
    }
    char profile[] = "/tmp/yuqing-chromium-XXXXXX";
    int fds[2];
    if (!mkdtemp(profile) || pipe(fds) != 0) {
        snprintf(res->reason, sizeof res->reason, "cannot start chromium: %s", strerror(errno));
        return;
    }
    char profile_arg[300], ua_arg[1100];
    snprintf(profile_arg, sizeof profile_arg, "--user-data-dir=%s", profile);
    snprintf(ua_arg, sizeof ua_arg, "--user-agent=%s", job->user_agent);
    const char *argv[] = {r->chromium, "--headless", "--disable-gpu", "--disable-background-networking",
                          "--disable-extensions", "--disable-sync", "--no-first-run", "--no-default-browser-check",
                          "--mute-audio", "--disable-dev-shm-usage", profile_arg, ua_arg,
                          "--virtual-time-budget=5000", "--dump-dom", job->url, geteuid() == 0 ? "--no-sandbox" : NULL,
                          NULL};
    pid_t pid = fork();
    if (pid == 0) exec_browser(argv, fds[1]);
    close(fds[1]);
    const char *why = pid < 0 ? "fork failed" : read_dom(fds[0], r->timeout_s, r->max_size, &res->html, &res->len);
    close(fds[0]);
    int status = 0;
    if (pid > 0) {
        kill(-pid, SIGKILL); /* the browser's helpers too; harmless once it has exited */
        waitpid(pid, &status, 0);
    }
    nftw(profile, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    res->ok = !why && res->len > 0;
    if (!res->ok && why) snprintf(res->reason, sizeof res->reason, "chromium: %s after %.0f s", why, res->seconds);
    if (!res->ok && !why)
        snprintf(res->reason, sizeof res->reason, "chromium: no output (exit status %d)", WEXITSTATUS(status));
}

static void *worker(void *arg) {
    crawl_render *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->head && !r->stopping) pthread_cond_wait(&r->cv, &r->mu);
        if (r->stopping) break;
        render_job *job = r->head;
        r->head = job->next;
        if (!r->head) r->tail = NULL;
        pthread_mutex_unlock(&r->mu);
        crawl_render_result res = {.user = job->user};
        run_browser(r, job, &res);
        if (!res.ok) yq_warn("%s: %s", job->url, res.reason);
        free(job->url), free(job->user_agent), free(job);
        pthread_mutex_lock(&r->mu);
        if (r->n_results == r->cap_results) {
            int cap = r->cap_results ? r->cap_results * 2 : 16;
            crawl_render_result *grown = realloc(r->results, (size_t)cap * sizeof *grown);
            if (!grown) abort(); /* cannot hand a result back: nothing sane is left */
            r->results = grown, r->cap_results = cap;
        }
        r->results[r->n_results++] = res;
        r->wake(r->wake_arg);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

int crawl_render_new(const char *chromium, int concurrency, double timeout_s, size_t max_size,
                     void (*wake)(void *), void *wake_arg, crawl_render **out) {
    crawl_render *r = calloc(1, sizeof *r);
    if (!r || !(r->chromium = strdup(chromium)) || !(r->threads = calloc((size_t)concurrency, sizeof *r->threads)))
        return crawl_render_free(r), yq_error(YQ_ENOMEM, "out of memory");
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->timeout_s = timeout_s, r->max_size = max_size, r->wake = wake, r->wake_arg = wake_arg;
    for (; r->n_threads < concurrency; r->n_threads++)
        if (pthread_create(&r->threads[r->n_threads], NULL, worker, r) != 0) {
            crawl_render_free(r);
            return yq_error(YQ_EIO, "cannot start a browser thread");
        }
    *out = r;
    return YQ_OK;
}

void crawl_render_free(crawl_render *r) {
    if (!r) return;
    if (r->threads) {
        pthread_mutex_lock(&r->mu);
        r->stopping = 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
        for (int i = 0; i < r->n_threads; i++) pthread_join(r->threads[i], NULL);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
    }
    while (r->head) {
        render_job *next = r->head->next;
        free(r->head->url), free(r->head->user_agent), free(r->head);
        r->head = next;
    }
    for (int i = 0; i < r->n_results; i++) free(r->results[i].html);
    free(r->results);
    free(r->threads);
    free(r->chromium);
    free(r);
}

int crawl_render_submit(crawl_render *r, const char *url, const char *user_agent, int allow_private, void *user) {
    render_job *job = calloc(1, sizeof *job);
    if (!job || !(job->url = strdup(url)) || !(job->user_agent = strdup(user_agent ? user_agent : ""))) {
        if (job) free(job->url), free(job);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    job->allow_private = allow_private;
    job->user = user;
    pthread_mutex_lock(&r->mu);
    if (r->tail) r->tail->next = job;
    else r->head = job;
    r->tail = job;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return YQ_OK;
}

int crawl_render_take(crawl_render *r, crawl_render_result *out) {
    pthread_mutex_lock(&r->mu);
    int got = r->n_results > 0;
    if (got) {
        *out = r->results[0];
        memmove(r->results, r->results + 1, (size_t)(r->n_results - 1) * sizeof *r->results);
        r->n_results--;
    }
    pthread_mutex_unlock(&r->mu);
    return got;
}
