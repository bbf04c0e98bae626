/* Internal interface between yq_matmul's dispatcher and its per-ISA row kernels. */
#ifndef YUQING_TENSOR_MATMUL_KERNELS_H
#define YUQING_TENSOR_MATMUL_KERNELS_H

#include "yuqing/tensor.h"

/* Computes rows [row_begin, row_end) of out (n_tokens, w->rows) = x (n_tokens, w->cols) W^T. */
typedef void (*yq_matmul_rows_fn)(float *out, const yq_tensor *w, const float *x, int n_tokens,
                                  int64_t row_begin, int64_t row_end);

void yq_matmul_rows_scalar(float *out, const yq_tensor *w, const float *x, int n_tokens,
                           int64_t row_begin, int64_t row_end);
#ifdef YQ_HAVE_AVX2
void yq_matmul_rows_avx2(float *out, const yq_tensor *w, const float *x, int n_tokens,
                         int64_t row_begin, int64_t row_end);
#endif

#endif
