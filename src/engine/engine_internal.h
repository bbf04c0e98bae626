/* State shared by the serving engine's files: the sequence, the engine, and the step. */
#ifndef YUQING_ENGINE_INTERNAL_H
#define YUQING_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "prefix_cache.h"
#include "yuqing/engine.h"

typedef struct yq_sequence {
    uint64_t request_id;
    int choice;
    int32_t *tokens; /* prompt then generated tokens */
    int n_tokens, capacity;
    int n_prompt, n_generated, n_cached;
    yq_sampling_params sampling;
    int logprobs, top_logprobs;
    yq_kv_seq kv;    /* kv.n_tokens = positions computed */
    yq_sampler *sampler;
    float *logits;   /* (vocab) while running */
    yq_token_fn on_token;
    void *user;
    const yq_json_constraint *json; /* constrained decoding, or NULL */
    const yq_json_vocab *json_vocab;
    const yq_tokenizer *tokenizer;
    yq_json_state json_state;
    uint8_t *allowed; /* (vocab) mask scratch */
    uint64_t admit_order;
    bool admitted_once, cancelled;
    yq_finish_reason finish; /* set when the sequence must end */
    struct yq_sequence *next; /* in the inbox */
} yq_sequence;

struct yq_engine {
    const yq_model *model;
    yq_engine_config config;
    yq_kv_cache *kv;
    yq_prefix_cache *prefix;
    yq_forward_ctx *forward;
    /* engine thread only */
    yq_sequence **waiting, **running;
    int n_waiting, n_running;
    uint64_t admit_counter;
    /* shared, under lock */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    yq_sequence *inbox;
    uint64_t *cancels;
    int n_cancels, cap_cancels, queued;
    bool stopping;
    uint64_t next_request_id;
    yq_engine_stats stats;
};

/* One engine step over the running sequences (engine thread). Returns 1 if it did any work. */
int yq_engine_step(yq_engine *e);

/* Samples the next token of a sequence whose logits were just computed and delivers it. */
int yq_engine_sample_and_deliver(yq_engine *e, yq_sequence *s);

/* Frees a sequence after delivering its end event (e NULL: never queued, no event). */
void yq_sequence_finish(yq_engine *e, yq_sequence *s);

#endif
