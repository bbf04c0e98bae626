/* Sampler semantics (Hugging Face's repetition penalty, top-k, top-p, min-p, temperature),
 * seeded reproducibility, sampling frequencies, and the streaming stop-string matcher. */
#include <math.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/generate.h"
#include "yuqing/sampling.h"

static int32_t sample_once(yq_sampling_params p, const float *logits, int n, const int32_t *seen, int n_seen) {
    yq_sampler *s;
    float copy[16];
    memcpy(copy, logits, (size_t)n * sizeof *copy);
    if (yq_sampler_new(&p, n, &s)) return -1;
    for (int i = 0; i < n_seen; i++) yq_sampler_observe(s, seen[i]);
    int32_t t = yq_sampler_sample(s, copy);
    yq_sampler_free(s);
    return t;
}

/* Frequencies of each token over `draws` draws from one seeded sampler. */
static void frequencies(yq_sampling_params p, const float *logits, int n, int draws, double *freq) {
    yq_sampler *s;
    float copy[16];
    memset(freq, 0, (size_t)n * sizeof *freq);
    if (yq_sampler_new(&p, n, &s)) return;
    for (int d = 0; d < draws; d++) {
        memcpy(copy, logits, (size_t)n * sizeof *copy);
        freq[yq_sampler_sample(s, copy)] += 1.0 / draws;
    }
    yq_sampler_free(s);
}

static void test_sampler(void) {
    yq_sampling_params p = yq_sampling_defaults();
    float logits[3] = {2.0f, -2.0f, 1.5f};
    CHECK(sample_once(p, logits, 3, NULL, 0) == 0); /* greedy */
    /* HF: a seen positive logit is divided by the penalty, a negative one multiplied. */
    p.repetition_penalty = 2.0f;
    int32_t seen[1] = {0};
    CHECK(sample_once(p, logits, 3, seen, 1) == 2); /* 2/2 = 1 < 1.5 */
    float neg[2] = {-1.0f, -1.5f};
    CHECK(sample_once(p, neg, 2, seen, 1) == 1); /* -1*2 = -2 < -1.5 */
    p = yq_sampling_defaults();
    p.temperature = 1.0f;
    p.top_k = 0;
    float probs[3] = {logf(0.5f), logf(0.3f), logf(0.2f)};
    double f[3];
    frequencies(p, probs, 3, 40000, f);
    CHECKF(fabs(f[0] - 0.5) < 0.015 && fabs(f[1] - 0.3) < 0.015 && fabs(f[2] - 0.2) < 0.015, "plain: %g %g %g", f[0], f[1], f[2]);
    p.top_p = 0.7f; /* drops the tail while its mass <= 0.3: token 2 */
    frequencies(p, probs, 3, 40000, f);
    CHECKF(f[2] == 0 && fabs(f[0] - 0.625) < 0.015, "top-p: %g %g %g", f[0], f[1], f[2]);
    p.top_p = 1.0f;
    p.min_p = 0.5f; /* drops p < 0.25 */
    frequencies(p, probs, 3, 20000, f);
    CHECKF(f[2] == 0 && fabs(f[0] - 0.625) < 0.015, "min-p: %g %g %g", f[0], f[1], f[2]);
    p.min_p = 0;
    p.top_k = 1;
    frequencies(p, probs, 3, 1000, f);
    CHECK(f[1] == 0 && f[2] == 0);
    p.top_k = 0;
    p.temperature = 0.5f; /* probabilities squared, renormalised: .25 .09 .04 over .38 */
    frequencies(p, probs, 3, 40000, f);
    CHECKF(fabs(f[0] - 0.25 / 0.38) < 0.015, "temperature: %g", f[0]);
}

static void test_seeds(void) {
    yq_sampling_params p = yq_sampling_defaults();
    p.temperature = 1.0f;
    p.top_k = 0;
    float logits[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int32_t a[64], b[64], c[64];
    for (int run = 0; run < 3; run++) {
        p.seed = run == 2 ? 43 : 42;
        yq_sampler *s;
        yq_sampler_new(&p, 8, &s);
        for (int i = 0; i < 64; i++) {
            float copy[8];
            memcpy(copy, logits, sizeof copy);
            (run == 0 ? a : run == 1 ? b : c)[i] = yq_sampler_sample(s, copy);
        }
        yq_sampler_free(s);
    }
    CHECK(!memcmp(a, b, sizeof a));
    CHECK(memcmp(a, c, sizeof a) != 0);
}

/* Feeds the pieces; returns what was emitted and whether a stop string completed. */
static int run_matcher(const char *const *stops, int n_stops, const char *const *pieces, int n, char *out) {
    yq_stop_matcher *m;
    yq_stop_matcher_new(stops, n_stops, &m);
    const char *emit;
    size_t len;
    int stopped = 0;
    out[0] = '\0';
    for (int i = 0; i < n && !stopped; i++) {
        stopped = yq_stop_matcher_feed(m, pieces[i], strlen(pieces[i]), &emit, &len);
        strncat(out, emit, len);
    }
    if (!stopped) {
        yq_stop_matcher_flush(m, &emit, &len);
        strncat(out, emit, len);
    }
    yq_stop_matcher_free(m);
    return stopped;
}

static void test_stop_strings(void) {
    char out[256];
    const char *stops1[] = {"o W"};
    const char *p1[] = {"Hel", "lo W", "orld"};
    CHECK(run_matcher(stops1, 1, p1, 3, out) == 1 && !strcmp(out, "Hel" "l"));
    const char *stops2[] = {"</s>", "###"};
    const char *p2[] = {"a<", "/", "s", ">b"};
    CHECK(run_matcher(stops2, 2, p2, 4, out) == 1 && !strcmp(out, "a"));
    const char *p3[] = {"x<", "/t", "#", "#"};
    CHECK(run_matcher(stops2, 2, p3, 4, out) == 0 && !strcmp(out, "x</t##"));
    const char *p4[] = {"no stop here"};
    CHECK(run_matcher(stops2, 0, p4, 1, out) == 0 && !strcmp(out, "no stop here"));
}

int main(void) {
    test_sampler();
    test_seeds();
    test_stop_strings();
    return test_summary("sampling");
}
