/* AVX2 argmax (yq_argmax when the AVX2 kernels are active): the maximum over four 8-lane
 * accumulators, then the first element equal to it, eight at a time. Same answer as the scalar
 * loop: the lowest index of the largest value, NaNs never chosen. */
#include <immintrin.h>
#include <math.h>

#include "matmul_kernels.h"

static float max_of(const float *x, int n) {
    __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    int i = 0;
    for (; i + 32 <= n; i += 32) { /* max_ps(v, m) keeps m where v is NaN */
        m0 = _mm256_max_ps(_mm256_loadu_ps(x + i), m0);
        m1 = _mm256_max_ps(_mm256_loadu_ps(x + i + 8), m1);
        m2 = _mm256_max_ps(_mm256_loadu_ps(x + i + 16), m2);
        m3 = _mm256_max_ps(_mm256_loadu_ps(x + i + 24), m3);
    }
    float lanes[8], max = -INFINITY;
    _mm256_storeu_ps(lanes, _mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
    for (int j = 0; j < 8; j++) max = lanes[j] > max ? lanes[j] : max;
    for (; i < n; i++) max = x[i] > max ? x[i] : max;
    return max;
}

int32_t yq_argmax_avx2(const float *x, int n) {
    float max = max_of(x, n);
    __m256 target = _mm256_set1_ps(max);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        int hits = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), target, _CMP_EQ_OQ));
        if (hits) return i + __builtin_ctz((unsigned)hits);
    }
    for (; i < n; i++)
        if (x[i] == max) return i;
    return 0;
}
