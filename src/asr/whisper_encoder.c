/* The Whisper encoder over one 30 s window: two Conv1d + GELU (the second with stride 2) as
 * matrix products over unfolded inputs, the stored sinusoidal positions, pre-LayerNorm blocks
 * of full (non-causal) self-attention and GELU MLP, and a final LayerNorm. Every matrix product,
 * attention's included, runs through yq_matmul over the thread pool. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "whisper_internal.h"
#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/threads.h"

void yq_whisper_add_bias(float *x, const float *bias, int64_t n_tokens, int n) {
    for (int64_t t = 0; t < n_tokens; t++)
        for (int i = 0; i < n; i++) x[t * n + i] += bias[i];
}

void yq_whisper_layernorm_rows(float *x, const float *src, const float *w, const float *b, int64_t n_tokens, int d) {
    for (int64_t t = 0; t < n_tokens; t++) yq_layernorm(x + t * d, src + t * d, w, b, d, YQ_WHISPER_LN_EPS);
}

void yq_whisper_linear(float *out, const yq_tensor *w, const float *bias, const float *x, int64_t n_tokens) {
    yq_matmul(out, w, x, (int)n_tokens);
    if (bias) yq_whisper_add_bias(out, bias, n_tokens, (int)w->rows);
}

/* Unfolds a kernel-3, padding-1 Conv1d input: cols[t][c * 3 + k] = in(c, stride * t + k - 1),
 * zero outside [0, t_in), where in(c, s) = src[c * c_stride + s * t_stride]. */
static void unfold(float *cols, const float *src, int channels, int64_t c_stride, int64_t t_stride, int64_t t_in,
                   int64_t t_out, int stride) {
    for (int64_t t = 0; t < t_out; t++) {
        float *row = cols + t * channels * YQ_WHISPER_CONV_K;
        for (int c = 0; c < channels; c++)
            for (int k = 0; k < YQ_WHISPER_CONV_K; k++) {
                int64_t s = stride * t + k - 1;
                row[c * YQ_WHISPER_CONV_K + k] = s >= 0 && s < t_in ? src[c * c_stride + s * t_stride] : 0.0f;
            }
    }
}

typedef struct {
    float *scores; /* (n_rows, n_ctx) */
    int n_ctx;
} softmax_job;

static void softmax_rows(void *ctx, int64_t begin, int64_t end, int thread) {
    const softmax_job *job = ctx;
    for (int64_t t = begin; t < end; t++) yq_softmax_long(job->scores + t * job->n_ctx, job->n_ctx);
}

void yq_whisper_gather_head(float *qh, const float *q, int n, int d, int head, int hd) {
    float scale = 1.0f / sqrtf((float)hd);
    for (int t = 0; t < n; t++)
        for (int i = 0; i < hd; i++) qh[t * hd + i] = q[(int64_t)t * d + head * hd + i] * scale;
}

void yq_whisper_attend(float *out, const float *q, int n_q, const yq_tensor *keys, const yq_tensor *values_t,
                       float *scores) {
    yq_matmul(scores, keys, q, n_q); /* scores[t][r] = k_r . q_t */
    softmax_job job = {scores, (int)keys->rows};
    yq_parallel_for(n_q, softmax_rows, &job);
    yq_matmul(out, values_t, scores, n_q);
}

typedef struct {
    float *qh, *kh, *vt, *oh; /* (T, hd) (T, hd) (hd, T) (T, hd) */
    float *scores;            /* (T, T) */
} attention_scratch;

/* out (T, d) = softmax(Q K^T / sqrt(hd)) V per head, for q, k, v (T, d). */
static void full_attention(float *out, const float *q, const float *k, const float *v, int n_ctx, int d,
                           int n_heads, const attention_scratch *s) {
    int hd = d / n_heads;
    for (int h = 0; h < n_heads; h++) {
        yq_whisper_gather_head(s->qh, q, n_ctx, d, h, hd);
        for (int t = 0; t < n_ctx; t++)
            for (int i = 0; i < hd; i++) {
                s->kh[t * hd + i] = k[(int64_t)t * d + h * hd + i];
                s->vt[(int64_t)i * n_ctx + t] = v[(int64_t)t * d + h * hd + i];
            }
        yq_tensor keys = {.dtype = YQ_DTYPE_F32, .rows = n_ctx, .cols = hd, .data = s->kh};
        yq_tensor values_t = {.dtype = YQ_DTYPE_F32, .rows = hd, .cols = n_ctx, .data = s->vt};
        yq_whisper_attend(s->oh, s->qh, n_ctx, &keys, &values_t, s->scores);
        for (int t = 0; t < n_ctx; t++)
            for (int i = 0; i < hd; i++) out[(int64_t)t * d + h * hd + i] = s->oh[t * hd + i];
    }
}

