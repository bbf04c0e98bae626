/* Loads a Hugging Face Whisper folder (config.json + model.safetensors) into the whisper model
 * description: hyper-parameters from the config, matrices as views into the mapped file, small
 * vectors (biases, LayerNorms, positions) widened to f32. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loader.h"
#include "safetensors.h"
#include "yuqing/error.h"
#include "yuqing/json.h"
#include "yuqing/whisper.h"

struct yq_whisper_files {
    yq_safetensors st;
};

static int config_int(const cJSON *root, const char *path, const char *key, int *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 1e7)
        return yq_error(YQ_EFORMAT, "%s: '%s' is missing or not a positive integer", path, key);
    *out = v->valueint;
    return YQ_OK;
}

static int read_config(const char *folder, yq_whisper_config *c) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", folder);
    cJSON *root;
    int rc = yq_json_load(path, &root);
    if (rc) return rc;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "model_type");
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "activation_function");
    const cJSON *scale = cJSON_GetObjectItemCaseSensitive(root, "scale_embedding");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "whisper"))
        rc = yq_error(YQ_EUNSUPPORTED, "%s: model_type is not \"whisper\"", path);
    else if (cJSON_IsString(act) && strcmp(act->valuestring, "gelu"))
        rc = yq_error(YQ_EUNSUPPORTED, "%s: activation_function \"%s\" (only \"gelu\")", path, act->valuestring);
    else if (cJSON_IsTrue(scale))
        rc = yq_error(YQ_EUNSUPPORTED, "%s: scale_embedding is not supported", path);
    struct { const char *key; int *field; } keys[] = {
        {"num_mel_bins", &c->n_mels}, {"d_model", &c->d_model}, {"vocab_size", &c->vocab_size},
        {"max_source_positions", &c->n_audio_ctx}, {"max_target_positions", &c->n_text_ctx},
        {"encoder_layers", &c->encoder_layers}, {"encoder_attention_heads", &c->encoder_heads},
        {"encoder_ffn_dim", &c->encoder_ffn}, {"decoder_layers", &c->decoder_layers},
        {"decoder_attention_heads", &c->decoder_heads}, {"decoder_ffn_dim", &c->decoder_ffn},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !rc; i++) rc = config_int(root, path, keys[i].key, keys[i].field);
    if (!rc && (c->d_model % c->encoder_heads || c->d_model % c->decoder_heads))
        rc = yq_error(YQ_EFORMAT, "%s: d_model %d is not a multiple of the head counts", path, c->d_model);
    cJSON_Delete(root);
    return rc;
}

typedef struct {
    const yq_safetensors *st;
    const char *folder;
} binder;

/* Binds tensor `name` of shape dims[0..n_dims) as a (dims[0], product of the rest) matrix. */
static int bind(const binder *b, const char *name, int n_dims, const int64_t *dims, yq_tensor *out) {
    const yq_st_tensor *t = yq_safetensors_find(b->st, name);
    if (!t) return yq_error(YQ_EFORMAT, "%s: tensor '%s' is missing", b->folder, name);
    int ok = t->n_dims == n_dims;
    int64_t cols = 1;
    for (int i = 0; i < n_dims && ok; i++) {
        ok = t->shape[i] == dims[i];
        if (i > 0) cols *= dims[i];
    }
    if (!ok) return yq_error(YQ_EFORMAT, "%s: tensor '%s' has the wrong shape", b->folder, name);
    if (!t->dtype_supported)
        return yq_error(YQ_EUNSUPPORTED, "%s: tensor '%s' has dtype %s (F32, F16 and BF16 are supported)",
                        b->folder, name, t->dtype_name);
    *out = (yq_tensor){.dtype = t->dtype, .rows = n_dims == 1 ? 1 : dims[0], .cols = n_dims == 1 ? dims[0] : cols, .data = t->data};
    return YQ_OK;
}

static int bind_matrix(const binder *b, const char *name, int64_t rows, int64_t cols, yq_tensor *out) {
    int64_t dims[2] = {rows, cols};
    return bind(b, name, 2, dims, out);
}

