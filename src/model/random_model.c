/* Random-weight Hugging Face checkpoints (see random_model.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layer_tensors.h"
#include "random_tensors.h"
#include "yuqing/error.h"
#include "yuqing/random_model.h"

yq_random_model_shape yq_random_model_qwen25_05b(void) {
    return (yq_random_model_shape){"Qwen2ForCausalLM", 896, 24, 14, 2, 4864, 151936, 32768, 1, YQ_DTYPE_BF16, 1};
}

yq_random_model_shape yq_random_model_qwen25_15b(void) {
    return (yq_random_model_shape){"Qwen2ForCausalLM", 1536, 28, 12, 2, 8960, 151936, 32768, 1, YQ_DTYPE_BF16, 1};
}

yq_random_model_shape yq_random_model_qwen25_7b(void) {
    return (yq_random_model_shape){"Qwen2ForCausalLM", 3584, 28, 28, 4, 18944, 152064, 32768, 0, YQ_DTYPE_BF16, 1};
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
    yq_model_config c = {.dim = s->dim, .n_heads = s->n_heads, .n_kv_heads = s->n_kv_heads,
                         .head_dim = s->dim / s->n_heads, .hidden_dim = s->hidden_dim,
                         .has_qkv_bias = !strcmp(s->architecture, "Qwen2ForCausalLM")};
    char name[128];
    int rc = YQ_OK;
    for (int k = 0; k < yq_n_layer_tensors && !rc; k++) {
        const layer_tensor *t = &yq_layer_tensors[k];
        if (!yq_layer_tensor_present(&c, t)) continue;
        snprintf(name, sizeof name, "model.layers.%d.%s", i, t->hf);
        rc = add_tensor(l, name, t->is_matrix ? yq_layer_dim(&c, t->rows) : 1, yq_layer_dim(&c, t->cols), !t->is_matrix);
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
