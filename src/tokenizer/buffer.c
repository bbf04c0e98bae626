/* Growable arrays (bytes, token ids) with doubling growth. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/buffer.h"
#include "yuqing/error.h"

static int grow(void **data, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return YQ_OK;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *p = realloc(*data, cap2 * elem);
    if (!p) return yq_error(YQ_ENOMEM, "tokenizer: out of memory");
    *data = p;
    *cap = cap2;
    return YQ_OK;
}

int yq_buf_reserve(yq_buf *b, size_t extra) {
    return grow((void **)&b->data, &b->cap, b->len + extra, 1);
}

int yq_ids_reserve(yq_ids *v, size_t extra) {
    return grow((void **)&v->data, &v->cap, v->len + extra, sizeof *v->data);
}

int yq_buf_append(yq_buf *b, const void *data, size_t len) {
    int rc = yq_buf_reserve(b, len);
    if (rc) return rc;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    return YQ_OK;
}

int yq_ids_push(yq_ids *v, int32_t id) {
    if (v->len == v->cap) {
        int rc = yq_ids_reserve(v, 1);
        if (rc) return rc;
    }
    v->data[v->len++] = id;
    return YQ_OK;
}
