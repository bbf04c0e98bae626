/* Random-weight Hugging Face checkpoints (see random_model.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safetensors.h"
#include "yuqing/error.h"
#include "yuqing/random_model.h"

yq_random_model_shape yq_random_model_qwen25_05b(void) {
    return (yq_random_model_shape){"Qwen2ForCausalLM", 896, 24, 14, 2, 4864, 151936, 32768, 1, YQ_DTYPE_BF16, 1};
}

typedef struct {
    yq_st_tensor *tensors;
    void **data;
    int n, cap;
    size_t weight_bytes;
    uint64_t rng;
    yq_dtype dtype;
} tensor_list;

static float next_uniform(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (float)(*s >> 40) / (float)(1 << 24) * 2.0f - 1.0f;
}

static void *random_values(tensor_list *l, size_t n, int ones) {
    void *p = malloc(n * yq_dtype_size(l->dtype));
    for (size_t i = 0; p && i < n; i++) {
        float v = ones ? 1.0f : next_uniform(&l->rng) * 0.05f;
        if (l->dtype == YQ_DTYPE_F32) ((float *)p)[i] = v;
        else if (l->dtype == YQ_DTYPE_F16) ((uint16_t *)p)[i] = yq_f32_to_f16(v);
        else ((uint16_t *)p)[i] = yq_f32_to_bf16(v);
    }
    return p;
}

static int add_tensor(tensor_list *l, const char *name, int64_t rows, int64_t cols, int is_vector) {
    if (l->n == l->cap) return yq_error(YQ_EINVAL, "random model: too many tensors");
    yq_st_tensor *t = &l->tensors[l->n];
    t->name = strdup(name);
    t->dtype = l->dtype;
    t->n_dims = is_vector ? 1 : 2;
    t->shape[0] = is_vector ? cols : rows;
    t->shape[1] = cols;
    t->n_bytes = (size_t)(is_vector ? 1 : rows) * (size_t)cols * yq_dtype_size(l->dtype);
    l->data[l->n] = random_values(l, t->n_bytes / yq_dtype_size(l->dtype), is_vector && strstr(name, "norm"));
    if (!t->name || !l->data[l->n++]) return yq_error(YQ_ENOMEM, "random model: out of memory");
    if (!is_vector) l->weight_bytes += t->n_bytes;
    return YQ_OK;
}

static int add_layer(tensor_list *l, const yq_random_model_shape *s, int i) {
    int64_t D = s->dim, KV = (int64_t)s->n_kv_heads * (s->dim / s->n_heads), H = s->hidden_dim;
    int bias = !strcmp(s->architecture, "Qwen2ForCausalLM");
    const struct { const char *suffix; int64_t rows, cols; int vector; } shapes[] = {
        {"input_layernorm.weight", 1, D, 1},  {"post_attention_layernorm.weight", 1, D, 1},
        {"self_attn.q_proj.weight", D, D, 0}, {"self_attn.k_proj.weight", KV, D, 0},
        {"self_attn.v_proj.weight", KV, D, 0}, {"self_attn.o_proj.weight", D, D, 0},
        {"mlp.gate_proj.weight", H, D, 0},    {"mlp.up_proj.weight", H, D, 0},
        {"mlp.down_proj.weight", D, H, 0},    {"self_attn.q_proj.bias", 1, D, 2},
        {"self_attn.k_proj.bias", 1, KV, 2},  {"self_attn.v_proj.bias", 1, KV, 2}};
    char name[128];
    int rc = YQ_OK;
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0] && !rc; k++) {
        if (shapes[k].vector == 2 && !bias) continue;
        snprintf(name, sizeof name, "model.layers.%d.%s", i, shapes[k].suffix);
        rc = add_tensor(l, name, shapes[k].rows, shapes[k].cols, shapes[k].vector != 0);
    }
    return rc;
}

static int write_config(const char *folder, const yq_random_model_shape *s) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", folder);
    FILE *f = fopen(path, "w");
    if (!f) return yq_error(YQ_EIO, "%s: cannot create", path);
    fprintf(f, "{\"architectures\": [\"%s\"], \"hidden_size\": %d, \"num_hidden_layers\": %d,"
               " \"num_attention_heads\": %d, \"num_key_value_heads\": %d, \"intermediate_size\": %d,"
               " \"vocab_size\": %d, \"max_position_embeddings\": %d, \"rms_norm_eps\": 1e-6,"
               " \"rope_theta\": 1000000.0, \"tie_word_embeddings\": %s, \"hidden_act\": \"silu\"}\n",
            s->architecture, s->dim, s->n_layers, s->n_heads, s->n_kv_heads, s->hidden_dim, s->vocab_size,
            s->max_context, s->tied_embeddings ? "true" : "false");
    return fclose(f) == 0 ? YQ_OK : yq_error(YQ_EIO, "%s: write failed", path);
}

int yq_random_model_write(const char *folder, const yq_random_model_shape *s, size_t *weight_bytes) {
    int cap = 4 + 12 * s->n_layers;
    tensor_list l = {calloc((size_t)cap, sizeof(yq_st_tensor)), calloc((size_t)cap, sizeof(void *)), 0, cap, 0,
                     s->seed | 1, s->dtype};
    int rc = l.tensors && l.data ? YQ_OK : yq_error(YQ_ENOMEM, "random model: out of memory");
    if (!rc) rc = add_tensor(&l, "model.embed_tokens.weight", s->vocab_size, s->dim, 0);
    if (!rc) rc = add_tensor(&l, "model.norm.weight", 1, s->dim, 1);
    if (!rc && !s->tied_embeddings) rc = add_tensor(&l, "lm_head.weight", s->vocab_size, s->dim, 0);
    for (int i = 0; i < s->n_layers && !rc; i++) rc = add_layer(&l, s, i);
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", folder);
    if (!rc) rc = yq_safetensors_write(path, l.tensors, (const void *const *)l.data, l.n);
    if (!rc) rc = write_config(folder, s);
    if (!rc && weight_bytes) *weight_bytes = l.weight_bytes;
    for (int i = 0; i < l.n; i++) {
        free(l.tensors[i].name);
        free(l.data[i]);
    }
    free(l.tensors);
    free(l.data);
    return rc;
}

void yq_random_model_remove(const char *folder) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", folder);
    unlink(path);
    snprintf(path, sizeof path, "%s/config.json", folder);
    unlink(path);
    rmdir(folder);
}
