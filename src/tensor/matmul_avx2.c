/* AVX2+FMA+F16C row kernel for f32/f16/bf16 weights. Every output element is one 8-lane FMA
 * accumulator over k in steps of 8, a fixed horizontal sum, then the scalar tail, whatever the
 * batch (batch invariance); tiles (matmul_tiles.c) only share loads between elements. */
#include <immintrin.h>

#include "matmul_kernels.h"
#include "simd_avx2.h"

enum { TILE_ROWS = 4, TILE_TOKENS = 2 };

typedef struct {
    float *out;
    const yq_tensor *w;
    const float *x;
} tile_ctx;

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

/* Rows row_ids[0..nr) times tokens t..t+nt. nr and nt are compile-time constants at every call,
 * so the accumulators stay in registers. */
static inline __attribute__((always_inline)) void tile(const tile_ctx *c, const int64_t *row_ids, int nr,
                                                       int t, int nt, yq_dtype dt) {
    const yq_tensor *w = c->w;
    const int64_t cols = w->cols;
    const size_t row_bytes = yq_tensor_row_bytes(w);
    const char *rows[TILE_ROWS];
    const float *xs[TILE_TOKENS];
    __m256 acc[TILE_ROWS][TILE_TOKENS];
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
        rows[i] = (const char *)w->data + (size_t)row_ids[i] * row_bytes;
#pragma GCC unroll 4
    for (int j = 0; j < nt; j++)
        xs[j] = c->x + (size_t)(t + j) * (size_t)cols;
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++)
            acc[i][j] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= cols; k += 8) {
        __m256 wv[TILE_ROWS];
#pragma GCC unroll 4
        for (int i = 0; i < nr; i++)
            wv[i] = load8(rows[i], k, dt);
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++) {
            __m256 xv = _mm256_loadu_ps(xs[j] + k);
#pragma GCC unroll 4
            for (int i = 0; i < nr; i++)
                acc[i][j] = _mm256_fmadd_ps(wv[i], xv, acc[i][j]);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++) {
            float sum = hsum8(acc[i][j]);
            for (int64_t kk = k; kk < cols; kk++)
                sum += load1(rows[i], kk, dt) * xs[j][kk];
            c->out[(size_t)(t + j) * (size_t)w->rows + (size_t)row_ids[i]] = sum;
        }
}

/* The four tile shapes that yq_for_each_tile asks for, each compiled with constant sizes. */
static inline __attribute__((always_inline)) void any_tile(const void *ctx, const int64_t *row_ids, int nr,
                                                           int t, int nt, yq_dtype dt) {
    if (nr == TILE_ROWS && nt == TILE_TOKENS)
        tile(ctx, row_ids, TILE_ROWS, t, TILE_TOKENS, dt);
    else if (nr == TILE_ROWS)
        tile(ctx, row_ids, TILE_ROWS, t, 1, dt);
    else if (nt == TILE_TOKENS)
        tile(ctx, row_ids, 1, t, TILE_TOKENS, dt);
    else
        tile(ctx, row_ids, 1, t, 1, dt);
}

YQ_FLOAT_TILE_FNS(any_tile)

void yq_matmul_rows_avx2(float *out, const yq_tensor *w, const float *x, int n_tokens, int64_t row_begin,
                         int64_t row_end) {
    tile_ctx ctx = {out, w, x};
    yq_tile_fn fn = float_tile_fn(w->dtype);
    yq_for_each_tile(fn, &ctx, n_tokens, row_begin, row_end, TILE_TOKENS);
}
