/* The Whisper encoder and decoder against Hugging Face transformers (the oracle, through
 * tools/make_whisper_fixtures.py): random-weight f16 (80 mel bins) and bf16 (128 mel bins,
 * large-v3 layout) models. Checks the encoder output for the reference features, the decoder
 * logits of the forced prompt and of each greedy step, the greedy tokens themselves, and that
 * batching sequences together, threads and copying a sequence (beam search) change nothing. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/mel.h"
#include "yuqing/threads.h"
#include "yuqing/whisper.h"

enum { MAX_ROWS = 64 };

typedef struct {
    const char *name;
    cJSON *ref;
    yq_whisper_model *model;
    float *mel;     /* (n_mels, 3000) rebuilt from features.bin and pad_value */
    float *encoded; /* (n_audio_ctx, d) ours */
    int32_t *prompt, *greedy;
    int n_prompt, n_greedy;
} fixture;

static float *map_floats(const char *name, const char *file, size_t n, yq_mapped_file *mapped) {
    char rel[128];
    snprintf(rel, sizeof rel, "whisper/%s/%s", name, file);
    if (yq_map_file(test_data_path(rel), mapped) || mapped->size != n * sizeof(float)) {
        CHECKF(0, "%s: missing or wrong size", rel);
        return NULL;
    }
    return (float *)mapped->data;
}

static int json_int(const cJSON *o, const char *key) { return cJSON_GetObjectItem(o, key)->valueint; }

static int open_fixture(fixture *f, const char *name) {
    memset(f, 0, sizeof *f);
    f->name = name;
    char rel[128], folder[512];
    snprintf(rel, sizeof rel, "whisper/%s/reference.json", name);
    f->ref = test_load_json(rel);
    snprintf(rel, sizeof rel, "whisper/%s", name);
    snprintf(folder, sizeof folder, "%s", test_data_path(rel));
    int rc = yq_whisper_open(folder, &f->model);
    CHECKF(rc == 0, "%s: %s", name, yq_last_error());
    if (!f->ref || rc) return -1;
    test_json_ids(cJSON_GetObjectItem(f->ref, "prompt"), &f->prompt, &f->n_prompt);
    test_json_ids(cJSON_GetObjectItem(f->ref, "greedy"), &f->greedy, &f->n_greedy);
    int n_mels = json_int(f->ref, "n_mels"), frames = json_int(f->ref, "feature_frames");
    CHECK(f->model->config.n_mels == n_mels && f->model->config.vocab_size == json_int(f->ref, "vocab_size"));
    yq_mapped_file feats;
    const float *head = map_floats(name, "features.bin", (size_t)n_mels * frames, &feats);
    if (!head) return -1;
    float pad = (float)cJSON_GetObjectItem(f->ref, "pad_value")->valuedouble;
    f->mel = malloc((size_t)n_mels * YQ_MEL_WINDOW_FRAMES * sizeof *f->mel);
    for (int m = 0; m < n_mels; m++)
        for (int t = 0; t < YQ_MEL_WINDOW_FRAMES; t++)
            f->mel[m * YQ_MEL_WINDOW_FRAMES + t] = t < frames ? head[m * frames + t] : pad;
    yq_unmap_file(&feats);
    return 0;
}

static void close_fixture(fixture *f) {
    yq_whisper_close(f->model);
    cJSON_Delete(f->ref);
    free(f->mel);
    free(f->encoded);
    free(f->prompt);
    free(f->greedy);
}

static double max_abs(const float *x, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(x[i]));
    return m;
}

