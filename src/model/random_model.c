/* Random-weight Hugging Face checkpoints (see random_model.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "random_tensors.h"
#include "yuqing/error.h"
#include "yuqing/random_model.h"

yq_random_model_shape yq_random_model_qwen25_05b(void) {
    return (yq_random_model_shape){"Qwen2ForCausalLM", 896, 24, 14, 2, 4864, 151936, 32768, 1, YQ_DTYPE_BF16, 1};
}

yq_random_model_shape yq_random_model_qwen25_15b(void) {
    return (yq_random_model_shape){"Qwen2ForCausalLM", 1536, 28, 12, 2, 8960, 151936, 32768, 1, YQ_DTYPE_BF16, 1};
}

/* The tensors, and the bytes of the weight matrices among them. */
typedef struct {
    random_tensors list;
    size_t weight_bytes;
} tensor_list;

/* A matrix (rows, cols) or, when is_vector, a vector (cols): norms are ones, the rest random. */
static int add_tensor(tensor_list *l, const char *name, int64_t rows, int64_t cols, int is_vector) {
    int64_t dims[2] = {is_vector ? cols : rows, cols};
    int rc = random_tensors_add(&l->list, name, is_vector ? 1 : 2, dims, is_vector && strstr(name, "norm") ? 1.0f : 0);
    if (!rc && !is_vector) l->weight_bytes += (size_t)(rows * cols) * yq_dtype_size(l->list.dtype);
    return rc;
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
    tensor_list l = {.weight_bytes = 0};
    int rc = random_tensors_init(&l.list, 4 + 12 * s->n_layers, s->seed, s->dtype);
    if (!rc) rc = add_tensor(&l, "model.embed_tokens.weight", s->vocab_size, s->dim, 0);
    if (!rc) rc = add_tensor(&l, "model.norm.weight", 1, s->dim, 1);
    if (!rc && !s->tied_embeddings) rc = add_tensor(&l, "lm_head.weight", s->vocab_size, s->dim, 0);
    for (int i = 0; i < s->n_layers && !rc; i++) rc = add_layer(&l, s, i);
    if (!rc) rc = random_tensors_write(&l.list, folder);
    if (!rc) rc = write_config(folder, s);
    if (!rc && weight_bytes) *weight_bytes = l.weight_bytes;
    random_tensors_free(&l.list);
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
