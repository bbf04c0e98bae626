/* The Llama / Qwen2 / Qwen3 decoder forward pass over a batch of sequences. It reads like the
 * math of one transformer block; the kernels live in src/tensor/. Shapes: T = tokens in the
 * batch, D = dim, Q = n_heads*head_dim, KV = n_kv_heads*head_dim, H = hidden_dim. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/model.h"
#include "yuqing/threads.h"

struct yq_forward_ctx {
    const yq_model *model;
    int capacity;                  /* tokens the buffers hold */
    float *x, *xb, *proj;          /* (T, D) residual stream, normed input, block output */
    float *q, *att;                /* (T, Q) queries, attention output */
    float *k, *v;                  /* (T, KV) */
    float *gate, *up;              /* (T, H) */
    float *scores;                 /* (threads, max_context) attention scratch */
    int scores_threads;
    int *token_step, *token_pos;   /* (T) which step and position each token belongs to */
    float *last_logits;            /* (LOGITS_CHUNK, vocab) logits of gathered last rows */
};

/* Last-token logits of up to this many sequences come from one LM-head product, so a batch of
 * decode steps reads the (often largest) weight matrix once instead of once per sequence. */
enum { LOGITS_CHUNK = 32 };

int yq_forward_ctx_new(const yq_model *model, yq_forward_ctx **out) {
    yq_forward_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return yq_error(YQ_ENOMEM, "forward: out of memory");
    ctx->model = model;
    *out = ctx;
    return YQ_OK;
}

static void free_buffers(yq_forward_ctx *ctx) {
    float **bufs[] = {&ctx->x, &ctx->xb, &ctx->proj, &ctx->q, &ctx->att,
                      &ctx->k, &ctx->v, &ctx->gate, &ctx->up};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        free(*bufs[i]);
        *bufs[i] = NULL;
    }
    free(ctx->token_step);
    free(ctx->token_pos);
    ctx->token_step = ctx->token_pos = NULL;
    ctx->capacity = 0;
}

void yq_forward_ctx_free(yq_forward_ctx *ctx) {
    if (!ctx) return;
    free_buffers(ctx);
    free(ctx->scores);
    free(ctx->last_logits);
    free(ctx);
}

static int ensure_capacity(yq_forward_ctx *ctx, int n_tokens) {
    const yq_model_config *c = &ctx->model->config;
    int threads = yq_threads_count();
    if (threads > ctx->scores_threads) {
        free(ctx->scores);
        ctx->scores = malloc((size_t)threads * (size_t)c->max_context * sizeof(float));
        ctx->scores_threads = ctx->scores ? threads : 0;
        if (!ctx->scores) return yq_error(YQ_ENOMEM, "forward: out of memory");
    }
    if (!ctx->last_logits &&
        !(ctx->last_logits = malloc(LOGITS_CHUNK * (size_t)c->vocab_size * sizeof(float))))
        return yq_error(YQ_ENOMEM, "forward: out of memory for logits");
    if (n_tokens <= ctx->capacity) return YQ_OK;
    free_buffers(ctx);
    size_t t = (size_t)n_tokens, q_dim = (size_t)c->n_heads * c->head_dim;
    size_t kv_dim = (size_t)c->n_kv_heads * c->head_dim;
    ctx->x = malloc(t * c->dim * sizeof(float));
    ctx->xb = malloc(t * c->dim * sizeof(float));
    ctx->proj = malloc(t * c->dim * sizeof(float));
    ctx->q = malloc(t * q_dim * sizeof(float));
    ctx->att = malloc(t * q_dim * sizeof(float));
    ctx->k = malloc(t * kv_dim * sizeof(float));
    ctx->v = malloc(t * kv_dim * sizeof(float));
    ctx->gate = malloc(t * c->hidden_dim * sizeof(float));
    ctx->up = malloc(t * c->hidden_dim * sizeof(float));
    ctx->token_step = malloc(t * sizeof(int));
    ctx->token_pos = malloc(t * sizeof(int));
    if (!ctx->x || !ctx->xb || !ctx->proj || !ctx->q || !ctx->att || !ctx->k || !ctx->v ||
        !ctx->gate || !ctx->up || !ctx->token_step || !ctx->token_pos) {
        free_buffers(ctx);
        return yq_error(YQ_ENOMEM, "forward: out of memory for %d tokens", n_tokens);
    }
    ctx->capacity = n_tokens;
    return YQ_OK;
}

