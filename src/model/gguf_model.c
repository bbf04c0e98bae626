/* Loads llama.cpp GGUF models (architectures llama, qwen2, qwen3) into the model description:
 * hyper-parameters from the {arch}.* metadata, tensors bound by llama.cpp's names as views into
 * the mapped file (dims innermost first), norms and biases widened to f32 copies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layer_tensors.h"
#include "loader.h"
#include "yuqing/error.h"
#include "yuqing/gguf.h"

static const struct {
    const char *gguf, *hf;
} architectures[] = {
    {"llama", "LlamaForCausalLM"},
    {"qwen2", "Qwen2ForCausalLM"},
    {"qwen3", "Qwen3ForCausalLM"},
};

const char *yq_gguf_arch_of(const char *architecture) {
    for (size_t i = 0; i < sizeof architectures / sizeof architectures[0]; i++)
        if (!strcmp(architecture, architectures[i].gguf) || !strcmp(architecture, architectures[i].hf))
            return architectures[i].gguf;
    return NULL;
}

typedef struct loader {
    const yq_gguf *g;
    const char *path, *arch;
} loader;

/* {arch}.suffix as an int; `fallback` when absent unless it is -1 (then required). */
static int get_int(const loader *ld, const char *suffix, int64_t fallback, int *out) {
    char key[128];
    snprintf(key, sizeof key, "%s.%s", ld->arch, suffix);
    uint64_t v = 0;
    int rc = yq_gguf_get_uint(ld->g, key, &v);
    if (rc == YQ_ENOENT && fallback >= 0)
        v = (uint64_t)fallback;
    else if (rc == YQ_ENOENT)
        return yq_error(YQ_EFORMAT, "%s: metadata %s is missing", ld->path, key);
    else if (rc)
        return yq_error(YQ_EFORMAT, "%s: metadata %s is not an unsigned integer", ld->path, key);
    if (v > INT32_MAX) return yq_error(YQ_EFORMAT, "%s: metadata %s is too large", ld->path, key);
    *out = (int)v;
    return YQ_OK;
}

/* {arch}.suffix as a float (FLOAT32 or FLOAT64); `fallback` when absent unless required. */
static int get_float(const loader *ld, const char *suffix, int required, float fallback, float *out) {
    char key[128];
    snprintf(key, sizeof key, "%s.%s", ld->arch, suffix);
    const yq_gguf_value *v = yq_gguf_get(ld->g, key);
    if (!v && required) return yq_error(YQ_EFORMAT, "%s: metadata %s is missing", ld->path, key);
    if (v && v->type != YQ_GGUF_FLOAT32 && v->type != YQ_GGUF_FLOAT64)
        return yq_error(YQ_EFORMAT, "%s: metadata %s is not a float", ld->path, key);
    *out = v ? (float)v->f64 : fallback;
    return YQ_OK;
}

static int check_rope_scaling(const loader *ld) {
    char key[128];
    snprintf(key, sizeof key, "%s.rope.scaling.type", ld->arch);
    yq_gguf_string type;
    if (yq_gguf_get_string(ld->g, key, &type) == YQ_OK && !(type.len == 4 && !memcmp(type.data, "none", 4)))
        return yq_error(YQ_EUNSUPPORTED,
                        "%s: %s '%.*s' is not supported (llama3 scaling via rope_freqs.weight is)", ld->path,
                        key, (int)type.len, type.data);
    float factor = 1.0f;
    int rc = get_float(ld, "rope.scaling.factor", 0, 1.0f, &factor);
    if (!rc && factor != 1.0f && factor != 0.0f)
        rc = yq_error(YQ_EUNSUPPORTED, "%s: %s.rope.scaling.factor %g is not supported", ld->path, ld->arch,
                      factor);
    return rc;
}

