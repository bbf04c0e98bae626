/* Reading GGUF files (llama.cpp's single-file model format, versions 2 and 3): the header, every
 * metadata key/value (all scalar types, strings, arrays, arrays of arrays), the tensor infos and
 * the aligned data section. The file is mapped, not copied; values point into the map. */
#ifndef YUQING_GGUF_H
#define YUQING_GGUF_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/mapfile.h"

typedef enum yq_gguf_type {
    YQ_GGUF_UINT8 = 0,
    YQ_GGUF_INT8 = 1,
    YQ_GGUF_UINT16 = 2,
    YQ_GGUF_INT16 = 3,
    YQ_GGUF_UINT32 = 4,
    YQ_GGUF_INT32 = 5,
    YQ_GGUF_FLOAT32 = 6,
    YQ_GGUF_BOOL = 7,
    YQ_GGUF_STRING = 8,
    YQ_GGUF_ARRAY = 9,
    YQ_GGUF_UINT64 = 10,
    YQ_GGUF_INT64 = 11,
    YQ_GGUF_FLOAT64 = 12,
} yq_gguf_type;

/* A string in the file: not NUL-terminated (borrowed from the map). */
typedef struct yq_gguf_string {
    const char *data;
    uint64_t len;
} yq_gguf_string;

/* A metadata value. Scalars are widened into u64 / i64 / f64 (by their signedness and kind;
 * bool is u64 0/1). An array has its element type, count and first element in the file;
 * elements of a string array are also indexed in `strings`. */
typedef struct yq_gguf_value {
    yq_gguf_type type;
    union {
        uint64_t u64;
        int64_t i64;
        double f64;
        yq_gguf_string str;
        struct {
            yq_gguf_type type;
            uint64_t n;
            const unsigned char *data; /* the elements as stored (little-endian) */
            yq_gguf_string *strings;   /* (n) for arrays of strings, else NULL */
        } arr;
    };
} yq_gguf_value;

typedef struct yq_gguf_kv {
    yq_gguf_string key;
    yq_gguf_value value;
} yq_gguf_kv;

typedef struct yq_gguf_tensor {
    yq_gguf_string name;
    uint32_t n_dims;
    uint64_t dims[4]; /* dims[0] is the fastest-varying (ggml's ne[0]) */
    uint32_t type;    /* ggml type number (0 F32, 1 F16, 2 Q4_0, 8 Q8_0, ...) */
    uint64_t offset;  /* from the start of the data section */
    const void *data; /* into the map; its size depends on the type, which the caller knows */
} yq_gguf_tensor;

typedef struct yq_gguf {
    yq_mapped_file file;
    uint32_t version;
    uint64_t n_kv, n_tensors;
    yq_gguf_kv *kv;          /* (n_kv) in file order */
    yq_gguf_tensor *tensors; /* (n_tensors) in file order */
    uint64_t alignment;      /* general.alignment, default 32 */
    uint64_t data_offset;    /* start of the data section in the file */
} yq_gguf;

/* Maps and parses the GGUF file at `path`. Every offset and length is checked against the file
 * size. Errors (one line naming the file and the byte offset): YQ_ENOENT, YQ_EFORMAT (bad
 * magic, truncated, inconsistent), YQ_EUNSUPPORTED (version 1 or above 3), YQ_ENOMEM. */
int yq_gguf_open(const char *path, yq_gguf **out);
void yq_gguf_close(yq_gguf *g);

/* The value of `key`, or NULL. */
const yq_gguf_value *yq_gguf_get(const yq_gguf *g, const char *key);

/* Typed lookups: 0, or YQ_ENOENT when the key is absent, YQ_EFORMAT when it has another type
 * (integers of any width and signedness count as integers; a negative one is not a uint). */
int yq_gguf_get_uint(const yq_gguf *g, const char *key, uint64_t *out);
int yq_gguf_get_bool(const yq_gguf *g, const char *key, int *out);
int yq_gguf_get_string(const yq_gguf *g, const char *key, yq_gguf_string *out);
/* An array whose elements have type `elem`. */
int yq_gguf_get_array(const yq_gguf *g, const char *key, yq_gguf_type elem, const yq_gguf_value **out);

/* Element i of an array of 4-byte elements (FLOAT32, INT32, UINT32), read little-endian. */
float yq_gguf_f32_at(const yq_gguf_value *arr, uint64_t i);
int32_t yq_gguf_i32_at(const yq_gguf_value *arr, uint64_t i);

/* The tensor named `name`, or NULL. */
const yq_gguf_tensor *yq_gguf_find_tensor(const yq_gguf *g, const char *name);

#endif
