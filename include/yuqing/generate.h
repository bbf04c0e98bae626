/* Single-sequence generation on top of the batched forward pass: chunked prefill, then decode
 * steps through the sampler until EOS, the token budget, the context, or the caller says stop.
 * Also the stop-string matcher that streaming front-ends put between detokenizer and output. */
#ifndef YUQING_GENERATE_H
#define YUQING_GENERATE_H

#include <stddef.h>

#include "yuqing/model.h"

typedef enum yq_stop_reason {
    YQ_STOP_EOS = 0,        /* an end-of-sequence id was sampled (not passed on) */
    YQ_STOP_MAX_TOKENS,     /* params.max_tokens were generated */
    YQ_STOP_CONTEXT,        /* the model's context is full */
    YQ_STOP_CALLER,         /* on_token asked to stop (e.g. a stop string) */
} yq_stop_reason;

typedef struct yq_generate_request {
    const int32_t *prompt; /* used verbatim; no BOS is added here */
    int n_prompt;
    yq_sampling_params params;
    /* Called with each generated token (EOS excluded); return nonzero to stop after it. */
    int (*on_token)(void *user, int32_t token);
    void *user;
} yq_generate_request;

typedef struct yq_generate_stats {
    int n_prompt, n_generated;
    double prefill_seconds, decode_seconds;
    yq_stop_reason stop_reason;
} yq_generate_stats;

/* Runs the request. Errors: YQ_ERANGE when the prompt does not fit the context, YQ_EINVAL for
 * an empty prompt or an id outside the vocabulary, YQ_ENOMEM. */
int yq_generate(const yq_model *model, const yq_generate_request *req, yq_generate_stats *stats);

/* Streaming stop-string matcher: holds back text that may be the start of a stop string. */
typedef struct yq_stop_matcher yq_stop_matcher;

int yq_stop_matcher_new(const char *const *stops, int n_stops, yq_stop_matcher **out);
void yq_stop_matcher_free(yq_stop_matcher *m);
/* Appends text; *emit and *emit_len receive what can be shown now (borrowed until the next call).
 * Returns 1 when a stop string has completed (emit then ends just before it), else 0. */
int yq_stop_matcher_feed(yq_stop_matcher *m, const char *text, size_t len, const char **emit,
                         size_t *emit_len);
/* What is still held back, at the end of generation. */
void yq_stop_matcher_flush(yq_stop_matcher *m, const char **emit, size_t *emit_len);

#endif
