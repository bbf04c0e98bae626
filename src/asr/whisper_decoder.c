/* The Whisper decoder: token + learned position embeddings, pre-LayerNorm blocks of causal
 * self-attention (keys/values kept per sequence), cross-attention over the window's encoder
 * keys/values (computed once by yq_whisper_decoder_set_audio) and GELU MLP, a final LayerNorm
 * and the output projection tied to the token embedding. Matrix products run over every token
 * of the batch at once; attention runs per (token, head) over the thread pool. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "whisper_internal.h"
#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/threads.h"

struct yq_whisper_decoder {
    const yq_whisper_model *m;
    float *cross_k, *cross_v; /* (decoder_layers, heads, n_audio_ctx, head_dim) */
    float *x, *h, *q, *k, *v, *attn, *ffn; /* (cap, d) each; ffn (cap, decoder_ffn) */
    int cap;                               /* tokens the buffers hold */
    float *scores;                         /* (n_threads, max(n_audio_ctx, n_text_ctx)) */
    int n_threads;
};

static int head_dim(const yq_whisper_model *m) { return m->config.d_model / m->config.decoder_heads; }

/* Floats of one layer's part of a sequence cache / of the cross keys. */
static size_t seq_layer_size(const yq_whisper_model *m) { return (size_t)m->config.n_text_ctx * (size_t)m->config.d_model; }
static size_t cross_layer_size(const yq_whisper_model *m) { return (size_t)m->config.n_audio_ctx * (size_t)m->config.d_model; }

int yq_whisper_seq_init(const yq_whisper_model *m, yq_whisper_seq *seq) {
    size_t n = seq_layer_size(m) * (size_t)m->config.decoder_layers;
    seq->k = malloc(n * sizeof *seq->k);
    seq->v = malloc(n * sizeof *seq->v);
    seq->n_tokens = 0;
    if (seq->k && seq->v) return YQ_OK;
    yq_whisper_seq_free(seq);
    return yq_error(YQ_ENOMEM, "whisper decoder: out of memory");
}

void yq_whisper_seq_free(yq_whisper_seq *seq) {
    free(seq->k);
    free(seq->v);
    seq->k = seq->v = NULL;
    seq->n_tokens = 0;
}

void yq_whisper_seq_copy(const yq_whisper_model *m, yq_whisper_seq *dst, const yq_whisper_seq *src) {
    if (dst == src) return;
    int hd = head_dim(m), n_ctx = m->config.n_text_ctx;
    size_t used = (size_t)src->n_tokens * (size_t)hd * sizeof(float);
    for (int64_t head = 0; head < (int64_t)m->config.decoder_layers * m->config.decoder_heads; head++) {
        size_t off = (size_t)head * (size_t)n_ctx * (size_t)hd;
        memcpy(dst->k + off, src->k + off, used);
        memcpy(dst->v + off, src->v + off, used);
    }
    dst->n_tokens = src->n_tokens;
}

int yq_whisper_decoder_new(const yq_whisper_model *m, yq_whisper_decoder **out) {
    yq_whisper_decoder *dec = calloc(1, sizeof *dec);
    size_t n = cross_layer_size(m) * (size_t)m->config.decoder_layers;
    if (dec) {
        dec->m = m;
        dec->cross_k = malloc(n * sizeof(float));
        dec->cross_v = malloc(n * sizeof(float));
    }
    if (!dec || !dec->cross_k || !dec->cross_v) {
        yq_whisper_decoder_free(dec);
        return yq_error(YQ_ENOMEM, "whisper decoder: out of memory");
    }
    *out = dec;
    return YQ_OK;
}

static void free_buffers(yq_whisper_decoder *dec) {
    float *bufs[] = {dec->x, dec->h, dec->q, dec->k, dec->v, dec->attn, dec->ffn};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    dec->x = dec->h = dec->q = dec->k = dec->v = dec->attn = dec->ffn = NULL;
    dec->cap = 0;
}

