/* The Whisper decoder: token + learned position embeddings, pre-LayerNorm blocks of causal
 * self-attention (keys/values kept per sequence), cross-attention over the window's encoder
 * keys/values (computed once by yq_whisper_decoder_set_audio) and GELU MLP, a final LayerNorm
 * and the output projection tied to the token embedding. Matrix products run over every token
 * of the batch at once; self-attention runs per (token, head) over the thread pool,
 * cross-attention per head as two matrix products over all the batch's tokens. */
#include <stdlib.h>
#include <string.h>

#include "whisper_internal.h"
#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/threads.h"

struct yq_whisper_decoder {
    const yq_whisper_model *m;
    float *cross_k;  /* (decoder_layers, heads, n_audio_ctx, head_dim) */
    float *cross_vt; /* (decoder_layers, heads, head_dim, n_audio_ctx): values transposed */
    float *x, *h, *q, *k, *v, *attn, *ffn; /* (cap, d) each; ffn (cap, decoder_ffn) */
    float *qh, *oh, *cross_scores;         /* (cap, head_dim) x2, (cap, n_audio_ctx) */
    int cap;                               /* tokens the buffers hold */
    float *scores;                         /* (n_threads, n_text_ctx) */
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
        dec->cross_vt = malloc(n * sizeof(float));
    }
    if (!dec || !dec->cross_k || !dec->cross_vt) {
        yq_whisper_decoder_free(dec);
        return yq_error(YQ_ENOMEM, "whisper decoder: out of memory");
    }
    *out = dec;
    return YQ_OK;
}

static void free_buffers(yq_whisper_decoder *dec) {
    float *bufs[] = {dec->x, dec->h, dec->q, dec->k, dec->v, dec->attn, dec->ffn, dec->qh, dec->oh, dec->cross_scores};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    dec->x = dec->h = dec->q = dec->k = dec->v = dec->attn = dec->ffn = dec->qh = dec->oh = dec->cross_scores = NULL;
    dec->cap = 0;
}

void yq_whisper_decoder_free(yq_whisper_decoder *dec) {
    if (!dec) return;
    free_buffers(dec);
    free(dec->cross_k);
    free(dec->cross_vt);
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
        float *vt = dec->cross_vt + l * cross_layer_size(m);
        int hd = head_dim(m);
        for (int t = 0; t < c->n_audio_ctx; t++)
            for (int i = 0; i < c->d_model; i++) /* i = head * hd + j */
                vt[((size_t)(i / hd) * hd + (size_t)(i % hd)) * c->n_audio_ctx + t] = rows[(size_t)t * c->d_model + i];
    }
    free(rows);
}

static int reserve(yq_whisper_decoder *dec, int n_tokens) {
    const yq_whisper_config *c = &dec->m->config;
    int threads = yq_threads_count();
    if (threads > dec->n_threads) {
        free(dec->scores);
        dec->scores = malloc((size_t)threads * (size_t)c->n_text_ctx * sizeof(float));
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
    ok &= (dec->qh = malloc((size_t)n_tokens * (size_t)head_dim(dec->m) * sizeof(float))) != NULL;
    ok &= (dec->oh = malloc((size_t)n_tokens * (size_t)head_dim(dec->m) * sizeof(float))) != NULL;
    ok &= (dec->cross_scores = malloc((size_t)n_tokens * (size_t)c->n_audio_ctx * sizeof(float))) != NULL;
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
    int layer;
} attention_job;

/* Self-attention of (token, head) items over the token's sequence, positions [0, pos]. */
static void attention_task(void *ctx, int64_t begin, int64_t end, int thread) {
    const attention_job *job = ctx;
    const yq_whisper_decoder *dec = job->dec;
    const yq_whisper_config *c = &dec->m->config;
    int n_heads = c->decoder_heads, hd = head_dim(dec->m), d = c->d_model;
    float *scores = dec->scores + (size_t)thread * (size_t)c->n_text_ctx;
    static const int32_t first_block = 0;
    for (int64_t item = begin; item < end; item++) {
        int token = (int)(item / n_heads), h = (int)(item % n_heads), pos;
        const yq_whisper_step *step;
        locate(&job->batch, token, &step, &pos);
        size_t off = job->layer * seq_layer_size(dec->m) + (size_t)h * c->n_text_ctx * hd;
        yq_kv_view view = {step->seq->k + off, step->seq->v + off, &first_block, c->n_text_ctx, 0};
        yq_attention(dec->attn + (size_t)token * d + h * hd, dec->q + (size_t)token * d + h * hd, hd, &view, pos + 1, scores);
    }
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
    for (int s = 0, row = 0; s < b->n_steps; row += b->steps[s++].n_tokens) {
        const yq_whisper_step *st = &b->steps[s];
        size_t off = (size_t)l * seq_layer_size(dec->m);
        store_heads(st->seq->k + off, dec->k + (size_t)row * d, st->n_tokens, st->seq->n_tokens, c->n_text_ctx, d, c->decoder_heads);
        store_heads(st->seq->v + off, dec->v + (size_t)row * d, st->n_tokens, st->seq->n_tokens, c->n_text_ctx, d, c->decoder_heads);
    }
    attention_job job = {dec, *b, l};
    yq_parallel_for((int64_t)n * c->decoder_heads, attention_task, &job);
    yq_whisper_linear(dec->h, &w->self_attn.wo, w->self_attn.bo, dec->attn, n);
    add_rows(dec->x, dec->h, (size_t)n * d);
}

/* Every token's query against the window's keys/values, one head at a time. */
static void cross_attention(yq_whisper_decoder *dec, const yq_whisper_layer *w, int l, int n) {
    const yq_whisper_model *m = dec->m;
    const yq_whisper_config *c = &m->config;
    int d = c->d_model, hd = head_dim(m), T = c->n_audio_ctx;
    yq_whisper_layernorm_rows(dec->h, dec->x, w->cross_ln_w, w->cross_ln_b, n, d);
    yq_whisper_linear(dec->q, &w->cross_attn.wq, w->cross_attn.bq, dec->h, n);
    for (int h = 0; h < c->decoder_heads; h++) {
        size_t off = l * cross_layer_size(m) + (size_t)h * T * hd;
        yq_tensor keys = {YQ_DTYPE_F32, T, hd, dec->cross_k + off}, values_t = {YQ_DTYPE_F32, hd, T, dec->cross_vt + off};
        yq_whisper_gather_head(dec->qh, dec->q, n, d, h, hd);
        yq_whisper_attend(dec->oh, dec->qh, n, &keys, &values_t, dec->cross_scores);
        for (int t = 0; t < n; t++) memcpy(dec->attn + (size_t)t * d + h * hd, dec->oh + (size_t)t * hd, (size_t)hd * sizeof(float));
    }
    yq_whisper_linear(dec->h, &w->cross_attn.wo, w->cross_attn.bo, dec->attn, n);
    add_rows(dec->x, dec->h, (size_t)n * d);
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
        cross_attention(dec, &m->decoder[l], l, n);
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
