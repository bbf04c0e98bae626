/* GGUF writer: metadata and tensor infos are serialised into a buffer as they are added; begin
 * writes them to PATH.tmp, tensor data streams after them, finish renames the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yuqing/error.h"
#include "yuqing/gguf_write.h"

enum { ALIGNMENT = 32, GGUF_VERSION = 3 };

typedef struct bytes {
    unsigned char *data;
    size_t len, cap;
    int failed; /* an allocation failed; reported once by the caller */
} bytes;

typedef struct tensor_info {
    uint64_t offset, n_bytes;
} tensor_info;

struct yq_gguf_writer {
    bytes kv, infos;
    uint64_t n_kv, n_tensors;
    char **keys;          /* (n_kv) for the duplicate check */
    tensor_info *tensors; /* (n_tensors) */
    uint64_t data_size;   /* the data section, aligned */
    FILE *file;
    char *path, *tmp;
    uint64_t current, written; /* the tensor being filled and its bytes so far */
};

static void put(bytes *b, const void *p, size_t n) {
    if (b->failed || n == 0) return;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2 + 256;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_le(bytes *b, uint64_t v, int n) {
    unsigned char le[8];
    for (int i = 0; i < n; i++)
        le[i] = (unsigned char)(v >> (8 * i));
    put(b, le, (size_t)n);
}

static void put_string(bytes *b, const char *s, uint64_t len) {
    put_le(b, len, 8);
    put(b, s, (size_t)len);
}

/* Bytes of a fixed-size value type, 0 for strings and arrays. */
static int scalar_size(yq_gguf_type t) {
    static const int sizes[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    return (unsigned)t < sizeof sizes / sizeof sizes[0] ? sizes[t] : 0;
}

static void put_scalar(bytes *b, const yq_gguf_value *v) {
    if (v->type == YQ_GGUF_FLOAT32) {
        float f = (float)v->f64;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        put_le(b, bits, 4);
    } else if (v->type == YQ_GGUF_FLOAT64) {
        uint64_t bits;
        memcpy(&bits, &v->f64, 8);
        put_le(b, bits, 8);
    } else {
        put_le(b, v->u64, scalar_size(v->type)); /* two's complement covers the signed ones */
    }
}

int yq_gguf_writer_new(yq_gguf_writer **out) {
    *out = calloc(1, sizeof **out);
    return *out ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

void yq_gguf_writer_free(yq_gguf_writer *w) {
    if (!w) return;
    if (w->file) {
        fclose(w->file);
        unlink(w->tmp);
    }
    for (uint64_t i = 0; i < w->n_kv; i++)
        free(w->keys[i]);
    free(w->keys);
    free(w->tensors);
    free(w->kv.data);
    free(w->infos.data);
    free(w->path);
    free(w->tmp);
    free(w);
}

static int put_value(bytes *b, const char *key, const yq_gguf_value *v) {
    if (v->type == YQ_GGUF_STRING) {
        put_string(b, v->str.data, v->str.len);
    } else if (v->type == YQ_GGUF_ARRAY) {
        int size = scalar_size(v->arr.type);
        if (!size && v->arr.type != YQ_GGUF_STRING)
            return yq_error(YQ_EUNSUPPORTED, "GGUF key %s: arrays of arrays cannot be written", key);
        put_le(b, v->arr.type, 4);
        put_le(b, v->arr.n, 8);
        if (size) put(b, v->arr.data, (size_t)(v->arr.n * (uint64_t)size));
        for (uint64_t i = 0; !size && i < v->arr.n; i++)
            put_string(b, v->arr.strings[i].data, v->arr.strings[i].len);
    } else if (scalar_size(v->type)) {
        put_scalar(b, v);
    } else {
        return yq_error(YQ_EINVAL, "GGUF key %s: unknown value type %d", key, (int)v->type);
    }
    return YQ_OK;
}

int yq_gguf_writer_set(yq_gguf_writer *w, const char *key, const yq_gguf_value *v) {
    for (uint64_t i = 0; i < w->n_kv; i++)
        if (!strcmp(w->keys[i], key)) return yq_error(YQ_EINVAL, "GGUF key %s is set twice", key);
    char **keys = realloc(w->keys, (size_t)(w->n_kv + 1) * sizeof *keys);
    if (!keys) return yq_error(YQ_ENOMEM, "out of memory");
    w->keys = keys;
    if (!(keys[w->n_kv] = strdup(key))) return yq_error(YQ_ENOMEM, "out of memory");
    size_t mark = w->kv.len;
    put_string(&w->kv, key, strlen(key));
    put_le(&w->kv, v->type, 4);
    int rc = put_value(&w->kv, key, v);
    if (!rc && w->kv.failed) rc = yq_error(YQ_ENOMEM, "out of memory");
    if (rc) {
        w->kv.len = mark;
        free(keys[w->n_kv]);
        return rc;
    }
    w->n_kv++;
    return YQ_OK;
}

int yq_gguf_writer_set_u32(yq_gguf_writer *w, const char *key, uint32_t value) {
    yq_gguf_value v = {.type = YQ_GGUF_UINT32, .u64 = value};
    return yq_gguf_writer_set(w, key, &v);
}

int yq_gguf_writer_set_f32(yq_gguf_writer *w, const char *key, float value) {
    yq_gguf_value v = {.type = YQ_GGUF_FLOAT32, .f64 = value};
    return yq_gguf_writer_set(w, key, &v);
}

int yq_gguf_writer_set_string(yq_gguf_writer *w, const char *key, const char *value) {
    yq_gguf_value v = {.type = YQ_GGUF_STRING, .str = {value, strlen(value)}};
    return yq_gguf_writer_set(w, key, &v);
}

static uint64_t align_up(uint64_t n) {
    return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
}

int yq_gguf_writer_add_tensor(yq_gguf_writer *w, const char *name, int n_dims, const uint64_t *dims,
                              uint32_t ggml_type, uint64_t n_bytes) {
    if (n_dims < 1 || n_dims > 4) return yq_error(YQ_EINVAL, "tensor %s: %d dimensions", name, n_dims);
    tensor_info *t = realloc(w->tensors, (size_t)(w->n_tensors + 1) * sizeof *t);
    if (!t) return yq_error(YQ_ENOMEM, "out of memory");
    w->tensors = t;
    t[w->n_tensors] = (tensor_info){w->data_size, n_bytes};
    put_string(&w->infos, name, strlen(name));
    put_le(&w->infos, (uint64_t)n_dims, 4);
    for (int d = 0; d < n_dims; d++)
        put_le(&w->infos, dims[d], 8);
    put_le(&w->infos, ggml_type, 4);
    put_le(&w->infos, w->data_size, 8);
    if (w->infos.failed) return yq_error(YQ_ENOMEM, "out of memory");
    w->data_size = align_up(w->data_size + n_bytes);
    w->n_tensors++;
    return YQ_OK;
}

static int write_all(FILE *f, const void *p, size_t n) {
    return n == 0 || fwrite(p, 1, n, f) == n;
}

/* Zero bytes up to the next multiple of the alignment (counted from `pos`). */
static int pad(FILE *f, uint64_t pos) {
    static const unsigned char zeros[ALIGNMENT];
    size_t n = (size_t)(align_up(pos) - pos);
    return write_all(f, zeros, n);
}

int yq_gguf_writer_begin(yq_gguf_writer *w, const char *path) {
    size_t len = strlen(path);
    w->path = strdup(path);
    w->tmp = malloc(len + 5);
    if (!w->path || !w->tmp) return yq_error(YQ_ENOMEM, "out of memory");
    snprintf(w->tmp, len + 5, "%s.tmp", path);
    if (!(w->file = fopen(w->tmp, "wb"))) return yq_error(YQ_EIO, "%s: cannot create", w->tmp);
    bytes head = {0};
    put(&head, "GGUF", 4);
    put_le(&head, GGUF_VERSION, 4);
    put_le(&head, w->n_tensors, 8);
    put_le(&head, w->n_kv, 8);
    if (head.failed) return yq_error(YQ_ENOMEM, "out of memory");
    int ok = write_all(w->file, head.data, head.len) && write_all(w->file, w->kv.data, w->kv.len) &&
             write_all(w->file, w->infos.data, w->infos.len) &&
             pad(w->file, head.len + w->kv.len + w->infos.len);
    free(head.data);
    return ok ? YQ_OK : yq_error(YQ_EIO, "%s: write failed", w->tmp);
}

int yq_gguf_writer_write(yq_gguf_writer *w, const void *data, size_t n) {
    const unsigned char *p = data;
    while (n > 0) {
        if (w->current >= w->n_tensors)
            return yq_error(YQ_EINVAL, "%s: more tensor data than declared", w->path);
        const tensor_info *t = &w->tensors[w->current];
        size_t take = t->n_bytes - w->written < n ? (size_t)(t->n_bytes - w->written) : n;
        if (!write_all(w->file, p, take)) return yq_error(YQ_EIO, "%s: write failed", w->tmp);
        p += take;
        n -= take;
        w->written += take;
        if (w->written == t->n_bytes) {
            if (!pad(w->file, t->offset + t->n_bytes)) return yq_error(YQ_EIO, "%s: write failed", w->tmp);
            w->current++;
            w->written = 0;
        }
    }
    return YQ_OK;
}

int yq_gguf_writer_finish(yq_gguf_writer *w) {
    while (w->current < w->n_tensors && w->tensors[w->current].n_bytes == 0)
        w->current++;
    if (w->current != w->n_tensors)
        return yq_error(YQ_EINVAL, "%s: tensor %llu of %llu is incomplete", w->path,
                        (unsigned long long)w->current, (unsigned long long)w->n_tensors);
    int ok = fflush(w->file) == 0 && fsync(fileno(w->file)) == 0;
    ok = fclose(w->file) == 0 && ok;
    w->file = NULL;
    if (!ok || rename(w->tmp, w->path) != 0) {
        unlink(w->tmp);
        return yq_error(YQ_EIO, "%s: write failed", w->path);
    }
    return YQ_OK;
}
