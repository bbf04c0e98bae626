/* AVX2 quantization of activations to 8-bit blocks (quant_act.h): scale from the block's
 * largest magnitude, values rounded to nearest even, block sums for the weights' offsets. The
 * scales are rounded as ggml's quantize_row_q8_0/q8_1 (d and s stored as f16) and q8_K
 * (d = 1 / (127 / max)) round them, so that a GGUF model gives llama.cpp's logits. */
#include <immintrin.h>

#include "quant_act.h"
#include "quant_blocks.h"

static int is_k_quant(yq_dtype dtype) {
    return yq_dtype_block_size(dtype) == QK_K;
}

size_t yq_act_row_bytes(yq_dtype dtype, int64_t cols) {
    return is_k_quant(dtype) ? (size_t)(cols / QK_K) * sizeof(yq_act_block256)
                             : (size_t)(cols / QK32) * sizeof(yq_act_block32);
}

int yq_act_format(yq_dtype dtype) {
    return is_k_quant(dtype);
}

static float max_abs(const float *x, int n) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int i = 0; i < n; i += 8)
        m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i)));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

/* Rounds 32 floats times id to int8 in order; returns the 32 bytes. */
static __m256i round32(const float *x, __m256 id) {
    __m256i a = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), id));
    __m256i b = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8), id));
    __m256i c = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 16), id));
    __m256i d = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 24), id));
    __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
    return _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* Sums of each 16 of the 32 int8 in q: lanes 0 and 4 of the result. */
static __m256i sums16(__m256i q) {
    __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), _mm256_set1_epi16(1));
    s = _mm256_hadd_epi32(s, s);
    return _mm256_hadd_epi32(s, s);
}

static float round_f16(float x) {
    return _cvtsh_ss(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT));
}

static void quantize_block32(const float *x, yq_act_block32 *y) {
    float amax = max_abs(x, QK32), d = amax / 127.0f;
    __m256i q = round32(x, _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f));
    _mm256_storeu_si256((__m256i *)y->qs, q);
    __m256i s = sums16(q);
    y->sum = _mm256_extract_epi32(s, 0) + _mm256_extract_epi32(s, 4);
    y->d = round_f16(d);
    y->s = round_f16(d * (float)y->sum);
}

static void quantize_block256(const float *x, yq_act_block256 *y) {
    float amax = max_abs(x, QK_K), iscale = amax != 0.0f ? 127.0f / amax : 0.0f;
    __m256 id = _mm256_set1_ps(iscale);
    y->d = amax != 0.0f ? 1.0f / iscale : 0.0f;
    for (int i = 0; i < QK_K; i += 32) {
        __m256i q = round32(x + i, id);
        _mm256_storeu_si256((__m256i *)(y->qs + i), q);
        __m256i s = sums16(q);
        y->bsums[i / 16] = (int16_t)_mm256_extract_epi32(s, 0);
        y->bsums[i / 16 + 1] = (int16_t)_mm256_extract_epi32(s, 4);
    }
}

void yq_quantize_act_avx2(yq_dtype dtype, const float *x, int64_t cols, void *dst) {
    if (is_k_quant(dtype)) {
        yq_act_block256 *y = dst;
        for (int64_t b = 0; b < cols / QK_K; b++)
            quantize_block256(x + b * QK_K, y + b);
    } else {
        yq_act_block32 *y = dst;
        for (int64_t b = 0; b < cols / QK32; b++)
            quantize_block32(x + b * QK32, y + b);
    }
}
