/* Element types and 2-D tensor views. A view points into memory it does not own (usually a
 * mapped checkpoint); kernels widen f16/bf16 elements to f32 as they read them. */
#ifndef YUQING_TENSOR_H
#define YUQING_TENSOR_H

#include <stddef.h>
#include <stdint.h>

typedef enum yq_dtype { YQ_DTYPE_F32 = 0, YQ_DTYPE_F16 = 1, YQ_DTYPE_BF16 = 2 } yq_dtype;

/* A row-major (rows, cols) matrix; a vector has rows = 1. `data` is borrowed. */
typedef struct yq_tensor {
    yq_dtype dtype;
    int64_t rows, cols;
    const void *data;
} yq_tensor;

size_t yq_dtype_size(yq_dtype dtype);
const char *yq_dtype_name(yq_dtype dtype);

float yq_f16_to_f32(uint16_t h);
float yq_bf16_to_f32(uint16_t b);
uint16_t yq_f32_to_f16(float f);  /* round to nearest even */
uint16_t yq_f32_to_bf16(float f); /* round to nearest even, NaN kept quiet */

/* Widens n elements of `src` (of `dtype`) to f32. */
void yq_to_f32(float *dst, const void *src, yq_dtype dtype, size_t n);

/* Widens row `row` of `t` into dst (t->cols floats). */
void yq_tensor_row_f32(const yq_tensor *t, int64_t row, float *dst);

#endif
