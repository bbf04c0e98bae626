/* AVX2 row kernel for block-quantized weights against activations quantized to 8 bits once per
 * call (quant_act.h). Each block's dot product is exact in integers (maddubs/madd); each output
 * element is one 8-lane f32 accumulator that takes every block in k order with the same
 * operations whatever the tile, batch or thread count (batch invariance), then a fixed
 * horizontal sum. */
#include <immintrin.h>
#include <string.h>

#include "matmul_kernels.h"
#include "quant_act.h"
#include "quant_blocks.h"
#include "simd_avx2.h"

#define INLINE static inline __attribute__((always_inline))

enum { TILE_ROWS = 4, TILE_TOKENS = 2 };

typedef struct {
    float *out;
    const yq_tensor *w;
    const char *xq;   /* (n_tokens, act_bytes) */
    size_t act_bytes; /* per token */
} tile_ctx;

/* 8 int32 lanes, lane l the sum of u[4l..4l+3] * s[4l..4l+3] for unsigned u and signed s bytes.
 * The int16 pair sums cannot saturate: u <= 128 and |s| <= 127 here (2 * 128 * 127 < 32768). */
INLINE __m256i dot_u8s8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

INLINE __m256i nibble_mask(void) {
    return _mm256_set1_epi8(0x0F);
}

/* Each 16-bit lane shifted left by s (right by -s when negative). Bits that cross into the other
 * byte of a lane land outside the bits the callers keep (|s| <= 4, masks 0x10 / 0x30). */
INLINE __m256i shift16(__m256i v, int s) {
    return s > 0 ? _mm256_slli_epi16(v, s) : s < 0 ? _mm256_srli_epi16(v, -s) : v;
}

/* The 32 nibbles of a 32-block in element order: low nibbles, then high nibbles. */
INLINE __m256i nibbles32(const uint8_t *qs) {
    __m256i q = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)qs));
    return _mm256_and_si256(_mm256_srlv_epi32(q, _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4)), nibble_mask());
}

/* 0x10 in byte i where bit i of the 32-bit qh is set (the fifth bit of Q5_0/Q5_1). */
INLINE __m256i fifth_bits32(const uint8_t *qh) {
    uint32_t bits;
    memcpy(&bits, qh, sizeof bits);
    const __m256i byte_of = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2,
                                             2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ull);
    __m256i v = _mm256_and_si256(_mm256_shuffle_epi8(_mm256_set1_epi32((int)bits), byte_of), bit);
    return _mm256_and_si256(_mm256_cmpeq_epi8(v, bit), _mm256_set1_epi8(0x10));
}

/* acc += d_w * d_a * dot, one lane per 4 elements; `extra` (0 or a min term) joins lane 0. */
INLINE __m256 add_block(__m256 acc, float scale, __m256i dot, float extra, int has_extra) {
    acc = _mm256_fmadd_ps(_mm256_set1_ps(scale), _mm256_cvtepi32_ps(dot), acc);
    if (has_extra) acc = _mm256_add_ps(acc, _mm256_zextps128_ps256(_mm_set_ss(extra)));
    return acc;
}

/* One 32-block: value = d * (q - offset) (Q8_0, Q4_0, Q5_0) or d * q + m (Q4_1, Q5_1). The
 * offset is taken off lane 0 in integers; the min term m * d_a * sum(a) is added to lane 0. */
INLINE __m256 block32(yq_dtype dt, const void *wb, const yq_act_block32 *a, __m256 acc) {
    const __m256i aq = _mm256_loadu_si256((const __m256i *)a->qs);
    switch (dt) {
    case YQ_DTYPE_Q8_0: {
        const block_q8_0 *b = wb;
        __m256i q = _mm256_loadu_si256((const __m256i *)b->qs);
        __m256i dot = dot_u8s8(_mm256_sign_epi8(q, q), _mm256_sign_epi8(aq, q));
        return add_block(acc, _cvtsh_ss(b->d) * a->d, dot, 0, 0);
    }
    case YQ_DTYPE_Q4_0: {
        const block_q4_0 *b = wb;
        __m256i dot = _mm256_sub_epi32(dot_u8s8(nibbles32(b->qs), aq),
                                       _mm256_setr_epi32(8 * a->sum, 0, 0, 0, 0, 0, 0, 0));
        return add_block(acc, _cvtsh_ss(b->d) * a->d, dot, 0, 0);
    }
    case YQ_DTYPE_Q5_0: {
        const block_q5_0 *b = wb;
        __m256i q = _mm256_or_si256(nibbles32(b->qs), fifth_bits32(b->qh));
        __m256i dot = _mm256_sub_epi32(dot_u8s8(q, aq), _mm256_setr_epi32(16 * a->sum, 0, 0, 0, 0, 0, 0, 0));
        return add_block(acc, _cvtsh_ss(b->d) * a->d, dot, 0, 0);
    }
    case YQ_DTYPE_Q4_1: {
        const block_q4_1 *b = wb;
        __m256i dot = dot_u8s8(nibbles32(b->qs), aq);
        return add_block(acc, _cvtsh_ss(b->d) * a->d, dot, _cvtsh_ss(b->m) * a->s, 1);
    }
    case YQ_DTYPE_Q5_1: {
        const block_q5_1 *b = wb;
        __m256i dot = dot_u8s8(_mm256_or_si256(nibbles32(b->qs), fifth_bits32(b->qh)), aq);
        return add_block(acc, _cvtsh_ss(b->d) * a->d, dot, _cvtsh_ss(b->m) * a->s, 1);
    }
    default:
        return acc;
    }
}

