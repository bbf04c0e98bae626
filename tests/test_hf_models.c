/* Hugging Face transformers as the oracle: tiny random Llama (f32, sharded, llama3 RoPE
 * scaling, untied), Qwen2 (bf16, tied, q/k/v bias) and Qwen3 (f16, q/k norm, head_dim != dim/heads)
 * models from tools/make_hf_fixtures.py. Checks logits at every position, greedy ids, and that
 * batching, chunking, threads and kernels never change a sequence's logits. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/generate.h"
#include "yuqing/kernels.h"
#include "yuqing/mapfile.h"
#include "yuqing/threads.h"

enum { N_DECODE = 16, MAX_CASES = 3 };

typedef struct {
    int32_t *prompt, *greedy;
    int n_prompt, n_greedy, row_offset;
} fixture_case;

typedef struct {
    const char *name;
    yq_model *model;
    fixture_case cases[MAX_CASES];
    int n_cases, vocab;
    const float *reference; /* all rows of logits.bin */
    yq_mapped_file logits_file;
} fixture;

/* The sequence of a case: prompt then the greedy ids (all but the last are fed). */
static int32_t *case_tokens(const fixture_case *c) {
    int32_t *t = malloc((size_t)(c->n_prompt + c->n_greedy) * sizeof *t);
    memcpy(t, c->prompt, (size_t)c->n_prompt * sizeof *t);
    memcpy(t + c->n_prompt, c->greedy, (size_t)c->n_greedy * sizeof *t);
    return t;
}

/* Runs case c: the prompt in chunks of `chunk` tokens with all logits, then one token per step.
 * Returns (n_prompt + 16) rows of logits. */
static float *run_case(const fixture *f, const fixture_case *c, int chunk) {
    int n_rows = c->n_prompt + N_DECODE;
    float *rows = calloc((size_t)n_rows * f->vocab, sizeof *rows);
    int32_t *tokens = case_tokens(c);
    yq_kv_cache *kv;
    yq_forward_ctx *ctx;
    yq_kv_seq seq = {0};
    CHECK(yq_model_kv_cache_new(f->model, 16, 8, &kv) == 0);
    CHECK(yq_forward_ctx_new(f->model, &ctx) == 0);
    for (int done = 0; done < n_rows;) {
        int n = done < c->n_prompt ? (c->n_prompt - done < chunk ? c->n_prompt - done : chunk) : 1;
        yq_seq_step step = {tokens + done, n, &seq, YQ_LOGITS_ALL, rows + (size_t)done * f->vocab};
        int rc = yq_forward(f->model, kv, &step, 1, ctx);
        CHECKF(rc == 0, "%s: forward: %s", f->name, yq_last_error());
        if (rc) break;
        done += n;
    }
    yq_kv_seq_release(kv, &seq);
    yq_kv_cache_free(kv);
    yq_forward_ctx_free(ctx);
    free(tokens);
    return rows;
}

static int argmax(const float *x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return best;
}

static void check_against_reference(const fixture *f, const fixture_case *c, const float *rows) {
    for (int r = 0; r < c->n_prompt + N_DECODE; r++) {
        const float *ref = f->reference + (size_t)(c->row_offset + r) * f->vocab;
        const float *got = rows + (size_t)r * f->vocab;
        float max_ref = 0, max_diff = 0;
        for (int i = 0; i < f->vocab; i++) {
            if (fabsf(ref[i]) > max_ref) max_ref = fabsf(ref[i]);
            if (fabsf(ref[i] - got[i]) > max_diff) max_diff = fabsf(ref[i] - got[i]);
        }
        CHECKF(max_diff <= 1e-4f * max_ref, "%s: row %d: max |dlogit| %g > 1e-4 x %g", f->name, r, max_diff, max_ref);
    }
    for (int j = 0; j < N_DECODE; j++)
        CHECKF(argmax(rows + (size_t)(c->n_prompt - 1 + j) * f->vocab, f->vocab) == c->greedy[j],
               "%s: greedy step %d differs", f->name, j);
}

