/* Fetcher throughput against the loopback fixture site, side by side with the curl command line
 * (`curl --parallel`, the same libcurl engine) fetching the same URLs with the same concurrency.
 * Usage: bench_fetch [N_REQUESTS=5000] [CONCURRENCY=32]; fixture_site is found next to this
 * program. Prints requests/s and MB/s for both. */
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "yuqing/fetch.h"

static const char *const pages[] = {"/news/xinghe-q3-results.html",
                                    "/news/northwind-recall.html",
                                    "/news/lanhai-food-safety.html",
                                    "/news/helios-solar-plant.html",
                                    "/feed.rss",
                                    "/news/"};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static pid_t start_site(int *port) {
    char exe[PATH_MAX], site[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = '\0';
    snprintf(site, sizeof site, "%s/fixture_site", dirname(exe));
    int out[2];
    if (pipe(out)) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        execl(site, "fixture_site", "--crawl-delay", "0", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[32] = "";
    n = read(out[0], line, sizeof line - 1);
    close(out[0]);
    *port = n > 0 ? atoi(line) : 0;
    return *port > 0 ? pid : -1;
}

typedef struct {
    int done, failed;
    size_t bytes;
} tally;

static void count(void *user, yq_fetch_response *r) {
    tally *t = user;
    t->done++;
    t->failed += r->error != YQ_FETCH_OK;
    t->bytes += r->body_len;
    yq_fetch_response_free(r);
}

static double run_ours(int port, int n, int concurrency, tally *t) {
    yq_fetcher_config fc = yq_fetcher_defaults();
    fc.max_transfers = concurrency;
    yq_fetcher *f;
    if (yq_fetcher_new(&fc, &f)) return -1;
    char url[256];
    double start = now_s();
    int submitted = 0;
    while (t->done < n) {
        /* keep the queue short, as a crawl loop feeding from its frontier would */
        while (submitted < n && yq_fetcher_pending(f) < 2 * concurrency) {
            snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, pages[submitted % 6]);
            yq_fetcher_submit(f, &(yq_fetch_request){.url = url, .allow_private = 1}, count, t);
            submitted++;
        }
        yq_fetcher_poll(f, 100);
    }
    double s = now_s() - start;
    yq_fetcher_free(f);
    return s;
}

static double run_curl(int port, int n, int concurrency) {
    char config[] = "/tmp/yuqing-bench-fetch-XXXXXX";
    int fd = mkstemp(config);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) return -1;
    for (int i = 0; i < n; i++)
        fprintf(f, "url = \"http://127.0.0.1:%d%s\"\noutput = \"/dev/null\"\n", port, pages[i % 6]);
    fclose(f);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "curl -s --compressed --parallel --parallel-max %d -K %s 2>/dev/null",
             concurrency, config);
    double start = now_s();
    int rc = system(cmd);
    double s = now_s() - start;
    unlink(config);
    return rc == 0 ? s : -1;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 5000, concurrency = argc > 2 ? atoi(argv[2]) : 32, port;
    pid_t site = start_site(&port);
    if (site < 0) {
        fprintf(stderr, "bench_fetch: cannot start fixture_site (build it next to bench_fetch)\n");
        return 1;
    }
    fprintf(stderr, "bench_fetch: %d requests, %d at once, fixture site on port %d\n", n, concurrency, port);
    tally t = {0};
    double ours = run_ours(port, n, concurrency, &t);
    double curl = run_curl(port, n, concurrency);
    kill(site, SIGTERM);
    waitpid(site, NULL, 0);
    printf("| client | requests/s | MB/s | failed |\n| --- | --- | --- | --- |\n");
    printf("| yuqing fetcher | %.0f | %.1f | %d |\n", n / ours, t.bytes / ours / 1e6, t.failed);
    if (curl > 0) printf("| curl --parallel | %.0f | %.1f | - |\n", n / curl, t.bytes / curl / 1e6);
    return t.failed ? 1 : 0;
}
