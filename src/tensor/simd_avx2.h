/* Small AVX2 helpers shared by the SIMD row kernels (include only from *_avx2.c files). */
#ifndef YUQING_TENSOR_SIMD_AVX2_H
#define YUQING_TENSOR_SIMD_AVX2_H

#include <immintrin.h>

/* The 8 lanes summed in one fixed order (part of every kernel's batch-invariant contract). */
static inline __attribute__((always_inline)) float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#endif
