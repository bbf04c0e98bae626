/* Loads a Hugging Face folder: config.json, model.safetensors or a sharded
 * model.safetensors.index.json, bound to the model description by tensor name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_config.h"
#include "layer_tensors.h"
#include "safetensors.h"
#include "yuqing/error.h"
#include "yuqing/json.h"

typedef struct {
    yq_safetensors *files;
    int n_files;
    const char *folder;
} tensor_set;

static const yq_st_tensor *find_tensor(const tensor_set *set, const char *name) {
    for (int i = 0; i < set->n_files; i++) {
        const yq_st_tensor *t = yq_safetensors_find(&set->files[i], name);
        if (t) return t;
    }
    return NULL;
}

static int bind(const tensor_set *set, const char *name, int64_t rows, int64_t cols, int is_vector,
                yq_tensor *out) {
    const yq_st_tensor *t = find_tensor(set, name);
    if (!t) return yq_error(YQ_EFORMAT, "%s: tensor '%s' is missing", set->folder, name);
    int shape_ok = is_vector ? t->n_dims == 1 && t->shape[0] == cols
                             : t->n_dims == 2 && t->shape[0] == rows && t->shape[1] == cols;
    if (!shape_ok) {
        if (is_vector)
            return yq_error(YQ_EFORMAT, "%s: tensor '%s' has the wrong shape (expected [%lld])",
                            set->folder, name, (long long)cols);
        return yq_error(YQ_EFORMAT, "%s: tensor '%s' has the wrong shape (expected [%lld, %lld])",
                        set->folder, name, (long long)rows, (long long)cols);
    }
    if (!t->dtype_supported)
        return yq_error(YQ_EUNSUPPORTED, "%s: tensor '%s' has dtype %s (F32, F16 and BF16 are supported)",
                        set->folder, name, t->dtype_name);
    *out = (yq_tensor){.dtype = t->dtype, .rows = is_vector ? 1 : rows, .cols = cols, .data = t->data};
    return YQ_OK;
}

static int bind_vector(const tensor_set *set, const char *name, int64_t n, float **out) {
    yq_tensor t;
    int rc = bind(set, name, 1, n, 1, &t);
    if (rc) return rc;
    *out = yq_vector_to_f32(&t);
    return *out ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

static int bind_layer(const tensor_set *set, const yq_model_config *c, int l, yq_layer_weights *w) {
    char name[256];
    int rc = YQ_OK;
    for (int i = 0; i < yq_n_layer_tensors && !rc; i++) {
        const layer_tensor *t = &yq_layer_tensors[i];
        if (!yq_layer_tensor_present(c, t)) continue;
        snprintf(name, sizeof name, "model.layers.%d.%s", l, t->hf);
        int64_t cols = yq_layer_dim(c, t->cols);
        rc = t->is_matrix ? bind(set, name, yq_layer_dim(c, t->rows), cols, 0, yq_layer_matrix(w, t))
                          : bind_vector(set, name, cols, yq_layer_vector(w, t));
    }
    return rc;
}

static int bind_model(const tensor_set *set, yq_model *m) {
    const yq_model_config *c = &m->config;
    int rc = bind(set, "model.embed_tokens.weight", c->vocab_size, c->dim, 0, &m->token_embedding);
    if (!rc) rc = bind_vector(set, "model.norm.weight", c->dim, &m->output_norm);
    if (!rc && c->tied_embeddings) m->lm_head = m->token_embedding;
    if (!rc && !c->tied_embeddings) rc = bind(set, "lm_head.weight", c->vocab_size, c->dim, 0, &m->lm_head);
    if (!rc) rc = yq_model_alloc_layers(m);
    for (int l = 0; l < c->n_layers && !rc; l++) rc = bind_layer(set, c, l, &m->layers[l]);
    return rc;
}

static int add_file(tensor_set *set, const char *file_name) {
    for (int i = 0; i < set->n_files; i++) {
        const char *base = strrchr(set->files[i].path, '/');
        if (base && !strcmp(base + 1, file_name)) return YQ_OK;
    }
    if (strchr(file_name, '/') || !strcmp(file_name, ".."))
        return yq_error(YQ_EFORMAT, "%s: shard name '%s' leaves the folder", set->folder, file_name);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", set->folder, file_name);
    int rc = yq_safetensors_open(path, &set->files[set->n_files]);
    if (rc == YQ_ENOENT) return yq_error(rc, "%s: shard '%s' is missing", set->folder, file_name);
    if (!rc) set->n_files++;
    return rc;
}

/* model.safetensors.index.json: {"weight_map": {tensor: shard file}}. */
static int open_sharded(tensor_set *set, const char *index_path) {
    cJSON *root;
    int rc = yq_json_load(index_path, &root);
    if (rc) return rc;
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    if (!cJSON_IsObject(map)) {
        cJSON_Delete(root);
        return yq_error(YQ_EFORMAT, "%s: no 'weight_map' object", index_path);
    }
    set->files = calloc((size_t)cJSON_GetArraySize(map) + 1, sizeof *set->files);
    rc = set->files ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    for (const cJSON *e = map->child; e && !rc; e = e->next)
        rc = cJSON_IsString(e) ? add_file(set, e->valuestring)
                               : yq_error(YQ_EFORMAT, "%s: weight_map entry '%s' is not a file name", index_path, e->string);
    cJSON_Delete(root);
    return rc;
}

static int open_tensor_set(tensor_set *set) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors.index.json", set->folder);
    FILE *index = fopen(path, "rb");
    if (index) {
        fclose(index);
        return open_sharded(set, path);
    }
    set->files = calloc(1, sizeof *set->files);
    if (!set->files) return yq_error(YQ_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/model.safetensors", set->folder);
    int rc = yq_safetensors_open(path, &set->files[0]);
    if (rc == YQ_ENOENT)
        return yq_error(rc, "%s: no model.safetensors or model.safetensors.index.json", set->folder);
    if (!rc) set->n_files = 1;
    return rc;
}

int yq_load_hf_folder(const char *folder, yq_model *m) {
    yq_rope_scaling scaling;
    int rc = yq_hf_read_config(folder, &m->config, &scaling);
    if (!rc) rc = yq_hf_read_generation_config(folder, &m->generation_defaults, &m->config, &m->has_generation_config);
    if (!rc) rc = yq_model_init_rope(m, &scaling);
    if (rc) return rc;
    tensor_set set = {NULL, 0, folder};
    rc = open_tensor_set(&set);
    if (!rc) rc = bind_model(&set, m);
    for (int i = 0; i < set.n_files; i++) {
        if (!rc) rc = yq_model_adopt_file(m, &set.files[i].file);
        yq_safetensors_close(&set.files[i]);
    }
    free(set.files);
    return rc;
}