void yq_whisper_decoder_free(yq_whisper_decoder *dec) {
    if (!dec) return;
    free_buffers(dec);
    free(dec->cross_k);
    free(dec->cross_v);
    free(dec->scores);
    free(dec);
}

/* Writes rows (n, d) into a (heads, ctx, hd) cache at positions pos0... */
static void store_heads(float *cache, const float *rows, int n, int pos0, int n_ctx, int d, int n_heads) {
    int hd = d / n_heads;
    for (int t = 0; t < n; t++)
        for (int h = 0; h < n_heads; h++)
            memcpy(cache + ((size_t)h * n_ctx + (size_t)(pos0 + t)) * hd, rows + (size_t)t * d + h * hd, (size_t)hd * sizeof(float));
}

void yq_whisper_decoder_set_audio(yq_whisper_decoder *dec, const float *encoder_out) {
    const yq_whisper_model *m = dec->m;
    const yq_whisper_config *c = &m->config;
    float *rows = malloc(cross_layer_size(m) * sizeof *rows);
    for (int l = 0; l < c->decoder_layers && rows; l++) {
        const yq_whisper_attention *a = &m->decoder[l].cross_attn;
        yq_whisper_linear(rows, &a->wk, NULL, encoder_out, c->n_audio_ctx);
        store_heads(dec->cross_k + l * cross_layer_size(m), rows, c->n_audio_ctx, 0, c->n_audio_ctx, c->d_model, c->decoder_heads);
        yq_whisper_linear(rows, &a->wv, a->bv, encoder_out, c->n_audio_ctx);
        store_heads(dec->cross_v + l * cross_layer_size(m), rows, c->n_audio_ctx, 0, c->n_audio_ctx, c->d_model, c->decoder_heads);
    }
    free(rows);
}

static int reserve(yq_whisper_decoder *dec, int n_tokens) {
    const yq_whisper_config *c = &dec->m->config;
    int threads = yq_threads_count();
    if (threads > dec->n_threads) {
        free(dec->scores);
        int ctx = c->n_audio_ctx > c->n_text_ctx ? c->n_audio_ctx : c->n_text_ctx;
        dec->scores = malloc((size_t)threads * (size_t)ctx * sizeof(float));
        dec->n_threads = dec->scores ? threads : 0;
        if (!dec->scores) return yq_error(YQ_ENOMEM, "whisper decoder: out of memory");
    }
    if (n_tokens <= dec->cap) return YQ_OK;
    free_buffers(dec);
    size_t rows = (size_t)n_tokens * (size_t)c->d_model;
    float **bufs[] = {&dec->x, &dec->h, &dec->q, &dec->k, &dec->v, &dec->attn};
    int ok = 1;
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) ok &= (*bufs[i] = malloc(rows * sizeof(float))) != NULL;
    ok &= (dec->ffn = malloc((size_t)n_tokens * (size_t)c->decoder_ffn * sizeof(float))) != NULL;
    if (!ok) {
        free_buffers(dec);
        return yq_error(YQ_ENOMEM, "whisper decoder: out of memory");
    }
    dec->cap = n_tokens;
    return YQ_OK;
}

/* Where token i of the batch belongs: its step and position. */
typedef struct {
    const yq_whisper_step *steps;
    int n_steps;
} batch_map;

static void locate(const batch_map *b, int i, const yq_whisper_step **step, int *pos) {
    int s = 0;
    while (i >= b->steps[s].n_tokens) i -= b->steps[s++].n_tokens;
    *step = &b->steps[s];
    *pos = b->steps[s].seq->n_tokens + i;
}

typedef struct {
    yq_whisper_decoder *dec;
    batch_map batch;
    int layer, cross;
} attention_job;

/* Items are (token, head) pairs: self-attention over the token's sequence, positions [0, pos],
 * or cross-attention over the whole window. Queries are already scaled. */
