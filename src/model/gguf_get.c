/* Lookups in a parsed GGUF file: metadata values by key (typed), array elements, tensors by
 * name. */
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/gguf.h"

static int same(yq_gguf_string s, const char *text) {
    return s.len == strlen(text) && !memcmp(s.data, text, s.len);
}

const yq_gguf_value *yq_gguf_get(const yq_gguf *g, const char *key) {
    for (uint64_t i = 0; i < g->n_kv; i++)
        if (same(g->kv[i].key, key)) return &g->kv[i].value;
    return NULL;
}

static int is_integer(yq_gguf_type t) {
    return t <= YQ_GGUF_INT32 || t == YQ_GGUF_UINT64 || t == YQ_GGUF_INT64;
}

static int is_signed(yq_gguf_type t) {
    return t == YQ_GGUF_INT8 || t == YQ_GGUF_INT16 || t == YQ_GGUF_INT32 || t == YQ_GGUF_INT64;
}

/* v when it is present and `ok`, else NULL with *rc and a message naming the key. */
static const yq_gguf_value *typed(const char *key, int ok, const yq_gguf_value *v, const char *want,
                                  int *rc) {
    *rc = !v    ? yq_error(YQ_ENOENT, "GGUF key %s is missing", key)
          : !ok ? yq_error(YQ_EFORMAT, "GGUF key %s is not %s", key, want)
                : YQ_OK;
    return *rc ? NULL : v;
}

int yq_gguf_get_uint(const yq_gguf *g, const char *key, uint64_t *out) {
    const yq_gguf_value *v = yq_gguf_get(g, key);
    int rc;
    if (typed(key, v && is_integer(v->type) && !(is_signed(v->type) && v->i64 < 0), v, "an unsigned integer",
              &rc))
        *out = v->u64;
    return rc;
}

int yq_gguf_get_bool(const yq_gguf *g, const char *key, int *out) {
    const yq_gguf_value *v = yq_gguf_get(g, key);
    int rc;
    if (typed(key, v && v->type == YQ_GGUF_BOOL, v, "a bool", &rc)) *out = v->u64 != 0;
    return rc;
}

int yq_gguf_get_string(const yq_gguf *g, const char *key, yq_gguf_string *out) {
    const yq_gguf_value *v = yq_gguf_get(g, key);
    int rc;
    if (typed(key, v && v->type == YQ_GGUF_STRING, v, "a string", &rc)) *out = v->str;
    return rc;
}

int yq_gguf_get_array(const yq_gguf *g, const char *key, yq_gguf_type elem, const yq_gguf_value **out) {
    const yq_gguf_value *v = yq_gguf_get(g, key);
    int rc;
    *out = typed(key, v && v->type == YQ_GGUF_ARRAY && v->arr.type == elem, v,
                 "an array of the expected type", &rc);
    return rc;
}

static uint32_t u32_at(const yq_gguf_value *arr, uint64_t i) {
    const unsigned char *p = arr->arr.data + 4 * i;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

float yq_gguf_f32_at(const yq_gguf_value *arr, uint64_t i) {
    uint32_t bits = u32_at(arr, i);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

int32_t yq_gguf_i32_at(const yq_gguf_value *arr, uint64_t i) {
    return (int32_t)u32_at(arr, i);
}

const yq_gguf_tensor *yq_gguf_find_tensor(const yq_gguf *g, const char *name) {
    for (uint64_t i = 0; i < g->n_tensors; i++)
        if (same(g->tensors[i].name, name)) return &g->tensors[i];
    return NULL;
}
