/* Built-in sentiment analyzer benchmark: single-thread articles per CPU second on ~2 KB articles
 * cut from a corpus (default ../shared/data/corpus/zh_en_mixed.txt), several passes, best shown.
 * usage: bench_sentiment [CORPUS] [--passes N] [--model PATH] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/sentiment.h"

enum { ARTICLE_BYTES = 2048 };

/* CPU time of this (single-threaded) process: articles per second per core even when other
 * processes share the machine; wall time is printed beside it. */
static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Article boundaries: every ARTICLE_BYTES, moved back to the start of a UTF-8 character. */
static size_t cut_articles(const unsigned char *d, size_t size, size_t **starts) {
    size_t cap = size / (ARTICLE_BYTES - 3) + 2, n = 0, at = 0; /* each cut moves back at most 3 bytes */
    *starts = malloc(cap * sizeof **starts);
    if (!*starts) return 0;
    while (at < size) {
        (*starts)[n++] = at;
        at += ARTICLE_BYTES;
        while (at < size && (d[at] & 0xC0) == 0x80) at--;
    }
    (*starts)[n] = size;
    return n;
}

int main(int argc, char **argv) {
    const char *corpus = "../shared/data/corpus/zh_en_mixed.txt", *model_path = NULL;
    int passes = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--passes") && i + 1 < argc) passes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--model") && i + 1 < argc) model_path = argv[++i];
        else corpus = argv[i];
    }
    yq_sentiment_model *model;
    yq_mapped_file f;
    if (yq_sentiment_open(model_path, &model) || yq_map_file(corpus, &f)) {
        fprintf(stderr, "bench_sentiment: %s\n", yq_last_error());
        return 1;
    }
    size_t *starts, n = cut_articles(f.data, f.size, &starts);
    double best = 1e30, checksum = 0;
    long labels[3] = {0};
    for (int pass = 0; pass < passes; pass++) {
        double t0 = cpu_s(), w0 = wall_s();
        for (size_t i = 0; i < n; i++) {
            yq_sentiment_result r;
            yq_sentiment_score(model, (const char *)f.data + starts[i], starts[i + 1] - starts[i], NULL, &r);
            checksum += r.score;
            if (pass == 0) labels[r.label + 1]++;
        }
        double t = cpu_s() - t0;
        if (t < best) best = t;
        fprintf(stderr, "pass %d: %.3f s CPU, %.3f s wall\n", pass + 1, t, wall_s() - w0);
    }
    printf("corpus %s: %zu articles of ~%d bytes, %.1f MB\n", corpus, n, ARTICLE_BYTES, (double)f.size / 1e6);
    printf("labels: negative %ld, neutral %ld, positive %ld (checksum %.3f)\n", labels[0], labels[1], labels[2],
           checksum);
    printf("articles_per_s %.0f\n", (double)n / best);
    printf("MB_per_s %.1f\n", (double)f.size / 1e6 / best);
    printf("us_per_article %.2f\n", 1e6 * best / (double)n);
    free(starts);
    yq_unmap_file(&f);
    yq_sentiment_close(model);
    return 0;
}
