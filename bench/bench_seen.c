/* The seen-URL store at scale: inserts N fingerprints (default 10 million) through the crawl
 * state, then measures lookups of present and absent URLs, memory (process RSS, Bloom filter)
 * and disk per URL, and the reopen time (Bloom filter loaded, or rebuilt from SQLite).
 *     bench_seen [N] [DIR]      (DIR default: a temporary folder, removed afterwards) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crawl/store.h"
#include "yuqing/error.h"
#include "yuqing/url.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb;
}

/* The fingerprint of the i-th synthetic URL (as the crawler computes it from a canonical URL). */
static uint64_t url_fp(long long i, int absent) {
    char url[128];
    snprintf(url, sizeof url, "https://news%lld.example.com/%s/2024/%lld.html", i % 1000, absent ? "x" : "a",
             i);
    return yq_fingerprint64(url, strlen(url));
}

static long long file_size(const char *dir, const char *name) {
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static int fill(crawl_store *s, long long n) {
    double t0 = now_s();
    for (long long i = 0; i < n; i++) {
        if (i % 10000 == 0 && (i ? crawl_store_commit(s) : 0) | crawl_store_begin(s)) return 1;
        if (crawl_store_seen_add(s, url_fp(i, 0)) < 0) return 1;
        if (i % 1000000 == 999999)
            fprintf(stderr, "bench_seen: %lld inserted, %.0f/s, RSS %ld MB\n", i + 1,
                    (double)(i + 1) / (now_s() - t0), rss_kb() / 1024);
    }
    if (crawl_store_commit(s)) return 1;
    double dt = now_s() - t0;
    printf("insert: %lld URLs in %.1f s = %.2f us/URL\n", n, dt, dt / (double)n * 1e6);
    return 0;
}

static void lookups(crawl_store *s, long long n, int absent) {
    long long count = n < 1000000 ? n : 1000000, hits = 0;
    uint64_t x = 12345;
    double t0 = now_s();
    for (long long i = 0; i < count; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        hits += crawl_store_seen_has(s, url_fp((long long)(x >> 11) % n, absent)) == 1;
    }
    double dt = now_s() - t0;
    printf("lookup %s: %.2f us/URL (%lld of %lld found)\n", absent ? "absent " : "present",
           dt / (double)count * 1e6, hits, count);
}

int main(int argc, char **argv) {
    long long n = argc > 1 ? atoll(argv[1]) : 10000000;
    char tmp[] = "/tmp/yq-bench-seen-XXXXXX";
    const char *dir = argc > 2 ? argv[2] : mkdtemp(tmp);
    if (!dir || n < 1) return fprintf(stderr, "usage: bench_seen [N] [DIR]\n"), 2;
    long rss0 = rss_kb();
    crawl_store s;
    if (crawl_store_open(dir, &s) || fill(&s, n))
        return fprintf(stderr, "bench_seen: %s\n", yq_last_error()), 1;
    long rss1 = rss_kb();
    lookups(&s, n, 0);
    lookups(&s, n, 1);
    crawl_store_close(&s); /* saves the Bloom filter */
    double t0 = now_s();
    if (crawl_store_open(dir, &s)) return fprintf(stderr, "bench_seen: %s\n", yq_last_error()), 1;
    double reopen = now_s() - t0;
    crawl_store_close(&s);
    char bloom[4200];
    snprintf(bloom, sizeof bloom, "%s/seen.bloom", dir);
    remove(bloom); /* as after a kill: rebuilt from the tables */
    t0 = now_s();
    if (crawl_store_open(dir, &s)) return fprintf(stderr, "bench_seen: %s\n", yq_last_error()), 1;
    double rebuild = now_s() - t0;
    long rss2 = rss_kb();
    long long disk = file_size(dir, "state.db") + file_size(dir, "state.db-wal");
    printf("reopen: %.2f s with the saved Bloom filter, %.1f s rebuilding it from SQLite (after a kill)\n",
           reopen, rebuild);
    printf("Bloom filter: %.2f bytes/URL (%llu bits, k=%d)\n", (double)s.bloom.n_bits / 8 / (double)n,
           (unsigned long long)s.bloom.n_bits, s.bloom.k);
    printf("memory: RSS %+.1f MB after inserting (%.2f bytes/URL incl. SQLite's page cache), %ld MB after "
           "reopen\n",
           (double)(rss1 - rss0) / 1024, (double)(rss1 - rss0) * 1024 / (double)n, rss2 / 1024);
    printf("disk: %.1f MB = %.1f bytes/URL\n", (double)disk / 1e6, (double)disk / (double)n);
    crawl_store_close(&s);
    if (argc <= 2) {
        char cmd[100];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    }
    return 0;
}