typedef struct {
    int32_t ids[N_DECODE];
    int n;
} collected;

static int collect(void *user, int32_t token) {
    collected *c = user;
    if (c->n < N_DECODE) c->ids[c->n++] = token;
    return 0;
}

static void check_generate(const fixture *f, const fixture_case *c) {
    collected got = {.n = 0};
    yq_generate_request req = {c->prompt, c->n_prompt, f->model->generation_defaults, collect, &got};
    req.params.temperature = 0;
    req.params.repetition_penalty = 1;
    req.params.max_tokens = N_DECODE;
    yq_generate_stats stats;
    CHECK(yq_generate(f->model, &req, &stats) == 0);
    CHECKF(got.n == N_DECODE && !memcmp(got.ids, c->greedy, sizeof got.ids), "%s: generate ids differ", f->name);
}

/* All cases' prompts in one batch, then their decode steps batched together. */
static void run_batched(const fixture *f, float **rows) {
    yq_kv_cache *kv;
    yq_forward_ctx *ctx;
    yq_kv_seq seqs[MAX_CASES] = {{0}};
    int32_t *tokens[MAX_CASES];
    yq_seq_step steps[MAX_CASES];
    CHECK(yq_model_kv_cache_new(f->model, 16, 32, &kv) == 0);
    CHECK(yq_forward_ctx_new(f->model, &ctx) == 0);
    for (int s = 0; s < f->n_cases; s++) {
        const fixture_case *c = &f->cases[s];
        tokens[s] = case_tokens(c);
        rows[s] = calloc((size_t)(c->n_prompt + N_DECODE) * f->vocab, sizeof(float));
        steps[s] = (yq_seq_step){tokens[s], c->n_prompt, &seqs[s], YQ_LOGITS_ALL, rows[s]};
    }
    CHECK(yq_forward(f->model, kv, steps, f->n_cases, ctx) == 0);
    for (int j = 0; j < N_DECODE; j++) {
        for (int s = 0; s < f->n_cases; s++) {
            int pos = f->cases[s].n_prompt + j;
            steps[s] = (yq_seq_step){tokens[s] + pos, 1, &seqs[s], YQ_LOGITS_LAST, rows[s] + (size_t)pos * f->vocab};
        }
        CHECK(yq_forward(f->model, kv, steps, f->n_cases, ctx) == 0);
    }
    for (int s = 0; s < f->n_cases; s++) {
        yq_kv_seq_release(kv, &seqs[s]);
        free(tokens[s]);
    }
    yq_kv_cache_free(kv);
    yq_forward_ctx_free(ctx);
}

static void check_invariance(const fixture *f, float **alone) {
    float *batched[MAX_CASES];
    run_batched(f, batched);
    for (int s = 0; s < f->n_cases; s++) {
        size_t n = (size_t)(f->cases[s].n_prompt + N_DECODE) * f->vocab;
        CHECKF(!memcmp(batched[s], alone[s], n * sizeof(float)), "%s case %d: batched logits differ from alone", f->name, s);
        float *chunked = run_case(f, &f->cases[s], 3);
        CHECKF(!memcmp(chunked, alone[s], n * sizeof(float)), "%s case %d: chunked prefill differs", f->name, s);
        free(chunked);
        free(batched[s]);
    }
}

