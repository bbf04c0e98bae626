/* The serving engine's per-sequence sampling and token delivery after a forward pass. */
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
    if (append_token(s, token)) {
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
