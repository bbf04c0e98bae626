/* One window's decoding, after openai-whisper's decoding.py: the prompt runs once and its cache
 * is copied to every candidate; then each step filters the logits (whisper_filter_logits) and
 * either takes the argmax, samples at the temperature, or extends the beams (the best
 * beam_size + 1 continuations of each beam, distinct sequences only, finished ones set aside
 * until beam_size have finished). Candidates are ranked by sum of log-probabilities / length. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "whisper_search.h"
#include "yuqing/error.h"
#include "yuqing/kernels.h"

typedef struct {
    int32_t *tokens; /* sampled tokens (cap max_tokens + 1) */
    int n;
    float sum_logprob;
    int finished;
    yq_whisper_seq seq;
    float *logits; /* (vocab) next-token logits */
} candidate;

typedef struct {
    const yq_whisper_model *m;
    yq_whisper_decoder *dec;
    const whisper_vocab *v;
    const window_options *o;
    int vocab, n_group, prompt_len;
    candidate *cands, *spare; /* n_group each; spare: beam search's next generation */
    window_result *finished;  /* beam search: finished sequences (n_finished <= n_group) */
    int n_finished;
} search;

static void log_softmax(const float *logits, float *out, int n) {
    float max = -INFINITY;
    for (int i = 0; i < n; i++) max = fmaxf(max, logits[i]);
    double sum = 0;
    for (int i = 0; i < n; i++) sum += exp((double)logits[i] - max);
    float lse = max + (float)log(sum);
    for (int i = 0; i < n; i++) out[i] = logits[i] - lse;
}

