/* Helpers shared by the Whisper encoder and decoder (internal to src/asr). */
#ifndef YUQING_ASR_WHISPER_INTERNAL_H
#define YUQING_ASR_WHISPER_INTERNAL_H

#include <stdint.h>

#include "yuqing/whisper.h"

enum { YQ_WHISPER_CONV_K = 3 };
#define YQ_WHISPER_LN_EPS 1e-5f

/* x[t][i] += bias[i] for t < n_tokens, i < n. */
void yq_whisper_add_bias(float *x, const float *bias, int64_t n_tokens, int n);
/* x[t] = LayerNorm(src[t]) for n_tokens rows of d. */
void yq_whisper_layernorm_rows(float *x, const float *src, const float *w, const float *b, int64_t n_tokens, int d);
/* out = W x + bias (bias may be NULL) over n_tokens. */
void yq_whisper_linear(float *out, const yq_tensor *w, const float *bias, const float *x, int64_t n_tokens);

/* qh (n, hd) = head `head` of q (n, d) times 1 / sqrt(hd), the attention scaling applied to
 * the queries as transformers does. */
void yq_whisper_gather_head(float *qh, const float *q, int n, int d, int head, int hd);

/* Attention of n_q scaled queries q (n_q, hd) over keys (n_ctx, hd) and values given transposed
 * (hd, n_ctx), both f32: out (n_q, hd) = softmax(q K^T) V, through yq_matmul. scores is
 * scratch of n_q * n_ctx floats. */
void yq_whisper_attend(float *out, const float *q, int n_q, const yq_tensor *keys, const yq_tensor *values_t,
                       float *scores);

#endif
