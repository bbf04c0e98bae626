/* Element types and 2-D tensor views. A view points into memory it does not own (usually a
 * mapped checkpoint); kernels widen f16/bf16 and dequantize block-quantized rows as they read. */
#ifndef YUQING_TENSOR_H
#define YUQING_TENSOR_H

#include <stddef.h>
#include <stdint.h>

/* Plain types, and ggml's block-quantized types with their exact byte layouts (ggml-common.h):
 * Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 in blocks of 32 with f16 scales (and mins); Q4_K, Q5_K, Q6_K in
 * super-blocks of 256 with packed 6-bit (Q6_K: 8-bit) sub-block scales. */
typedef enum yq_dtype {
    YQ_DTYPE_F32 = 0,
    YQ_DTYPE_F16 = 1,
    YQ_DTYPE_BF16 = 2,
    YQ_DTYPE_Q8_0,
    YQ_DTYPE_Q4_0,
    YQ_DTYPE_Q4_1,
    YQ_DTYPE_Q5_0,
    YQ_DTYPE_Q5_1,
    YQ_DTYPE_Q4_K,
    YQ_DTYPE_Q5_K,
    YQ_DTYPE_Q6_K,
    YQ_DTYPE_COUNT
} yq_dtype;

/* A row-major (rows, cols) matrix; a vector has rows = 1. `data` is borrowed. For a quantized
 * dtype cols is a multiple of the block size and each row is yq_tensor_row_bytes() long. */
typedef struct yq_tensor {
    yq_dtype dtype;
    int64_t rows, cols;
    const void *data;
    const void *packed; /* owned copy in the AVX-512 kernels' layout (yq_tensor_pack), or NULL */
} yq_tensor;

/* Bytes per element of a plain dtype (F32 4, F16/BF16 2); 0 for quantized dtypes, whose sizes
 * are per block: use yq_dtype_row_bytes(). */
size_t yq_dtype_size(yq_dtype dtype);
/* "F32", "Q4_K", ... ("?" for a value outside the enum). */
const char *yq_dtype_name(yq_dtype dtype);
/* 1 for Q* dtypes. */
int yq_dtype_is_quantized(yq_dtype dtype);
/* Elements per block (1 for plain dtypes, 32, or 256 for K-quants) and bytes per block. */
int yq_dtype_block_size(yq_dtype dtype);
size_t yq_dtype_block_bytes(yq_dtype dtype);

/* Bytes of a row of `cols` elements into *bytes. YQ_EINVAL (with a message) when cols is
 * negative or not a multiple of the block size. */
int yq_dtype_row_bytes(yq_dtype dtype, int64_t cols, size_t *bytes);
/* Bytes of one row of `t`, whose cols must be a multiple of the block size (asserted). */
size_t yq_tensor_row_bytes(const yq_tensor *t);

/* ggml type numbers (GGML_TYPE_F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7,
 * Q8_0 = 8, Q4_K = 12, Q5_K = 13, Q6_K = 14, BF16 = 30) to dtypes and back.
 * yq_dtype_from_ggml returns YQ_EUNSUPPORTED, naming the type, for any other number. */
int yq_dtype_from_ggml(uint32_t ggml_type, yq_dtype *dtype);
uint32_t yq_dtype_to_ggml(yq_dtype dtype);

float yq_f16_to_f32(uint16_t h);
float yq_bf16_to_f32(uint16_t b);
uint16_t yq_f32_to_f16(float f);  /* round to nearest even */
uint16_t yq_f32_to_bf16(float f); /* round to nearest even, NaN kept quiet */

/* Widens n elements of `src` (of `dtype`) to f32. For a quantized dtype n is a multiple of the
 * block size and src starts at a block (the same as yq_dequantize_row). */
void yq_to_f32(float *dst, const void *src, yq_dtype dtype, size_t n);

/* Widens row `row` of `t` into dst (t->cols floats), for every dtype. */
void yq_tensor_row_f32(const yq_tensor *t, int64_t row, float *dst);

/* Reference dequantization of n elements (a multiple of the block size) of any dtype; for the
 * quantized ones bit-exact with gguf-py's `dequantize` and ggml's dequantize_row_*. */
void yq_dequantize_row(yq_dtype dtype, const void *src, float *dst, int64_t n);

/* Reference quantization of n floats (a multiple of the block size) into n / block_size blocks
 * of any dtype at dst: for the quantized ones the bytes of llama.cpp's quantize_row_*_ref (no
 * importance matrix), for F16/BF16 rounding to nearest even. Deterministic and single-threaded;
 * finite inputs are expected. */
void yq_quantize_row(yq_dtype dtype, const float *src, void *dst, int64_t n);

#endif
