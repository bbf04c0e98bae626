/* Internal interface between yq_matmul's dispatcher and its per-ISA row kernels. */
#ifndef YUQING_TENSOR_MATMUL_KERNELS_H
#define YUQING_TENSOR_MATMUL_KERNELS_H

#include "yuqing/kernels.h"
#include "yuqing/tensor.h"

/* Computes rows [row_begin, row_end) of out (n_tokens, w->rows) = x (n_tokens, w->cols) W^T. */
typedef void (*yq_matmul_rows_fn)(float *out, const yq_tensor *w, const float *x, int n_tokens,
                                  int64_t row_begin, int64_t row_end);

void yq_matmul_rows_scalar(float *out, const yq_tensor *w, const float *x, int n_tokens, int64_t row_begin,
                           int64_t row_end);

/* One tile of a SIMD kernel: rows row_ids[0..nr) times tokens [t, t + nt), nr in {1, 4} and
 * 1 <= nt <= the kernel's tile_tokens; ctx is the kernel's own. */
typedef void (*yq_tile_fn)(const void *ctx, const int64_t *row_ids, int nr, int t, int nt);

/* Calls `tile` over every (row, token) of rows [row_begin, row_end) x [0, n_tokens) exactly once,
 * in the order that suits the memory system (matmul_tiles.c). */
/* The f32/f16/bf16 tile functions of a float kernel, each calling any_tile (its inline
 * dispatcher over tile shapes) with a constant dtype, and float_tile_fn(dtype) choosing one. */
#define YQ_FLOAT_TILE_FNS(any_tile)                                                                           \
    static void tile_f32(const void *c, const int64_t *ids, int nr, int t, int nt) {                          \
        any_tile(c, ids, nr, t, nt, YQ_DTYPE_F32);                                                            \
    }                                                                                                         \
    static void tile_f16(const void *c, const int64_t *ids, int nr, int t, int nt) {                          \
        any_tile(c, ids, nr, t, nt, YQ_DTYPE_F16);                                                            \
    }                                                                                                         \
    static void tile_bf16(const void *c, const int64_t *ids, int nr, int t, int nt) {                         \
        any_tile(c, ids, nr, t, nt, YQ_DTYPE_BF16);                                                           \
    }                                                                                                         \
    static yq_tile_fn float_tile_fn(yq_dtype dtype) {                                                         \
        return dtype == YQ_DTYPE_F32 ? tile_f32 : dtype == YQ_DTYPE_F16 ? tile_f16 : tile_bf16;               \
    }

void yq_for_each_tile(yq_tile_fn tile, const void *ctx, int n_tokens, int64_t row_begin, int64_t row_end,
                      int tile_tokens);

/* 1 when the AVX2 kernels are active (alone or under AVX512). */
int yq_simd_active(void);
/* 1 when this CPU and build run the AVX-512 VNNI kernels. */
int yq_cpu_has_avx512(void);

#ifdef YQ_HAVE_AVX2
void yq_matmul_rows_avx2(float *out, const yq_tensor *w, const float *x, int n_tokens, int64_t row_begin,
                         int64_t row_end);
/* The same for quantized weights, with each token's activations already quantized to xq
 * (yq_act_row_bytes(w->dtype, w->cols) bytes per token, quant_act.h). */
void yq_matmul_rows_quant_avx2(float *out, const yq_tensor *w, const void *xq, int n_tokens,
                               int64_t row_begin, int64_t row_end);
/* Rows [row_begin, row_end) (multiples of 16) of out against w->packed (quant_pack.h). */
void yq_matmul_rows_packed_avx512(float *out, const yq_tensor *w, const void *xq, int n_tokens, int64_t row_begin,
                                  int64_t row_end);
/* Rows [row_begin, row_end) (multiples of 16) of out against f16 weights packed in w->packed. */
void yq_matmul_rows_packed_f16_avx512(float *out, const yq_tensor *w, const float *x, int n_tokens, int64_t row_begin,
                                      int64_t row_end);
/* The f32/f16/bf16 row kernel with 16-lane accumulators and tiles of 4 rows x 4 tokens. */
void yq_matmul_rows_float_avx512(float *out, const yq_tensor *w, const float *x, int n_tokens, int64_t row_begin,
                                 int64_t row_end);
/* Vectorised twins of ops.c's softmax and paged attention (head_dim a multiple of 8). */
void yq_softmax_avx2(float *x, int n);
void yq_silu_mul_avx2(float *gate, const float *up, int n);
int32_t yq_argmax_avx2(const float *x, int n);
void yq_attention_avx2(float *out, const float *q, int head_dim, const yq_kv_view *kv, int n_ctx, float *scores);
#endif

#endif
