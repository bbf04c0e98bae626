/* AVX2 causal attention of one query head over a paged KV cache (yq_attention when the AVX2
 * kernels are active): scores four positions at a time with independent 8-lane accumulators,
 * the vectorised softmax, then the weighted sum of values kept in registers 64 dimensions at a
 * time. Each score and output element has one fixed summation order, whatever the batch. */
#include <immintrin.h>
#include <math.h>

#include "matmul_kernels.h"
#include "simd_avx2.h"

#define INLINE static inline __attribute__((always_inline))

enum { SCORE_ROWS = 4, OUT_CHUNK = 64 };


/* Dot products of q with `n` (<= 4) consecutive key rows, times scale, into scores. */
INLINE void score_rows(float *scores, const float *q, const float *k, int n, int head_dim, float scale) {
    __m256 acc[SCORE_ROWS] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
#pragma GCC unroll 16
    for (int d = 0; d < head_dim; d += 8) {
        __m256 qd = _mm256_loadu_ps(q + d);
#pragma GCC unroll 4
        for (int r = 0; r < n; r++)
            acc[r] = _mm256_fmadd_ps(qd, _mm256_loadu_ps(k + (size_t)r * head_dim + d), acc[r]);
    }
#pragma GCC unroll 4
    for (int r = 0; r < n; r++) scores[r] = hsum8(acc[r]) * scale;
}

/* scores[p] = q . k_p * scale for p < n_ctx, block by block. */
INLINE void score_all(float *scores, const float *q, int head_dim, const yq_kv_view *kv, int n_ctx, float scale) {
    for (int p0 = 0; p0 < n_ctx; p0 += kv->block_size) {
        const float *k = kv->k_base + kv->blocks[p0 / kv->block_size] * kv->block_stride;
        int n = n_ctx - p0 < kv->block_size ? n_ctx - p0 : kv->block_size, r = 0;
        for (; r + SCORE_ROWS <= n; r += SCORE_ROWS)
            score_rows(scores + p0 + r, q, k + (size_t)r * head_dim, SCORE_ROWS, head_dim, scale);
        for (; r < n; r++) score_rows(scores + p0 + r, q, k + (size_t)r * head_dim, 1, head_dim, scale);
    }
}

/* out[d0 .. d0 + width) = sum_p scores[p] v_p[d0 ..], width a multiple of 8 up to 64. */
INLINE void weigh_values(float *out, const float *scores, int head_dim, const yq_kv_view *kv, int n_ctx, int d0,
                         int width) {
    __m256 acc[OUT_CHUNK / 8];
    int lanes = width / 8;
#pragma GCC unroll 8
    for (int i = 0; i < lanes; i++) acc[i] = _mm256_setzero_ps();
    for (int p0 = 0; p0 < n_ctx; p0 += kv->block_size) {
        const float *v = kv->v_base + kv->blocks[p0 / kv->block_size] * kv->block_stride + d0;
        int n = n_ctx - p0 < kv->block_size ? n_ctx - p0 : kv->block_size;
        for (int r = 0; r < n; r++) {
            __m256 a = _mm256_set1_ps(scores[p0 + r]);
            const float *row = v + (size_t)r * head_dim;
#pragma GCC unroll 8
            for (int i = 0; i < lanes; i++) acc[i] = _mm256_fmadd_ps(a, _mm256_loadu_ps(row + 8 * i), acc[i]);
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < lanes; i++) _mm256_storeu_ps(out + d0 + 8 * i, acc[i]);
}

/* The whole head; compiled with constant head_dim for the common sizes (accumulators in
 * registers). */
INLINE void attend(float *out, const float *q, int head_dim, const yq_kv_view *kv, int n_ctx, float *scores) {
    score_all(scores, q, head_dim, kv, n_ctx, 1.0f / sqrtf((float)head_dim));
    yq_softmax_avx2(scores, n_ctx);
    int d0 = 0;
    for (; d0 + OUT_CHUNK <= head_dim; d0 += OUT_CHUNK) weigh_values(out, scores, head_dim, kv, n_ctx, d0, OUT_CHUNK);
    if (d0 < head_dim) weigh_values(out, scores, head_dim, kv, n_ctx, d0, head_dim - d0);
}

/* head_dim is a multiple of 8. */
void yq_attention_avx2(float *out, const float *q, int head_dim, const yq_kv_view *kv, int n_ctx, float *scores) {
    if (head_dim == 64)
        attend(out, q, 64, kv, n_ctx, scores);
    else if (head_dim == 128)
        attend(out, q, 128, kv, n_ctx, scores);
    else
        attend(out, q, head_dim, kv, n_ctx, scores);
}