static int load_fixture(fixture *f, const char *name) {
    char path[256];
    memset(f, 0, sizeof *f);
    f->name = name;
    snprintf(path, sizeof path, "hf/%s/reference.json", name);
    cJSON *ref = test_load_json(path);
    snprintf(path, sizeof path, "hf/%s/logits.bin", name);
    if (!ref || yq_map_file(test_data_path(path), &f->logits_file)) return -1;
    f->reference = (const float *)f->logits_file.data;
    f->vocab = cJSON_GetObjectItem(ref, "vocab_size")->valueint;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(ref, "cases")) {
        fixture_case *fc = &f->cases[f->n_cases++];
        test_json_ids(cJSON_GetObjectItem(c, "prompt_ids"), &fc->prompt, &fc->n_prompt);
        test_json_ids(cJSON_GetObjectItem(c, "greedy_ids"), &fc->greedy, &fc->n_greedy);
        fc->row_offset = cJSON_GetObjectItem(c, "row_offset")->valueint;
    }
    cJSON_Delete(ref);
    snprintf(path, sizeof path, "hf/%s", name);
    int rc = yq_model_open(test_data_path(path), &f->model);
    CHECKF(rc == 0, "%s: %s", name, yq_last_error());
    return rc;
}

static void free_fixture(fixture *f) {
    for (int s = 0; s < f->n_cases; s++) {
        free(f->cases[s].prompt);
        free(f->cases[s].greedy);
    }
    yq_model_close(f->model);
    yq_unmap_file(&f->logits_file);
}

/* The same folder with transformers 5's config.json ("rope_parameters") gives the same logits. */
static void check_transformers5_config(const fixture *f, float *const *alone) {
    char src[512], tmp[] = "/tmp/yuqing-hf5-XXXXXX", from[1024], to[1024];
    snprintf(src, sizeof src, "hf/%s", f->name);
    snprintf(src, sizeof src, "%s", test_data_path(src));
    if (!mkdtemp(tmp)) return;
    DIR *d = opendir(src);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "config.json")) continue;
        snprintf(from, sizeof from, "%s/%s", src, e->d_name);
        snprintf(to, sizeof to, "%s/%s", tmp, !strcmp(e->d_name, "config.transformers5.json") ? "config.json" : e->d_name);
        CHECK(symlink(from, to) == 0);
    }
    if (d) closedir(d);
    fixture f5 = *f;
    CHECKF(yq_model_open(tmp, &f5.model) == 0, "%s (transformers 5 config): %s", f->name, yq_last_error());
    for (int s = 0; s < f->n_cases && f5.model; s++) {
        float *rows = run_case(&f5, &f->cases[s], 64);
        CHECKF(!memcmp(rows, alone[s], (size_t)(f->cases[s].n_prompt + N_DECODE) * f->vocab * sizeof(float)),
               "%s: transformers 5 config gives other logits", f->name);
        free(rows);
    }
    yq_model_close(f5.model);
    d = opendir(tmp);
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(to, sizeof to, "%s/%s", tmp, e->d_name);
        unlink(to);
    }
    if (d) closedir(d);
    rmdir(tmp);
}

static void test_model(const char *name) {
    fixture f;
    if (load_fixture(&f, name) == 0) {
        float *first[MAX_CASES] = {0};
        yq_kernel_kind kinds[] = {YQ_KERNEL_SCALAR, YQ_KERNEL_AVX2};
        for (int k = 0; k < 2; k++) {
            if (yq_kernels_select(kinds[k]) != 0) continue;
            for (int threads = 1; threads <= 2; threads++) {
                yq_threads_init(threads);
                for (int s = 0; s < f.n_cases; s++) {
                    float *rows = run_case(&f, &f.cases[s], 64);
                    check_against_reference(&f, &f.cases[s], rows);
                    check_generate(&f, &f.cases[s]);
                    if (first[s] && threads == 2)
                        CHECKF(!memcmp(first[s], rows, (size_t)(f.cases[s].n_prompt + N_DECODE) * f.vocab * sizeof(float)),
                               "%s: 2 threads differ from 1", name);
                    free(first[s]);
                    first[s] = rows;
                }
                check_invariance(&f, first);
            }
        }
        check_transformers5_config(&f, first);
        for (int s = 0; s < f.n_cases; s++) free(first[s]);
    }
    free_fixture(&f);
}

int main(void) {
    test_model("llama");
    test_model("qwen2");
    test_model("qwen3");
    yq_threads_shutdown();
    return test_summary("hf_models");
}