/* The 8 6-bit scales and 8 mins of a Q4_K/Q5_K super-block (k_scale_min for all j at once):
 * bytes 0-3 hold scales 0-3 and bytes 4-7 mins 0-3 in their low 6 bits, their top 2 bits the
 * high bits of scales/mins 4-7, whose low nibbles are in bytes 8-11 (scales low, mins high).
 * Returns the scales duplicated, (s0, s0, s1, s1, ...) as int16 in both lanes, so that one
 * _mm256_shuffle_epi32 broadcasts any of them; *mins gets (m0, m0, m1, m1, ..., m7, m7). */
INLINE __m256i k_scales(const uint8_t *packed, __m256i *mins) {
    uint64_t lo;
    uint32_t hi;
    memcpy(&lo, packed, sizeof lo);
    memcpy(&hi, packed + 8, sizeof hi);
    __m128i x = _mm_cvtsi64_si128((long long)lo);                                    /* [s0-3 | m0-3] */
    __m128i y = _mm_srlv_epi32(_mm_set1_epi32((int)hi), _mm_setr_epi32(0, 4, 0, 0)); /* [b8-11, >> 4] */
    __m128i low6 = _mm_and_si128(x, _mm_set1_epi8(0x3f));
    __m128i high = _mm_or_si128(_mm_and_si128(y, _mm_set1_epi8(0x0f)),
                                _mm_and_si128(_mm_srli_epi16(x, 2), _mm_set1_epi8(0x30)));
    __m128i scales = _mm_cvtepu8_epi16(_mm_unpacklo_epi32(low6, high)); /* s0..s7 */
    __m128i mn = _mm_cvtepu8_epi16(_mm_unpacklo_epi32(_mm_srli_si128(low6, 4), _mm_srli_si128(high, 4)));
    *mins = _mm256_setr_m128i(_mm_unpacklo_epi16(mn, mn), _mm_unpackhi_epi16(mn, mn));
    return _mm256_setr_m128i(_mm_unpacklo_epi16(scales, scales), _mm_unpackhi_epi16(scales, scales));
}

/* Scale j (< 8) of k_scales' result in all 16 int16 lanes (immediates spelled out: debug
 * builds do not fold j into a constant). */
INLINE __m256i k_scale(__m256i dup, int j) {
    __m256i half =
        j < 4 ? _mm256_permute2x128_si256(dup, dup, 0x00) : _mm256_permute2x128_si256(dup, dup, 0x11);
    switch (j % 4) {
    case 0:
        return _mm256_shuffle_epi32(half, 0x00);
    case 1:
        return _mm256_shuffle_epi32(half, 0x55);
    case 2:
        return _mm256_shuffle_epi32(half, 0xaa);
    default:
        return _mm256_shuffle_epi32(half, 0xff);
    }
}

/* Q4_K / Q5_K super-block: sum_j scale_j * dot_j in int32, times d * d_a, minus
 * dmin * d_a * sum_j min_j * sum(a over j). */
