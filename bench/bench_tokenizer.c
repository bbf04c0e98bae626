/* Tokenizer benchmark: single-thread encode throughput over a corpus (MB/s, tokens/s, in CPU
 * time), batch encoding over the thread pool, and the cost of ever longer pre-tokens (the worst
 * case of naive BPE). Prints one "key value" line per figure for bench/bench_tokenizer.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/threads.h"
#include "yuqing/tokenizer.h"

enum { CHUNK = 4096 };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the process: what a single-thread figure is measured in, so that other work on a
 * busy machine does not count against ours. */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Splits text into documents of about CHUNK bytes, cut after a newline. */
static size_t split_chunks(const char *text, size_t len, const char ***starts, size_t **lens) {
    size_t cap = len / CHUNK + 2, n = 0;
    *starts = malloc(cap * sizeof **starts);
    *lens = malloc(cap * sizeof **lens);
    for (size_t pos = 0; pos < len && n < cap;) {
        size_t end = pos + CHUNK < len ? pos + CHUNK : len;
        const char *nl = end < len ? memchr(text + end, '\n', len - end) : NULL;
        end = nl ? (size_t)(nl - text) + 1 : len;
        (*starts)[n] = text + pos;
        (*lens)[n++] = end - pos;
        pos = end;
    }
    return n;
}

/* Single thread, one encode call per document; best of `reps` runs, in CPU time. */
static void throughput(const yq_tokenizer *tok, const char **docs, const size_t *lens, size_t n, size_t bytes,
                       int reps) {
    double best = 1e30;
    size_t tokens = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = cpu_now();
        tokens = 0;
        for (size_t i = 0; i < n; i++) {
            int32_t *ids;
            size_t k;
            if (yq_tokenizer_encode(tok, docs[i], lens[i], 0, &ids, &k)) {
                fprintf(stderr, "encode failed: %s\n", yq_last_error());
                exit(1);
            }
            tokens += k;
            free(ids);
        }
        double t = cpu_now() - t0;
        best = t < best ? t : best;
    }
    printf("tokens %zu\nseconds %.4f\nMB_per_s %.2f\ntokens_per_s %.0f\n", tokens, best,
           (double)bytes / best / 1e6, (double)tokens / best);
}

/* Batch encoding (count only) with 1, 2, 4, ... threads up to max_threads, best of three runs:
 * MB/s of wall time, and MB per CPU second (flat across thread counts = no overhead from the
 * threads, so wall time scales with the cores free; on a busy machine wall time cannot show it). */
static void batch(const yq_tokenizer *tok, const char **docs, const size_t *lens, size_t n, size_t bytes,
                  int max_threads) {
    size_t *n_ids = malloc(n * sizeof *n_ids);
    int *status = malloc(n * sizeof *status);
    for (int t = 1; t <= max_threads; t *= 2) {
        yq_threads_init(t);
        double best = 1e30, best_cpu = 1e30;
        for (int rep = 0; rep < 3; rep++) {
            yq_token_batch b = {n, docs, lens, NULL, n_ids, status};
            double t0 = now(), c0 = cpu_now();
            yq_tokenizer_encode_batch(tok, &b, 0);
            double s = now() - t0, c = cpu_now() - c0;
            best = s < best ? s : best;
            best_cpu = c < best_cpu ? c : best_cpu;
        }
        printf("batch_threads_%d_MB_per_s %.2f\nbatch_threads_%d_MB_per_cpu_s %.2f\n", t, (double)bytes / best / 1e6,
               t, (double)bytes / best_cpu / 1e6);
    }
    yq_threads_shutdown();
    free(n_ids);
    free(status);
}

/* Pre-tokens of about `len` bytes, 1 MB of them in all: a repeated CJK character, or random
 * letters without spaces (new ones in every piece, so that short pieces do not find the merge
 * table warm from the piece before); best of three runs. */
static void long_piece(const yq_tokenizer *tok, size_t len) {
    size_t count = len >= (1 << 20) ? 1 : (1 << 20) / len, piece = len - len % 3, n = count * piece;
    char *s = malloc(n);
    const char *names[2] = {"cjk", "letters"};
    for (int kind = 0; kind < 2; kind++) {
        srand(1);
        for (size_t i = 0; i < n; i += kind == 0 ? 3 : 1) {
            if (kind == 0)
                memcpy(s + i, "\xe7\x9a\x84", 3); /* 的 */
            else
                s[i] = (char)('a' + rand() % 26);
        }
        double best = 1e30;
        for (int rep = 0; rep < 3; rep++) {
            double t0 = cpu_now();
            for (size_t i = 0; i < count; i++) {
                int32_t *ids;
                size_t k;
                if (yq_tokenizer_encode(tok, s + i * piece, piece, 0, &ids, &k)) exit(1);
                free(ids);
            }
            double t = cpu_now() - t0;
            best = t < best ? t : best;
        }
        printf("long_%s_%zu_seconds %.5f\nlong_%s_%zu_us_per_KB %.2f\n", names[kind], len, best, names[kind],
               len, best * 1e6 / ((double)n / 1024));
    }
    free(s);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_tokenizer TOKENIZER (CORPUS [--threads N] | --long)\n");
        return 2;
    }
    yq_tokenizer *tok;
    double t0 = now();
    if (yq_tokenizer_open(argv[1], NULL, &tok)) {
        fprintf(stderr, "bench_tokenizer: %s\n", yq_last_error());
        return 2;
    }
    printf("load_seconds %.3f\n", now() - t0);
    if (!strcmp(argv[2], "--long")) {
        for (size_t len = 1024; len <= 102400; len *= 10)
            long_piece(tok, len);
        long_piece(tok, 1 << 20);
    } else {
        yq_mapped_file f;
        if (yq_map_file(argv[2], &f)) {
            fprintf(stderr, "bench_tokenizer: %s\n", yq_last_error());
            return 2;
        }
        const char **docs;
        size_t *lens, n = split_chunks((const char *)f.data, f.size, &docs, &lens);
        throughput(tok, docs, lens, n, f.size, 3);
        if (argc > 4 && !strcmp(argv[3], "--threads")) batch(tok, docs, lens, n, f.size, atoi(argv[4]));
        free(docs);
        free(lens);
        yq_unmap_file(&f);
    }
    yq_tokenizer_free(tok);
    return 0;
}