static uint64_t next_random(uint64_t *state) { /* splitmix64 */
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* argmax at temperature 0, else a draw from softmax(logits / temperature). */
static int32_t pick(const float *logits, int n, float temperature, uint64_t *rng) {
    int32_t best = yq_argmax(logits, n);
    if (temperature <= 0) return best;
    double total = 0;
    for (int i = 0; i < n; i++) total += exp((double)(logits[i] - logits[best]) / temperature);
    double r = (double)(next_random(rng) >> 11) / 9007199254740992.0 * total, acc = 0;
    for (int i = 0; i < n; i++) {
        acc += exp((double)(logits[i] - logits[best]) / temperature);
        if (acc > r && isfinite(logits[i])) return i;
    }
    return best;
}

static int alloc_candidates(search *s, candidate **out) {
    candidate *c = calloc((size_t)s->n_group, sizeof *c);
    if (!c) return yq_error(YQ_ENOMEM, "out of memory");
    *out = c;
    for (int i = 0; i < s->n_group; i++) {
        c[i].tokens = malloc((size_t)(s->o->max_tokens + 1) * sizeof *c[i].tokens);
        c[i].logits = malloc((size_t)s->vocab * sizeof *c[i].logits);
        if (!c[i].tokens || !c[i].logits) return yq_error(YQ_ENOMEM, "out of memory");
        int rc = yq_whisper_seq_init(s->m, &c[i].seq);
        if (rc) return rc;
    }
    return YQ_OK;
}

static void free_candidates(search *s, candidate *c) {
    for (int i = 0; c && i < s->n_group; i++) {
        free(c[i].tokens);
        free(c[i].logits);
        yq_whisper_seq_free(&c[i].seq);
    }
    free(c);
}

/* Runs the prompt on candidate 0 (the no-speech probability comes from the row of
 * <|startoftranscript|>) and copies its state to the others. */
static int run_prompt(search *s, const int32_t *prompt, int n_prompt, int sot_index, float *no_speech) {
    candidate *c0 = &s->cands[0];
    yq_whisper_step step = {prompt, sot_index + 1, &c0->seq, 0, c0->logits};
    int rc = yq_whisper_decode(s->dec, &step, 1);
    if (rc) return rc;
    log_softmax(c0->logits, c0->logits, s->vocab);
    *no_speech = expf(c0->logits[s->v->no_speech]);
    if (sot_index + 1 < n_prompt) {
        step = (yq_whisper_step){prompt + sot_index + 1, n_prompt - sot_index - 1, &c0->seq, 0, c0->logits};
        if ((rc = yq_whisper_decode(s->dec, &step, 1))) return rc;
    }
    for (int i = 1; i < s->n_group; i++) {
        yq_whisper_seq_copy(s->m, &s->cands[i].seq, &c0->seq);
        memcpy(s->cands[i].logits, c0->logits, (size_t)s->vocab * sizeof(float));
    }
    return YQ_OK;
}

/* Feeds each unfinished candidate's last token; fills its logits. */
static int advance(search *s) {
    yq_whisper_step steps[64];
    int n = 0;
    for (int i = 0; i < s->n_group && n < 64; i++) {
        candidate *c = &s->cands[i];
        if (c->finished || c->n == 0) continue;
        steps[n++] = (yq_whisper_step){&c->tokens[c->n - 1], 1, &c->seq, 0, c->logits};
    }
    return n ? yq_whisper_decode(s->dec, steps, n) : YQ_OK;
}

/* Greedy / sampling step: every unfinished candidate takes one token. Returns 1 when all are done. */
static int sample_step(search *s, float *logprobs) {
    int done = 1;
    for (int i = 0; i < s->n_group; i++) {
        candidate *c = &s->cands[i];
        if (c->finished) continue;
        whisper_filter_logits(s->v, c->tokens, c->n, s->o->timestamps, 50, c->logits);
        int32_t t = pick(c->logits, s->vocab, s->o->temperature, s->o->rng);
        log_softmax(c->logits, logprobs, s->vocab);
        c->sum_logprob += logprobs[t];
        c->tokens[c->n++] = t;
        c->finished = t == s->v->eot;
        done &= c->finished;
    }
    return done;
}

typedef struct {
    float score;
    int source, order;
    int32_t token;
} beam_option;

/* Higher score first; ties keep insertion order (Python's stable sort). */
static int by_score(const void *a, const void *b) {
    const beam_option *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return x->order - y->order;
}

/* The kk best tokens of logprobs, best first. */
static void top_tokens(const float *logprobs, int n, int kk, int32_t *top) {
    int filled = 0;
    for (int32_t t = 0; t < n; t++) {
        if (filled == kk && logprobs[t] <= logprobs[top[kk - 1]]) continue;
        int i = filled < kk ? filled++ : kk - 1;
        while (i > 0 && logprobs[top[i - 1]] < logprobs[t]) {
            top[i] = top[i - 1];
            i--;
        }
        top[i] = t;
    }
}

static int same_sequence(const search *s, const beam_option *a, int source, int32_t token) {
    const candidate *x = &s->cands[a->source], *y = &s->cands[source];
    return a->token == token && x->n == y->n && !memcmp(x->tokens, y->tokens, (size_t)x->n * sizeof *x->tokens);
}

/* Adds c's tokens (+ `last` unless it is <|endoftext|>) to the finished sequences. */
static int add_finished(search *s, const candidate *c, int32_t last, float score) {
    window_result *r = &s->finished[s->n_finished];
    r->tokens = malloc((size_t)(c->n + 1) * sizeof *r->tokens);
    if (!r->tokens) return yq_error(YQ_ENOMEM, "out of memory");
    memcpy(r->tokens, c->tokens, (size_t)c->n * sizeof *r->tokens);
    r->n_tokens = c->n;
    if (last != s->v->eot) r->tokens[r->n_tokens++] = last;
    r->sum_logprob = score;
    s->n_finished++;
    return YQ_OK;
}

/* The best beam_size + 1 continuations of every live beam, distinct sequences only, sorted. */
static int beam_options(search *s, float *logprobs, beam_option *options) {
    int k = s->n_group, n = 0;
    int32_t top[65];
    for (int i = 0; i < k; i++) {
        candidate *c = &s->cands[i];
        if (c->finished) continue;
        whisper_filter_logits(s->v, c->tokens, c->n, s->o->timestamps, 50, c->logits);
        log_softmax(c->logits, logprobs, s->vocab);
        top_tokens(logprobs, s->vocab, k + 1, top);
        for (int j = 0; j <= k; j++) {
            int dup = 0;
            for (int o = 0; o < n && !dup; o++) dup = same_sequence(s, &options[o], i, top[j]);
            if (dup) continue;
            options[n] = (beam_option){c->sum_logprob + logprobs[top[j]], i, n, top[j]};
            n++;
        }
    }
    qsort(options, (size_t)n, sizeof *options, by_score);
    return n;
}

/* Beam search step; returns 1 when beam_size sequences have finished, 0 to go on, or an error. */
static int beam_step(search *s, float *logprobs, beam_option *options) {
    int k = s->n_group, n = beam_options(s, logprobs, options), saved = 0, rc;
    for (int i = 0; i < n && saved < k; i++) {
        const beam_option *o = &options[i];
        const candidate *src = &s->cands[o->source];
        if (o->token == s->v->eot) {
            if (s->n_finished < k && (rc = add_finished(s, src, o->token, o->score))) return rc;
            continue;
        }
        candidate *dst = &s->spare[saved++];
        yq_whisper_seq_copy(s->m, &dst->seq, &src->seq);
        memcpy(dst->tokens, src->tokens, (size_t)src->n * sizeof *dst->tokens);
        dst->n = src->n;
        dst->tokens[dst->n++] = o->token;
        dst->sum_logprob = o->score;
        dst->finished = 0;
    }
    for (int i = saved; i < k; i++) s->spare[i].finished = 1;
    candidate *t = s->cands;
    s->cands = s->spare;
    s->spare = t;
    return s->n_finished >= k;
}

/* Unfinished beams complete the finished set, best first, when the token budget runs out. */
static int finish_beams(search *s) {
    while (s->n_finished < s->n_group) {
        int best = -1;
        for (int i = 0; i < s->n_group; i++)
            if (!s->cands[i].finished && (best < 0 || s->cands[i].sum_logprob > s->cands[best].sum_logprob)) best = i;
        if (best < 0) break;
        int rc = add_finished(s, &s->cands[best], s->v->eot, s->cands[best].sum_logprob);
        if (rc) return rc;
        s->cands[best].finished = 1;
    }
    return YQ_OK;
}

/* Greedy and sampled candidates become results, cut at <|endoftext|>. */
static int collect_samples(search *s) {
    for (int i = 0; i < s->n_group; i++) {
        candidate *c = &s->cands[i];
        int n = c->n && c->tokens[c->n - 1] == s->v->eot ? c->n - 1 : c->n;
        c->n = n;
        int rc = add_finished(s, c, s->v->eot, c->sum_logprob);
        if (rc) return rc;
    }
    return YQ_OK;
}

/* The finished sequence with the best sum_logprob / length moves into *out. */
static void pick_best(search *s, window_result *out) {
    int best = 0;
    float best_score = -INFINITY;
    for (int i = 0; i < s->n_finished; i++) {
        window_result *r = &s->finished[i];
        float score = r->sum_logprob / (float)(r->n_tokens > 0 ? r->n_tokens : 1);
        if (score > best_score) best_score = score, best = i;
    }
    *out = s->finished[best];
    out->avg_logprob = out->sum_logprob / (float)(out->n_tokens + 1);
    s->finished[best].tokens = NULL;
}

static int run_search(search *s, const int32_t *prompt, int n_prompt, int sot_index, window_result *out) {
    float no_speech = 0;
    int beam = s->o->temperature <= 0 && s->o->beam_size > 1;
    float *logprobs = malloc((size_t)s->vocab * sizeof *logprobs);
    beam_option *options = malloc((size_t)s->n_group * (s->n_group + 1) * sizeof *options);
    int rc = logprobs && options ? alloc_candidates(s, &s->cands) : yq_error(YQ_ENOMEM, "out of memory");
    if (!rc && beam) rc = alloc_candidates(s, &s->spare);
    if (!rc) rc = run_prompt(s, prompt, n_prompt, sot_index, &no_speech);
    int max_tokens = s->o->max_tokens, n_ctx = s->m->config.n_text_ctx;
    for (int step = 0; !rc && step < max_tokens; step++) {
        int done = beam ? beam_step(s, logprobs, options) : sample_step(s, logprobs);
        if (done < 0) rc = done;
        if (done || rc || n_prompt + step + 1 >= n_ctx) break;
        rc = advance(s);
    }
    if (!rc) rc = beam ? finish_beams(s) : collect_samples(s);
    if (!rc) {
        pick_best(s, out);
        out->no_speech_prob = no_speech;
    }
    free(logprobs);
    free(options);
    return rc;
}

int whisper_decode_window(const yq_whisper_model *m, yq_whisper_decoder *dec, const whisper_vocab *v,
                          const int32_t *prompt, int n_prompt, int sot_index, const window_options *o,
                          window_result *result) {
    memset(result, 0, sizeof *result);
    search s = {m, dec, v, o, m->config.vocab_size, 1, n_prompt, NULL, NULL, NULL, 0};
    if (o->temperature <= 0 && o->beam_size > 1) s.n_group = o->beam_size;
    if (o->temperature > 0 && o->best_of > 1) s.n_group = o->best_of;
    if (s.n_group > 32) s.n_group = 32;
    s.finished = calloc((size_t)s.n_group, sizeof *s.finished);
    int rc = s.finished ? run_search(&s, prompt, n_prompt, sot_index, result) : yq_error(YQ_ENOMEM, "out of memory");
    free_candidates(&s, s.cands);
    free_candidates(&s, s.spare);
    for (int i = 0; s.finished && i < s.n_finished; i++) free(s.finished[i].tokens);
    free(s.finished);
    return rc;
}

int whisper_detect_language(const yq_whisper_model *m, yq_whisper_decoder *dec, const whisper_vocab *v, float *probs) {
    yq_whisper_seq seq;
    float *logits = malloc((size_t)m->config.vocab_size * sizeof *logits);
    int rc = logits ? yq_whisper_seq_init(m, &seq) : yq_error(YQ_ENOMEM, "out of memory");
    if (rc) {
        free(logits);
        return rc;
    }
    yq_whisper_step step = {&v->sot, 1, &seq, 0, logits};
    rc = yq_whisper_decode(dec, &step, 1);
    int best = 0;
    if (!rc) {
        float max = -INFINITY;
        for (int i = 0; i < v->n_langs; i++) max = fmaxf(max, logits[v->lang_ids[i]]);
        double sum = 0;
        for (int i = 0; i < v->n_langs; i++) sum += exp((double)logits[v->lang_ids[i]] - max);
        for (int i = 0; i < v->n_langs; i++) {
            probs[i] = (float)(exp((double)logits[v->lang_ids[i]] - max) / sum);
            if (probs[i] > probs[best]) best = i;
        }
    }
    yq_whisper_seq_free(&seq);
    free(logits);
    return rc ? rc : best;
}