static void attention_task(void *ctx, int64_t begin, int64_t end, int thread) {
    const attention_job *job = ctx;
    const yq_whisper_decoder *dec = job->dec;
    const yq_whisper_config *c = &dec->m->config;
    int n_heads = c->decoder_heads, hd = head_dim(dec->m), d = c->d_model;
    int n_ctx_max = c->n_audio_ctx > c->n_text_ctx ? c->n_audio_ctx : c->n_text_ctx;
    float *scores = dec->scores + (size_t)thread * (size_t)n_ctx_max;
    for (int64_t item = begin; item < end; item++) {
        int token = (int)(item / n_heads), h = (int)(item % n_heads), pos;
        const yq_whisper_step *step;
        locate(&job->batch, token, &step, &pos);
        const float *k, *v;
        int n_ctx;
        if (job->cross) {
            size_t off = job->layer * cross_layer_size(dec->m) + (size_t)h * c->n_audio_ctx * hd;
            k = dec->cross_k + off, v = dec->cross_v + off, n_ctx = c->n_audio_ctx;
        } else {
            size_t off = job->layer * seq_layer_size(dec->m) + (size_t)h * c->n_text_ctx * hd;
            k = step->seq->k + off, v = step->seq->v + off, n_ctx = pos + 1;
        }
        yq_attention_rows(dec->attn + (size_t)token * d + h * hd, dec->q + (size_t)token * d + h * hd, hd, k, v, n_ctx,
                          scores);
    }
}

/* q (n, d) times 1 / sqrt(head_dim), as transformers scales the queries. */
static void scale_queries(yq_whisper_decoder *dec, int n) {
    float scale = 1.0f / sqrtf((float)head_dim(dec->m));
    for (size_t i = 0; i < (size_t)n * dec->m->config.d_model; i++) dec->q[i] *= scale;
}

static void add_rows(float *x, const float *y, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] += y[i];
}

static void self_attention(yq_whisper_decoder *dec, const yq_whisper_layer *w, int l, const batch_map *b, int n) {
    const yq_whisper_config *c = &dec->m->config;
    int d = c->d_model;
    yq_whisper_layernorm_rows(dec->h, dec->x, w->attn_ln_w, w->attn_ln_b, n, d);
    yq_whisper_linear(dec->q, &w->self_attn.wq, w->self_attn.bq, dec->h, n);
    yq_whisper_linear(dec->k, &w->self_attn.wk, NULL, dec->h, n);
    yq_whisper_linear(dec->v, &w->self_attn.wv, w->self_attn.bv, dec->h, n);
    scale_queries(dec, n);
    for (int s = 0, row = 0; s < b->n_steps; row += b->steps[s++].n_tokens) {
        const yq_whisper_step *st = &b->steps[s];
        size_t off = (size_t)l * seq_layer_size(dec->m);
        store_heads(st->seq->k + off, dec->k + (size_t)row * d, st->n_tokens, st->seq->n_tokens, c->n_text_ctx, d, c->decoder_heads);
        store_heads(st->seq->v + off, dec->v + (size_t)row * d, st->n_tokens, st->seq->n_tokens, c->n_text_ctx, d, c->decoder_heads);
    }
    attention_job job = {dec, *b, l, 0};
    yq_parallel_for((int64_t)n * c->decoder_heads, attention_task, &job);
    yq_whisper_linear(dec->h, &w->self_attn.wo, w->self_attn.bo, dec->attn, n);
    add_rows(dec->x, dec->h, (size_t)n * d);
}

