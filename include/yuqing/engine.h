/* The serving engine: continuous batching over the paged KV cache. Requests are queued from any
 * thread; one engine thread runs steps, each one forward pass over every running sequence
 * (prefill chunks and decode tokens together), admitting waiting requests as blocks allow,
 * reusing cached prompt prefixes, and preempting the most recently admitted sequences (to be
 * recomputed later) when blocks run out. Tokens are delivered through a callback. */
#ifndef YUQING_ENGINE_H
#define YUQING_ENGINE_H

#include <stdint.h>

#include "yuqing/json_constraint.h"
#include "yuqing/model.h"
#include "yuqing/tokenizer.h"

enum { YQ_MAX_TOP_LOGPROBS = 20 };

typedef struct yq_engine_config {
    int max_batch;     /* running sequences at most */
    int n_blocks;      /* KV pool size */
    int block_size;    /* positions per block */
    int max_queue;     /* waiting requests at most (YQ_EBUSY beyond) */
    int step_tokens;   /* prefill tokens per step, shared by the sequences being prefilled */
} yq_engine_config;

typedef enum yq_finish_reason {
    YQ_FINISH_NONE = 0,
    YQ_FINISH_STOP,      /* end of sequence, or the callback asked to stop (stop string) */
    YQ_FINISH_LENGTH,    /* max_tokens, or the context / KV pool is full */
    YQ_FINISH_CANCELLED, /* yq_engine_cancel */
} yq_finish_reason;

/* One event of one sequence: a token (token >= 0, finish NONE), or its end (token -1, finish
 * set), which comes exactly once, last. */
typedef struct yq_token_event {
    int choice;                /* which of the request's n sequences */
    int32_t token;
    float logprob;             /* of the token under the raw logits, when logprobs were asked */
    int n_top;
    int32_t top_ids[YQ_MAX_TOP_LOGPROBS];
    float top_logprobs[YQ_MAX_TOP_LOGPROBS];
    yq_finish_reason finish;
    int n_prompt;              /* prompt tokens */
    int n_cached;              /* of which came from the prefix cache at first admission */
} yq_token_event;

/* Called on the engine thread, never concurrently for one request. Return 1 to end this
 * sequence (finish STOP) after this token. */
typedef int (*yq_token_fn)(void *user, const yq_token_event *event);

typedef struct yq_request_params {
    const int32_t *prompt; /* copied */
    int n_prompt;
    yq_sampling_params sampling; /* choice i uses seed + i */
    int n;                       /* sequences to generate (choices), >= 1 */
    int logprobs;                /* 0: none; 1: the token's; with top_logprobs > 0 also the top */
    int top_logprobs;            /* 0..YQ_MAX_TOP_LOGPROBS */
    /* Constrained decoding (all three or none; borrowed until the request's last event): the
     * output must be JSON accepted by `json`; tokens outside its mask are never sampled. */
    const yq_json_constraint *json;
    const yq_json_vocab *json_vocab;
    const yq_tokenizer *tokenizer;
} yq_request_params;

typedef struct yq_engine_stats {
    int running, waiting;
    int blocks_total, blocks_free;
    int blocks_shared; /* held by more than one sequence or cache entry */
    int blocks_cached; /* held only by the prefix cache (reusable, evicted on demand) */
    uint64_t preemptions, prompt_tokens, cached_prompt_tokens, generated_tokens;
} yq_engine_stats;

typedef struct yq_engine yq_engine;

/* Starts the engine thread over `model` (borrowed; must outlive the engine). */
int yq_engine_start(const yq_model *model, const yq_engine_config *config, yq_engine **out);

/* Finishes every queued and running request, then stops the thread and frees the engine.
 * Submissions after this starts are refused with YQ_EBUSY. */
void yq_engine_stop(yq_engine *e);

/* Queues a request; on success the callback will receive its events and *request_id names it.
 * Errors: YQ_EINVAL (empty prompt, id outside the vocabulary, bad n), YQ_ERANGE (the prompt
 * does not fit the context or the KV pool), YQ_EBUSY (queue full or shutting down). */
int yq_engine_submit(yq_engine *e, const yq_request_params *params, yq_token_fn on_token, void *user,
                     uint64_t *request_id);

/* Ends a request early (e.g. its client went away): its sequences get a CANCELLED end event
 * and their blocks are freed at the next step. Unknown or finished ids are ignored. */
void yq_engine_cancel(yq_engine *e, uint64_t request_id);

void yq_engine_get_stats(yq_engine *e, yq_engine_stats *stats);

#endif
