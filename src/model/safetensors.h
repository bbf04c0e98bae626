/* Reader of the safetensors format: an 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets}}, then raw tensor bytes. The file is mmapped. */
#ifndef YUQING_MODEL_SAFETENSORS_H
#define YUQING_MODEL_SAFETENSORS_H

#include <stdint.h>

#include "yuqing/mapfile.h"
#include "yuqing/tensor.h"

enum { YQ_ST_MAX_DIMS = 8 };

typedef struct yq_st_tensor {
    char *name;
    char dtype_name[16]; /* as written in the file, e.g. "BF16" */
    int dtype_supported; /* 1 when dtype_name is F32, F16 or BF16 */
    yq_dtype dtype;
    int n_dims;
    int64_t shape[YQ_ST_MAX_DIMS];
    const void *data; /* points into the mapping */
    size_t n_bytes;
} yq_st_tensor;

typedef struct yq_safetensors {
    char *path;
    yq_mapped_file file;
    yq_st_tensor *tensors;
    int n_tensors;
} yq_safetensors;

/* Maps and validates `path`: header length within the file, JSON well formed, every tensor's
 * offsets inside the data and consistent with its dtype and shape. Errors name the file and
 * tensor: YQ_ENOENT, YQ_EFORMAT. */
int yq_safetensors_open(const char *path, yq_safetensors *out);
void yq_safetensors_close(yq_safetensors *st);

/* The tensor called `name`, or NULL. */
const yq_st_tensor *yq_safetensors_find(const yq_safetensors *st, const char *name);

/* Writes tensors as a safetensors file (used by tools, tests and benchmarks to build models).
 * `data[i]` holds the bytes of tensor i; the file is written to PATH.tmp and renamed. */
int yq_safetensors_write(const char *path, const yq_st_tensor *tensors, const void *const *data,
                         int n_tensors);

#endif
