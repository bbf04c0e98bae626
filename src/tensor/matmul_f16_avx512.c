/* AVX-512 kernel for f16 weights packed 16 rows at a time (quant_pack.h): lane r of every
 * vector is row r, so each column step is one widening of the 16 rows' weights, one broadcast
 * of the token's activation and one FMA, with no horizontal sum at the end (the register-
 * blocked GEMM of BLAS libraries). An output's sum runs over k in order with the same operations
 * whatever the tile, batch or thread count (batch invariance). */
#include <immintrin.h>

#include "matmul_kernels.h"
#include "quant_pack.h"

#define INLINE static inline __attribute__((always_inline))

enum { MAX_GROUPS = 4, MAX_TOKENS = 8, TOKEN_CHUNK = 64, GROUP_BYTES_PER_COL = PACK_ROWS * 2 };

typedef struct {
    float *out;
    const yq_tensor *w;
    const float *x;
    size_t group_bytes;
} f16_ctx;

/* Groups gs[0..ng) x tokens t0 .. t0 + nt (compile-time constants: 2 x 1..8, 1 x 1..8, or 4 x 1
 * for decode, whose four groups far apart are four memory streams at once). */
INLINE void tile(const f16_ctx *c, const int64_t *gs, int ng, int t0, int nt) {
    const int64_t cols = c->w->cols;
    const uint8_t *base[MAX_GROUPS];
    const float *xs[MAX_TOKENS];
    __m512 acc[MAX_GROUPS][MAX_TOKENS];
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++) base[i] = (const uint8_t *)c->w->packed + (size_t)gs[i] * c->group_bytes;
#pragma GCC unroll 8
    for (int t = 0; t < nt; t++) xs[t] = c->x + (size_t)(t0 + t) * (size_t)cols;
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++)
#pragma GCC unroll 8
        for (int t = 0; t < nt; t++) acc[i][t] = _mm512_setzero_ps();
    for (int64_t k = 0; k < cols; k++) {
        __m512 w[MAX_GROUPS];
#pragma GCC unroll 8
        for (int i = 0; i < ng; i++)
            w[i] = _mm512_cvtph_ps(_mm256_load_si256((const __m256i *)(base[i] + (size_t)k * GROUP_BYTES_PER_COL)));
#pragma GCC unroll 8
        for (int t = 0; t < nt; t++) {
            __m512 xv = _mm512_set1_ps(xs[t][k]);
#pragma GCC unroll 8
            for (int i = 0; i < ng; i++) acc[i][t] = _mm512_fmadd_ps(w[i], xv, acc[i][t]);
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++)
#pragma GCC unroll 8
        for (int t = 0; t < nt; t++)
            _mm512_storeu_ps(c->out + (size_t)(t0 + t) * (size_t)c->w->rows + (size_t)gs[i] * PACK_ROWS, acc[i][t]);
}

/* Groups gs[0..ng) (1 or 2) against tokens [t, te), eight at a time, then the rest. */
INLINE void token_tiles(const f16_ctx *c, const int64_t *gs, int ng, int t, int te) {
    for (; t + MAX_TOKENS <= te; t += MAX_TOKENS) tile(c, gs, ng, t, MAX_TOKENS);
    switch (te - t) {
    case 7: tile(c, gs, ng, t, 7); break;
    case 6: tile(c, gs, ng, t, 6); break;
    case 5: tile(c, gs, ng, t, 5); break;
    case 4: tile(c, gs, ng, t, 4); break;
    case 3: tile(c, gs, ng, t, 3); break;
    case 2: tile(c, gs, ng, t, 2); break;
    case 1: tile(c, gs, ng, t, 1); break;
    default: break;
    }
}

void yq_matmul_rows_packed_f16_avx512(float *out, const yq_tensor *w, const float *x, int n_tokens, int64_t row_begin,
                                      int64_t row_end) {
    f16_ctx c = {out, w, x, yq_pack_layout_of(YQ_DTYPE_F16, w->rows, w->cols).group_bytes};
    int64_t g0 = row_begin / PACK_ROWS, g1 = row_end / PACK_ROWS;
    if (n_tokens == 1) { /* four groups a quarter of the range apart, then the rest */
        int64_t quarter = (g1 - g0) / MAX_GROUPS;
        for (int64_t g = g0; g < g0 + quarter; g++) {
            int64_t gs[MAX_GROUPS] = {g, g + quarter, g + 2 * quarter, g + 3 * quarter};
            tile(&c, gs, MAX_GROUPS, 0, 1);
        }
        for (int64_t g = g0 + MAX_GROUPS * quarter; g < g1; g++) tile(&c, &g, 1, 0, 1);
        return;
    }
    for (int tb = 0; tb < n_tokens; tb += TOKEN_CHUNK) {
        int te = tb + TOKEN_CHUNK < n_tokens ? tb + TOKEN_CHUNK : n_tokens;
        int64_t g = g0;
        for (; g + 2 <= g1; g += 2) token_tiles(&c, (int64_t[]){g, g + 1}, 2, tb, te);
        if (g < g1) token_tiles(&c, &g, 1, tb, te);
    }
}
