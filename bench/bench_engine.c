/* Engine speed against this machine's memory-bandwidth roofline: builds a Qwen2.5-0.5B-shaped
 * model with random bf16 weights, measures prefill (512 tokens) and decode (128 tokens) at 1 and
 * 2 threads, the read bandwidth with the same thread count, and decode's share of the roofline
 * (bytes of every weight tensor read per decode step, the embedding row excepted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yuqing/bandwidth.h"
#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/model.h"
#include "yuqing/random_model.h"
#include "yuqing/threads.h"

enum { VOCAB = 151936, PREFILL = 512, DECODE = 128, BANDWIDTH_RUNS = 7 };
static const size_t BANDWIDTH_BYTES = (size_t)1 << 30;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct {
    double prefill_tps, decode_tps;
} engine_speed;

static engine_speed measure_engine(const yq_model *m) {
    yq_kv_cache *kv;
    yq_forward_ctx *ctx;
    yq_kv_seq seq = {0};
    int32_t *tokens = malloc(PREFILL * sizeof *tokens);
    float *logits = malloc((size_t)VOCAB * sizeof *logits);
    for (int i = 0; i < PREFILL; i++) tokens[i] = (int32_t)(next_random() % VOCAB);
    if (yq_model_kv_cache_new(m, 16, (PREFILL + DECODE) / 16 + 1, &kv) || yq_forward_ctx_new(m, &ctx)) exit(1);
    double t0 = now();
    yq_seq_step step = {tokens, PREFILL, &seq, YQ_LOGITS_LAST, logits};
    if (yq_forward(m, kv, &step, 1, ctx)) exit(1);
    double t1 = now();
    for (int i = 0; i < DECODE; i++) {
        int32_t token = (int32_t)(next_random() % VOCAB);
        yq_seq_step one = {&token, 1, &seq, YQ_LOGITS_LAST, logits};
        if (yq_forward(m, kv, &one, 1, ctx)) exit(1);
    }
    double t2 = now();
    yq_kv_seq_release(kv, &seq);
    yq_kv_cache_free(kv);
    yq_forward_ctx_free(ctx);
    free(tokens);
    free(logits);
    return (engine_speed){PREFILL / (t1 - t0), DECODE / (t2 - t1)};
}

int main(int argc, char **argv) {
    char dir[] = "/tmp/yuqing-bench-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    int max_threads = argc > 1 ? atoi(argv[1]) : 2;
    fprintf(stderr, "bench: writing a Qwen2.5-0.5B-shaped bf16 model to %s ...\n", dir);
    size_t step_bytes;
    yq_random_model_shape shape = yq_random_model_qwen25_05b();
    if (yq_random_model_write(dir, &shape, &step_bytes)) {
        fprintf(stderr, "bench: %s\n", yq_last_error());
        return 1;
    }
    yq_model *m;
    if (yq_model_open(dir, &m)) {
        fprintf(stderr, "bench: %s\n", yq_last_error());
        return 1;
    }
    yq_kernels_select(YQ_KERNEL_AUTO);
    printf("model: Qwen2.5-0.5B shape, bf16, %.1f MB of weights read per decode step; kernels: %s\n",
           step_bytes / 1e6, yq_kernel_name(yq_kernels_active()));
    printf("threads  prefill tok/s  decode tok/s  bandwidth GB/s  roofline tok/s  decode/roofline\n");
    for (int threads = 1; threads <= max_threads; threads++) {
        yq_threads_init(threads);
        double bandwidth = yq_read_bandwidth(BANDWIDTH_BYTES, BANDWIDTH_RUNS);
        engine_speed s = measure_engine(m);
        double roofline = bandwidth / (double)step_bytes;
        printf("%7d  %13.1f  %12.2f  %14.2f  %14.2f  %14.0f%%\n", threads, s.prefill_tps, s.decode_tps,
               bandwidth / 1e9, roofline, 100.0 * s.decode_tps / roofline);
        fflush(stdout);
    }
    yq_threads_shutdown();
    yq_model_close(m);
    yq_random_model_remove(dir);
    return 0;
}
