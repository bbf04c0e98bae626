/* Loads llama2.c `.bin` checkpoints: a 7 x int32 header, then f32 arrays in a fixed order
 * (embedding, attention norms, wq, wk, wv, wo, FFN norms, w1, w2, w3, final norm, legacy RoPE
 * tables, optional classifier). RoPE pairs are interleaved, as run.c computes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"

enum { HEADER_INTS = 7 };

static int read_header(const yq_mapped_file *f, const char *path, yq_model_config *c, int *shared) {
    if (f->size < HEADER_INTS * sizeof(int32_t))
        return yq_error(YQ_EFORMAT, "%s: truncated llama2.c header (%zu bytes)", path, f->size);
    int32_t h[HEADER_INTS];
    memcpy(h, f->data, sizeof h);
    memset(c, 0, sizeof *c);
    snprintf(c->architecture, sizeof c->architecture, "llama2.c");
    c->dim = h[0];
    c->hidden_dim = h[1];
    c->n_layers = h[2];
    c->n_heads = h[3];
    c->n_kv_heads = h[4];
    *shared = h[5] > 0;
    c->vocab_size = h[5] > 0 ? h[5] : -h[5];
    c->max_context = h[6];
    c->head_dim = c->n_heads > 0 ? c->dim / c->n_heads : 0;
    c->norm_eps = 1e-5f;
    c->rope_theta = 10000.0f;
    c->rope_interleaved = 1;
    c->tied_embeddings = *shared;
    c->bos_id = 1;
    c->eos_ids[0] = 1; /* run.c ends a sequence when BOS comes back */
    c->n_eos = 1;
    int rc = yq_model_check_config(c, path);
    if (!rc && c->head_dim * c->n_heads != c->dim)
        rc = yq_error(YQ_EFORMAT, "%s: dim %d is not a multiple of %d heads", path, c->dim, c->n_heads);
    return rc;
}

/* Hands out consecutive f32 arrays of the file. */
typedef struct {
    const float *next;
    size_t left; /* floats */
} cursor;

static const float *take(cursor *cur, size_t n) {
    if (n > cur->left) return NULL;
    const float *p = cur->next;
    cur->next += n;
    cur->left -= n;
    return p;
}

static yq_tensor matrix(const float *base, int layer, int64_t rows, int64_t cols) {
    return (yq_tensor){.dtype = YQ_DTYPE_F32, .rows = rows, .cols = cols, .data = base + (size_t)layer * rows * cols};
}

static int copy_vector(const float *src, int n, float **out) {
    *out = malloc((size_t)n * sizeof(float));
    if (!*out) return yq_error(YQ_ENOMEM, "out of memory");
    memcpy(*out, src, (size_t)n * sizeof(float));
    return YQ_OK;
}

static int bind_weights(yq_model *m, cursor *cur, int shared, const char *path) {
    const yq_model_config *c = &m->config;
    size_t L = (size_t)c->n_layers, D = (size_t)c->dim, H = (size_t)c->hidden_dim;
    size_t KV = (size_t)c->n_kv_heads * c->head_dim, V = (size_t)c->vocab_size;
    const float *emb = take(cur, V * D), *att_norm = take(cur, L * D);
    const float *wq = take(cur, L * D * D), *wk = take(cur, L * KV * D), *wv = take(cur, L * KV * D);
    const float *wo = take(cur, L * D * D), *ffn_norm = take(cur, L * D);
    const float *w1 = take(cur, L * H * D), *w2 = take(cur, L * D * H), *w3 = take(cur, L * H * D);
    const float *final_norm = take(cur, D);
    const float *rope_tables = take(cur, (size_t)c->max_context * c->head_dim);
    const float *classifier = shared ? emb : take(cur, V * D);
    if (!emb || !att_norm || !wq || !wk || !wv || !wo || !ffn_norm || !w1 || !w2 || !w3 ||
        !final_norm || !rope_tables || !classifier)
        return yq_error(YQ_EFORMAT, "%s: truncated: the header's sizes need more weights than the file holds", path);
    if (cur->left != 0)
        return yq_error(YQ_EFORMAT, "%s: %zu unexpected bytes after the weights", path, cur->left * sizeof(float));
    m->token_embedding = (yq_tensor){.dtype = YQ_DTYPE_F32, .rows = (int64_t)V, .cols = (int64_t)D, .data = emb};
    m->lm_head = (yq_tensor){.dtype = YQ_DTYPE_F32, .rows = (int64_t)V, .cols = (int64_t)D, .data = classifier};
    int rc = yq_model_alloc_layers(m);
    if (!rc) rc = copy_vector(final_norm, c->dim, &m->output_norm);
    for (int l = 0; l < c->n_layers && !rc; l++) {
        yq_layer_weights *w = &m->layers[l];
        w->wq = matrix(wq, l, c->dim, c->dim);
        w->wk = matrix(wk, l, (int64_t)KV, c->dim);
        w->wv = matrix(wv, l, (int64_t)KV, c->dim);
        w->wo = matrix(wo, l, c->dim, c->dim);
        w->w_gate = matrix(w1, l, c->hidden_dim, c->dim);
        w->w_down = matrix(w2, l, c->dim, c->hidden_dim);
        w->w_up = matrix(w3, l, c->hidden_dim, c->dim);
        rc = copy_vector(att_norm + (size_t)l * D, c->dim, &w->attn_norm);
        if (!rc) rc = copy_vector(ffn_norm + (size_t)l * D, c->dim, &w->ffn_norm);
    }
    return rc;
}

int yq_load_llama2c(const char *path, yq_model *m) {
    yq_mapped_file f;
    int rc = yq_map_file(path, &f);
    if (rc) return rc;
    int shared = 0;
    rc = read_header(&f, path, &m->config, &shared);
    if (!rc && (f.size - HEADER_INTS * sizeof(int32_t)) % sizeof(float) != 0)
        rc = yq_error(YQ_EFORMAT, "%s: size %zu is not a whole number of floats", path, f.size);
    if (!rc) {
        cursor cur = {(const float *)(f.data + HEADER_INTS * sizeof(int32_t)),
                      (f.size - HEADER_INTS * sizeof(int32_t)) / sizeof(float)};
        rc = bind_weights(m, &cur, shared, path);
    }
    if (!rc) rc = yq_model_init_rope(m, NULL);
    if (!rc) return yq_model_adopt_file(m, &f);
    yq_unmap_file(&f);
    return rc;
}
