/* AVX-512 row kernel for f32/f16/bf16 weights: tiles of 4 rows x 4 tokens in 16-lane registers.
 * Every output element is one 16-lane FMA accumulator over k in steps of 16, a fixed reduction,
 * then the scalar tail, whatever the batch or tile (batch invariance); tiles only share loads. */
#include <immintrin.h>

#include "matmul_kernels.h"

#define INLINE static inline __attribute__((always_inline))

enum { TILE_ROWS = 4, TILE_TOKENS = 4 };

typedef struct {
    float *out;
    const yq_tensor *w;
    const float *x;
} tile_ctx;

INLINE __m512 load16(const void *row, int64_t k, yq_dtype dt) {
    if (dt == YQ_DTYPE_F32) return _mm512_loadu_ps((const float *)row + k);
    __m256i h = _mm256_loadu_si256((const __m256i *)((const uint16_t *)row + k));
    if (dt == YQ_DTYPE_F16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

INLINE float load1(const void *row, int64_t k, yq_dtype dt) {
    if (dt == YQ_DTYPE_F32) return ((const float *)row)[k];
    uint16_t h = ((const uint16_t *)row)[k];
    return dt == YQ_DTYPE_F16 ? yq_f16_to_f32(h) : yq_bf16_to_f32(h);
}

/* The 16 lanes summed in one fixed order: halves, then the 8-lane order of hsum8. */
INLINE float hsum16(__m512 v) {
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Rows row_ids[0..nr) times tokens t..t+nt, nr and nt compile-time constants at every call. */
INLINE void tile(const tile_ctx *c, const int64_t *row_ids, int nr, int t, int nt, yq_dtype dt) {
    const yq_tensor *w = c->w;
    const int64_t cols = w->cols;
    const size_t row_bytes = yq_tensor_row_bytes(w);
    const char *rows[TILE_ROWS];
    const float *xs[TILE_TOKENS];
    __m512 acc[TILE_ROWS][TILE_TOKENS];
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++) rows[i] = (const char *)w->data + (size_t)row_ids[i] * row_bytes;
#pragma GCC unroll 4
    for (int j = 0; j < nt; j++) xs[j] = c->x + (size_t)(t + j) * (size_t)cols;
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++) acc[i][j] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= cols; k += 16) {
        __m512 wv[TILE_ROWS];
#pragma GCC unroll 4
        for (int i = 0; i < nr; i++) wv[i] = load16(rows[i], k, dt);
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++) {
            __m512 xv = _mm512_loadu_ps(xs[j] + k);
#pragma GCC unroll 4
            for (int i = 0; i < nr; i++) acc[i][j] = _mm512_fmadd_ps(wv[i], xv, acc[i][j]);
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++) {
            float sum = hsum16(acc[i][j]);
            for (int64_t kk = k; kk < cols; kk++) sum += load1(rows[i], kk, dt) * xs[j][kk];
            c->out[(size_t)(t + j) * (size_t)w->rows + (size_t)row_ids[i]] = sum;
        }
}

/* Every tile shape yq_for_each_tile asks for (1 or 4 rows, 1 to 4 tokens) with constant sizes. */
INLINE void any_tile(const void *ctx, const int64_t *ids, int nr, int t, int nt, yq_dtype dt) {
    switch (nt * 8 + (nr == TILE_ROWS)) {
    case 8 + 1: tile(ctx, ids, TILE_ROWS, t, 1, dt); break;
    case 16 + 1: tile(ctx, ids, TILE_ROWS, t, 2, dt); break;
    case 24 + 1: tile(ctx, ids, TILE_ROWS, t, 3, dt); break;
    case 32 + 1: tile(ctx, ids, TILE_ROWS, t, 4, dt); break;
    case 8: tile(ctx, ids, 1, t, 1, dt); break;
    case 16: tile(ctx, ids, 1, t, 2, dt); break;
    case 24: tile(ctx, ids, 1, t, 3, dt); break;
    default: tile(ctx, ids, 1, t, 4, dt); break;
    }
}

YQ_FLOAT_TILE_FNS(any_tile)

void yq_matmul_rows_float_avx512(float *out, const yq_tensor *w, const float *x, int n_tokens, int64_t row_begin,
                                 int64_t row_end) {
    tile_ctx ctx = {out, w, x};
    yq_tile_fn fn = float_tile_fn(w->dtype);
    yq_for_each_tile(fn, &ctx, n_tokens, row_begin, row_end, TILE_TOKENS);
}
