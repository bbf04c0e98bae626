/* Hugging Face config.json and generation_config.json into the model description. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_config.h"
#include "yuqing/error.h"
#include "yuqing/json.h"

static const struct {
    const char *name;
    int qkv_bias, qk_norm;
} architectures[] = {
    {"LlamaForCausalLM", 0, 0},
    {"Qwen2ForCausalLM", 1, 0},
    {"Qwen3ForCausalLM", 0, 1},
};

static int get_int(const cJSON *root, const char *path, const char *key, int fallback, int *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!item || cJSON_IsNull(item)) {
        if (fallback == INT32_MIN) return yq_error(YQ_EFORMAT, "%s: field '%s' is missing", path, key);
        *out = fallback;
        return YQ_OK;
    }
    if (!cJSON_IsNumber(item) || item->valuedouble != (double)(int)item->valuedouble)
        return yq_error(YQ_EFORMAT, "%s: field '%s' must be an integer", path, key);
    *out = (int)item->valuedouble;
    return YQ_OK;
}

static int get_float(const cJSON *root, const char *path, const char *key, float fallback, float *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!item || cJSON_IsNull(item)) {
        *out = fallback;
        return YQ_OK;
    }
    if (!cJSON_IsNumber(item)) return yq_error(YQ_EFORMAT, "%s: field '%s' must be a number", path, key);
    *out = (float)item->valuedouble;
    return YQ_OK;
}

static int get_bool(const cJSON *root, const char *key, int fallback) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    return cJSON_IsBool(item) ? cJSON_IsTrue(item) : fallback;
}

/* eos_token_id: an integer or a list of them. */
static int get_token_ids(const cJSON *root, const char *path, const char *key, int32_t *ids, int *n) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!item || cJSON_IsNull(item)) return YQ_OK;
    *n = 0;
    if (cJSON_IsNumber(item)) {
        ids[(*n)++] = (int32_t)item->valuedouble;
        return YQ_OK;
    }
    const cJSON *e;
    if (!cJSON_IsArray(item)) return yq_error(YQ_EFORMAT, "%s: field '%s' must be an id or a list", path, key);
    cJSON_ArrayForEach(e, item) {
        if (!cJSON_IsNumber(e) || *n >= YQ_MAX_EOS)
            return yq_error(YQ_EFORMAT, "%s: field '%s' must hold at most %d ids", path, key, YQ_MAX_EOS);
        ids[(*n)++] = (int32_t)e->valuedouble;
    }
    return YQ_OK;
}

static int parse_architecture(const cJSON *root, const char *path, yq_model_config *c) {
    const cJSON *archs = cJSON_GetObjectItemCaseSensitive(root, "architectures");
    const cJSON *first = cJSON_IsArray(archs) ? cJSON_GetArrayItem(archs, 0) : NULL;
    if (!cJSON_IsString(first)) return yq_error(YQ_EFORMAT, "%s: field 'architectures' is missing", path);
    for (size_t i = 0; i < sizeof architectures / sizeof architectures[0]; i++)
        if (!strcmp(first->valuestring, architectures[i].name)) {
            snprintf(c->architecture, sizeof c->architecture, "%s", architectures[i].name);
            c->has_qkv_bias = architectures[i].qkv_bias;
            c->has_qk_norm = architectures[i].qk_norm;
            c->has_qkv_bias = get_bool(root, "attention_bias", c->has_qkv_bias) || c->has_qkv_bias;
            return YQ_OK;
        }
    return yq_error(YQ_EUNSUPPORTED, "%s: architecture '%s' is not supported (LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM are)",
                    path, first->valuestring);
}

/* "rope_scaling" (transformers 4 and published checkpoints) or "rope_parameters" (transformers 5,
 * which also holds rope_theta there). */
static int parse_rope_scaling(const cJSON *root, const char *path, yq_rope_scaling *s, float *theta) {
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(root, "rope_scaling");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "rope_parameters");
    memset(s, 0, sizeof *s);
    if (cJSON_IsObject(params)) {
        int rc = get_float(params, path, "rope_theta", *theta, theta);
        if (rc) return rc;
        if (!rs || cJSON_IsNull(rs)) rs = params;
    }
    if (!rs || cJSON_IsNull(rs)) return YQ_OK;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(rs, "rope_type");
    if (!cJSON_IsString(type)) type = cJSON_GetObjectItemCaseSensitive(rs, "type");
    const char *name = cJSON_IsString(type) ? type->valuestring : "?";
    if (!strcmp(name, "default")) return YQ_OK;
    if (strcmp(name, "llama3") != 0)
        return yq_error(YQ_EUNSUPPORTED, "%s: rope_scaling type '%s' is not supported (llama3 is)", path, name);
    int rc = get_float(rs, path, "factor", 0, &s->factor);
    if (!rc) rc = get_float(rs, path, "low_freq_factor", 1, &s->low_freq_factor);
    if (!rc) rc = get_float(rs, path, "high_freq_factor", 4, &s->high_freq_factor);
    if (!rc) rc = get_int(rs, path, "original_max_position_embeddings", INT32_MIN, &s->original_max_position);
    if (!rc && (s->factor <= 0 || s->low_freq_factor <= 0 || s->high_freq_factor <= s->low_freq_factor))
        rc = yq_error(YQ_EFORMAT, "%s: rope_scaling factors are inconsistent", path);
    return rc;
}