/* Checks every step and reserves its blocks; on failure nothing has been reserved anew. */
static int prepare_steps(const yq_model *m, yq_kv_cache *kv, yq_seq_step *steps, int n_steps) {
    const yq_model_config *c = &m->config;
    for (int s = 0; s < n_steps; s++) {
        yq_seq_step *st = &steps[s];
        if (st->n_tokens <= 0) return yq_error(YQ_EINVAL, "forward: step %d has no tokens", s);
        if (st->kv->n_tokens + st->n_tokens > c->max_context)
            return yq_error(YQ_ERANGE, "%d tokens exceed the context of %d (max_position_embeddings)",
                            st->kv->n_tokens + st->n_tokens, c->max_context);
        for (int i = 0; i < st->n_tokens; i++)
            if (st->tokens[i] < 0 || st->tokens[i] >= c->vocab_size)
                return yq_error(YQ_EINVAL, "token id %d is outside the vocabulary (0..%d)",
                                st->tokens[i], c->vocab_size - 1);
    }
    int needed = 0, bs = yq_kv_cache_block_size(kv);
    for (int s = 0; s < n_steps; s++) {
        int have = steps[s].kv->n_blocks;
        int want = (steps[s].kv->n_tokens + steps[s].n_tokens + bs - 1) / bs;
        if (want > have) needed += want - have;
    }
    if (needed > yq_kv_cache_free_blocks(kv))
        return yq_error(YQ_ENOMEM, "KV cache full: the batch needs %d more blocks, %d free", needed,
                        yq_kv_cache_free_blocks(kv));
    for (int s = 0; s < n_steps; s++) {
        int rc = yq_kv_seq_reserve(kv, steps[s].kv, steps[s].kv->n_tokens + steps[s].n_tokens);
        if (rc) return rc;
    }
    return YQ_OK;
}

static void add_bias(float *out, const float *bias, int n_tokens, int n) {
    if (!bias) return;
    for (int t = 0; t < n_tokens; t++)
        for (int i = 0; i < n; i++) out[(size_t)t * n + i] += bias[i];
}

static void head_norm(float *vecs, const float *weight, int n_vecs, int head_dim, float eps) {
    if (!weight) return;
    for (int i = 0; i < n_vecs; i++) {
        float *head = vecs + (size_t)i * head_dim;
        yq_rmsnorm(head, head, weight, head_dim, eps);
    }
}

typedef struct {
    const yq_model *m;
    yq_kv_cache *kv;
    yq_seq_step *steps;
    yq_forward_ctx *ctx;
    int layer;
} attention_job;

/* Items are (token, query head) pairs; each is causal attention over its own sequence. */
static void attention_task(void *arg, int64_t begin, int64_t end, int thread) {
    const attention_job *job = arg;
    const yq_model_config *c = &job->m->config;
    int group = c->n_heads / c->n_kv_heads;
    size_t q_dim = (size_t)c->n_heads * c->head_dim;
    float *scores = job->ctx->scores + (size_t)thread * c->max_context;
    for (int64_t item = begin; item < end; item++) {
        int t = (int)(item / c->n_heads), h = (int)(item % c->n_heads);
        const yq_kv_seq *seq = job->steps[job->ctx->token_step[t]].kv;
        yq_kv_view view = {
            .k_base = yq_kv_keys(job->kv, 0, job->layer, h / group),
            .v_base = yq_kv_values(job->kv, 0, job->layer, h / group),
            .blocks = seq->blocks,
            .block_size = yq_kv_cache_block_size(job->kv),
            .block_stride = yq_kv_block_stride(job->kv),
        };
        const float *q = job->ctx->q + t * q_dim + (size_t)h * c->head_dim;
        float *out = job->ctx->att + t * q_dim + (size_t)h * c->head_dim;
        yq_attention(out, q, c->head_dim, &view, job->ctx->token_pos[t] + 1, scores);
    }
}

