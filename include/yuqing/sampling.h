/* Sampling parameters and the sampler that turns a logits vector into the next token.
 * Semantics follow Hugging Face generate(): repetition penalty, then temperature, top-k, top-p,
 * min-p; temperature 0 (or do_sample off) is greedy argmax. */
#ifndef YUQING_SAMPLING_H
#define YUQING_SAMPLING_H

#include <stdint.h>

typedef struct yq_sampling_params {
    float temperature;        /* 0 = greedy */
    int top_k;                /* 0 = off */
    float top_p;              /* 1 = off */
    float min_p;              /* 0 = off */
    float repetition_penalty; /* 1 = off; applied to every token of prompt and output */
    float presence_penalty;   /* OpenAI: subtracted once from every token already generated */
    float frequency_penalty;  /* OpenAI: subtracted per occurrence in the generated tokens */
    uint64_t seed;
    int max_tokens;
} yq_sampling_params;

/* Hugging Face's defaults when a model has no generation_config.json: greedy (do_sample off). */
yq_sampling_params yq_sampling_defaults(void);

typedef struct yq_sampler yq_sampler;

/* A sampler for one sequence over a vocabulary of vocab_size. Prompt tokens are added with
 * yq_sampler_observe (repetition penalty), generated ones with yq_sampler_observe_output (also
 * presence and frequency penalties). */
int yq_sampler_new(const yq_sampling_params *params, int vocab_size, yq_sampler **out);
void yq_sampler_free(yq_sampler *s);
void yq_sampler_observe(yq_sampler *s, int32_t token);
void yq_sampler_observe_output(yq_sampler *s, int32_t token);

/* Picks the next token from logits (vocab_size floats, modified in place). */
int32_t yq_sampler_sample(yq_sampler *s, float *logits);

/* log softmax of the raw logits at `token`, and the `k` most likely tokens with theirs (ids and
 * logprobs arrays of k entries; k <= 20). Call before yq_sampler_sample modifies the logits. */
float yq_logprobs(const float *logits, int vocab_size, int32_t token, int k, int32_t *top_ids, float *top_logprobs);

#endif
