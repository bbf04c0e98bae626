/* yq_quantize_model: a model opened by yq_model_open_for_reading, written as GGUF with
 * llama.cpp's names, metadata and tensor layout, each matrix converted row by row over the
 * thread pool. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf_tokenizer.h"
#include "layer_tensors.h"
#include "loader.h"
#include "yuqing/error.h"
#include "yuqing/gguf.h"
#include "yuqing/gguf_write.h"
#include "yuqing/log.h"
#include "yuqing/quantize.h"
#include "yuqing/threads.h"

/* One tensor of the output file and where its rows come from. */
typedef struct out_tensor {
    char name[64];
    const yq_tensor *matrix; /* the source matrix, or NULL for a vector */
    const float *vector;     /* (cols) when matrix is NULL */
    int64_t rows, cols;
    int permute_heads; /* > 0: Q/K rows reordered for adjacent-pair RoPE over this many heads */
    yq_dtype dtype;
    size_t row_bytes;
} out_tensor;

typedef struct plan {
    out_tensor *tensors;
    int n, cap;
    float *rope_factors; /* (head_dim/2) Llama 3 scaling, or NULL */
} plan;

static int add(plan *p, const char *name, const yq_tensor *matrix, const float *vector, int64_t n,
               int heads) {
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 64;
        out_tensor *t = realloc(p->tensors, (size_t)cap * sizeof *t);
        if (!t) return yq_error(YQ_ENOMEM, "out of memory");
        p->tensors = t;
        p->cap = cap;
    }
    out_tensor *t = &p->tensors[p->n++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->matrix = matrix;
    t->vector = vector;
    t->rows = matrix ? matrix->rows : 1;
    t->cols = matrix ? matrix->cols : n;
    t->permute_heads = heads;
    return YQ_OK;
}

/* The factors by which the model's RoPE frequencies were divided (Llama 3 scaling), as
 * convert_hf_to_gguf.py writes them to rope_freqs.weight; NULL when all are 1. */
static float *rope_factors(const yq_model *m) {
    int half = m->config.head_dim / 2, scaled = 0;
    float *f = malloc((size_t)half * sizeof *f);
    for (int i = 0; f && i < half; i++) {
        float base = 1.0f / powf(m->config.rope_theta, (float)(2 * i) / (float)m->config.head_dim);
        f[i] = base / m->inv_freq[i];
        scaled |= f[i] != 1.0f;
    }
    if (!scaled) {
        free(f);
        f = NULL;
    }
    return f;
}

static int plan_layer(plan *p, const yq_model *m, int l, int permute) {
    const yq_model_config *c = &m->config;
    const yq_layer_weights *w = &m->layers[l];
    char name[64];
    int rc = YQ_OK;
    for (int i = 0; i < yq_n_layer_tensors && !rc; i++) {
        const layer_tensor *t = &yq_layer_tensors[i];
        if (!yq_layer_tensor_present(c, t)) continue;
        int heads = !permute || t->rope == LAYER_ROPE_NONE ? 0 : t->rope == LAYER_ROPE_Q ? c->n_heads : c->n_kv_heads;
        snprintf(name, sizeof name, "blk.%d.%s", l, t->gguf);
        rc = t->is_matrix ? add(p, name, yq_layer_matrix_of(w, t), NULL, 0, heads)
                          : add(p, name, NULL, yq_layer_vector_of(w, t), yq_layer_dim(c, t->cols), heads);
    }
    return rc;
}

/* Every output tensor in llama.cpp's names, with its type from the mix. */
static int make_plan(plan *p, const yq_model *m, const char *arch, yq_quant_type type) {
    const yq_model_config *c = &m->config;
    int permute = !strcmp(arch, "llama") && !c->rope_interleaved; /* HF layout to llama.cpp's */
    int rc = add(p, "token_embd.weight", &m->token_embedding, NULL, 0, 0);
    p->rope_factors = rope_factors(m);
    if (!rc && p->rope_factors) rc = add(p, "rope_freqs.weight", NULL, p->rope_factors, c->head_dim / 2, 0);
    for (int l = 0; l < c->n_layers && !rc; l++)
        rc = plan_layer(p, m, l, permute);
    if (!rc) rc = add(p, "output_norm.weight", NULL, m->output_norm, c->dim, 0);
    if (!rc && !c->tied_embeddings) rc = add(p, "output.weight", &m->lm_head, NULL, 0, 0);
    for (int i = 0; i < p->n && !rc; i++) {
        out_tensor *t = &p->tensors[i];
        t->dtype =
            yq_quant_tensor_dtype(type, t->name, t->matrix ? 2 : 1, t->cols, c->n_layers, c->tied_embeddings);
        rc = yq_dtype_row_bytes(t->dtype, t->cols, &t->row_bytes);
    }
    return rc;
}