/* Writes the new keys and values of every token into its sequence's blocks. */
static void store_kv(const yq_model *m, yq_kv_cache *kv, yq_seq_step *steps, yq_forward_ctx *ctx,
                     int layer, int n_tokens) {
    const yq_model_config *c = &m->config;
    int bs = yq_kv_cache_block_size(kv);
    size_t kv_dim = (size_t)c->n_kv_heads * c->head_dim;
    for (int t = 0; t < n_tokens; t++) {
        const yq_kv_seq *seq = steps[ctx->token_step[t]].kv;
        int pos = ctx->token_pos[t];
        int32_t block = seq->blocks[pos / bs];
        for (int h = 0; h < c->n_kv_heads; h++) {
            size_t row = (size_t)(pos % bs) * c->head_dim;
            memcpy(yq_kv_keys(kv, block, layer, h) + row, ctx->k + t * kv_dim + (size_t)h * c->head_dim,
                   (size_t)c->head_dim * sizeof(float));
            memcpy(yq_kv_values(kv, block, layer, h) + row, ctx->v + t * kv_dim + (size_t)h * c->head_dim,
                   (size_t)c->head_dim * sizeof(float));
        }
    }
}

/* x += Attention(RMSNorm(x)) for every token of the batch. */
static void attention_block(const yq_model *m, const yq_layer_weights *w, yq_kv_cache *kv,
                            yq_seq_step *steps, yq_forward_ctx *ctx, int layer, int T) {
    const yq_model_config *c = &m->config;
    int q_dim = c->n_heads * c->head_dim, kv_dim = c->n_kv_heads * c->head_dim;
    for (int t = 0; t < T; t++)
        yq_rmsnorm(ctx->xb + (size_t)t * c->dim, ctx->x + (size_t)t * c->dim, w->attn_norm, c->dim,
                   c->norm_eps);
    const yq_matmul_out qkv[] = {{ctx->q, &w->wq}, {ctx->k, &w->wk}, {ctx->v, &w->wv}}; /* (T, Q), (T, KV) x 2 */
    yq_matmul_shared(qkv, 3, ctx->xb, T);
    add_bias(ctx->q, w->bq, T, q_dim);
    add_bias(ctx->k, w->bk, T, kv_dim);
    add_bias(ctx->v, w->bv, T, kv_dim);
    head_norm(ctx->q, w->q_norm, T * c->n_heads, c->head_dim, c->norm_eps);
    head_norm(ctx->k, w->k_norm, T * c->n_kv_heads, c->head_dim, c->norm_eps);
    for (int t = 0; t < T; t++) {
        yq_rope(ctx->q + (size_t)t * q_dim, c->n_heads, c->head_dim, ctx->token_pos[t], m->inv_freq,
                c->rope_interleaved);
        yq_rope(ctx->k + (size_t)t * kv_dim, c->n_kv_heads, c->head_dim, ctx->token_pos[t],
                m->inv_freq, c->rope_interleaved);
    }
    store_kv(m, kv, steps, ctx, layer, T);
    attention_job job = {m, kv, steps, ctx, layer};
    yq_parallel_for((int64_t)T * c->n_heads, attention_task, &job);
    yq_matmul(ctx->proj, &w->wo, ctx->att, T); /* (T, D) */
    for (size_t i = 0; i < (size_t)T * c->dim; i++) ctx->x[i] += ctx->proj[i];
}

/* x += W_down (silu(W_gate x') * W_up x'), x' = RMSNorm(x). */
static void mlp_block(const yq_model *m, const yq_layer_weights *w, yq_forward_ctx *ctx, int T) {
    const yq_model_config *c = &m->config;
    for (int t = 0; t < T; t++)
        yq_rmsnorm(ctx->xb + (size_t)t * c->dim, ctx->x + (size_t)t * c->dim, w->ffn_norm, c->dim,
                   c->norm_eps);
    const yq_matmul_out gate_up[] = {{ctx->gate, &w->w_gate}, {ctx->up, &w->w_up}}; /* (T, H) each */
    yq_matmul_shared(gate_up, 2, ctx->xb, T);
    yq_silu_mul(ctx->gate, ctx->up, T * c->hidden_dim);
    yq_matmul(ctx->proj, &w->w_down, ctx->gate, T); /* (T, D) */
    for (size_t i = 0; i < (size_t)T * c->dim; i++) ctx->x[i] += ctx->proj[i];
}

