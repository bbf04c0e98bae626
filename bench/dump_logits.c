/* Logits at every position of a prompt of token ids, as yuqing computes them, for comparisons
 * with other engines (tools/compare_llamacpp_logits.sh, bench/kl_vs_llamacpp.sh): one prefill
 * of the whole prompt, or with CHUNK, of each CHUNK consecutive ids as a sequence of its own
 * (as llama-perplexity evaluates a text); with UBATCH, each sequence is fed UBATCH ids per
 * forward pass (1: one token at a time, the decode path), as llama.cpp's n_ubatch does.
 * Usage: dump_logits MODEL "ID ID ..." OUT.bin [THREADS [CHUNK [UBATCH]]]; writes positions x
 * vocabulary float32. */
#include <stdio.h>
#include <stdlib.h>

#include "yuqing/error.h"
#include "yuqing/model.h"
#include "yuqing/threads.h"

enum { MAX_IDS = 4096, BLOCK = 16 };

static int parse_ids(const char *s, int32_t *ids) {
    int n = 0;
    for (char *end; n < MAX_IDS; s = end) {
        long v = strtol(s, &end, 10);
        if (end == s) break;
        ids[n++] = (int32_t)v;
    }
    return n;
}

/* Logits of one sequence of `len` ids into `rows`, `ubatch` ids per forward pass. */
static int forward_sequence(yq_model *m, yq_kv_cache *kv, yq_forward_ctx *ctx, const int32_t *ids, int len,
                            int ubatch, float *rows) {
    yq_kv_seq seq = {0};
    int rc = YQ_OK;
    for (int first = 0; first < len && !rc; first += ubatch) {
        int n = len - first < ubatch ? len - first : ubatch;
        yq_seq_step step = {ids + first, n, &seq, YQ_LOGITS_ALL,
                            rows + (size_t)first * (size_t)m->config.vocab_size};
        rc = yq_forward(m, kv, &step, 1, ctx);
    }
    yq_kv_seq_release(kv, &seq);
    return rc;
}

static int dump(const char *path, const int32_t *ids, int n, int chunk, int ubatch, const char *out) {
    yq_model *m = NULL;
    yq_kv_cache *kv = NULL;
    yq_forward_ctx *ctx = NULL;
    float *rows = NULL;
    int rc = yq_model_open(path, &m);
    if (!rc) rc = yq_model_kv_cache_new(m, BLOCK, (chunk + BLOCK - 1) / BLOCK, &kv);
    if (!rc) rc = yq_forward_ctx_new(m, &ctx);
    if (!rc && !(rows = malloc((size_t)n * (size_t)m->config.vocab_size * sizeof *rows)))
        rc = yq_error(YQ_ENOMEM, "out of memory");
    for (int first = 0; first < n && !rc; first += chunk) {
        int len = n - first < chunk ? n - first : chunk;
        rc = forward_sequence(m, kv, ctx, ids + first, len, ubatch,
                              rows + (size_t)first * (size_t)m->config.vocab_size);
    }
    FILE *f = rc ? NULL : fopen(out, "wb");
    if (!rc && (!f || fwrite(rows, sizeof *rows * (size_t)m->config.vocab_size, (size_t)n, f) != (size_t)n))
        rc = yq_error(YQ_EIO, "%s: cannot write", out);
    if (f && fclose(f) && !rc) rc = yq_error(YQ_EIO, "%s: cannot write", out);
    yq_kv_cache_free(kv);
    yq_forward_ctx_free(ctx);
    yq_model_close(m);
    free(rows);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: dump_logits MODEL \"ID ID ...\" OUT.bin [THREADS [CHUNK [UBATCH]]]\n");
        return 2;
    }
    static int32_t ids[MAX_IDS];
    int n = parse_ids(argv[2], ids);
    if (n == 0 || yq_threads_init(argc > 4 ? atoi(argv[4]) : 2)) {
        fprintf(stderr, "dump_logits: no token ids, or bad thread count\n");
        return 2;
    }
    int chunk = argc > 5 ? atoi(argv[5]) : n;
    if (chunk <= 0) chunk = n;
    int ubatch = argc > 6 ? atoi(argv[6]) : chunk;
    if (ubatch <= 0) ubatch = chunk;
    int rc = dump(argv[1], ids, n, chunk, ubatch, argv[3]);
    if (rc) fprintf(stderr, "dump_logits: %s\n", yq_last_error());
    yq_threads_shutdown();
    return rc ? 1 : 0;
}