/* Special ids: BOS, and EOS plus EOT (when different) as end-of-sequence ids. */
static void read_special_ids(const yq_gguf *g, yq_model_config *c) {
    uint64_t id;
    c->bos_id = yq_gguf_get_uint(g, "tokenizer.ggml.bos_token_id", &id) == YQ_OK ? (int32_t)id : -1;
    c->n_eos = 0;
    const char *keys[] = {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id"};
    for (size_t i = 0; i < 2; i++)
        if (yq_gguf_get_uint(g, keys[i], &id) == YQ_OK && id <= INT32_MAX &&
            (c->n_eos == 0 || c->eos_ids[0] != (int32_t)id))
            c->eos_ids[c->n_eos++] = (int32_t)id;
}

static int read_config(const loader *ld, yq_model_config *c) {
    int rc = get_int(ld, "embedding_length", -1, &c->dim);
    if (!rc) rc = get_int(ld, "context_length", -1, &c->max_context);
    if (!rc) rc = get_int(ld, "block_count", -1, &c->n_layers);
    if (!rc) rc = get_int(ld, "feed_forward_length", -1, &c->hidden_dim);
    if (!rc) rc = get_int(ld, "attention.head_count", -1, &c->n_heads);
    if (!rc) rc = get_int(ld, "attention.head_count_kv", c->n_heads, &c->n_kv_heads);
    if (!rc) rc = get_int(ld, "attention.key_length", c->n_heads > 0 ? c->dim / c->n_heads : 0, &c->head_dim);
    int value_length = 0;
    if (!rc) rc = get_int(ld, "attention.value_length", c->head_dim, &value_length);
    if (!rc && value_length != c->head_dim)
        rc = yq_error(YQ_EUNSUPPORTED, "%s: %s.attention.value_length %d differs from key_length %d",
                      ld->path, ld->arch, value_length, c->head_dim);
    if (!rc) rc = get_float(ld, "attention.layer_norm_rms_epsilon", 1, 0, &c->norm_eps);
    if (!rc) rc = get_float(ld, "rope.freq_base", 0, 10000.0f, &c->rope_theta);
    if (!rc) rc = check_rope_scaling(ld);
    if (rc) return rc;
    read_special_ids(ld->g, c);
    /* convert_hf_to_gguf.py permutes Llama's Q/K rows for llama.cpp's adjacent-pair RoPE; the
     * Qwen models keep HF's rotate_half ("neox") layout. */
    c->rope_interleaved = !strcmp(ld->arch, "llama");
    c->has_qkv_bias = yq_gguf_find_tensor(ld->g, "blk.0.attn_q.bias") != NULL;
    c->has_qk_norm = yq_gguf_find_tensor(ld->g, "blk.0.attn_q_norm.weight") != NULL;
    c->tied_embeddings = yq_gguf_find_tensor(ld->g, "output.weight") == NULL;
    const yq_gguf_tensor *embd = yq_gguf_find_tensor(ld->g, "token_embd.weight");
    if (!embd) return yq_error(YQ_EFORMAT, "%s: tensor token_embd.weight is missing", ld->path);
    c->vocab_size = embd->n_dims == 2 && embd->dims[1] <= INT32_MAX ? (int)embd->dims[1] : 0;
    return yq_model_check_config(c, ld->path);
}

/* Binds tensor `name` of shape (rows, cols), or (cols) when is_vector, checking its type, shape
 * and that its bytes lie inside the file. */
static int bind(const loader *ld, const char *name, int64_t rows, int64_t cols, int is_vector,
                yq_tensor *out) {
    const yq_gguf_tensor *t = yq_gguf_find_tensor(ld->g, name);
    if (!t) return yq_error(YQ_EFORMAT, "%s: tensor %s is missing", ld->path, name);
    int shape_ok = is_vector ? t->n_dims == 1 && t->dims[0] == (uint64_t)cols
                             : t->n_dims == 2 && t->dims[0] == (uint64_t)cols && t->dims[1] == (uint64_t)rows;
    if (!shape_ok)
        return yq_error(YQ_EFORMAT,
                        "%s: tensor %s has the wrong shape (expected [%lld, %lld], innermost first)",
                        ld->path, name, (long long)cols, (long long)(is_vector ? 1 : rows));
    yq_dtype dtype;
    size_t row_bytes;
    if (yq_dtype_from_ggml(t->type, &dtype))
        return yq_error(YQ_EUNSUPPORTED, "%s: tensor %s has unsupported ggml type %u", ld->path, name,
                        t->type);
    if (yq_dtype_row_bytes(dtype, cols, &row_bytes))
        return yq_error(YQ_EFORMAT, "%s: tensor %s: %lld columns are not whole %s blocks", ld->path, name,
                        (long long)cols, yq_dtype_name(dtype));
    uint64_t room = ld->g->file.size - ld->g->data_offset - t->offset; /* > 0: checked by the parser */
    if ((uint64_t)(is_vector ? 1 : rows) > room / row_bytes)
        return yq_error(YQ_EFORMAT, "%s: tensor %s extends past the end of the file", ld->path, name);
    *out = (yq_tensor){.dtype = dtype, .rows = is_vector ? 1 : rows, .cols = cols, .data = t->data};
    return YQ_OK;
}

static int bind_vector(const loader *ld, const char *name, int64_t n, float **out) {
    yq_tensor t;
    int rc = bind(ld, name, 1, n, 1, &t);
    if (rc) return rc;
    *out = yq_vector_to_f32(&t);
    return *out ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

static int bind_layer(const loader *ld, const yq_model_config *c, int l, yq_layer_weights *w) {
    char name[128];
    int rc = YQ_OK;
    for (int i = 0; i < yq_n_layer_tensors && !rc; i++) {
        const layer_tensor *t = &yq_layer_tensors[i];
        if (!yq_layer_tensor_present(c, t)) continue;
        snprintf(name, sizeof name, "blk.%d.%s", l, t->gguf);
        int64_t cols = yq_layer_dim(c, t->cols);
        rc = t->is_matrix ? bind(ld, name, yq_layer_dim(c, t->rows), cols, 0, yq_layer_matrix(w, t))
                          : bind_vector(ld, name, cols, yq_layer_vector(w, t));
    }
    return rc;
}

/* rope_freqs.weight (Llama 3 scaling as written by convert_hf_to_gguf.py): each frequency is
 * divided by its factor. */
static int apply_rope_freqs(const loader *ld, yq_model *m) {
    if (!yq_gguf_find_tensor(ld->g, "rope_freqs.weight")) return YQ_OK;
    float *factors;
    int half = m->config.head_dim / 2;
    int rc = bind_vector(ld, "rope_freqs.weight", half, &factors);
    if (rc) return rc;
    for (int i = 0; i < half; i++)
        m->inv_freq[i] /= factors[i];
    free(factors);
    return YQ_OK;
}

static int bind_model(const loader *ld, yq_model *m) {
    const yq_model_config *c = &m->config;
    int rc = bind(ld, "token_embd.weight", c->vocab_size, c->dim, 0, &m->token_embedding);
    if (!rc) rc = bind_vector(ld, "output_norm.weight", c->dim, &m->output_norm);
    if (!rc) m->lm_head = m->token_embedding;
    if (!rc && !c->tied_embeddings) rc = bind(ld, "output.weight", c->vocab_size, c->dim, 0, &m->lm_head);
    if (!rc) rc = yq_model_alloc_layers(m);
    for (int l = 0; l < c->n_layers && !rc; l++)
        rc = bind_layer(ld, c, l, &m->layers[l]);
    return rc;
}

int yq_load_gguf(const char *path, yq_model *m) {
    yq_gguf *g;
    int rc = yq_gguf_open(path, &g);
    if (rc) return rc;
    loader ld = {g, path, NULL};
    yq_gguf_string arch;
    rc = yq_gguf_get_string(g, "general.architecture", &arch);
    if (rc) rc = yq_error(YQ_EFORMAT, "%s: metadata general.architecture is missing or not a string", path);
    char name[48] = "";
    if (!rc) snprintf(name, sizeof name, "%.*s", (int)(arch.len < 40 ? arch.len : 40), arch.data);
    if (!rc && !(ld.arch = yq_gguf_arch_of(name)))
        rc = yq_error(YQ_EUNSUPPORTED, "%s: architecture '%s' is not supported (llama, qwen2, qwen3 are)",
                      path, name);
    for (size_t i = 0; !rc && i < sizeof architectures / sizeof architectures[0]; i++)
        if (!strcmp(ld.arch, architectures[i].gguf))
            snprintf(m->config.architecture, sizeof m->config.architecture, "%s", architectures[i].hf);
    if (!rc) rc = read_config(&ld, &m->config);
    if (!rc) rc = yq_model_init_rope(m, NULL);
    if (!rc) rc = apply_rope_freqs(&ld, m);
    if (!rc) rc = bind_model(&ld, m);
    if (!rc) rc = yq_model_adopt_file(m, &g->file);
    yq_gguf_close(g);
    return rc;
}