INLINE __m256 block_k4(const uint8_t *packed_scales, uint16_t d, uint16_t dmin, const uint8_t *qs,
                       const uint8_t *qh, const yq_act_block256 *a, __m256 acc) {
    __m256i mins, isum = _mm256_setzero_si256();
    const __m256i scales = k_scales(packed_scales, &mins);
    const __m256i high = qh ? _mm256_loadu_si256((const __m256i *)qh) : _mm256_setzero_si256();
#pragma GCC unroll 4
    for (int g = 0; g < 4; g++) {
        __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * g));
        __m256i lo = _mm256_and_si256(q, nibble_mask());
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), nibble_mask());
        if (qh) { /* bits 2g and 2g + 1 of each qh byte become the fifth bits (0x10) */
            const __m256i bit4 = _mm256_set1_epi8(0x10);
            lo = _mm256_or_si256(lo, _mm256_and_si256(shift16(high, 4 - 2 * g), bit4));
            hi = _mm256_or_si256(hi, _mm256_and_si256(shift16(high, 3 - 2 * g), bit4));
        }
        __m256i plo = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(a->qs + 64 * g)));
        __m256i phi = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(a->qs + 64 * g + 32)));
        isum = _mm256_add_epi32(isum, _mm256_madd_epi16(plo, k_scale(scales, 2 * g)));
        isum = _mm256_add_epi32(isum, _mm256_madd_epi16(phi, k_scale(scales, 2 * g + 1)));
    }
    __m256i msum = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)a->bsums), mins);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(d) * a->d), _mm256_cvtepi32_ps(isum), acc);
    return _mm256_fnmadd_ps(_mm256_set1_ps(_cvtsh_ss(dmin) * a->d), _mm256_cvtepi32_ps(msum), acc);
}

/* Q6_K super-block: sum_k scale_k * dot_k over sub-blocks of 16 in int32 with q 0..63, less
 * 32 * sum_k scale_k * bsum_k for the offset, times d * d_a. */
INLINE __m256 block_q6K(const block_q6_K *b, const yq_act_block256 *a, __m256 acc) {
    __m256i isum = _mm256_setzero_si256();
    const __m256i bits45 = _mm256_set1_epi8(0x30);
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
        __m128i sc8 = _mm_loadl_epi64((const __m128i *)(b->scales + 8 * h));
        __m256i scales = _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(sc8)); /* 8 scales, both lanes */
        __m256i ql[2] = {_mm256_loadu_si256((const __m256i *)(b->ql + 64 * h)),
                         _mm256_loadu_si256((const __m256i *)(b->ql + 64 * h + 32))};
        __m256i qh = _mm256_loadu_si256((const __m256i *)(b->qh + 32 * h));
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            __m256i nib = j < 2 ? ql[j % 2] : _mm256_srli_epi16(ql[j % 2], 4);
            __m256i top = _mm256_and_si256(shift16(qh, 4 - 2 * j), bits45); /* bits 2j, 2j+1 to 4, 5 */
            __m256i q = _mm256_or_si256(_mm256_and_si256(nib, nibble_mask()), top);
            __m256i p =
                _mm256_maddubs_epi16(q, _mm256_loadu_si256((const __m256i *)(a->qs + 128 * h + 32 * j)));
            /* low lane: sub-block 2j of this half, high lane: 2j + 1 */
            __m256i s = _mm256_shuffle_epi8(
                scales, _mm256_setr_m128i(_mm_set1_epi16((short)(((4 * j + 1) << 8) | (4 * j))),
                                          _mm_set1_epi16((short)(((4 * j + 3) << 8) | (4 * j + 2)))));
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, s));
        }
    }
    __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)b->scales));
    __m256i offset = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)a->bsums), sc16);
    isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(offset, 5));
    return _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(b->d) * a->d), _mm256_cvtepi32_ps(isum), acc);
}

INLINE int is_k(yq_dtype dt) {
    return dt == YQ_DTYPE_Q4_K || dt == YQ_DTYPE_Q5_K || dt == YQ_DTYPE_Q6_K;
}

/* Bytes per weight block (a constant wherever dt is). */
INLINE size_t weight_block_bytes(yq_dtype dt) {
    static const size_t bytes[YQ_DTYPE_COUNT] = {
        [YQ_DTYPE_Q8_0] = sizeof(block_q8_0), [YQ_DTYPE_Q4_0] = sizeof(block_q4_0),
        [YQ_DTYPE_Q4_1] = sizeof(block_q4_1), [YQ_DTYPE_Q5_0] = sizeof(block_q5_0),
        [YQ_DTYPE_Q5_1] = sizeof(block_q5_1), [YQ_DTYPE_Q4_K] = sizeof(block_q4_K),
        [YQ_DTYPE_Q5_K] = sizeof(block_q5_K), [YQ_DTYPE_Q6_K] = sizeof(block_q6_K)};
    return bytes[dt];
}

