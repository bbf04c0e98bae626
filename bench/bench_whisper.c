/* Whisper speed: real-time factor of log-mel + encoder + decoder on a 60 s clip for tiny- and
 * base-shaped models with random f16 weights, at 1 and 2 threads. Random weights decode to
 * arbitrary lengths, so every 30 s window is forced to the same number of decoder steps
 * (prompt of 4 tokens, then TOKENS greedy steps of one token, as whisper.cpp's bench does with
 * its fixed token count). Prints one line per (model, threads).
 *   bench_whisper [TOKENS]          the benchmark (TOKENS per window, default 64)
 *   bench_whisper --write DIR       writes DIR/tiny and DIR/base (the same random checkpoints,
 *                                   for bench/vs-whispercpp.sh to convert) and exits */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/mel.h"
#include "yuqing/threads.h"
#include "yuqing/whisper.h"

enum { CLIP_SECONDS = 60, PROMPT = 4 };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A 60 s test signal: a gliding tone with noise (its content does not matter to the timing). */
static float *make_clip(int64_t n) {
    float *x = malloc((size_t)n * sizeof *x);
    uint64_t s = 1;
    for (int64_t i = 0; x && i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double t = (double)i / YQ_MEL_SAMPLE_RATE;
        x[i] = (float)(0.3 * sin(2 * M_PI * (200 + 50 * t) * t) + 0.05 * ((double)(s >> 40) / (1 << 24) - 0.5));
    }
    return x;
}

static int argmax(const float *x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return best;
}

typedef struct {
    double mel, encode, decode;
} timings;

/* One window: encoder, cross keys/values, the prompt, then `tokens` single-token steps. */
static int run_window(const yq_whisper_model *m, yq_whisper_decoder *dec, const yq_mel *mel, int64_t seek,
                      float *encoded, float *logits, int tokens, timings *t) {
    double t0 = now();
    int rc = yq_whisper_encode(m, mel->data + seek, mel->n_frames, encoded);
    if (rc) return rc;
    yq_whisper_decoder_set_audio(dec, encoded);
    double t1 = now();
    yq_whisper_seq seq;
    if ((rc = yq_whisper_seq_init(m, &seq))) return rc;
    int32_t prompt[PROMPT] = {50258, 50259, 50359, 50363};
    yq_whisper_step step = {prompt, PROMPT, &seq, 0, logits};
    rc = yq_whisper_decode(dec, &step, 1);
    for (int i = 0; i < tokens && !rc; i++) {
        int32_t next = argmax(logits, m->config.vocab_size);
        step = (yq_whisper_step){&next, 1, &seq, 0, logits};
        rc = yq_whisper_decode(dec, &step, 1);
    }
    yq_whisper_seq_free(&seq);
    t->encode += t1 - t0;
    t->decode += now() - t1;
    return rc;
}

static int run_clip(const yq_whisper_model *m, const float *clip, int64_t n, int tokens, timings *t) {
    memset(t, 0, sizeof *t);
    double t0 = now();
    yq_mel mel;
    int rc = yq_mel_compute(clip, n, n + YQ_MEL_WINDOW_SAMPLES, m->config.n_mels, &mel);
    if (rc) return rc;
    t->mel = now() - t0;
    yq_whisper_decoder *dec;
    float *encoded = malloc((size_t)m->config.n_audio_ctx * m->config.d_model * sizeof *encoded);
    float *logits = malloc((size_t)m->config.vocab_size * sizeof *logits);
    rc = encoded && logits ? yq_whisper_decoder_new(m, &dec) : YQ_ENOMEM;
    for (int64_t seek = 0; !rc && seek < mel.n_frames - YQ_MEL_WINDOW_FRAMES; seek += YQ_MEL_WINDOW_FRAMES)
        rc = run_window(m, dec, &mel, seek, encoded, logits, tokens, t);
    if (encoded && logits) yq_whisper_decoder_free(dec);
    free(encoded);
    free(logits);
    yq_mel_free(&mel);
    return rc;
}

static int bench_shape(const char *name, const yq_whisper_shape *shape, const float *clip, int64_t n, int tokens) {
    char folder[] = "/tmp/yq-bench-whisper-XXXXXX";
    if (!mkdtemp(folder)) return yq_error(YQ_EIO, "cannot create a temporary folder");
    yq_whisper_model *m = NULL;
    int rc = yq_whisper_random_write(folder, shape);
    if (!rc) rc = yq_whisper_open(folder, &m);
    char path[4200];
    snprintf(path, sizeof path, "%s/model.safetensors", folder), unlink(path);
    snprintf(path, sizeof path, "%s/config.json", folder), unlink(path);
    rmdir(folder);
    int windows = (int)((n + YQ_MEL_WINDOW_SAMPLES - 1) / YQ_MEL_WINDOW_SAMPLES);
    for (int threads = 1; threads <= 2 && !rc; threads++) {
        yq_threads_init(threads);
        timings t;
        rc = run_clip(m, clip, n, tokens, &t);
        if (rc) break;
        double total = t.mel + t.encode + t.decode;
        printf("%-5s %d thread%s  mel %6.3f s  encoder %6.2f s (%5.2f s/window)  decoder %6.2f s (%5.1f ms/token)"
               "  total %6.2f s  RTF %.3f\n",
               name, threads, threads > 1 ? "s" : " ", t.mel, t.encode, t.encode / windows, t.decode,
               1e3 * t.decode / (windows * (tokens + 1)), total, total / CLIP_SECONDS);
        fflush(stdout);
    }
    yq_whisper_close(m);
    return rc;
}

/* DIR/tiny and DIR/base as Hugging Face folders. */
static int write_models(const char *dir) {
    const char *names[2] = {"tiny", "base"};
    yq_whisper_shape shapes[2] = {yq_whisper_shape_tiny(), yq_whisper_shape_base()};
    for (int i = 0; i < 2; i++) {
        char folder[4096];
        snprintf(folder, sizeof folder, "%s/%s", dir, names[i]);
        mkdir(dir, 0755);
        mkdir(folder, 0755);
        int rc = yq_whisper_random_write(folder, &shapes[i]);
        if (rc) return rc;
    }
    return YQ_OK;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--write")) {
        int rc = write_models(argv[2]);
        if (rc) fprintf(stderr, "bench_whisper: %s\n", yq_last_error());
        return rc ? 1 : 0;
    }
    int tokens = argc > 1 ? atoi(argv[1]) : 64;
    if (tokens < 1 || tokens > 400) {
        fprintf(stderr, "usage: bench_whisper [TOKENS per window, 1..400]\n");
        return 2;
    }
    int64_t n = (int64_t)CLIP_SECONDS * YQ_MEL_SAMPLE_RATE;
    float *clip = make_clip(n);
    printf("yuqing whisper, %d s clip, %d forced decoder steps per 30 s window, f16 weights, kernels %s\n",
           CLIP_SECONDS, tokens, yq_kernel_name(yq_kernels_active()));
    yq_whisper_shape tiny = yq_whisper_shape_tiny(), base = yq_whisper_shape_base();
    int rc = clip ? bench_shape("tiny", &tiny, clip, n, tokens) : YQ_ENOMEM;
    if (!rc) rc = bench_shape("base", &base, clip, n, tokens);
    if (rc) fprintf(stderr, "bench_whisper: %s\n", yq_last_error());
    free(clip);
    yq_threads_shutdown();
    return rc ? 1 : 0;
}
