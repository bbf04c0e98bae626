/* Turns logits into the next token with Hugging Face's semantics: repetition penalty over seen
 * tokens, then temperature, top-k, top-p and min-p filtering, then a seeded multinomial draw. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/sampling.h"

struct yq_sampler {
    yq_sampling_params params;
    int vocab_size;
    uint8_t *seen;          /* (vocab) 1 for tokens of prompt and output */
    int32_t *counts;        /* (vocab) occurrences in the output, when an OpenAI penalty is set */
    int32_t *candidates;    /* (vocab) scratch */
    uint64_t rng[4];        /* xoshiro256** state */
};

yq_sampling_params yq_sampling_defaults(void) {
    return (yq_sampling_params){.temperature = 0.0f, .top_k = 50, .top_p = 1.0f, .min_p = 0.0f,
                                .repetition_penalty = 1.0f, .presence_penalty = 0.0f,
                                .frequency_penalty = 0.0f, .seed = 0, .max_tokens = 256};
}

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_random(uint64_t *s) {
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double next_uniform(uint64_t *s) { return (double)(next_random(s) >> 11) * 0x1.0p-53; }

int yq_sampler_new(const yq_sampling_params *params, int vocab_size, yq_sampler **out) {
    yq_sampler *s = calloc(1, sizeof *s);
    if (!s) return yq_error(YQ_ENOMEM, "out of memory");
    s->params = *params;
    s->vocab_size = vocab_size;
    s->seen = calloc((size_t)vocab_size, 1);
    s->candidates = malloc((size_t)vocab_size * sizeof *s->candidates);
    if (params->presence_penalty != 0.0f || params->frequency_penalty != 0.0f)
        s->counts = calloc((size_t)vocab_size, sizeof *s->counts);
    if (!s->seen || !s->candidates || (!s->counts && (params->presence_penalty != 0.0f || params->frequency_penalty != 0.0f))) {
        yq_sampler_free(s);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    uint64_t seed = params->seed;
    for (int i = 0; i < 4; i++) s->rng[i] = splitmix64(&seed);
    *out = s;
    return YQ_OK;
}

void yq_sampler_free(yq_sampler *s) {
    if (!s) return;
    free(s->seen);
    free(s->counts);
    free(s->candidates);
    free(s);
}

void yq_sampler_observe(yq_sampler *s, int32_t token) {
    if (token >= 0 && token < s->vocab_size) s->seen[token] = 1;
}

void yq_sampler_observe_output(yq_sampler *s, int32_t token) {
    if (token < 0 || token >= s->vocab_size) return;
    s->seen[token] = 1;
    if (s->counts) s->counts[token]++;
}

/* OpenAI: logit -= presence * (count > 0) + frequency * count, over generated tokens. */
static void apply_openai_penalties(const yq_sampler *s, float *logits) {
    if (!s->counts) return;
    for (int i = 0; i < s->vocab_size; i++)
        if (s->counts[i] > 0)
            logits[i] -= s->params.presence_penalty + s->params.frequency_penalty * (float)s->counts[i];
}

static void apply_repetition_penalty(const yq_sampler *s, float *logits) {
    float penalty = s->params.repetition_penalty;
    if (penalty == 1.0f) return;
    for (int i = 0; i < s->vocab_size; i++)
        if (s->seen[i]) logits[i] = logits[i] < 0 ? logits[i] * penalty : logits[i] / penalty;
}


static int by_logit_descending(const void *a, const void *b, void *logits) {
    const float *l = logits;
    float x = l[*(const int32_t *)a], y = l[*(const int32_t *)b];
    if (x != y) return x > y ? -1 : 1;
    return *(const int32_t *)a - *(const int32_t *)b;
}

/* Candidates sorted by logit, after top-k (ties at the k-th value are kept, as in HF). */
static int sorted_candidates(yq_sampler *s, const float *logits) {
    int n = 0, k = s->params.top_k;
    float threshold = -INFINITY;
    if (k > 0 && k < s->vocab_size) {
        for (int i = 0; i < s->vocab_size; i++) s->candidates[i] = i;
        qsort_r(s->candidates, (size_t)s->vocab_size, sizeof *s->candidates, by_logit_descending,
                (void *)logits);
        threshold = logits[s->candidates[k - 1]];
    }
    for (int i = 0; i < s->vocab_size; i++)
        if (logits[i] >= threshold && logits[i] > -INFINITY) s->candidates[n++] = i;
    qsort_r(s->candidates, (size_t)n, sizeof *s->candidates, by_logit_descending, (void *)logits);
    return n;
}

/* probs[i] = softmax over the n candidates (sorted descending). Returns n. */
static int softmax_candidates(const yq_sampler *s, const float *logits, int n, float *probs) {
    float max = logits[s->candidates[0]], sum = 0.0f;
    for (int i = 0; i < n; i++) sum += probs[i] = expf(logits[s->candidates[i]] - max);
    for (int i = 0; i < n; i++) probs[i] /= sum;
    return n;
}

/* HF top-p: drop the low tail while its cumulative mass (ascending) stays <= 1 - top_p. */
static int apply_top_p(const yq_sampler *s, const float *probs, int n) {
    float top_p = s->params.top_p;
    if (top_p >= 1.0f) return n;
    float tail = 0.0f;
    int keep = n;
    while (keep > 1 && tail + probs[keep - 1] <= 1.0f - top_p) tail += probs[--keep];
    return keep;
}

static int apply_min_p(const yq_sampler *s, const float *probs, int n) {
    if (s->params.min_p <= 0.0f) return n;
    float limit = s->params.min_p * probs[0];
    int keep = n;
    while (keep > 1 && probs[keep - 1] < limit) keep--;
    return keep;
}

int32_t yq_sampler_sample(yq_sampler *s, float *logits) {
    apply_repetition_penalty(s, logits);
    apply_openai_penalties(s, logits);
    if (s->params.temperature <= 0.0f) return yq_argmax(logits, s->vocab_size);
    for (int i = 0; i < s->vocab_size; i++) logits[i] /= s->params.temperature;
    int n = sorted_candidates(s, logits);
    if (n == 0) return yq_argmax(logits, s->vocab_size);
    float *probs = malloc((size_t)n * sizeof *probs);
    if (!probs) return s->candidates[0];
    softmax_candidates(s, logits, n, probs);
    n = apply_top_p(s, probs, n);
    softmax_candidates(s, logits, n, probs);
    n = apply_min_p(s, probs, n);
    softmax_candidates(s, logits, n, probs);
    double r = next_uniform(s->rng), cumulative = 0.0;
    int32_t chosen = s->candidates[n - 1];
    for (int i = 0; i < n; i++) {
        cumulative += probs[i];
        if (r < cumulative) {
            chosen = s->candidates[i];
            break;
        }
    }
    free(probs);
    return chosen;
}

float yq_logprobs(const float *logits, int vocab_size, int32_t token, int k, int32_t *top_ids, float *top_logprobs) {
    float max = logits[0];
    for (int i = 1; i < vocab_size; i++)
        if (logits[i] > max) max = logits[i];
    double sum = 0.0;
    for (int i = 0; i < vocab_size; i++) sum += exp((double)(logits[i] - max));
    float log_z = max + (float)log(sum);
    for (int j = 0; j < k; j++) top_ids[j] = -1;
    for (int i = 0; i < vocab_size; i++) { /* insertion into the k best, ties to the lower id */
        int j = k;
        while (j > 0 && (top_ids[j - 1] < 0 || logits[i] > logits[top_ids[j - 1]])) j--;
        if (j >= k) continue;
        memmove(top_ids + j + 1, top_ids + j, (size_t)(k - j - 1) * sizeof *top_ids);
        top_ids[j] = i;
    }
    for (int j = 0; j < k; j++) top_logprobs[j] = logits[top_ids[j]] - log_z;
    return logits[token] - log_z;
}