static int set_u32(yq_gguf_writer *w, const char *arch, const char *suffix, int value) {
    char key[128];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    return yq_gguf_writer_set_u32(w, key, (uint32_t)value);
}

static int set_f32(yq_gguf_writer *w, const char *arch, const char *suffix, float value) {
    char key[128];
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    return yq_gguf_writer_set_f32(w, key, value);
}

/* tokenizer.* keys of a GGUF input, copied as they are. */
static int copy_tokenizer(yq_gguf_writer *w, const yq_gguf *src) {
    int rc = YQ_OK;
    char key[256];
    for (uint64_t i = 0; i < src->n_kv && !rc; i++) {
        const yq_gguf_kv *kv = &src->kv[i];
        if (kv->key.len >= sizeof key || kv->key.len < 10 || memcmp(kv->key.data, "tokenizer.", 10)) continue;
        snprintf(key, sizeof key, "%.*s", (int)kv->key.len, kv->key.data);
        rc = yq_gguf_writer_set(w, key, &kv->value);
    }
    return rc;
}

/* A Hugging Face input's tokenizer (when it converts) and special ids (from its config). */
static int write_hf_tokenizer(yq_gguf_writer *w, const yq_model *m) {
    const yq_model_config *c = &m->config;
    int written;
    const char *reason;
    int rc = yq_gguf_write_hf_tokenizer(w, m->folder, c->vocab_size, &written, &reason);
    if (!rc && !written) yq_warn("%s: %s; the GGUF file gets no tokenizer", m->folder, reason);
    if (!rc && c->bos_id >= 0)
        rc = yq_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)c->bos_id);
    if (!rc && c->n_eos > 0)
        rc = yq_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)c->eos_ids[0]);
    if (!rc && c->n_eos > 1)
        rc = yq_gguf_writer_set_u32(w, "tokenizer.ggml.eot_token_id", (uint32_t)c->eos_ids[1]);
    return rc;
}

static int write_metadata(yq_gguf_writer *w, const yq_model *m, const char *arch, yq_quant_type type,
                          const yq_gguf *src) {
    const yq_model_config *c = &m->config;
    int rc = yq_gguf_writer_set_string(w, "general.architecture", arch);
    if (!rc) rc = yq_gguf_writer_set_u32(w, "general.file_type", yq_quant_file_type(type));
    if (!rc) rc = yq_gguf_writer_set_u32(w, "general.quantization_version", 2);
    if (!rc) rc = set_u32(w, arch, "context_length", c->max_context);
    if (!rc) rc = set_u32(w, arch, "embedding_length", c->dim);
    if (!rc) rc = set_u32(w, arch, "block_count", c->n_layers);
    if (!rc) rc = set_u32(w, arch, "feed_forward_length", c->hidden_dim);
    if (!rc) rc = set_u32(w, arch, "vocab_size", c->vocab_size);
    if (!rc) rc = set_u32(w, arch, "attention.head_count", c->n_heads);
    if (!rc) rc = set_u32(w, arch, "attention.head_count_kv", c->n_kv_heads);
    if (!rc) rc = set_u32(w, arch, "attention.key_length", c->head_dim);
    if (!rc) rc = set_u32(w, arch, "attention.value_length", c->head_dim);
    if (!rc) rc = set_u32(w, arch, "rope.dimension_count", c->head_dim);
    if (!rc) rc = set_f32(w, arch, "attention.layer_norm_rms_epsilon", c->norm_eps);
    if (!rc) rc = set_f32(w, arch, "rope.freq_base", c->rope_theta);
    if (!rc) rc = src ? copy_tokenizer(w, src) : write_hf_tokenizer(w, m);
    return rc;
}

/* The source index of output row (or element) r of n: llama.cpp's Llama Q/K rows hold, per
 * head, the pairs (i, i + head_dim/2) of HF's rotate_half layout next to each other. */
static int64_t source_index(int64_t r, int64_t n, int heads) {
    if (!heads) return r;
    int64_t hd = n / heads, h = r / hd, j = r % hd;
    return h * hd + (j % 2) * (hd / 2) + j / 2;
}

typedef struct chunk {
    const out_tensor *t;
    int64_t first;
    float *f32;         /* (rows in chunk, cols) */
    unsigned char *out; /* (rows in chunk, row_bytes) */
} chunk;

static void convert_rows(void *ctx, int64_t begin, int64_t end, int thread) {
    const chunk *ch = ctx;
    const out_tensor *t = ch->t;
    for (int64_t i = begin; i < end; i++) {
        float *row = ch->f32 + i * t->cols;
        yq_tensor_row_f32(t->matrix, source_index(ch->first + i, t->rows, t->permute_heads), row);
        yq_quantize_row(t->dtype, row, ch->out + i * (int64_t)t->row_bytes, t->cols);
    }
}

