/* Random-weight tensors for the checkpoint generators (see random_tensors.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "random_tensors.h"
#include "yuqing/error.h"

static float next_uniform(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (float)(*s >> 40) / (float)(1 << 24) * 2.0f - 1.0f;
}

int random_tensors_init(random_tensors *l, int cap, uint64_t seed, yq_dtype dtype) {
    *l = (random_tensors){calloc((size_t)cap, sizeof(yq_st_tensor)), calloc((size_t)cap, sizeof(void *)), 0, cap,
                          seed | 1, dtype};
    return l->tensors && l->data ? YQ_OK : yq_error(YQ_ENOMEM, "random checkpoint: out of memory");
}

int random_tensors_add(random_tensors *l, const char *name, int n_dims, const int64_t *dims, float fill) {
    if (l->n == l->cap) return yq_error(YQ_EINVAL, "random checkpoint: too many tensors");
    yq_st_tensor *t = &l->tensors[l->n];
    size_t count = 1;
    for (int i = 0; i < n_dims; i++) count *= (size_t)(t->shape[i] = dims[i]);
    t->name = strdup(name);
    t->dtype = l->dtype;
    t->n_dims = n_dims;
    t->n_bytes = count * yq_dtype_size(l->dtype);
    void *p = l->data[l->n++] = malloc(t->n_bytes);
    if (!t->name || !p) return yq_error(YQ_ENOMEM, "random checkpoint: out of memory");
    for (size_t i = 0; i < count; i++) {
        float v = fill != 0 ? fill : next_uniform(&l->rng) * 0.05f;
        if (l->dtype == YQ_DTYPE_F32) ((float *)p)[i] = v;
        else if (l->dtype == YQ_DTYPE_F16) ((uint16_t *)p)[i] = yq_f32_to_f16(v);
        else ((uint16_t *)p)[i] = yq_f32_to_bf16(v);
    }
    return YQ_OK;
}

int random_tensors_write(const random_tensors *l, const char *folder) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", folder);
    return yq_safetensors_write(path, l->tensors, (const void *const *)l->data, l->n);
}

void random_tensors_free(random_tensors *l) {
    for (int i = 0; i < l->n; i++) {
        free(l->tensors[i].name);
        free(l->data[i]);
    }
    free(l->tensors);
    free(l->data);
}