static void cross_attention(yq_whisper_decoder *dec, const yq_whisper_layer *w, int l, const batch_map *b, int n) {
    const yq_whisper_config *c = &dec->m->config;
    yq_whisper_layernorm_rows(dec->h, dec->x, w->cross_ln_w, w->cross_ln_b, n, c->d_model);
    yq_whisper_linear(dec->q, &w->cross_attn.wq, w->cross_attn.bq, dec->h, n);
    scale_queries(dec, n);
    attention_job job = {dec, *b, l, 1};
    yq_parallel_for((int64_t)n * c->decoder_heads, attention_task, &job);
    yq_whisper_linear(dec->h, &w->cross_attn.wo, w->cross_attn.bo, dec->attn, n);
    add_rows(dec->x, dec->h, (size_t)n * c->d_model);
}

static void mlp(yq_whisper_decoder *dec, const yq_whisper_layer *w, int n) {
    const yq_whisper_config *c = &dec->m->config;
    yq_whisper_layernorm_rows(dec->h, dec->x, w->ffn_ln_w, w->ffn_ln_b, n, c->d_model);
    yq_whisper_linear(dec->ffn, &w->fc1, w->fc1_b, dec->h, n);
    yq_gelu(dec->ffn, (int64_t)n * c->decoder_ffn);
    yq_whisper_linear(dec->h, &w->fc2, w->fc2_b, dec->ffn, n);
    add_rows(dec->x, dec->h, (size_t)n * c->d_model);
}

static int check_steps(const yq_whisper_model *m, const yq_whisper_step *steps, int n_steps, int *n_total) {
    *n_total = 0;
    for (int s = 0; s < n_steps; s++) {
        const yq_whisper_step *st = &steps[s];
        if (st->n_tokens <= 0) return yq_error(YQ_EINVAL, "whisper decoder: step %d has no tokens", s);
        if (st->seq->n_tokens + st->n_tokens > m->config.n_text_ctx)
            return yq_error(YQ_ERANGE, "whisper decoder: %d tokens exceed the text context of %d",
                            st->seq->n_tokens + st->n_tokens, m->config.n_text_ctx);
        for (int i = 0; i < st->n_tokens; i++)
            if (st->tokens[i] < 0 || st->tokens[i] >= m->config.vocab_size)
                return yq_error(YQ_EINVAL, "whisper decoder: token %d outside the vocabulary", (int)st->tokens[i]);
        *n_total += st->n_tokens;
    }
    return YQ_OK;
}

int yq_whisper_decode(yq_whisper_decoder *dec, yq_whisper_step *steps, int n_steps) {
    const yq_whisper_model *m = dec->m;
    const yq_whisper_config *c = &m->config;
    int d = c->d_model, n;
    int rc = check_steps(m, steps, n_steps, &n);
    if (!rc) rc = reserve(dec, n);
    if (rc) return rc;
    for (int s = 0, row = 0; s < n_steps; row += steps[s++].n_tokens)
        for (int i = 0; i < steps[s].n_tokens; i++) {
            float *x = dec->x + (size_t)(row + i) * d;
            yq_tensor_row_f32(&m->token_embedding, steps[s].tokens[i], x);
            add_rows(x, m->decoder_positions + (size_t)(steps[s].seq->n_tokens + i) * d, (size_t)d);
        }
    batch_map b = {steps, n_steps};
    for (int l = 0; l < c->decoder_layers; l++) {
        self_attention(dec, &m->decoder[l], l, &b, n);
        cross_attention(dec, &m->decoder[l], l, &b, n);
        mlp(dec, &m->decoder[l], n);
    }
    for (int s = 0, row = 0; s < n_steps; row += steps[s++].n_tokens) {
        int first = steps[s].all_logits ? row : row + steps[s].n_tokens - 1;
        int count = row + steps[s].n_tokens - first;
        yq_whisper_layernorm_rows(dec->h, dec->x + (size_t)first * d, m->decoder_ln_w, m->decoder_ln_b, count, d);
        if (steps[s].logits) yq_matmul(steps[s].logits, &m->token_embedding, dec->h, count);
    }
    for (int s = 0; s < n_steps; s++) steps[s].seq->n_tokens += steps[s].n_tokens;
    return YQ_OK;
}