/* Buffers of one encoder run, all (T, ...) with T = n_audio_ctx. */
typedef struct {
    float *h, *q, *k, *v, *attn, *ffn;
    attention_scratch att;
} encoder_scratch;

static void encoder_block(const yq_whisper_model *m, const yq_whisper_layer *w, float *x, const encoder_scratch *s) {
    const yq_whisper_config *c = &m->config;
    int64_t n = c->n_audio_ctx;
    int d = c->d_model;
    yq_whisper_layernorm_rows(s->h, x, w->attn_ln_w, w->attn_ln_b, n, d);
    yq_whisper_linear(s->q, &w->self_attn.wq, w->self_attn.bq, s->h, n);
    yq_whisper_linear(s->k, &w->self_attn.wk, NULL, s->h, n);
    yq_whisper_linear(s->v, &w->self_attn.wv, w->self_attn.bv, s->h, n);
    full_attention(s->attn, s->q, s->k, s->v, (int)n, d, c->encoder_heads, &s->att);
    yq_whisper_linear(s->h, &w->self_attn.wo, w->self_attn.bo, s->attn, n);
    for (int64_t i = 0; i < n * d; i++) x[i] += s->h[i];
    yq_whisper_layernorm_rows(s->h, x, w->ffn_ln_w, w->ffn_ln_b, n, d);
    yq_whisper_linear(s->ffn, &w->fc1, w->fc1_b, s->h, n);
    yq_gelu(s->ffn, n * c->encoder_ffn);
    yq_whisper_linear(s->h, &w->fc2, w->fc2_b, s->ffn, n);
    for (int64_t i = 0; i < n * d; i++) x[i] += s->h[i];
}

/* conv1 + GELU, conv2 (stride 2) + GELU, + positions: x (T, d) from the mel window. */
static int front_end(const yq_whisper_model *m, const float *mel, int64_t mel_stride, float *x) {
    const yq_whisper_config *c = &m->config;
    int d = c->d_model;
    int64_t t_in = 2 * (int64_t)c->n_audio_ctx, t_out = c->n_audio_ctx;
    int64_t cols1 = (int64_t)c->n_mels * YQ_WHISPER_CONV_K, cols2 = (int64_t)d * YQ_WHISPER_CONV_K;
    float *unfolded = malloc((size_t)(t_in * cols1 > t_out * cols2 ? t_in * cols1 : t_out * cols2) * sizeof(float));
    float *h1 = malloc((size_t)(t_in * d) * sizeof *h1);
    if (!unfolded || !h1) {
        free(unfolded);
        free(h1);
        return yq_error(YQ_ENOMEM, "whisper encoder: out of memory");
    }
    unfold(unfolded, mel, c->n_mels, mel_stride, 1, t_in, t_in, 1);
    yq_whisper_linear(h1, &m->conv1, m->conv1_b, unfolded, t_in);
    yq_gelu(h1, t_in * d);
    unfold(unfolded, h1, d, 1, d, t_in, t_out, 2);
    yq_whisper_linear(x, &m->conv2, m->conv2_b, unfolded, t_out);
    yq_gelu(x, t_out * d);
    for (int64_t i = 0; i < t_out * d; i++) x[i] += m->encoder_positions[i];
    free(unfolded);
    free(h1);
    return YQ_OK;
}

int yq_whisper_encode(const yq_whisper_model *m, const float *mel, int64_t mel_stride, float *out) {
    const yq_whisper_config *c = &m->config;
    size_t n = (size_t)c->n_audio_ctx, d = (size_t)c->d_model, hd = d / (size_t)c->encoder_heads;
    size_t wide = (size_t)c->encoder_ffn > d ? (size_t)c->encoder_ffn : d;
    float *buf = malloc((n * d * 5 + n * wide + n * hd * 4 + n * n) * sizeof *buf);
    if (!buf) return yq_error(YQ_ENOMEM, "whisper encoder: out of memory");
    encoder_scratch s = {buf, buf + n * d, buf + 2 * n * d, buf + 3 * n * d, buf + 4 * n * d, buf + 5 * n * d, {0}};
    float *att = s.ffn + n * wide;
    s.att = (attention_scratch){att, att + n * hd, att + 2 * n * hd, att + 3 * n * hd, att + 4 * n * hd};
    int rc = front_end(m, mel, mel_stride, out);
    for (int l = 0; l < c->encoder_layers && !rc; l++) encoder_block(m, &m->encoder[l], out, &s);
    if (!rc) yq_whisper_layernorm_rows(out, out, m->encoder_ln_w, m->encoder_ln_b, (int64_t)n, (int)d);
    free(buf);
    return rc;
}
