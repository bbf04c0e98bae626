/* stories260K (llama2.c checkpoint) against llama2.c run.c's own greedy outputs and logits
 * (tests/data/models/stories260K/expected.json), at 1 and 2 threads, scalar and SIMD kernels. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/generate.h"
#include "yuqing/kernels.h"
#include "yuqing/threads.h"

typedef struct {
    int32_t ids[1024];
    int n;
} collected;

static int collect(void *user, int32_t token) {
    collected *c = user;
    if (c->n < 1024) c->ids[c->n++] = token;
    return 0;
}

/* Logits at the last prompt position, from one prefill of the whole prompt. */
static void check_prompt_logits(const yq_model *m, const int32_t *prompt, int n_prompt,
                                const cJSON *expected, const char *name) {
    yq_kv_cache *kv;
    yq_forward_ctx *ctx;
    yq_kv_seq seq = {0};
    float logits[512];
    CHECK(yq_model_kv_cache_new(m, 16, 32, &kv) == 0);
    CHECK(yq_forward_ctx_new(m, &ctx) == 0);
    yq_seq_step step = {prompt, n_prompt, &seq, YQ_LOGITS_LAST, logits};
    CHECK(yq_forward(m, kv, &step, 1, ctx) == 0);
    float max_diff = 0;
    for (int i = 0; i < 512; i++) {
        float d = fabsf(logits[i] - (float)cJSON_GetArrayItem(expected, i)->valuedouble);
        if (d > max_diff) max_diff = d;
    }
    CHECKF(max_diff <= 1e-4f, "%s: last-prompt logits differ by %g", name, max_diff);
    yq_kv_seq_release(kv, &seq);
    yq_kv_cache_free(kv);
    yq_forward_ctx_free(ctx);
}

/* Greedy ids must match up to the first step whose reference margin is below 1e-3. */
static void check_greedy(const yq_model *m, const cJSON *c, const int32_t *prompt, int n_prompt) {
    const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
    int steps = cJSON_GetObjectItem(cJSON_GetObjectItem(c, "settings"), "steps")->valueint;
    const cJSON *expected = cJSON_GetObjectItem(c, "generated_token_ids");
    const cJSON *margins = cJSON_GetObjectItem(c, "greedy_top1_minus_top2_logit_margin");
    collected got = {.n = 0};
    yq_generate_request req = {prompt, n_prompt, yq_sampling_defaults(), collect, &got};
    req.params.max_tokens = steps - n_prompt + 1;
    yq_generate_stats stats;
    CHECK(yq_generate(m, &req, &stats) == 0);
    int n_expected = cJSON_GetArraySize(expected), matched = 0;
    for (; matched < n_expected && matched < got.n; matched++) {
        if (cJSON_GetArrayItem(margins, matched)->valuedouble < 1e-3) break;
        if (got.ids[matched] != cJSON_GetArrayItem(expected, matched)->valueint) break;
    }
    int fine = matched == n_expected || cJSON_GetArrayItem(margins, matched)->valuedouble < 1e-3;
    CHECKF(fine, "%s: greedy ids diverge at step %d (got %d, expected %d)", name, matched,
           matched < got.n ? got.ids[matched] : -1, cJSON_GetArrayItem(expected, matched)->valueint);
    if (matched == n_expected) CHECKF(got.n == n_expected, "%s: %d ids, expected %d", name, got.n, n_expected);
}

static void run_cases(const yq_model *m, const cJSON *cases) {
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        int32_t *prompt;
        int n_prompt;
        const cJSON *settings = cJSON_GetObjectItem(c, "settings");
        test_json_ids(cJSON_GetObjectItem(settings, "prompt_token_ids"), &prompt, &n_prompt);
        check_prompt_logits(m, prompt, n_prompt, cJSON_GetObjectItem(c, "logits_at_last_prompt_position"),
                            cJSON_GetObjectItem(c, "name")->valuestring);
        check_greedy(m, c, prompt, n_prompt);
        free(prompt);
    }
}

int main(void) {
    cJSON *expected = test_load_json("models/stories260K/expected.json");
    yq_model *m = NULL;
    int rc = yq_model_open(test_data_path("models/stories260K/stories260K.bin"), &m);
    CHECKF(rc == 0, "open: %s", yq_last_error());
    if (!expected || rc) return test_summary("stories260k");
    CHECK(m->config.n_kv_heads == 4 && m->config.n_heads == 8 && m->config.vocab_size == 512);
    const cJSON *cases = cJSON_GetObjectItem(expected, "cases");
    yq_kernel_kind kinds[] = {YQ_KERNEL_SCALAR, YQ_KERNEL_AVX2};
    for (int k = 0; k < 2; k++) {
        if (yq_kernels_select(kinds[k]) != 0) continue;
        for (int threads = 1; threads <= 2; threads++) {
            yq_threads_init(threads);
            run_cases(m, cases);
        }
    }
    yq_threads_shutdown();
    yq_model_close(m);
    cJSON_Delete(expected);
    return test_summary("stories260k");
}
