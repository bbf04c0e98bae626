/* yq_model_open/close: finds the checkpoint format, and the pieces every loader shares
 * (layer tables, RoPE frequencies, consistency checks). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loader.h"
#include "yuqing/error.h"
#include "yuqing/huge_alloc.h"
#include "yuqing/kernels.h"
#include "yuqing/mapfile.h"

static int has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static char *parent_folder(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

enum { PACK_ALIGN = 64, MATRICES_PER_LAYER = 7 };

/* The weight matrices of the forward pass, in the order a decode step reads them (lm_head last). */
static int n_forward_matrices(const yq_model *m) {
    return (m->layers ? m->config.n_layers * MATRICES_PER_LAYER : 0) + 1;
}

static yq_tensor *forward_matrix(yq_model *m, int i) {
    if (i == n_forward_matrices(m) - 1) return &m->lm_head;
    yq_layer_weights *w = &m->layers[i / MATRICES_PER_LAYER];
    yq_tensor *layer[MATRICES_PER_LAYER] = {&w->wq, &w->wk, &w->wv, &w->wo, &w->w_gate, &w->w_up, &w->w_down};
    return layer[i % MATRICES_PER_LAYER];
}

static size_t packed_slot(const yq_tensor *t) {
    return (yq_tensor_packed_bytes(t) + PACK_ALIGN - 1) / PACK_ALIGN * PACK_ALIGN;
}

void yq_model_release_pages(const yq_model *m, const yq_tensor *t) {
    for (int f = 0; f < m->n_files; f++)
        yq_mapped_file_forget(&m->files[f], t->data, (size_t)t->rows * yq_tensor_row_bytes(t));
}

/* Packs every weight matrix of the forward pass for the AVX-512 kernels where they apply, one
 * after another in reading order in one buffer of huge pages (so that the matrices under 2 MiB
 * and the tails of the others are in huge pages too). Without memory for that buffer each
 * matrix is packed on its own; out of memory leaves the rest unpacked (slower, still right).
 * A packed matrix's mapped pages are let go: its original is hardly read again (by the scalar
 * kernels, and by the embedding lookup, a row a token, when it is a tied LM head). */
static void pack_weights(yq_model *m) {
    int n = n_forward_matrices(m);
    size_t total = 0;
    for (int i = 0; i < n; i++) total += packed_slot(forward_matrix(m, i));
    m->packed_weights = total ? yq_huge_alloc(total) : NULL;
    size_t offset = 0;
    for (int i = 0; i < n; i++) {
        yq_tensor *t = forward_matrix(m, i);
        size_t slot = packed_slot(t);
        if (slot && m->packed_weights) yq_tensor_pack_into(t, (char *)m->packed_weights + offset);
        else if (slot && yq_tensor_pack(t) != YQ_OK) break;
        if (slot) yq_model_release_pages(m, t);
        offset += slot;
    }
}

/* Drops the packed copies pack_weights made. */
static void unpack_weights(yq_model *m) {
    for (int i = 0; i < n_forward_matrices(m); i++) {
        yq_tensor *t = forward_matrix(m, i);
        if (m->packed_weights) t->packed = NULL;
        else yq_tensor_unpack(t);
    }
    free(m->packed_weights);
    m->packed_weights = NULL;
}

/* Opens the checkpoint at path; with `pack`, the weight matrices get their packed copies. */
static int open_model(const char *path, int pack, yq_model **out) {
    struct stat st;
    if (stat(path, &st) != 0) return yq_error(YQ_ENOENT, "%s: no such file or folder", path);
    yq_model *m = calloc(1, sizeof *m);
    if (!m) return yq_error(YQ_ENOMEM, "out of memory");
    m->path = strdup(path);
    m->generation_defaults = yq_sampling_defaults();
    int rc;
    if (S_ISDIR(st.st_mode)) {
        m->folder = strdup(path);
        rc = yq_load_hf_folder(path, m);
    } else if (has_suffix(path, ".safetensors") || has_suffix(path, "config.json") ||
               has_suffix(path, ".safetensors.index.json")) {
        m->folder = parent_folder(path);
        rc = yq_load_hf_folder(m->folder, m);
    } else if (has_suffix(path, ".gguf")) {
        m->folder = strdup(path); /* the tokenizer lives in the same file */
        rc = yq_load_gguf(path, m);
    } else {
        m->folder = parent_folder(path);
        rc = yq_load_llama2c(path, m);
    }
    if (rc) {
        yq_model_close(m);
        return rc;
    }
    if (pack) pack_weights(m);
    *out = m;
    return YQ_OK;
}