/* A (rows, cols) tensor (rows = 1: a vector of cols) widened into a malloc'd f32 array. */
static int bind_f32(const binder *b, const char *name, int64_t rows, int64_t cols, float **out) {
    yq_tensor t;
    int64_t dims[2] = {rows, cols};
    int rc = rows == 1 ? bind(b, name, 1, dims + 1, &t) : bind(b, name, 2, dims, &t);
    if (rc) return rc;
    t.cols *= t.rows;
    t.rows = 1;
    *out = yq_vector_to_f32(&t);
    return *out ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

static int bind_attention(const binder *b, const char *prefix, int64_t d, yq_whisper_attention *a) {
    char name[256];
    int rc = 0;
#define MATRIX(field, suffix) \
    if (!rc) { snprintf(name, sizeof name, "%s.%s", prefix, suffix); rc = bind_matrix(b, name, d, d, &a->field); }
#define VECTOR(field, suffix) \
    if (!rc) { snprintf(name, sizeof name, "%s.%s", prefix, suffix); rc = bind_f32(b, name, 1, d, &a->field); }
    MATRIX(wq, "q_proj.weight") MATRIX(wk, "k_proj.weight") MATRIX(wv, "v_proj.weight") MATRIX(wo, "out_proj.weight")
    VECTOR(bq, "q_proj.bias") VECTOR(bv, "v_proj.bias") VECTOR(bo, "out_proj.bias")
#undef MATRIX
#undef VECTOR
    return rc;
}

static int bind_layer(const binder *b, const char *stack, int l, int64_t d, int64_t ffn, int is_decoder,
                      yq_whisper_layer *w) {
    char prefix[128], name[256];
    snprintf(prefix, sizeof prefix, "model.%s.layers.%d", stack, l);
    int rc = 0;
#define VECTOR(field, suffix, n) \
    if (!rc) { snprintf(name, sizeof name, "%s.%s", prefix, suffix); rc = bind_f32(b, name, 1, n, &w->field); }
    VECTOR(attn_ln_w, "self_attn_layer_norm.weight", d) VECTOR(attn_ln_b, "self_attn_layer_norm.bias", d)
    VECTOR(ffn_ln_w, "final_layer_norm.weight", d) VECTOR(ffn_ln_b, "final_layer_norm.bias", d)
    VECTOR(fc1_b, "fc1.bias", ffn) VECTOR(fc2_b, "fc2.bias", d)
    if (is_decoder) {
        VECTOR(cross_ln_w, "encoder_attn_layer_norm.weight", d) VECTOR(cross_ln_b, "encoder_attn_layer_norm.bias", d)
    }
#undef VECTOR
    if (!rc) { snprintf(name, sizeof name, "%s.fc1.weight", prefix); rc = bind_matrix(b, name, ffn, d, &w->fc1); }
    if (!rc) { snprintf(name, sizeof name, "%s.fc2.weight", prefix); rc = bind_matrix(b, name, d, ffn, &w->fc2); }
    if (!rc) { snprintf(name, sizeof name, "%s.self_attn", prefix); rc = bind_attention(b, name, d, &w->self_attn); }
    if (!rc && is_decoder) {
        snprintf(name, sizeof name, "%s.encoder_attn", prefix);
        rc = bind_attention(b, name, d, &w->cross_attn);
    }
    return rc;
}

static int bind_model(const binder *b, yq_whisper_model *m) {
    const yq_whisper_config *c = &m->config;
    int64_t d = c->d_model;
    int64_t conv1[3] = {d, c->n_mels, 3}, conv2[3] = {d, d, 3};
    int rc = bind(b, "model.encoder.conv1.weight", 3, conv1, &m->conv1);
    if (!rc) rc = bind(b, "model.encoder.conv2.weight", 3, conv2, &m->conv2);
    if (!rc) rc = bind_f32(b, "model.encoder.conv1.bias", 1, d, &m->conv1_b);
    if (!rc) rc = bind_f32(b, "model.encoder.conv2.bias", 1, d, &m->conv2_b);
    if (!rc) rc = bind_f32(b, "model.encoder.embed_positions.weight", c->n_audio_ctx, d, &m->encoder_positions);
    if (!rc) rc = bind_f32(b, "model.encoder.layer_norm.weight", 1, d, &m->encoder_ln_w);
    if (!rc) rc = bind_f32(b, "model.encoder.layer_norm.bias", 1, d, &m->encoder_ln_b);
    if (!rc) rc = bind_matrix(b, "model.decoder.embed_tokens.weight", c->vocab_size, d, &m->token_embedding);
    if (!rc) rc = bind_f32(b, "model.decoder.embed_positions.weight", c->n_text_ctx, d, &m->decoder_positions);
    if (!rc) rc = bind_f32(b, "model.decoder.layer_norm.weight", 1, d, &m->decoder_ln_w);
    if (!rc) rc = bind_f32(b, "model.decoder.layer_norm.bias", 1, d, &m->decoder_ln_b);
    m->encoder = calloc((size_t)c->encoder_layers, sizeof *m->encoder);
    m->decoder = calloc((size_t)c->decoder_layers, sizeof *m->decoder);
    if (!rc && (!m->encoder || !m->decoder)) rc = yq_error(YQ_ENOMEM, "out of memory");
    for (int l = 0; l < c->encoder_layers && !rc; l++)
        rc = bind_layer(b, "encoder", l, d, c->encoder_ffn, 0, &m->encoder[l]);
    for (int l = 0; l < c->decoder_layers && !rc; l++)
        rc = bind_layer(b, "decoder", l, d, c->decoder_ffn, 1, &m->decoder[l]);
    return rc;
}

/* The folder of `path`: itself when a directory, else its parent (config.json, model.safetensors). */
static char *folder_of(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return strdup(path);
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

int yq_whisper_open(const char *path, yq_whisper_model **out) {
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0) return yq_error(YQ_ENOENT, "%s: no such file or folder", path);
    yq_whisper_model *m = calloc(1, sizeof *m);
    if (!m) return yq_error(YQ_ENOMEM, "out of memory");
    m->folder = folder_of(path);
    m->files = calloc(1, sizeof *m->files);
    int rc = m->folder && m->files ? read_config(m->folder, &m->config) : yq_error(YQ_ENOMEM, "out of memory");
    char st_path[4096];
    snprintf(st_path, sizeof st_path, "%s/model.safetensors", m->folder ? m->folder : ".");
    if (!rc) rc = yq_safetensors_open(st_path, &m->files->st);
    if (rc == YQ_ENOENT) rc = yq_error(rc, "%s: no model.safetensors", m->folder);
    binder b = {&m->files->st, m->folder};
    if (!rc) rc = bind_model(&b, m);
    if (rc) {
        yq_whisper_close(m);
        return rc;
    }
    *out = m;
    return YQ_OK;
}

static void free_attention(yq_whisper_attention *a) {
    free(a->bq);
    free(a->bv);
    free(a->bo);
}

static void free_layers(yq_whisper_layer *layers, int n) {
    for (int l = 0; layers && l < n; l++) {
        yq_whisper_layer *w = &layers[l];
        float *vectors[] = {w->attn_ln_w, w->attn_ln_b, w->cross_ln_w, w->cross_ln_b, w->ffn_ln_w,
                            w->ffn_ln_b, w->fc1_b, w->fc2_b};
        for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) free(vectors[i]);
        free_attention(&w->self_attn);
        free_attention(&w->cross_attn);
    }
    free(layers);
}

void yq_whisper_close(yq_whisper_model *m) {
    if (!m) return;
    free_layers(m->encoder, m->config.encoder_layers);
    free_layers(m->decoder, m->config.decoder_layers);
    float *vectors[] = {m->conv1_b, m->conv2_b, m->encoder_positions, m->encoder_ln_w, m->encoder_ln_b,
                        m->decoder_positions, m->decoder_ln_w, m->decoder_ln_b};
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) free(vectors[i]);
    if (m->files && m->files->st.path) yq_safetensors_close(&m->files->st);
    free(m->files);
    free(m->folder);
    free(m);
}
