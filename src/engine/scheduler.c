/* The serving engine's thread, queue and public API (see include/yuqing/engine.h); the work of
 * one step is in engine_step.c. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "yuqing/error.h"

static void *engine_main(void *arg);

static int engine_alloc(yq_engine *e) {
    const yq_engine_config *c = &e->config;
    int rc = yq_model_kv_cache_new(e->model, c->block_size, c->n_blocks, &e->kv);
    if (!rc) rc = yq_prefix_cache_new(e->kv, &e->prefix);
    if (!rc) rc = yq_forward_ctx_new(e->model, &e->forward);
    size_t slots = (size_t)c->max_batch + (size_t)c->max_queue + 64;
    e->waiting = calloc(slots * 4, sizeof *e->waiting);
    e->running = calloc((size_t)c->max_batch, sizeof *e->running);
    if (!rc && (!e->waiting || !e->running)) rc = yq_error(YQ_ENOMEM, "out of memory");
    return rc;
}

static void engine_free(yq_engine *e) {
    yq_forward_ctx_free(e->forward);
    yq_prefix_cache_free(e->prefix);
    yq_kv_cache_free(e->kv);
    free(e->waiting);
    free(e->running);
    free(e->cancels);
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->wake);
    free(e);
}

int yq_engine_start(const yq_model *model, const yq_engine_config *config, yq_engine **out) {
    if (config->max_batch <= 0 || config->n_blocks <= 0 || config->block_size <= 0 || config->max_queue < 0 ||
        config->step_tokens <= 0)
        return yq_error(YQ_EINVAL, "engine: batch, blocks, block size and step tokens must be positive");
    yq_engine *e = calloc(1, sizeof *e);
    if (!e) return yq_error(YQ_ENOMEM, "out of memory");
    e->model = model;
    e->config = *config;
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->wake, NULL);
    e->next_request_id = 1;
    int rc = engine_alloc(e);
    if (!rc && pthread_create(&e->thread, NULL, engine_main, e) != 0)
        rc = yq_error(YQ_EIO, "engine: cannot start its thread");
    if (rc) {
        engine_free(e);
        return rc;
    }
    *out = e;
    return YQ_OK;
}

void yq_engine_stop(yq_engine *e) {
    pthread_mutex_lock(&e->lock);
    e->stopping = true;
    pthread_cond_signal(&e->wake);
    pthread_mutex_unlock(&e->lock);
    pthread_join(e->thread, NULL);
    engine_free(e);
}

static int check_request(const yq_engine *e, const yq_request_params *p) {
    const yq_model_config *c = &e->model->config;
    if (p->n_prompt <= 0) return yq_error(YQ_EINVAL, "the prompt is empty");
    if (p->n < 1 || p->n > e->config.max_batch)
        return yq_error(YQ_EINVAL, "n must be between 1 and %d", e->config.max_batch);
    if (p->top_logprobs < 0 || p->top_logprobs > YQ_MAX_TOP_LOGPROBS)
        return yq_error(YQ_EINVAL, "top_logprobs must be between 0 and %d", YQ_MAX_TOP_LOGPROBS);
    if (p->n_prompt >= c->max_context)
        return yq_error(YQ_ERANGE, "the prompt has %d tokens; the model's context is %d", p->n_prompt, c->max_context);
    int blocks = (p->n_prompt + 1 + e->config.block_size - 1) / e->config.block_size;
    if (blocks > e->config.n_blocks)
        return yq_error(YQ_ERANGE, "the prompt has %d tokens; the KV cache holds %d", p->n_prompt,
                        e->config.n_blocks * e->config.block_size - 1);
    for (int i = 0; i < p->n_prompt; i++)
        if (p->prompt[i] < 0 || p->prompt[i] >= c->vocab_size)
            return yq_error(YQ_EINVAL, "token id %d is outside the vocabulary", p->prompt[i]);
    if (p->json && (!p->json_vocab || !p->tokenizer))
        return yq_error(YQ_EINVAL, "constrained decoding needs the vocabulary view and the tokenizer");
    return YQ_OK;
}

static yq_sequence *sequence_new(const yq_request_params *p, int choice, yq_token_fn fn, void *user) {
    yq_sequence *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->capacity = p->n_prompt + 64;
    s->tokens = malloc((size_t)s->capacity * sizeof *s->tokens);
    if (!s->tokens) {
        free(s);
        return NULL;
    }
    memcpy(s->tokens, p->prompt, (size_t)p->n_prompt * sizeof *s->tokens);
    s->n_tokens = s->n_prompt = p->n_prompt;
    s->choice = choice;
    s->sampling = p->sampling;
    s->sampling.seed += (uint64_t)choice;
    s->logprobs = p->logprobs || p->top_logprobs > 0;
    s->top_logprobs = p->top_logprobs;
    s->on_token = fn;
    s->user = user;
    if (p->json) {
        s->json = p->json;
        s->json_vocab = p->json_vocab;
        s->tokenizer = p->tokenizer;
        yq_json_state_init(p->json, &s->json_state);
    }
    return s;
}

int yq_engine_submit(yq_engine *e, const yq_request_params *p, yq_token_fn on_token, void *user,
                     uint64_t *request_id) {
    int rc = check_request(e, p);
    if (rc) return rc;
    yq_sequence *seqs[YQ_MAX_TOP_LOGPROBS * 16] = {0};
    if (p->n > (int)(sizeof seqs / sizeof seqs[0])) return yq_error(YQ_EINVAL, "n is too large");
    for (int i = 0; i < p->n; i++)
        if (!(seqs[i] = sequence_new(p, i, on_token, user))) {
            for (int j = 0; j < i; j++) yq_sequence_finish(NULL, seqs[j]);
            return yq_error(YQ_ENOMEM, "out of memory");
        }
    pthread_mutex_lock(&e->lock);
    if (e->stopping || e->queued + p->n > e->config.max_queue) {
        rc = yq_error(YQ_EBUSY, e->stopping ? "the server is shutting down" : "the queue is full (%d waiting)", e->queued);
    } else {
        *request_id = e->next_request_id++;
        for (int i = p->n - 1; i >= 0; i--) {
            seqs[i]->request_id = *request_id;
            seqs[i]->next = e->inbox;
            e->inbox = seqs[i];
        }
        e->queued += p->n;
        pthread_cond_signal(&e->wake);
    }
    pthread_mutex_unlock(&e->lock);
    if (rc)
        for (int i = 0; i < p->n; i++) yq_sequence_finish(NULL, seqs[i]);
    return rc;
}

void yq_engine_cancel(yq_engine *e, uint64_t request_id) {
    pthread_mutex_lock(&e->lock);
    if (e->n_cancels == e->cap_cancels) {
        int cap = e->cap_cancels ? e->cap_cancels * 2 : 16;
        uint64_t *c = realloc(e->cancels, (size_t)cap * sizeof *c);
        if (c) {
            e->cancels = c;
            e->cap_cancels = cap;
        }
    }
    if (e->n_cancels < e->cap_cancels) e->cancels[e->n_cancels++] = request_id;
    pthread_cond_signal(&e->wake);
    pthread_mutex_unlock(&e->lock);
}

void yq_engine_get_stats(yq_engine *e, yq_engine_stats *stats) {
    pthread_mutex_lock(&e->lock);
    *stats = e->stats;
    pthread_mutex_unlock(&e->lock);
}

/* Moves the inbox (in submission order) to the waiting list and applies cancellations. */
static void take_inbox(yq_engine *e) {
    yq_sequence *list = e->inbox, *reversed = NULL;
    e->inbox = NULL;
    while (list) {
        yq_sequence *next = list->next;
        list->next = reversed;
        reversed = list;
        list = next;
    }
    for (yq_sequence *s = reversed; s; s = s->next) e->waiting[e->n_waiting++] = s;
    for (int c = 0; c < e->n_cancels; c++) {
        for (int i = 0; i < e->n_waiting; i++)
            if (e->waiting[i]->request_id == e->cancels[c]) e->waiting[i]->cancelled = true;
        for (int i = 0; i < e->n_running; i++)
            if (e->running[i]->request_id == e->cancels[c]) e->running[i]->cancelled = true;
    }
    e->n_cancels = 0;
}

static void *engine_main(void *arg) {
    yq_engine *e = arg;
    pthread_mutex_lock(&e->lock);
    for (;;) {
        take_inbox(e);
        if (e->n_running == 0 && e->n_waiting == 0) {
            if (e->stopping) break;
            pthread_cond_wait(&e->wake, &e->lock);
            continue;
        }
        pthread_mutex_unlock(&e->lock);
        yq_engine_step(e);
        pthread_mutex_lock(&e->lock);
    }
    pthread_mutex_unlock(&e->lock);
    return NULL;
}
