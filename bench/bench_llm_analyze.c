/* Throughput of the LLM analyzer on the local engine: N short articles analysed as one batch
 * (decoded together, --concurrency N) versus one at a time (engine batch 1), wall-clock articles
 * per second, and how many answers were valid or failed.
 * Usage: bench_llm_analyze MODEL [TOKENIZER] [N_ARTICLES (16)] [MAX_TOKENS (32)] [THREADS (1)] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yuqing/error.h"
#include "yuqing/llm_analyzer.h"
#include "yuqing/threads.h"

static const char *const bodies[] = {
    "Northwind Motors recalled 30,000 cars after battery fires; its shares fell 8% on Monday.",
    "星河科技发布新一代芯片，营收同比增长百分之二十，股价上涨。",
    "Lanhai Bank appointed a new chief executive after the former head resigned.",
    "澜海银行因违规放贷被监管部门罚款五百万元。",
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Analyses docs[0..n) in batches of `batch`; prints the rate and the outcome counts. */
static int run(const char *label, yq_llm_config *c, const yq_doc *docs, int n, int batch) {
    c->max_batch = batch;
    yq_analyzer *an;
    int rc = yq_llm_analyzer_new(c, &an);
    if (rc) return rc;
    yq_analysis *out = calloc((size_t)n, sizeof *out);
    double t0 = now();
    for (int i = 0; !rc && i < n; i += batch)
        rc = an->analyze_batch(an, docs + i, n - i < batch ? n - i : batch, out + i);
    double dt = now() - t0;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        failed += out[i].failed;
        yq_analysis_clear(&out[i]);
    }
    if (!rc) printf("%-14s %4d articles in %6.2f s: %6.2f articles/s (%d valid, %d failed)\n", label, n, dt, n / dt,
                    n - failed, failed);
    free(out);
    an->free(an);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_llm_analyze MODEL [TOKENIZER] [N_ARTICLES] [MAX_TOKENS] [THREADS]\n");
        return 2;
    }
    int n = argc > 3 ? atoi(argv[3]) : 16, max_tokens = argc > 4 ? atoi(argv[4]) : 32;
    yq_threads_init(argc > 5 ? atoi(argv[5]) : 1);
    yq_doc *docs = calloc((size_t)n, sizeof *docs);
    for (int i = 0; i < n; i++) {
        const char *b = bodies[i % 4];
        docs[i] = (yq_doc){.id = "", .title = "", .body = b, .body_len = strlen(b), .lang = ""};
    }
    yq_llm_config c = {.model_path = argv[1], .tokenizer_path = argc > 2 ? argv[2] : NULL, .max_tokens = max_tokens};
    int rc = run("batched", &c, docs, n, n);
    if (!rc) rc = run("one at a time", &c, docs, n, 1);
    if (rc) fprintf(stderr, "bench_llm_analyze: %s\n", yq_last_error());
    free(docs);
    return rc ? 1 : 0;
}