int yq_model_open(const char *path, yq_model **out) {
    return open_model(path, 1, out);
}

int yq_model_open_for_reading(const char *path, yq_model **out) {
    return open_model(path, 0, out);
}

void yq_model_close(yq_model *m) {
    if (!m) return;
    unpack_weights(m);
    if (m->layers) {
        for (int l = 0; l < m->config.n_layers; l++) {
            yq_layer_weights *w = &m->layers[l];
            float *vectors[] = {w->attn_norm, w->ffn_norm, w->bq, w->bk, w->bv, w->q_norm, w->k_norm};
            for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) free(vectors[i]);
        }
        free(m->layers);
    }
    for (int i = 0; i < m->n_files; i++) yq_unmap_file(&m->files[i]);
    free(m->files);
    free(m->output_norm);
    free(m->inv_freq);
    free(m->path);
    free(m->folder);
    free(m);
}

int yq_model_alloc_layers(yq_model *m) {
    m->layers = calloc((size_t)m->config.n_layers, sizeof *m->layers);
    return m->layers ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

int yq_model_adopt_file(yq_model *m, yq_mapped_file *file) {
    yq_mapped_file *files = realloc(m->files, (size_t)(m->n_files + 1) * sizeof *files);
    if (!files) return yq_error(YQ_ENOMEM, "out of memory");
    m->files = files;
    m->files[m->n_files++] = *file;
    file->data = NULL;
    file->size = 0;
    return YQ_OK;
}

float *yq_vector_to_f32(const yq_tensor *t) {
    size_t n = (size_t)(t->rows * t->cols);
    float *v = malloc(n * sizeof *v);
    if (v) yq_to_f32(v, t->data, t->dtype, n);
    return v;
}

/* Hugging Face's _compute_llama3_parameters, in float32 as transformers computes it. */
static float llama3_scale(float inv_freq, const yq_rope_scaling *s) {
    float old_context = (float)s->original_max_position;
    float low_wavelen = old_context / s->low_freq_factor;
    float high_wavelen = old_context / s->high_freq_factor;
    float wavelen = 2.0f * (float)M_PI / inv_freq;
    if (wavelen < high_wavelen) return inv_freq;
    if (wavelen > low_wavelen) return inv_freq / s->factor;
    float smooth = (old_context / wavelen - s->low_freq_factor) / (s->high_freq_factor - s->low_freq_factor);
    return (1.0f - smooth) * inv_freq / s->factor + smooth * inv_freq;
}

int yq_model_init_rope(yq_model *m, const yq_rope_scaling *scaling) {
    int half = m->config.head_dim / 2;
    m->inv_freq = malloc((size_t)half * sizeof(float));
    if (!m->inv_freq) return yq_error(YQ_ENOMEM, "out of memory");
    for (int i = 0; i < half; i++) {
        float exponent = (float)(2 * i) / (float)m->config.head_dim;
        float inv = 1.0f / powf(m->config.rope_theta, exponent);
        m->inv_freq[i] = scaling && scaling->factor > 0 ? llama3_scale(inv, scaling) : inv;
    }
    return YQ_OK;
}

int yq_model_check_config(const yq_model_config *c, const char *source) {
    if (c->dim <= 0 || c->n_layers <= 0 || c->n_heads <= 0 || c->n_kv_heads <= 0 ||
        c->head_dim <= 0 || c->hidden_dim <= 0 || c->vocab_size <= 0 || c->max_context <= 0)
        return yq_error(YQ_EFORMAT, "%s: sizes must be positive (hidden %d, layers %d, heads %d, kv heads %d, head_dim %d, intermediate %d, vocab %d, context %d)",
                        source, c->dim, c->n_layers, c->n_heads, c->n_kv_heads, c->head_dim,
                        c->hidden_dim, c->vocab_size, c->max_context);
    if (c->n_heads % c->n_kv_heads != 0)
        return yq_error(YQ_EFORMAT, "%s: %d attention heads are not a multiple of %d KV heads",
                        source, c->n_heads, c->n_kv_heads);
    if (c->head_dim % 2 != 0) return yq_error(YQ_EFORMAT, "%s: head_dim %d is odd", source, c->head_dim);
    if (c->dim > 1 << 20 || c->hidden_dim > 1 << 22 || c->n_layers > 4096 || c->vocab_size > 1 << 24 ||
        c->max_context > 1 << 24 || c->n_heads > 4096 || c->head_dim > 1 << 16)
        return yq_error(YQ_EFORMAT, "%s: implausible sizes", source);
    return YQ_OK;
}