/* Final norm of token row t into xb row i. */
static void output_norm(const yq_model *m, yq_forward_ctx *ctx, int i, int t) {
    const yq_model_config *c = &m->config;
    yq_rmsnorm(ctx->xb + (size_t)i * c->dim, ctx->x + (size_t)t * c->dim, m->output_norm, c->dim,
               c->norm_eps);
}

/* Logits of every token of the steps that asked for all of them, one product per step. */
static void write_all_logits(const yq_model *m, yq_seq_step *steps, int n_steps, yq_forward_ctx *ctx) {
    for (int s = 0, first = 0; s < n_steps; first += steps[s].n_tokens, s++) {
        if (steps[s].logits_mode != YQ_LOGITS_ALL) continue;
        for (int i = 0; i < steps[s].n_tokens; i++) output_norm(m, ctx, i, first + i);
        yq_matmul(steps[s].logits, &m->lm_head, ctx->xb, steps[s].n_tokens);
    }
}

/* Last-token logits, LOGITS_CHUNK steps per LM-head product, copied out to each step. */
static void write_last_logits(const yq_model *m, yq_seq_step *steps, int n_steps, yq_forward_ctx *ctx) {
    size_t vocab = (size_t)m->config.vocab_size;
    int rows = 0, owner[LOGITS_CHUNK];
    for (int s = 0, first = 0; s < n_steps; first += steps[s].n_tokens, s++) {
        if (steps[s].logits_mode == YQ_LOGITS_LAST) {
            output_norm(m, ctx, rows, first + steps[s].n_tokens - 1);
            owner[rows++] = s;
        }
        if (rows == 0 || (rows < LOGITS_CHUNK && s + 1 < n_steps)) continue;
        yq_matmul(ctx->last_logits, &m->lm_head, ctx->xb, rows);
        for (int i = 0; i < rows; i++)
            memcpy(steps[owner[i]].logits, ctx->last_logits + i * vocab, vocab * sizeof(float));
        rows = 0;
    }
}

int yq_forward(const yq_model *m, yq_kv_cache *kv, yq_seq_step *steps, int n_steps,
               yq_forward_ctx *ctx) {
    const yq_model_config *c = &m->config;
    int T = 0;
    for (int s = 0; s < n_steps; s++) T += steps[s].n_tokens > 0 ? steps[s].n_tokens : 0;
    int rc = ensure_capacity(ctx, T);
    if (!rc) rc = prepare_steps(m, kv, steps, n_steps);
    if (rc) return rc;
    for (int s = 0, t = 0; s < n_steps; s++)
        for (int i = 0; i < steps[s].n_tokens; i++, t++) {
            ctx->token_step[t] = s;
            ctx->token_pos[t] = steps[s].kv->n_tokens + i;
            yq_tensor_row_f32(&m->token_embedding, steps[s].tokens[i], ctx->x + (size_t)t * c->dim);
        }
    for (int l = 0; l < c->n_layers; l++) {
        attention_block(m, &m->layers[l], kv, steps, ctx, l, T);
        mlp_block(m, &m->layers[l], ctx, T);
    }
    write_all_logits(m, steps, n_steps, ctx);
    write_last_logits(m, steps, n_steps, ctx);
    for (int s = 0; s < n_steps; s++) steps[s].kv->n_tokens += steps[s].n_tokens;
    return YQ_OK;
}

int yq_model_kv_cache_new(const yq_model *model, int block_size, int n_blocks, yq_kv_cache **out) {
    const yq_model_config *c = &model->config;
    return yq_kv_cache_new(c->n_layers, c->n_kv_heads, c->head_dim, block_size, n_blocks, out);
}
