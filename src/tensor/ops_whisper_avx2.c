/* AVX2/FMA softmax for long rows (Whisper's attention over 1500 positions): exp by Cephes'
 * polynomial (within 2 ulp of expf) eight lanes at a time. The scalar twin is yq_softmax. */
#include <immintrin.h>
#include <math.h>

#include "matmul_kernels.h"
#include "simd_avx2.h"
#include "yuqing/kernels.h"

/* The largest of x[0..n), n >= 1. */
static float max_of(const float *x, int n) {
    __m256 m = _mm256_set1_ps(x[0]);
    int i = 0;
    for (; i + 8 <= n; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    float max = _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
    for (; i < n; i++) max = x[i] > max ? x[i] : max;
    return max;
}

void yq_softmax_avx2(float *x, int n) {
    float max = max_of(x, n);
    __m256 vmax = _mm256_set1_ps(max), vsum = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
        _mm256_storeu_ps(x + i, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum8(vsum);
    for (; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    __m256 inv = _mm256_set1_ps(1.0f / sum);
    for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
    for (; i < n; i++) x[i] *= 1.0f / sum;
}

void yq_attention_rows_avx2(float *out, const float *q, int head_dim, const float *k, const float *v, int n_ctx,
                            float *scores);

/* head_dim is a multiple of 8 (Whisper: 64). */
void yq_attention_rows_avx2(float *out, const float *q, int head_dim, const float *k, const float *v, int n_ctx,
                            float *scores) {
    for (int r = 0; r < n_ctx; r++) {
        const float *kr = k + (size_t)r * head_dim;
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < head_dim; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(kr + i), acc);
        scores[r] = hsum8(acc);
    }
    yq_softmax_avx2(scores, n_ctx);
    for (int i = 0; i < head_dim; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (int r = 0; r < n_ctx; r++) acc = _mm256_fmadd_ps(_mm256_set1_ps(scores[r]), _mm256_loadu_ps(v + (size_t)r * head_dim + i), acc);
        _mm256_storeu_ps(out + i, acc);
    }
}
