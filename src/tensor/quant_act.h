/* Activations quantized to 8 bits, once per matmul call, for the integer dot products of the
 * quantized-weight kernels: blocks of 32 for the 32-element weight types, super-blocks of 256
 * (with sums per 16, like ggml's Q8_K) for the K-quants. */
#ifndef YUQING_TENSOR_QUANT_ACT_H
#define YUQING_TENSOR_QUANT_ACT_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/tensor.h"

/* x[i] ~ d * qs[i], d = max|x| / 127 over the block; sum = sum(qs), s = d * sum. */
typedef struct {
    float d, s;
    int32_t sum;
    int8_t qs[32];
} yq_act_block32;

/* x[i] ~ d * qs[i] over 256 elements; bsums[k] = sum of qs[16k .. 16k + 15]. */
typedef struct {
    float d;
    int16_t bsums[16];
    int8_t qs[256];
} yq_act_block256;

#ifdef YQ_HAVE_AVX2
/* Bytes of one token's quantized activations for weights of `dtype` with `cols` columns. */
size_t yq_act_row_bytes(yq_dtype dtype, int64_t cols);

/* Weights whose dtypes give the same number here take the same quantized activations. */
int yq_act_format(yq_dtype dtype);

/* Quantizes one token's activations x (cols floats) into dst (yq_act_row_bytes). */
void yq_quantize_act_avx2(yq_dtype dtype, const float *x, int64_t cols, void *dst);
#endif

#endif