static int write_vector(yq_gguf_writer *w, const out_tensor *t, float *scratch) {
    for (int64_t i = 0; i < t->cols; i++)
        scratch[i] = t->vector[source_index(i, t->cols, t->permute_heads)];
    return yq_gguf_writer_write(w, scratch, (size_t)t->cols * sizeof(float));
}

typedef struct progress {
    yq_quant_progress_fn fn;
    void *user;
    int64_t done, total;
} progress;

static int write_matrix(yq_gguf_writer *w, const out_tensor *t, chunk *ch, int64_t chunk_rows, progress *pr) {
    ch->t = t;
    for (int64_t first = 0; first < t->rows; first += chunk_rows) {
        int64_t n = t->rows - first < chunk_rows ? t->rows - first : chunk_rows;
        ch->first = first;
        yq_parallel_for(n, convert_rows, ch);
        int rc = yq_gguf_writer_write(w, ch->out, (size_t)(n * (int64_t)t->row_bytes));
        if (rc) return rc;
        pr->done += n * t->cols;
        if (pr->fn) pr->fn(pr->user, pr->done, pr->total, t->name);
    }
    return YQ_OK;
}

enum { CHUNK_ELEMENTS = 1 << 20 };

/* The plan's tensors in order; each source matrix's mapped pages are let go once it is written
 * (peak memory: the largest matrix and the chunk buffers, not the whole input). */
static int write_data(yq_gguf_writer *w, const yq_model *m, const plan *p, progress *pr) {
    int64_t max_cols = 1;
    size_t max_row = 1;
    for (int i = 0; i < p->n; i++) {
        if (p->tensors[i].cols > max_cols) max_cols = p->tensors[i].cols;
        if (p->tensors[i].row_bytes > max_row) max_row = p->tensors[i].row_bytes;
        pr->total += p->tensors[i].rows * p->tensors[i].cols;
    }
    int64_t chunk_rows = CHUNK_ELEMENTS / max_cols > 0 ? CHUNK_ELEMENTS / max_cols : 1;
    chunk ch = {NULL, 0, malloc((size_t)(chunk_rows * max_cols) * sizeof(float)),
                malloc((size_t)chunk_rows * max_row)};
    int rc = ch.f32 && ch.out ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    for (int i = 0; i < p->n && !rc; i++) {
        const out_tensor *t = &p->tensors[i];
        if (t->matrix) {
            rc = write_matrix(w, t, &ch, chunk_rows, pr);
            yq_model_release_pages(m, t->matrix);
        } else {
            rc = write_vector(w, t, ch.f32);
            pr->done += t->cols;
            if (pr->fn) pr->fn(pr->user, pr->done, pr->total, t->name);
        }
    }
    free(ch.f32);
    free(ch.out);
    return rc;
}

static int write_file(const char *out, const yq_model *m, const char *arch, yq_quant_type type,
                      const yq_gguf *src, progress *pr) {
    plan p = {0};
    yq_gguf_writer *w = NULL;
    int rc = make_plan(&p, m, arch, type);
    if (!rc) rc = yq_gguf_writer_new(&w);
    if (!rc) rc = write_metadata(w, m, arch, type, src);
    for (int i = 0; i < p.n && !rc; i++) {
        const out_tensor *t = &p.tensors[i];
        uint64_t dims[2] = {(uint64_t)t->cols, (uint64_t)t->rows};
        rc = yq_gguf_writer_add_tensor(w, t->name, t->matrix ? 2 : 1, dims, yq_dtype_to_ggml(t->dtype),
                                       (uint64_t)t->rows * t->row_bytes);
    }
    if (!rc) rc = yq_gguf_writer_begin(w, out);
    if (!rc) rc = write_data(w, m, &p, pr);
    if (!rc) rc = yq_gguf_writer_finish(w);
    yq_gguf_writer_free(w);
    free(p.tensors);
    free(p.rope_factors);
    return rc;
}

int yq_quantize_model(const char *in, const char *out, yq_quant_type type, yq_quant_progress_fn fn,
                      void *user) {
    yq_model *m;
    int rc = yq_model_open_for_reading(in, &m);
    if (rc) return rc;
    const char *arch = yq_gguf_arch_of(m->config.architecture);
    size_t len = strlen(in);
    yq_gguf *src = NULL;
    if (!arch)
        rc = yq_error(YQ_EUNSUPPORTED,
                      "%s: architecture '%s' cannot be written as GGUF (llama, qwen2, qwen3 can)", in,
                      m->config.architecture);
    if (!rc && len > 5 && !strcmp(in + len - 5, ".gguf")) rc = yq_gguf_open(in, &src);
    progress pr = {fn, user, 0, 0};
    if (!rc) rc = write_file(out, m, arch, type, src, &pr);
    yq_gguf_close(src);
    yq_model_close(m);
    return rc;
}