/* Block b of a weight row against block b of a token's activations. */
INLINE __m256 accumulate(yq_dtype dt, const char *row, const char *act, int64_t b, __m256 acc) {
    const void *wb = row + (size_t)b * weight_block_bytes(dt);
    if (!is_k(dt)) return block32(dt, wb, (const yq_act_block32 *)act + b, acc);
    const yq_act_block256 *a = (const yq_act_block256 *)act + b;
    if (dt == YQ_DTYPE_Q6_K) return block_q6K(wb, a, acc);
    if (dt == YQ_DTYPE_Q4_K) {
        const block_q4_K *k = wb;
        return block_k4(k->scales, k->d, k->dmin, k->qs, NULL, a, acc);
    }
    const block_q5_K *k = wb;
    return block_k4(k->scales, k->d, k->dmin, k->qs, k->qh, a, acc);
}

/* Rows row_ids[0..nr) times tokens t..t+nt, nr and nt compile-time constants. */
INLINE void tile(const tile_ctx *c, const int64_t *row_ids, int nr, int t, int nt, yq_dtype dt) {
    const int64_t n_blocks = c->w->cols / (is_k(dt) ? QK_K : QK32);
    const size_t row_bytes = (size_t)n_blocks * weight_block_bytes(dt);
    const char *rows[TILE_ROWS], *acts[TILE_TOKENS];
    __m256 acc[TILE_ROWS][TILE_TOKENS];
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
        rows[i] = (const char *)c->w->data + (size_t)row_ids[i] * row_bytes;
#pragma GCC unroll 4
    for (int j = 0; j < nt; j++)
        acts[j] = c->xq + (size_t)(t + j) * c->act_bytes;
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++)
            acc[i][j] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n_blocks; b++)
#pragma GCC unroll 4
        for (int i = 0; i < nr; i++)
#pragma GCC unroll 4
            for (int j = 0; j < nt; j++)
                acc[i][j] = accumulate(dt, rows[i], acts[j], b, acc[i][j]);
#pragma GCC unroll 4
    for (int i = 0; i < nr; i++)
#pragma GCC unroll 4
        for (int j = 0; j < nt; j++)
            c->out[(size_t)(t + j) * (size_t)c->w->rows + (size_t)row_ids[i]] = hsum8(acc[i][j]);
}

/* The four tile shapes that yq_for_each_tile asks for, each compiled with constant sizes. */
INLINE void any_tile(const void *ctx, const int64_t *row_ids, int nr, int t, int nt, yq_dtype dt) {
    if (nr == TILE_ROWS && nt == TILE_TOKENS)
        tile(ctx, row_ids, TILE_ROWS, t, TILE_TOKENS, dt);
    else if (nr == TILE_ROWS)
        tile(ctx, row_ids, TILE_ROWS, t, 1, dt);
    else if (nt == TILE_TOKENS)
        tile(ctx, row_ids, 1, t, TILE_TOKENS, dt);
    else
        tile(ctx, row_ids, 1, t, 1, dt);
}

#define TILE_FN(name, dtype)                                                                                 \
    static void name(const void *c, const int64_t *ids, int nr, int t, int nt) {                             \
        any_tile(c, ids, nr, t, nt, dtype);                                                                  \
    }
TILE_FN(tile_q8_0, YQ_DTYPE_Q8_0)
TILE_FN(tile_q4_0, YQ_DTYPE_Q4_0)
TILE_FN(tile_q4_1, YQ_DTYPE_Q4_1)
TILE_FN(tile_q5_0, YQ_DTYPE_Q5_0)
TILE_FN(tile_q5_1, YQ_DTYPE_Q5_1)
TILE_FN(tile_q4_K, YQ_DTYPE_Q4_K)
TILE_FN(tile_q5_K, YQ_DTYPE_Q5_K)
TILE_FN(tile_q6_K, YQ_DTYPE_Q6_K)

void yq_matmul_rows_quant_avx2(float *out, const yq_tensor *w, const void *xq, int n_tokens,
                               int64_t row_begin, int64_t row_end) {
    static const yq_tile_fn tiles[YQ_DTYPE_COUNT] = {
        [YQ_DTYPE_Q8_0] = tile_q8_0, [YQ_DTYPE_Q4_0] = tile_q4_0, [YQ_DTYPE_Q4_1] = tile_q4_1,
        [YQ_DTYPE_Q5_0] = tile_q5_0, [YQ_DTYPE_Q5_1] = tile_q5_1, [YQ_DTYPE_Q4_K] = tile_q4_K,
        [YQ_DTYPE_Q5_K] = tile_q5_K, [YQ_DTYPE_Q6_K] = tile_q6_K};
    tile_ctx ctx = {out, w, xq, yq_act_row_bytes(w->dtype, w->cols)};
    yq_for_each_tile(tiles[w->dtype], &ctx, n_tokens, row_begin, row_end, TILE_TOKENS);
}