static double max_diff(const float *a, const float *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

static float *encode(const fixture *f, const float *mel) {
    const yq_whisper_config *c = &f->model->config;
    float *out = malloc((size_t)c->n_audio_ctx * c->d_model * sizeof *out);
    int rc = yq_whisper_encode(f->model, mel, YQ_MEL_WINDOW_FRAMES, out);
    CHECKF(rc == 0, "%s: encode: %s", f->name, yq_last_error());
    return out;
}

static void check_encoder(fixture *f) {
    const yq_whisper_config *c = &f->model->config;
    int stride = json_int(f->ref, "encoder_stride"), n_rows = (c->n_audio_ctx + stride - 1) / stride;
    yq_mapped_file mapped;
    const float *want = map_floats(f->name, "encoder.bin", (size_t)n_rows * c->d_model, &mapped);
    f->encoded = encode(f, f->mel);
    if (!want) return;
    double err = 0;
    for (int r = 0; r < n_rows; r++)
        err = fmax(err, max_diff(f->encoded + (size_t)r * stride * c->d_model, want + (size_t)r * c->d_model, (size_t)c->d_model));
    double scale = max_abs(want, (size_t)n_rows * c->d_model);
    printf("%s: encoder max |diff| %.3g (max |ref| %.3g)\n", f->name, err, scale);
    CHECKF(err <= 1e-4 * scale, "%s: encoder differs by %g", f->name, err);
    yq_unmap_file(&mapped);
}

/* Prompt (all logits) then the reference greedy tokens one at a time; rows (n_prompt + n_greedy, vocab).
 * With `batch_with_other`, every step runs in one batch with an unrelated second sequence. */
static float *decode_rows(const fixture *f, yq_whisper_decoder *dec, int batch_with_other) {
    int vocab = f->model->config.vocab_size, n_rows = f->n_prompt + f->n_greedy;
    float *rows = calloc((size_t)n_rows * vocab, sizeof *rows), *other_logits = malloc((size_t)vocab * sizeof(float));
    yq_whisper_seq seq, other;
    CHECK(yq_whisper_seq_init(f->model, &seq) == 0 && yq_whisper_seq_init(f->model, &other) == 0);
    int32_t other_tokens[3] = {f->prompt[0], 7, 9};
    for (int done = 0; done < n_rows;) {
        const int32_t *tokens = done == 0 ? f->prompt : &f->greedy[done - f->n_prompt];
        int n = done == 0 ? f->n_prompt : 1;
        yq_whisper_step steps[2] = {{tokens, n, &seq, 1, rows + (size_t)done * vocab},
                                    {other_tokens + (other.n_tokens ? 2 : 0), other.n_tokens ? 1 : 2, &other, 0, other_logits}};
        int rc = yq_whisper_decode(dec, steps, batch_with_other ? 2 : 1);
        CHECKF(rc == 0, "%s: decode: %s", f->name, yq_last_error());
        if (rc) break;
        done += n;
        if (batch_with_other) other.n_tokens = 2; /* keep rewriting the same position */
    }
    yq_whisper_seq_free(&seq);
    yq_whisper_seq_free(&other);
    free(other_logits);
    return rows;
}

static int argmax(const float *x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return best;
}

static void check_decoder(fixture *f) {
    int vocab = f->model->config.vocab_size, n_rows = f->n_prompt + f->n_greedy;
    yq_mapped_file mapped;
    const float *want = map_floats(f->name, "logits.bin", (size_t)n_rows * vocab, &mapped);
    yq_whisper_decoder *dec;
    CHECK(yq_whisper_decoder_new(f->model, &dec) == 0);
    yq_whisper_decoder_set_audio(dec, f->encoded);
    float *rows = decode_rows(f, dec, 0);
    if (want) {
        double err = max_diff(rows, want, (size_t)n_rows * vocab), scale = max_abs(want, (size_t)n_rows * vocab);
        printf("%s: logits max |diff| %.3g (max |ref| %.3g)\n", f->name, err, scale);
        CHECKF(err <= 1e-3, "%s: logits differ by %g", f->name, err);
    }
    for (int i = 0; i < f->n_greedy; i++) {
        int got = argmax(rows + (size_t)(f->n_prompt - 1 + i) * vocab, vocab);
        CHECKF(got == f->greedy[i], "%s: greedy step %d: %d, reference %d", f->name, i, got, f->greedy[i]);
    }
    float *batched = decode_rows(f, dec, 1);
    CHECKF(!memcmp(rows, batched, (size_t)n_rows * vocab * sizeof *rows), "%s: batching changed the logits", f->name);
    yq_threads_init(2);
    float *threaded = decode_rows(f, dec, 0);
    yq_threads_init(1);
    CHECKF(!memcmp(rows, threaded, (size_t)n_rows * vocab * sizeof *rows), "%s: threads changed the logits", f->name);
    free(rows);
    free(batched);
    free(threaded);
    yq_whisper_decoder_free(dec);
    if (want) yq_unmap_file(&mapped);
}

/* A copied sequence continues exactly like the original. */
static void check_seq_copy(const fixture *f) {
    int vocab = f->model->config.vocab_size;
    yq_whisper_decoder *dec;
    CHECK(yq_whisper_decoder_new(f->model, &dec) == 0);
    yq_whisper_decoder_set_audio(dec, f->encoded);
    yq_whisper_seq a, b;
    CHECK(yq_whisper_seq_init(f->model, &a) == 0 && yq_whisper_seq_init(f->model, &b) == 0);
    float *la = malloc((size_t)vocab * sizeof *la), *lb = malloc((size_t)vocab * sizeof *lb);
    yq_whisper_step step = {f->prompt, f->n_prompt, &a, 0, la};
    CHECK(yq_whisper_decode(dec, &step, 1) == 0);
    yq_whisper_seq_copy(f->model, &b, &a);
    yq_whisper_step next[2] = {{f->greedy, 1, &a, 0, la}, {f->greedy, 1, &b, 0, lb}};
    CHECK(yq_whisper_decode(dec, next, 2) == 0);
    CHECK(!memcmp(la, lb, (size_t)vocab * sizeof *la) && b.n_tokens == f->n_prompt + 1);
    int32_t bad = vocab;
    yq_whisper_step wrong = {&bad, 1, &a, 0, la};
    CHECK(yq_whisper_decode(dec, &wrong, 1) == YQ_EINVAL && a.n_tokens == f->n_prompt + 1);
    a.n_tokens = f->model->config.n_text_ctx;
    wrong.tokens = f->greedy;
    CHECK(yq_whisper_decode(dec, &wrong, 1) == YQ_ERANGE);
    free(la);
    free(lb);
    yq_whisper_seq_free(&a);
    yq_whisper_seq_free(&b);
    yq_whisper_decoder_free(dec);
}

static void check_open_errors(void) {
    yq_whisper_model *m;
    CHECK(yq_whisper_open("/nonexistent/whisper", &m) == YQ_ENOENT);
    CHECK(yq_whisper_open(test_data_path("hf/qwen3"), &m) == YQ_EUNSUPPORTED);
    CHECKF(strstr(yq_last_error(), "whisper") != NULL, "%s", yq_last_error());
}

int main(void) {
    yq_threads_init(1);
    static const char *const names[] = {"tiny80", "v3mel128"};
    for (int i = 0; i < 2; i++) {
        fixture f;
        if (open_fixture(&f, names[i]) == 0) {
            check_encoder(&f);
            check_decoder(&f);
            check_seq_copy(&f);
        }
        close_fixture(&f);
    }
    check_open_errors();
    yq_threads_shutdown();
    return test_summary("test_whisper_model");
}
