/* Internal interface between the reference quantizer entry points (quant_ref.c) and the
 * K-quant super-block code (quant_k_ref.c). */
#ifndef YUQING_TENSOR_QUANT_REF_H
#define YUQING_TENSOR_QUANT_REF_H

#include "yuqing/tensor.h"

/* One super-block of 256 elements of Q4_K, Q5_K or Q6_K. */
void yq_dequant_superblock(yq_dtype dtype, const void *src, float *y);
void yq_quant_superblock(yq_dtype dtype, const float *x, void *dst);

#endif
