/* AVX2 SiLU gating (yq_silu_mul when the AVX2 kernels are active): silu(g) = g * sigmoid(g) with
 * sigmoid from e = exp(-|g|) (never overflows): 1 / (1 + e) for g >= 0, e / (1 + e) below. */
#include <immintrin.h>

#include "matmul_kernels.h"
#include "simd_avx2.h"

void yq_silu_mul_avx2(float *gate, const float *up, int n) {
    const __m256 one = _mm256_set1_ps(1.0f), sign = _mm256_set1_ps(-0.0f);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        __m256 e = exp8(_mm256_or_ps(g, sign)); /* exp(-|g|) */
        __m256 negative = _mm256_cmp_ps(g, _mm256_setzero_ps(), _CMP_LT_OQ);
        __m256 sigmoid = _mm256_div_ps(_mm256_blendv_ps(one, e, negative), _mm256_add_ps(one, e));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(_mm256_mul_ps(g, sigmoid), _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) {
        float g = gate[i];
        gate[i] = g / (1.0f + __builtin_expf(-g)) * up[i];
    }
}
