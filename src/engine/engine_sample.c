/* The serving engine's per-sequence sampling and token delivery after a forward pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "yuqing/error.h"

static int is_eos(const yq_model_config *c, int32_t token) {
    for (int i = 0; i < c->n_eos; i++)
        if (c->eos_ids[i] == token) return 1;
    return 0;
}

static int append_token(yq_sequence *s, int32_t token) {
    if (s->n_tokens == s->capacity) {
        int capacity = s->capacity * 2;
        int32_t *tokens = realloc(s->tokens, (size_t)capacity * sizeof *tokens);
        if (!tokens) return yq_error(YQ_ENOMEM, "out of memory");
        s->tokens = tokens;
        s->capacity = capacity;
    }
    s->tokens[s->n_tokens++] = token;
    return YQ_OK;
}

/* Samples the next token of `s` from its logits and hands it to the callback; marks the
 * sequence finished on EOS, max_tokens, a full context, or when the callback says stop. */
/* Constrained decoding: only tokens the JSON automaton accepts, and EOS once a whole value is
 * there, keep their logits. */
static int mask_logits(const yq_engine *e, yq_sequence *s) {
    const yq_model_config *c = &e->model->config;
    int32_t n = yq_json_vocab_size(s->json_vocab);
    if (!s->allowed && !(s->allowed = malloc((size_t)(n > c->vocab_size ? n : c->vocab_size))))
        return yq_error(YQ_ENOMEM, "out of memory");
    int rc = yq_json_allowed_tokens(s->json, s->json_vocab, &s->json_state, s->allowed);
    if (rc) return rc;
    int complete = yq_json_state_complete(s->json, &s->json_state);
    for (int32_t i = 0; i < c->vocab_size; i++)
        if (!(i < n && s->allowed[i]) && !(complete && is_eos(c, i))) s->logits[i] = -INFINITY;
    return YQ_OK;
}

/* Advances the JSON automaton by the sampled token's bytes. */
static int feed_constraint(yq_sequence *s, int32_t token) {
    const char *bytes;
    size_t len;
    int rc = yq_tokenizer_token_bytes(s->tokenizer, token, &bytes, &len);
    if (!rc && yq_json_state_feed(s->json, &s->json_state, bytes, len) != 0)
        rc = yq_error(YQ_EINVAL, "constrained decoding: token %d does not fit the JSON state", token);
    return rc;
}

int yq_engine_sample_and_deliver(yq_engine *e, yq_sequence *s) {
    const yq_model_config *c = &e->model->config;
    yq_token_event ev = {.choice = s->choice, .n_prompt = s->n_prompt, .n_cached = s->n_cached};
    int32_t top_ids[YQ_MAX_TOP_LOGPROBS];
    float top_lp[YQ_MAX_TOP_LOGPROBS];
    float *logits_copy = NULL;
    if (s->logprobs) { /* logprobs are of the raw distribution: keep it before sampling */
        logits_copy = malloc((size_t)c->vocab_size * sizeof(float));
        if (logits_copy) memcpy(logits_copy, s->logits, (size_t)c->vocab_size * sizeof(float));
    }
    if (s->json && mask_logits(e, s) != YQ_OK) {
        s->finish = YQ_FINISH_LENGTH;
        free(logits_copy);
        return YQ_ENOMEM;
    }
    int32_t token = yq_sampler_sample(s->sampler, s->logits);
    if (logits_copy) {
        ev.logprob = yq_logprobs(logits_copy, c->vocab_size, token, s->top_logprobs, top_ids, top_lp);
        ev.n_top = s->top_logprobs;
        memcpy(ev.top_ids, top_ids, sizeof top_ids);
        memcpy(ev.top_logprobs, top_lp, sizeof top_lp);
        free(logits_copy);
    }
    if (is_eos(c, token)) {
        s->finish = YQ_FINISH_STOP;
        return YQ_OK;
    }
    if (append_token(s, token) || (s->json && feed_constraint(s, token))) {
        s->finish = YQ_FINISH_LENGTH;
        return YQ_ENOMEM;
    }
    s->n_generated++;
    yq_sampler_observe_output(s->sampler, token);
    pthread_mutex_lock(&e->lock);
    e->stats.generated_tokens++;
    if (s->n_generated == 1) {
        e->stats.prompt_tokens += (uint64_t)s->n_prompt;
        e->stats.cached_prompt_tokens += (uint64_t)s->n_cached;
    }
    pthread_mutex_unlock(&e->lock);
    ev.token = token;
    if (s->on_token(s->user, &ev)) s->finish = YQ_FINISH_STOP;
    else if (s->n_generated >= s->sampling.max_tokens || s->n_tokens >= c->max_context) s->finish = YQ_FINISH_LENGTH;
    return YQ_OK;
}