static int parse_config_fields(const cJSON *root, const char *path, yq_model_config *c,
                               yq_rope_scaling *scaling) {
    int rc = parse_architecture(root, path, c);
    if (!rc) rc = get_int(root, path, "hidden_size", INT32_MIN, &c->dim);
    if (!rc) rc = get_int(root, path, "num_hidden_layers", INT32_MIN, &c->n_layers);
    if (!rc) rc = get_int(root, path, "num_attention_heads", INT32_MIN, &c->n_heads);
    if (!rc) rc = get_int(root, path, "num_key_value_heads", c->n_heads, &c->n_kv_heads);
    if (!rc) rc = get_int(root, path, "head_dim", c->n_heads > 0 ? c->dim / c->n_heads : 0, &c->head_dim);
    if (!rc) rc = get_int(root, path, "intermediate_size", INT32_MIN, &c->hidden_dim);
    if (!rc) rc = get_int(root, path, "vocab_size", INT32_MIN, &c->vocab_size);
    if (!rc) rc = get_int(root, path, "max_position_embeddings", INT32_MIN, &c->max_context);
    if (!rc) rc = get_float(root, path, "rms_norm_eps", 1e-6f, &c->norm_eps);
    if (!rc) rc = get_float(root, path, "rope_theta", 10000.0f, &c->rope_theta);
    if (!rc) rc = get_int(root, path, "bos_token_id", -1, &c->bos_id);
    if (!rc) rc = get_token_ids(root, path, "eos_token_id", c->eos_ids, &c->n_eos);
    if (!rc) rc = parse_rope_scaling(root, path, scaling, &c->rope_theta);
    if (rc) return rc;
    c->tied_embeddings = get_bool(root, "tie_word_embeddings", 0);
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "hidden_act");
    if (cJSON_IsString(act) && strcmp(act->valuestring, "silu") != 0)
        return yq_error(YQ_EUNSUPPORTED, "%s: hidden_act '%s' is not supported (silu is)", path, act->valuestring);
    if (get_bool(root, "use_sliding_window", 0))
        return yq_error(YQ_EUNSUPPORTED, "%s: use_sliding_window is not supported", path);
    return yq_model_check_config(c, path);
}

int yq_hf_read_config(const char *folder, yq_model_config *c, yq_rope_scaling *scaling) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", folder);
    cJSON *root;
    int rc = yq_json_load(path, &root);
    if (rc) return rc == YQ_ENOENT ? yq_error(rc, "%s: no config.json in the model folder", folder) : rc;
    memset(c, 0, sizeof *c);
    rc = parse_config_fields(root, path, c, scaling);
    cJSON_Delete(root);
    return rc;
}

static int parse_generation_fields(const cJSON *root, const char *path, yq_sampling_params *p,
                                   yq_model_config *c) {
    int do_sample = get_bool(root, "do_sample", 0), top_k = 50;
    float temperature = 1.0f;
    int rc = get_float(root, path, "temperature", 1.0f, &temperature);
    if (!rc) rc = get_int(root, path, "top_k", 50, &top_k);
    if (!rc) rc = get_float(root, path, "top_p", 1.0f, &p->top_p);
    if (!rc) rc = get_float(root, path, "min_p", 0.0f, &p->min_p);
    if (!rc) rc = get_float(root, path, "repetition_penalty", 1.0f, &p->repetition_penalty);
    if (!rc) rc = get_int(root, path, "max_new_tokens", p->max_tokens, &p->max_tokens);
    if (!rc) rc = get_token_ids(root, path, "eos_token_id", c->eos_ids, &c->n_eos);
    if (rc) return rc;
    p->temperature = do_sample ? temperature : 0.0f;
    p->top_k = top_k;
    return YQ_OK;
}

int yq_hf_read_generation_config(const char *folder, yq_sampling_params *p, yq_model_config *c, int *found) {
    char path[4096];
    snprintf(path, sizeof path, "%s/generation_config.json", folder);
    cJSON *root;
    int rc = yq_json_load(path, &root);
    *found = rc == YQ_OK;
    if (rc == YQ_ENOENT) return YQ_OK;
    if (rc) return rc;
    rc = parse_generation_fields(root, path, p, c);
    cJSON_Delete(root);
    return rc;
}
