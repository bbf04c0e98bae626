/* AVX2+FMA+F16C row kernel. Every output element is one 8-lane FMA accumulator over k in steps
 * of 8, a fixed horizontal sum, then the scalar tail, whatever the batch (batch invariance);
 * tiles only share loads between elements. Batches use tiles of 4 adjacent rows x 2 tokens.
 * A single token (decode) reads 4 rows a quarter of the range apart: 4 sequential streams in
 * different pages, which the hardware prefetchers follow at memory speed (4 interleaved streams
 * within the same pages run at a third of it). */
#include <immintrin.h>

#include "matmul_kernels.h"

enum { TILE_ROWS = 4, TILE_TOKENS = 2, TOKEN_BLOCK = 32 };

static inline __attribute__((always_inline)) __m256 load8(const void *row, int64_t k, yq_dtype dt) {
    if (dt == YQ_DTYPE_F32) return _mm256_loadu_ps((const float *)row + k);
    __m128i h = _mm_loadu_si128((const __m128i *)((const uint16_t *)row + k));
    if (dt == YQ_DTYPE_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

static inline __attribute__((always_inline)) float load1(const void *row, int64_t k, yq_dtype dt) {
    if (dt == YQ_DTYPE_F32) return ((const float *)row)[k];
    uint16_t h = ((const uint16_t *)row)[k];
    return dt == YQ_DTYPE_F16 ? yq_f16_to_f32(h) : yq_bf16_to_f32(h);
}

static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Rows row_ids[0..nr) times tokens t..t+nt. nr and nt are compile-time constants at every call,
 * so the accumulators stay in registers. */
static inline __attribute__((always_inline)) void tile(float *out, const yq_tensor *w, const float *x,
                                                       const int64_t *row_ids, int t, int nr, int nt,
                                                       yq_dtype dt) {
    const int64_t cols = w->cols;
    const size_t row_bytes = (size_t)cols * yq_dtype_size(dt);
    const char *rows[TILE_ROWS];
    const float *xs[TILE_TOKENS];
    __m256 acc[TILE_ROWS][TILE_TOKENS];
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++) rows[i] = (const char *)w->data + (size_t)row_ids[i] * row_bytes;
#pragma GCC unroll 4
    for (int j = 0; j < nt; j++) xs[j] = x + (size_t)(t + j) * (size_t)cols;
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++) acc[i][j] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= cols; k += 8) {
        __m256 wv[TILE_ROWS];
#pragma GCC unroll 4
        for (int i = 0; i < nr; i++) wv[i] = load8(rows[i], k, dt);
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++) {
            __m256 xv = _mm256_loadu_ps(xs[j] + k);
#pragma GCC unroll 4
            for (int i = 0; i < nr; i++) acc[i][j] = _mm256_fmadd_ps(wv[i], xv, acc[i][j]);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++) {
            float sum = hsum8(acc[i][j]);
            for (int64_t kk = k; kk < cols; kk++) sum += load1(rows[i], kk, dt) * xs[j][kk];
            out[(size_t)(t + j) * (size_t)w->rows + (size_t)row_ids[i]] = sum;
        }
}

/* One token: 4 rows a quarter of the range apart per tile, the leftover rows one by one. */
static inline __attribute__((always_inline)) void decode_rows(float *out, const yq_tensor *w, const float *x,
                                                              int64_t r0, int64_t r1, yq_dtype dt) {
    int64_t quarter = (r1 - r0) / TILE_ROWS;
    for (int64_t r = r0; r < r0 + quarter; r++) {
        int64_t ids[TILE_ROWS] = {r, r + quarter, r + 2 * quarter, r + 3 * quarter};
        tile(out, w, x, ids, 0, TILE_ROWS, 1, dt);
    }
    for (int64_t r = r0 + TILE_ROWS * quarter; r < r1; r++) tile(out, w, x, &r, 0, 1, 1, dt);
}

static inline __attribute__((always_inline)) void batch_rows(float *out, const yq_tensor *w, const float *x,
                                                             int n_tokens, int64_t r0, int64_t r1, yq_dtype dt) {
    for (int tb = 0; tb < n_tokens; tb += TOKEN_BLOCK) {
        int te = tb + TOKEN_BLOCK < n_tokens ? tb + TOKEN_BLOCK : n_tokens;
        int64_t r = r0;
        for (; r + TILE_ROWS <= r1; r += TILE_ROWS) {
            int64_t ids[TILE_ROWS] = {r, r + 1, r + 2, r + 3};
            int t = tb;
            for (; t + TILE_TOKENS <= te; t += TILE_TOKENS) tile(out, w, x, ids, t, TILE_ROWS, TILE_TOKENS, dt);
            for (; t < te; t++) tile(out, w, x, ids, t, TILE_ROWS, 1, dt);
        }
        for (; r < r1; r++) {
            int t = tb;
            for (; t + TILE_TOKENS <= te; t += TILE_TOKENS) tile(out, w, x, &r, t, 1, TILE_TOKENS, dt);
            for (; t < te; t++) tile(out, w, x, &r, t, 1, 1, dt);
        }
    }
}

static inline __attribute__((always_inline)) void rows_kernel(float *out, const yq_tensor *w, const float *x,
                                                              int n_tokens, int64_t r0, int64_t r1, yq_dtype dt) {
    if (n_tokens == 1) decode_rows(out, w, x, r0, r1, dt);
    else batch_rows(out, w, x, n_tokens, r0, r1, dt);
}

void yq_matmul_rows_avx2(float *out, const yq_tensor *w, const float *x, int n_tokens,
                         int64_t row_begin, int64_t row_end) {
    switch (w->dtype) {
    case YQ_DTYPE_F32: rows_kernel(out, w, x, n_tokens, row_begin, row_end, YQ_DTYPE_F32); break;
    case YQ_DTYPE_F16: rows_kernel(out, w, x, n_tokens, row_begin, row_end, YQ_DTYPE_F16); break;
    case YQ_DTYPE_BF16: rows_kernel(out, w, x, n_tokens, row_begin, row_end, YQ_DTYPE_BF16); break;
    }
}
