/* libFuzzer target for the GGUF reader (yq_gguf_open and every metadata accessor) and the GGUF
 * model loader on top of it (yq_model_open: architecture, hyper-parameters, tensors, the
 * embedded tokenizer). Any input must give a model or an error, never a crash or a leak. */
#include <string.h>

#include "fuzz_input.h"
#include "yuqing/gguf.h"
#include "yuqing/model.h"

/* Reads every value the way callers do, so that a bad offset inside a value shows up here. */
static void touch_values(const yq_gguf *g) {
    volatile uint64_t sink = 0;
    for (uint64_t i = 0; i < g->n_kv; i++) {
        const yq_gguf_kv *kv = &g->kv[i];
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(kv->key.len < 100 ? kv->key.len : 100), kv->key.data);
        const yq_gguf_value *v = yq_gguf_get(g, key), *arr = NULL;
        uint64_t u;
        int b;
        yq_gguf_string s;
        sink += yq_gguf_get_uint(g, key, &u) == 0 ? u : 0;
        sink += yq_gguf_get_bool(g, key, &b) == 0 ? (uint64_t)b : 0;
        sink += yq_gguf_get_string(g, key, &s) == 0 && s.len ? (unsigned char)s.data[s.len - 1] : 0;
        if (v && v->type == YQ_GGUF_ARRAY) {
            if (yq_gguf_get_array(g, key, v->arr.type, &arr) == 0 && arr->arr.n) {
                uint64_t last = arr->arr.n - 1;
                if (arr->arr.strings && arr->arr.strings[last].len)
                    sink += (unsigned char)arr->arr.strings[last].data[0];
                if (arr->arr.type == YQ_GGUF_FLOAT32 || arr->arr.type == YQ_GGUF_INT32 ||
                    arr->arr.type == YQ_GGUF_UINT32)
                    sink += (uint64_t)yq_gguf_i32_at(arr, last) + (yq_gguf_f32_at(arr, 0) != 0.0f);
            }
        }
    }
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        char name[128];
        const yq_gguf_tensor *t = &g->tensors[i];
        snprintf(name, sizeof name, "%.*s", (int)(t->name.len < 100 ? t->name.len : 100), t->name.data);
        sink += yq_gguf_find_tensor(g, name) != NULL;
    }
    (void)sink;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    static char link[64];
    if (!link[0]) snprintf(link, sizeof link, "/tmp/yq-fuzz-%d.gguf", (int)getpid());
    const char *path = fuzz_input_path(link, data, size);
    yq_gguf *g = NULL;
    if (yq_gguf_open(path, &g) == 0) {
        touch_values(g);
        yq_gguf_close(g);
        yq_model *m = NULL;
        if (yq_model_open(path, &m) == 0) yq_model_close(m);
    }
    return 0;
}
