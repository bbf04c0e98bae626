/* GGUF parser: a bounds-checked cursor over the mapped file reads the header, the metadata
 * (recursively for arrays, indexing string arrays), the tensor infos, and finds the aligned
 * data section. */
#include <stdlib.h>
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/gguf.h"

typedef struct cursor {
    const unsigned char *data;
    uint64_t size, pos;
    const char *path;
} cursor;

static int truncated(const cursor *c, const char *what) {
    return yq_error(YQ_EFORMAT, "%s: truncated or corrupt at byte %llu (%s)", c->path,
                    (unsigned long long)c->pos, what);
}

static int take(cursor *c, uint64_t n, const unsigned char **at, const char *what) {
    if (n > c->size - c->pos) return truncated(c, what);
    *at = c->data + c->pos;
    c->pos += n;
    return YQ_OK;
}

static uint64_t le(const unsigned char *p, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int read_uint(cursor *c, int bytes, uint64_t *out, const char *what) {
    const unsigned char *p = NULL;
    int rc = take(c, (uint64_t)bytes, &p, what);
    if (!rc) *out = le(p, bytes);
    return rc;
}

static int read_string(cursor *c, yq_gguf_string *s, const char *what) {
    uint64_t len = 0;
    const unsigned char *p = NULL;
    int rc = read_uint(c, 8, &len, what);
    if (!rc) rc = take(c, len, &p, what);
    if (!rc) *s = (yq_gguf_string){(const char *)p, len};
    return rc;
}

/* Size of a fixed-size element type, or 0 for STRING / ARRAY / unknown. */
static int scalar_size(uint32_t type) {
    static const int sizes[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    return type < sizeof sizes / sizeof sizes[0] ? sizes[type] : 0;
}

static void widen(yq_gguf_value *v, const unsigned char *p) {
    int bytes = scalar_size(v->type);
    uint64_t raw = le(p, bytes);
    switch (v->type) {
    case YQ_GGUF_INT8:
        v->i64 = (int8_t)raw;
        break;
    case YQ_GGUF_INT16:
        v->i64 = (int16_t)raw;
        break;
    case YQ_GGUF_INT32:
        v->i64 = (int32_t)raw;
        break;
    case YQ_GGUF_INT64:
        v->i64 = (int64_t)raw;
        break;
    case YQ_GGUF_FLOAT32: {
        float f;
        uint32_t bits = (uint32_t)raw;
        memcpy(&f, &bits, 4);
        v->f64 = f;
        break;
    }
    case YQ_GGUF_FLOAT64:
        memcpy(&v->f64, &raw, 8);
        break;
    default:
        v->u64 = raw;
        break; /* unsigned and bool */
    }
}

static int read_value(cursor *c, uint32_t type, yq_gguf_value *v, int depth);

/* An array: element type, count, elements (strings indexed). */
static int read_array(cursor *c, yq_gguf_value *v, int depth) {
    uint64_t elem = 0, n = 0;
    int rc = read_uint(c, 4, &elem, "array type");
    if (!rc) rc = read_uint(c, 8, &n, "array length");
    if (rc) return rc;
    if (elem > YQ_GGUF_FLOAT64 || depth > 8)
        return yq_error(YQ_EFORMAT, "%s: bad array element type %llu at byte %llu", c->path,
                        (unsigned long long)elem, (unsigned long long)c->pos);
    v->arr.type = (yq_gguf_type)elem;
    v->arr.n = n;
    v->arr.data = c->data + c->pos;
    v->arr.strings = NULL;
    int size = scalar_size((uint32_t)elem);
    if (size) {
        const unsigned char *p = NULL;
        return n > (c->size - c->pos) / (uint64_t)size ? truncated(c, "array")
                                                       : take(c, n * (uint64_t)size, &p, "array");
    }
    if (n > (c->size - c->pos) / 8) return truncated(c, "array"); /* every element takes >= 8 bytes */
    if (elem == YQ_GGUF_STRING && !(v->arr.strings = malloc((n ? n : 1) * sizeof *v->arr.strings)))
        return yq_error(YQ_ENOMEM, "%s: out of memory", c->path);
    for (uint64_t i = 0; !rc && i < n; i++) {
        yq_gguf_value inner;
        rc = read_value(c, (uint32_t)elem, &inner, depth + 1);
        if (!rc && v->arr.strings) v->arr.strings[i] = inner.str;
        if (!rc && elem == YQ_GGUF_ARRAY) free(inner.arr.strings);
    }
    if (rc) { /* a failed inner array frees its own index: its caller only frees after success */
        free(v->arr.strings);
        v->arr.strings = NULL;
    }
    return rc;
}

static int read_value(cursor *c, uint32_t type, yq_gguf_value *v, int depth) {
    v->type = (yq_gguf_type)type;
    if (type == YQ_GGUF_STRING) return read_string(c, &v->str, "string value");
    if (type == YQ_GGUF_ARRAY) return read_array(c, v, depth);
    int size = scalar_size(type);
    if (!size)
        return yq_error(YQ_EFORMAT, "%s: unknown value type %u at byte %llu", c->path, type,
                        (unsigned long long)c->pos);
    const unsigned char *p = NULL;
    int rc = take(c, (uint64_t)size, &p, "value");
    if (!rc) widen(v, p);
    return rc;
}

static int read_header(cursor *c, yq_gguf *g) {
    uint64_t magic = 0, version = 0;
    int rc = read_uint(c, 4, &magic, "magic");
    if (!rc && magic != 0x46554747u) /* "GGUF" */
        return yq_error(YQ_EFORMAT, "%s: not a GGUF file (bad magic)", c->path);
    if (!rc) rc = read_uint(c, 4, &version, "version");
    if (!rc && (version < 2 || version > 3))
        return yq_error(YQ_EUNSUPPORTED, "%s: GGUF version %llu is not supported (2 and 3 are)", c->path,
                        (unsigned long long)version);
    if (!rc) rc = read_uint(c, 8, &g->n_tensors, "tensor count");
    if (!rc) rc = read_uint(c, 8, &g->n_kv, "metadata count");
    if (!rc && (g->n_kv > c->size / 12 || g->n_tensors > c->size / 24))
        return yq_error(YQ_EFORMAT, "%s: counts larger than the file", c->path);
    g->version = (uint32_t)version;
    return rc;
}

static int read_metadata(cursor *c, yq_gguf *g) {
    if (!(g->kv = calloc(g->n_kv + 1, sizeof *g->kv)))
        return yq_error(YQ_ENOMEM, "%s: out of memory", c->path);
    int rc = YQ_OK;
    for (uint64_t i = 0; !rc && i < g->n_kv; i++) {
        uint64_t type = 0;
        rc = read_string(c, &g->kv[i].key, "key");
        if (!rc) rc = read_uint(c, 4, &type, "value type");
        if (!rc) rc = read_value(c, (uint32_t)type, &g->kv[i].value, 0);
    }
    return rc;
}

static int read_tensor_infos(cursor *c, yq_gguf *g) {
    if (!(g->tensors = calloc(g->n_tensors + 1, sizeof *g->tensors)))
        return yq_error(YQ_ENOMEM, "%s: out of memory", c->path);
    int rc = YQ_OK;
    for (uint64_t i = 0; !rc && i < g->n_tensors; i++) {
        yq_gguf_tensor *t = &g->tensors[i];
        uint64_t n_dims = 0, type = 0;
        rc = read_string(c, &t->name, "tensor name");
        if (!rc) rc = read_uint(c, 4, &n_dims, "tensor dims");
        if (!rc && (n_dims == 0 || n_dims > 4))
            return yq_error(YQ_EFORMAT, "%s: tensor %.*s has %llu dimensions", c->path, (int)t->name.len,
                            t->name.data, (unsigned long long)n_dims);
        t->n_dims = (uint32_t)n_dims;
        for (uint32_t d = 0; d < 4; d++)
            t->dims[d] = 1;
        for (uint32_t d = 0; !rc && d < t->n_dims; d++)
            rc = read_uint(c, 8, &t->dims[d], "tensor shape");
        if (!rc) rc = read_uint(c, 4, &type, "tensor type");
        if (!rc) rc = read_uint(c, 8, &t->offset, "tensor offset");
        t->type = (uint32_t)type;
    }
    return rc;
}

/* general.alignment, the data section, and each tensor's place in it. */
static int locate_data(cursor *c, yq_gguf *g) {
    const yq_gguf_value *a = yq_gguf_get(g, "general.alignment");
    g->alignment = 32;
    if (a) {
        if (a->type != YQ_GGUF_UINT32 || a->u64 == 0 || (a->u64 & (a->u64 - 1)))
            return yq_error(YQ_EFORMAT, "%s: general.alignment is not a power of two", c->path);
        g->alignment = a->u64;
    }
    g->data_offset = (c->pos + g->alignment - 1) / g->alignment * g->alignment;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        yq_gguf_tensor *t = &g->tensors[i];
        if (t->offset % g->alignment || g->data_offset > c->size || t->offset >= c->size - g->data_offset)
            return yq_error(YQ_EFORMAT, "%s: tensor %.*s lies outside the file or is misaligned", c->path,
                            (int)t->name.len, t->name.data);
        t->data = c->data + g->data_offset + t->offset;
    }
    return YQ_OK;
}

int yq_gguf_open(const char *path, yq_gguf **out) {
    *out = NULL;
    yq_gguf *g = calloc(1, sizeof *g);
    if (!g) return yq_error(YQ_ENOMEM, "%s: out of memory", path);
    int rc = yq_map_file(path, &g->file);
    cursor c = {g->file.data, g->file.size, 0, path};
    if (!rc) rc = read_header(&c, g);
    if (!rc) rc = read_metadata(&c, g);
    if (!rc) rc = read_tensor_infos(&c, g);
    if (!rc) rc = locate_data(&c, g);
    if (rc) {
        yq_gguf_close(g);
        return rc;
    }
    *out = g;
    return YQ_OK;
}

void yq_gguf_close(yq_gguf *g) {
    if (!g) return;
    for (uint64_t i = 0; g->kv && i < g->n_kv; i++)
        if (g->kv[i].value.type == YQ_GGUF_ARRAY) free(g->kv[i].value.arr.strings);
    free(g->kv);
    free(g->tensors);
    yq_unmap_file(&g->file);
    free(g);
}
