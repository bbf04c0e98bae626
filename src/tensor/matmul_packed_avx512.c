/* AVX-512 VNNI kernel for weights packed 16 rows at a time (quant_pack.h) against activations
 * quantized to 8 bits once per call (quant_act.h). Lane r of every vector is row r of the
 * group: vpdpbusd adds four byte products per row, so each block's dot product is exact in one
 * int32 lane; then out_r += (d_r * d_a) * dot_r, block after block in k order. The same
 * operations run for a token whatever the tile, batch or thread count (batch invariance). */
#include <immintrin.h>
#include <string.h>

#include "matmul_kernels.h"
#include "quant_act.h"
#include "quant_blocks.h"
#include "quant_pack.h"

#define INLINE static inline __attribute__((always_inline))

/* Prefill: 32-blocks by panels of one group x up to TOKEN_CHUNK tokens; K-quants by tiles of one
 * group x up to 8 tokens (4 for Q4_K and Q5_K, whose per-token sums fill the registers).
 * Decode: tiles of two groups x 1 token. */
enum { TILE_TOKENS = 8, Q4K_TILE_TOKENS = 4, TOKEN_CHUNK = 64, DECODE_GROUPS = 2 };

typedef struct {
    float *out;
    const yq_tensor *w;
    const char *xq;   /* (n_tokens, act_bytes) */
    size_t act_bytes; /* per token */
    yq_pack_layout layout;
    const uint8_t *packed;
} packed_ctx;

/* Four activation bytes in every lane. */
INLINE __m512i bcast4(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return _mm512_set1_epi32(v);
}

INLINE __m512i lane_load(const uint8_t *p) {
    return _mm512_load_si512((const void *)p);
}

INLINE __m512 f16x16(const uint8_t *p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

/* acc += d_w * d_a * dot, all 16 rows. */
INLINE __m512 add_scaled(__m512 acc, __m512 dw, float da, __m512i dot) {
    return _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_set1_ps(da)), _mm512_cvtepi32_ps(dot), acc);
}

/* The dot products of 16 rows' `n` 4-byte chunks w[0..n) with activation bytes a[4c..], two
 * independent chains. */
INLINE __m512i dot_chunks(const __m512i *w, const int8_t *a, int n) {
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int c = 0; c < n; c += 2) {
        s0 = _mm512_dpbusd_epi32(s0, w[c], bcast4(a + 4 * c));
        s1 = _mm512_dpbusd_epi32(s1, w[c + 1], bcast4(a + 4 * c + 4));
    }
    return _mm512_add_epi32(s0, s1);
}

/* Q4_1 and Q5_1: value = d * q + m, whose min term m * d_a * sum(a) is added per block. */
INLINE int has_min(yq_dtype dt) { return dt == YQ_DTYPE_Q4_1 || dt == YQ_DTYPE_Q5_1; }

/* A 32-block (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) of a group as bytes in w[0..8) (4- and 5-bit types:
 * chunks 4..7 are elements 16..), its row scales, its row mins (Q4_1, Q5_1) and the offset the
 * bytes carry. */
INLINE void unpack32(yq_dtype dt, const uint8_t *qs, const uint8_t *meta, __m512i *w, __m512 *dw, __m512 *dm,
                     int *offset) {
    *dm = _mm512_setzero_ps();
    if (dt == YQ_DTYPE_Q8_0) {
#pragma GCC unroll 8
        for (int c = 0; c < 8; c++) w[c] = lane_load(qs + c * PACK_LANE_BYTES);
        *dw = f16x16(meta);
        *offset = 128;
        return;
    }
    const __m512i mask = _mm512_set1_epi8(0x0F);
#pragma GCC unroll 8
    for (int c = 0; c < 4; c++) {
        __m512i v = lane_load(qs + c * PACK_LANE_BYTES);
        w[c] = _mm512_and_si512(v, mask);
        w[4 + c] = _mm512_and_si512(_mm512_srli_epi16(v, 4), mask);
    }
    const int fifth_bits = dt == YQ_DTYPE_Q5_0 || dt == YQ_DTYPE_Q5_1;
    if (fifth_bits) { /* +16 in the bytes the masks select */
        const __m512i bit4 = _mm512_set1_epi8(0x10);
#pragma GCC unroll 8
        for (int k = 0; k < 8; k++) {
            __mmask64 fifth;
            memcpy(&fifth, meta + 8 * k, sizeof fifth);
            w[k] = _mm512_mask_add_epi8(w[k], fifth, w[k], bit4);
        }
        meta += 64;
    }
    *dw = f16x16(meta);
    if (has_min(dt)) *dm = f16x16(meta + 2 * PACK_ROWS);
    *offset = has_min(dt) ? 0 : fifth_bits ? 16 : 8;
}

/* acc += d_m * s_a (s_a = d_a * sum(a)), for the types with a min. */
INLINE __m512 add_min(yq_dtype dt, __m512 acc, __m512 dm, const yq_act_block32 *a) {
    return has_min(dt) ? _mm512_fmadd_ps(dm, _mm512_set1_ps(a->s), acc) : acc;
}

/* acc += d_w * d_a * (w . a - offset * sum(a)) (+ the min term) for one token: two chains (latency) or one with
 * the offset first (when other tokens fill the pipeline); the integer sums are the same. */
INLINE __m512 token32(yq_dtype dt, const __m512i *w, __m512 dw, __m512 dm, int offset, const yq_act_block32 *a,
                      int chains, __m512 acc) {
    __m512i dot;
    if (chains == 2) {
        dot = _mm512_sub_epi32(dot_chunks(w, a->qs, 8), _mm512_set1_epi32(offset * a->sum));
    } else {
        dot = _mm512_set1_epi32(-offset * a->sum);
#pragma GCC unroll 8
        for (int c = 0; c < 8; c++) dot = _mm512_dpbusd_epi32(dot, w[c], bcast4(a->qs + 4 * c));
    }
    return add_min(dt, add_scaled(acc, dw, a->d, dot), dm, a);
}

/* Q4_0 and Q4_1 in decode, token32's integer sum another way: the high nibbles stay in place
 * (16 times their value, masked with 0xF0, with no shift) in a chain of their own, shifted
 * back once at the end; two operations less per vector than unpack32. */
INLINE __m512 q4_block32(yq_dtype dt, const uint8_t *qs, const uint8_t *meta, const __m512i *bc,
                         const yq_act_block32 *a, __m512 acc) {
    const __m512i low = _mm512_set1_epi8(0x0F), high = _mm512_set1_epi8((char)0xF0);
    __m512i s_low = _mm512_setzero_si512(), s_high = _mm512_setzero_si512();
#pragma GCC unroll 4
    for (int c = 0; c < 4; c++) {
        __m512i v = lane_load(qs + c * PACK_LANE_BYTES);
        s_low = _mm512_dpbusd_epi32(s_low, _mm512_and_si512(v, low), bc[c]);
        s_high = _mm512_dpbusd_epi32(s_high, _mm512_and_si512(v, high), bc[4 + c]);
    }
    __m512i dot = _mm512_add_epi32(s_low, _mm512_srai_epi32(s_high, 4));
    if (!has_min(dt)) return add_scaled(acc, f16x16(meta), a->d, _mm512_sub_epi32(dot, _mm512_set1_epi32(8 * a->sum)));
    return add_min(dt, add_scaled(acc, f16x16(meta), a->d, dot), f16x16(meta + 2 * PACK_ROWS), a);
}

/* One 32-block of ng groups against one token (decode): token32's operations with two chains for
 * each group, with each activation broadcast shared by the groups. */
INLINE void block32_groups(yq_dtype dt, const uint8_t *const *qs, const uint8_t *const *meta, const yq_act_block32 *a,
                           int ng, __m512 *acc) {
    __m512i bc[8];
#pragma GCC unroll 8
    for (int c = 0; c < 8; c++) bc[c] = bcast4(a->qs + 4 * c);
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++) {
        if (dt == YQ_DTYPE_Q4_0 || dt == YQ_DTYPE_Q4_1) {
            acc[i] = q4_block32(dt, qs[i], meta[i], bc, a, acc[i]);
            continue;
        }
        __m512i w[8];
        __m512 dw, dm;
        int offset;
        unpack32(dt, qs[i], meta[i], w, &dw, &dm, &offset);
        __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
#pragma GCC unroll 8
        for (int c = 0; c < 8; c += 2) {
            s0 = _mm512_dpbusd_epi32(s0, w[c], bc[c]);
            s1 = _mm512_dpbusd_epi32(s1, w[c + 1], bc[c + 1]);
        }
        __m512i dot = _mm512_sub_epi32(_mm512_add_epi32(s0, s1), _mm512_set1_epi32(offset * a->sum));
        acc[i] = add_min(dt, add_scaled(acc[i], dw, a->d, dot), dm, a);
    }
}

/* Block b of group g against nt tokens whose sums are acc[0..nt), which the first block writes
 * rather than adds to. */
INLINE void panel32_block(const packed_ctx *c, int64_t g, const char *xq, int64_t b, int nt, yq_dtype dt,
                          __m512 *acc, int first) {
    __m512i w[8];
    __m512 dw, dm;
    int offset;
    unpack32(dt, yq_pack_qs(&c->layout, c->packed, g, b), yq_pack_meta(&c->layout, c->packed, g, b), w, &dw, &dm,
             &offset);
    int t = 0;
    for (; t + 4 <= nt; t += 4)
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++) {
            const yq_act_block32 *a = (const yq_act_block32 *)(xq + (size_t)(t + i) * c->act_bytes) + b;
            acc[t + i] = token32(dt, w, dw, dm, offset, a, 1, first ? _mm512_setzero_ps() : acc[t + i]);
        }
    for (; t < nt; t++) {
        const yq_act_block32 *a = (const yq_act_block32 *)(xq + (size_t)t * c->act_bytes) + b;
        acc[t] = token32(dt, w, dw, dm, offset, a, 2, first ? _mm512_setzero_ps() : acc[t]);
    }
}

/* Prefill of one group against tokens [t0, t0 + nt), nt <= TOKEN_CHUNK, for the 32-blocks: each
 * block unpacked once for all the tokens, four tokens' chains at a time; the next
 * group's bytes are prefetched meanwhile (new groups start where the hardware prefetcher has
 * not yet caught on). */
INLINE void panel32(const packed_ctx *c, int64_t g, int t0, int nt, yq_dtype dt) {
    const char *xq = c->xq + (size_t)t0 * c->act_bytes;
    const char *next = (const char *)c->packed + (size_t)(g + 1) * c->layout.group_bytes;
    __m512 acc[TOKEN_CHUNK];
    const size_t ahead = (c->layout.group_bytes / (size_t)c->layout.n_blocks + 63) & ~(size_t)63;
    for (int64_t b = 0; b < c->layout.n_blocks; b++) {
        for (size_t o = 0; o < ahead; o += 64) _mm_prefetch(next + (size_t)b * ahead + o, _MM_HINT_T0);
        if (b == 0) panel32_block(c, g, xq, b, nt, dt, acc, 1);
        else panel32_block(c, g, xq, b, nt, dt, acc, 0);
    }
    for (int t = 0; t < nt; t++)
        _mm512_storeu_ps(c->out + (size_t)(t0 + t) * (size_t)c->w->rows + (size_t)g * PACK_ROWS, acc[t]);
}

/* Bytes from one sub-block pair's vectors to the next. */
INLINE size_t k4_pair_bytes(yq_dtype dt) { return dt == YQ_DTYPE_Q5_K ? PACK_Q5K_PAIR_BYTES : 8 * PACK_LANE_BYTES; }

/* Where a pair's vectors start (Q5_K: after its masks). */
INLINE size_t k4_vec_offset(yq_dtype dt) { return dt == YQ_DTYPE_Q5_K ? PACK_Q5K_MASK_BYTES : 0; }

/* Q5_K: +16 in the bytes of vector c of a pair (at `pair`), low (h = 0) or high nibbles, that
 * have a fifth bit. */
INLINE __m512i q5K_fifth(yq_dtype dt, __m512i v, const uint8_t *pair, int h, int c) {
    if (dt != YQ_DTYPE_Q5_K) return v;
    __mmask64 fifth;
    memcpy(&fifth, pair + (h * 8 + c) * 8, sizeof fifth);
    return _mm512_mask_add_epi8(v, fifth, v, _mm512_set1_epi8(0x10));
}

/* Vector c of a Q4_K or Q5_K super-block's sub-block pair g: the values (0..31) of sub-block
 * 2g in *lo, of 2g + 1 in *hi. */
INLINE void k4_vectors(yq_dtype dt, const uint8_t *qs, int g, int c, __m512i *lo, __m512i *hi) {
    const __m512i mask = _mm512_set1_epi8(0x0F);
    const uint8_t *pair = qs + g * k4_pair_bytes(dt);
    __m512i v = lane_load(pair + k4_vec_offset(dt) + c * PACK_LANE_BYTES);
    *lo = q5K_fifth(dt, _mm512_and_si512(v, mask), pair, 0, c);
    *hi = q5K_fifth(dt, _mm512_and_si512(_mm512_srli_epi16(v, 4), mask), pair, 1, c);
}

/* A whole super-block's vectors: u[16g + c] (sub-block 2g) and u[16g + 8 + c] (2g + 1). */
INLINE void unpack_k4(yq_dtype dt, const uint8_t *qs, __m512i *u) {
#pragma GCC unroll 1
    for (int g = 0; g < 4; g++)
#pragma GCC unroll 8
        for (int c = 0; c < 8; c++) k4_vectors(dt, qs, g, c, &u[16 * g + c], &u[16 * g + 8 + c]);
}

/* One Q4_K or Q5_K super-block of a group against nt tokens: sum_j sc_j * dot_j in int32, times
 * d * d_a, less dmin * d_a * sum_j min_j * sum(a over sub-block j). Its vectors come from u
 * (unpack_k4) or, when u is NULL, straight from the packed bytes at qs. */
INLINE void block_q4K(yq_dtype dt, const uint8_t *qs, const __m512i *u, const uint8_t *meta,
                      const yq_act_block256 *const *a, int nt, __m512 *acc) {
    __m512i isum[Q4K_TILE_TOKENS], msum[Q4K_TILE_TOKENS];
#pragma GCC unroll 8
    for (int t = 0; t < nt; t++) isum[t] = msum[t] = _mm512_setzero_si512();
#pragma GCC unroll 1
    for (int g = 0; g < 4; g++) { /* sub-blocks 2g (low nibbles) and 2g + 1 (high) */
        __m512i dlo[Q4K_TILE_TOKENS], dhi[Q4K_TILE_TOKENS];
#pragma GCC unroll 8
        for (int t = 0; t < nt; t++) dlo[t] = dhi[t] = _mm512_setzero_si512();
#pragma GCC unroll 8
        for (int c = 0; c < 8; c++) {
            __m512i lo, hi;
            if (u) lo = u[16 * g + c], hi = u[16 * g + 8 + c];
            else k4_vectors(dt, qs, g, c, &lo, &hi);
#pragma GCC unroll 8
            for (int t = 0; t < nt; t++) {
                dlo[t] = _mm512_dpbusd_epi32(dlo[t], lo, bcast4(a[t]->qs + 64 * g + 4 * c));
                dhi[t] = _mm512_dpbusd_epi32(dhi[t], hi, bcast4(a[t]->qs + 64 * g + 32 + 4 * c));
            }
        }
        __m512i sc_lo = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(meta + 64 + 2 * g * PACK_ROWS)));
        __m512i sc_hi = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(meta + 64 + (2 * g + 1) * PACK_ROWS)));
#pragma GCC unroll 8
        for (int t = 0; t < nt; t++)
            isum[t] = _mm512_add_epi32(isum[t], _mm512_add_epi32(_mm512_mullo_epi32(dlo[t], sc_lo),
                                                                 _mm512_mullo_epi32(dhi[t], sc_hi)));
    }
    const uint8_t *mins = meta + 64 + 8 * PACK_ROWS;
#pragma GCC unroll 8
    for (int t = 0; t < nt; t++) {
        const int16_t *bs = a[t]->bsums;
#pragma GCC unroll 8
        for (int p = 0; p < 4; p++) {
            int32_t s0 = bs[4 * p] + bs[4 * p + 1], s1 = bs[4 * p + 2] + bs[4 * p + 3];
            __m512i pair = _mm512_set1_epi32((int32_t)(((uint32_t)s1 << 16) | (uint16_t)s0));
            msum[t] = _mm512_dpwssd_epi32(msum[t], _mm512_loadu_si512((const void *)(mins + p * PACK_LANE_BYTES)), pair);
        }
        float da = a[t]->d;
        acc[t] = add_scaled(acc[t], f16x16(meta), da, isum[t]);
        acc[t] = _mm512_fnmadd_ps(_mm512_mul_ps(f16x16(meta + 32), _mm512_set1_ps(da)), _mm512_cvtepi32_ps(msum[t]),
                                  acc[t]);
    }
}

/* One Q4_K or Q5_K super-block of ng groups against one token (decode): block_q4K's operations
 * for each group, with each activation broadcast shared by the groups. */
INLINE void block_q4K_groups(yq_dtype dt, const uint8_t *const *qs, const uint8_t *const *meta, const yq_act_block256 *a, int ng,
                             __m512 *acc) {
    __m512i isum[DECODE_GROUPS], msum[DECODE_GROUPS];
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++) isum[i] = msum[i] = _mm512_setzero_si512();
#pragma GCC unroll 1
    for (int g = 0; g < 4; g++) {
        __m512i dlo[DECODE_GROUPS], dhi[DECODE_GROUPS];
#pragma GCC unroll 8
        for (int i = 0; i < ng; i++) dlo[i] = dhi[i] = _mm512_setzero_si512();
#pragma GCC unroll 8
        for (int c = 0; c < 8; c++) {
            __m512i blo = bcast4(a->qs + 64 * g + 4 * c), bhi = bcast4(a->qs + 64 * g + 32 + 4 * c);
#pragma GCC unroll 8
            for (int i = 0; i < ng; i++) {
                __m512i lo, hi;
                k4_vectors(dt, qs[i], g, c, &lo, &hi);
                dlo[i] = _mm512_dpbusd_epi32(dlo[i], lo, blo);
                dhi[i] = _mm512_dpbusd_epi32(dhi[i], hi, bhi);
            }
        }
#pragma GCC unroll 8
        for (int i = 0; i < ng; i++) {
            const uint8_t *sc = meta[i] + 64 + 2 * g * PACK_ROWS;
            __m512i sc_lo = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)sc));
            __m512i sc_hi = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(sc + PACK_ROWS)));
            isum[i] = _mm512_add_epi32(isum[i], _mm512_add_epi32(_mm512_mullo_epi32(dlo[i], sc_lo),
                                                                 _mm512_mullo_epi32(dhi[i], sc_hi)));
        }
    }
#pragma GCC unroll 8
    for (int p = 0; p < 4; p++) {
        int32_t s0 = a->bsums[4 * p] + a->bsums[4 * p + 1], s1 = a->bsums[4 * p + 2] + a->bsums[4 * p + 3];
        __m512i pair = _mm512_set1_epi32((int32_t)(((uint32_t)s1 << 16) | (uint16_t)s0));
#pragma GCC unroll 8
        for (int i = 0; i < ng; i++)
            msum[i] = _mm512_dpwssd_epi32(
                msum[i], _mm512_loadu_si512((const void *)(meta[i] + 64 + 8 * PACK_ROWS + p * PACK_LANE_BYTES)), pair);
    }
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++) {
        acc[i] = add_scaled(acc[i], f16x16(meta[i]), a->d, isum[i]);
        acc[i] = _mm512_fnmadd_ps(_mm512_mul_ps(f16x16(meta[i] + 32), _mm512_set1_ps(a->d)),
                                  _mm512_cvtepi32_ps(msum[i]), acc[i]);
    }
}

/* The four vectors of a Q6_K sub-block (16 rows x 16 values 0..63) from its three stored ones
 * (quant_pack.h): the first three are their bits 0-5, the fourth gathers their bits 6-7. */
INLINE void q6K_vectors(const uint8_t *p, __m512i *v) {
    const __m512i low6 = _mm512_set1_epi8(0x3F);
    __m512i s0 = lane_load(p), s1 = lane_load(p + PACK_LANE_BYTES), s2 = lane_load(p + 2 * PACK_LANE_BYTES);
    v[0] = _mm512_and_si512(s0, low6);
    v[1] = _mm512_and_si512(s1, low6);
    v[2] = _mm512_and_si512(s2, low6);
    /* bits 6-7 of s0, s1, s2 to bits 0-1, 2-3, 4-5 (16-bit shifts: the bits each byte takes
     * from its neighbour fall outside the ones selected); 0xE4 selects "C ? A : B" */
    __m512i pairs01 = _mm512_ternarylogic_epi32(_mm512_srli_epi16(s0, 6), _mm512_srli_epi16(s1, 4),
                                                _mm512_set1_epi8(0x03), 0xE4);
    __m512i pairs012 = _mm512_ternarylogic_epi32(pairs01, _mm512_srli_epi16(s2, 2), _mm512_set1_epi8(0x0F), 0xE4);
    v[3] = _mm512_and_si512(pairs012, low6);
}

/* One Q6_K super-block of a group against nt tokens: sum_j sc_j * (dot_j - 32 * bsum_j) over
 * the 16 sub-blocks of 16 in int32, times d * d_a. */
INLINE void block_q6K(const uint8_t *qs, const uint8_t *meta, const yq_act_block256 *const *a, int nt,
                      __m512 *acc) {
    __m512i isum[TILE_TOKENS];
#pragma GCC unroll 8
    for (int t = 0; t < nt; t++) isum[t] = _mm512_setzero_si512();
#pragma GCC unroll 2
    for (int j = 0; j < 16; j++) {
        __m512i w[4];
        q6K_vectors(qs + 3 * j * PACK_LANE_BYTES, w);
        __m512i sc = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(meta + j * PACK_ROWS)));
#pragma GCC unroll 8
        for (int t = 0; t < nt; t++) {
            __m512i dot = dot_chunks(w, a[t]->qs + 16 * j, 4);
            dot = _mm512_sub_epi32(dot, _mm512_set1_epi32(32 * a[t]->bsums[j]));
            isum[t] = _mm512_add_epi32(isum[t], _mm512_mullo_epi32(dot, sc));
        }
    }
    __m512 dw = f16x16(meta + 16 * PACK_ROWS);
#pragma GCC unroll 8
    for (int t = 0; t < nt; t++) acc[t] = add_scaled(acc[t], dw, a[t]->d, isum[t]);
}

/* One Q6_K super-block of ng groups against one token (decode): block_q6K's operations for
 * each group, with each activation broadcast shared by the groups. */
INLINE void block_q6K_groups(const uint8_t *const *qs, const uint8_t *const *meta, const yq_act_block256 *a, int ng,
                             __m512 *acc) {
    __m512i isum[DECODE_GROUPS];
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++) isum[i] = _mm512_setzero_si512();
#pragma GCC unroll 2
    for (int j = 0; j < 16; j++) {
        __m512i b0 = bcast4(a->qs + 16 * j), b1 = bcast4(a->qs + 16 * j + 4);
        __m512i b2 = bcast4(a->qs + 16 * j + 8), b3 = bcast4(a->qs + 16 * j + 12);
        __m512i offset = _mm512_set1_epi32(32 * a->bsums[j]);
#pragma GCC unroll 8
        for (int i = 0; i < ng; i++) {
            __m512i w[4];
            q6K_vectors(qs[i] + 3 * j * PACK_LANE_BYTES, w);
            __m512i s0 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[0], b0);
            __m512i s1 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w[1], b1);
            s0 = _mm512_dpbusd_epi32(s0, w[2], b2);
            s1 = _mm512_dpbusd_epi32(s1, w[3], b3);
            __m512i sc = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(meta[i] + j * PACK_ROWS)));
            isum[i] = _mm512_add_epi32(isum[i],
                                       _mm512_mullo_epi32(_mm512_sub_epi32(_mm512_add_epi32(s0, s1), offset), sc));
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++) acc[i] = add_scaled(acc[i], f16x16(meta[i] + 16 * PACK_ROWS), a->d, isum[i]);
}

/* K-quant block b of group g against nt tokens into acc[0..nt) (prefill). */
INLINE void group_block(const packed_ctx *c, int64_t g, const char *const *acts, int64_t b, int nt, yq_dtype dt,
                        __m512 *acc) {
    const uint8_t *qs = yq_pack_qs(&c->layout, c->packed, g, b), *meta = yq_pack_meta(&c->layout, c->packed, g, b);
    const yq_act_block256 *a[TILE_TOKENS];
#pragma GCC unroll 8
    for (int t = 0; t < nt; t++) a[t] = (const yq_act_block256 *)acts[t] + b;
    if (dt == YQ_DTYPE_Q6_K) block_q6K(qs, meta, a, nt, acc);
    else block_q4K(dt, qs, NULL, meta, a, nt, acc);
}

/* Block b of groups gs[0..ng) against one token (decode), each activation broadcast shared. */
INLINE void decode_block(const packed_ctx *c, const int64_t *gs, int ng, const char *act, int64_t b, yq_dtype dt,
                         __m512 *acc) {
    const uint8_t *qs[DECODE_GROUPS], *meta[DECODE_GROUPS];
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++) {
        qs[i] = yq_pack_qs(&c->layout, c->packed, gs[i], b);
        meta[i] = yq_pack_meta(&c->layout, c->packed, gs[i], b);
    }
    if (dt == YQ_DTYPE_Q4_K || dt == YQ_DTYPE_Q5_K)
        block_q4K_groups(dt, qs, meta, (const yq_act_block256 *)act + b, ng, acc);
    else if (dt == YQ_DTYPE_Q6_K) block_q6K_groups(qs, meta, (const yq_act_block256 *)act + b, ng, acc);
    else block32_groups(dt, qs, meta, (const yq_act_block32 *)act + b, ng, acc);
}

/* Groups gs[0..ng) against tokens t0 .. t0 + nt (ng, nt compile-time constants: 1 x 1..8 for
 * K-quant prefill, or 2 x 1 for decode, whose two groups far apart are two memory streams at
 * once). Each group and token gets the same operations in every shape. */
INLINE void tile(const packed_ctx *c, const int64_t *gs, int ng, int t0, int nt, yq_dtype dt) {
    const char *acts[TILE_TOKENS];
    __m512 acc[DECODE_GROUPS][TILE_TOKENS];
#pragma GCC unroll 8
    for (int t = 0; t < nt; t++) acts[t] = c->xq + (size_t)(t0 + t) * c->act_bytes;
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++)
#pragma GCC unroll 8
        for (int t = 0; t < nt; t++) acc[i][t] = _mm512_setzero_ps();
    const size_t ahead = (c->layout.group_bytes / (size_t)c->layout.n_blocks + 63) & ~(size_t)63;
    const char *next = (const char *)c->packed + (size_t)(gs[0] + 1) * c->layout.group_bytes;
    for (int64_t b = 0; b < c->layout.n_blocks; b++) {
        if (ng == 1 && nt > 1 && t0 % TOKEN_CHUNK == 0) /* prefill: the next group's quants on their way */
            for (size_t o = 0; o < ahead; o += 64) _mm_prefetch(next + (size_t)b * ahead + o, _MM_HINT_T1);
        if (nt == 1) {
            __m512 acc1[DECODE_GROUPS];
#pragma GCC unroll 8
            for (int i = 0; i < ng; i++) acc1[i] = acc[i][0];
            decode_block(c, gs, ng, acts[0], b, dt, acc1);
#pragma GCC unroll 8
            for (int i = 0; i < ng; i++) acc[i][0] = acc1[i];
            continue;
        }
#pragma GCC unroll 8
        for (int i = 0; i < ng; i++) group_block(c, gs[i], acts, b, nt, dt, acc[i]);
    }
#pragma GCC unroll 8
    for (int i = 0; i < ng; i++)
#pragma GCC unroll 8
        for (int t = 0; t < nt; t++)
            _mm512_storeu_ps(c->out + (size_t)(t0 + t) * (size_t)c->w->rows + (size_t)gs[i] * PACK_ROWS, acc[i][t]);
}

/* One token: groups two at a time, half the range apart (two memory streams; with four, Q8_0
 * and the K-quants streamed slower from memory: one-thread decode of Qwen2.5-shaped files ran
 * 2-16% faster with two, Q4_0 and Q5_0 ran the same); the leftover group on its own. */
INLINE void decode_groups(const packed_ctx *c, int64_t g0, int64_t g1, yq_dtype dt) {
    int64_t part = (g1 - g0) / DECODE_GROUPS;
    for (int64_t g = g0; g < g0 + part; g++) {
        int64_t gs[DECODE_GROUPS];
        for (int i = 0; i < DECODE_GROUPS; i++) gs[i] = g + i * part;
        tile(c, gs, DECODE_GROUPS, 0, 1, dt);
    }
    for (int64_t g = g0 + DECODE_GROUPS * part; g < g1; g++) tile(c, &g, 1, 0, 1, dt);
}

/* Tokens [t, t + nt) of a panel_q5K chunk (acts: the chunk's activations) against super-block b. */
INLINE void tokens_q5K(const packed_ctx *c, const char *acts, int t, int nt, int64_t b, const __m512i *u,
                       const uint8_t *meta, __m512 *acc) {
    const yq_act_block256 *a[Q4K_TILE_TOKENS];
#pragma GCC unroll 8
    for (int i = 0; i < nt; i++) a[i] = (const yq_act_block256 *)(acts + (size_t)(t + i) * c->act_bytes) + b;
    block_q4K(YQ_DTYPE_Q5_K, NULL, u, meta, a, nt, acc + t);
}

/* Q5_K prefill of one group against tokens [t0, t0 + nt), nt <= TOKEN_CHUNK: each super-block
 * unpacked once for all the tokens (its fifth bits make unpacking cost about as much as four
 * tokens' dot products; for Q4_K the round trip through memory costs more than unpacking per
 * tile of four), then block_q4K four tokens at a time; the next group's bytes are prefetched
 * meanwhile. */
INLINE void panel_q5K(const packed_ctx *c, int64_t g, int t0, int nt) {
    const yq_dtype dt = YQ_DTYPE_Q5_K;
    const char *acts = c->xq + (size_t)t0 * c->act_bytes;
    const char *next = (const char *)c->packed + (size_t)(g + 1) * c->layout.group_bytes;
    const size_t ahead = (c->layout.group_bytes / (size_t)c->layout.n_blocks + 63) & ~(size_t)63;
    __m512 acc[TOKEN_CHUNK];
    for (int t = 0; t < nt; t++) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < c->layout.n_blocks; b++) {
        for (size_t o = 0; o < ahead; o += 64) _mm_prefetch(next + (size_t)b * ahead + o, _MM_HINT_T1);
        __m512i u[64];
        unpack_k4(dt, yq_pack_qs(&c->layout, c->packed, g, b), u);
        const uint8_t *meta = yq_pack_meta(&c->layout, c->packed, g, b);
        int t = 0;
        for (; t + Q4K_TILE_TOKENS <= nt; t += Q4K_TILE_TOKENS) tokens_q5K(c, acts, t, Q4K_TILE_TOKENS, b, u, meta, acc);
        switch (nt - t) {
        case 3: tokens_q5K(c, acts, t, 3, b, u, meta, acc); break;
        case 2: tokens_q5K(c, acts, t, 2, b, u, meta, acc); break;
        case 1: tokens_q5K(c, acts, t, 1, b, u, meta, acc); break;
        default: break;
        }
    }
    for (int t = 0; t < nt; t++)
        _mm512_storeu_ps(c->out + (size_t)(t0 + t) * (size_t)c->w->rows + (size_t)g * PACK_ROWS, acc[t]);
}

/* Groups [g0, g1) x all tokens, in chunks of 64 tokens whose activations stay in cache. */
INLINE void run_groups(const packed_ctx *c, int n_tokens, int64_t g0, int64_t g1, yq_dtype dt) {
    if (n_tokens == 1) {
        decode_groups(c, g0, g1, dt);
        return;
    }
    const int is_k = dt == YQ_DTYPE_Q4_K || dt == YQ_DTYPE_Q5_K || dt == YQ_DTYPE_Q6_K;
    for (int tb = 0; tb < n_tokens; tb += TOKEN_CHUNK) {
        int te = tb + TOKEN_CHUNK < n_tokens ? tb + TOKEN_CHUNK : n_tokens;
        for (int64_t g = g0; g < g1; g++) {
            if (!is_k) {
                panel32(c, g, tb, te - tb, dt);
                continue;
            }
            if (dt == YQ_DTYPE_Q5_K) {
                panel_q5K(c, g, tb, te - tb);
                continue;
            }
            int t = tb;
            if (dt == YQ_DTYPE_Q6_K)
                for (; t + TILE_TOKENS <= te; t += TILE_TOKENS) tile(c, &g, 1, t, TILE_TOKENS, dt);
            for (; t + Q4K_TILE_TOKENS <= te; t += Q4K_TILE_TOKENS) tile(c, &g, 1, t, Q4K_TILE_TOKENS, dt);
            switch (te - t) {
            case 3: tile(c, &g, 1, t, 3, dt); break;
            case 2: tile(c, &g, 1, t, 2, dt); break;
            case 1: tile(c, &g, 1, t, 1, dt); break;
            default: break;
            }
        }
    }
}

#define RUN_FN(name, dtype)                                                                                 \
    static void name(const packed_ctx *c, int n_tokens, int64_t g0, int64_t g1) {                          \
        run_groups(c, n_tokens, g0, g1, dtype);                                                             \
    }
RUN_FN(run_q8_0, YQ_DTYPE_Q8_0)
RUN_FN(run_q4_0, YQ_DTYPE_Q4_0)
RUN_FN(run_q4_1, YQ_DTYPE_Q4_1)
RUN_FN(run_q5_0, YQ_DTYPE_Q5_0)
RUN_FN(run_q5_1, YQ_DTYPE_Q5_1)
RUN_FN(run_q4_K, YQ_DTYPE_Q4_K)
RUN_FN(run_q5_K, YQ_DTYPE_Q5_K)
RUN_FN(run_q6_K, YQ_DTYPE_Q6_K)

void yq_matmul_rows_packed_avx512(float *out, const yq_tensor *w, const void *xq, int n_tokens, int64_t row_begin,
                                  int64_t row_end) {
    packed_ctx c = {out, w, xq, yq_act_row_bytes(w->dtype, w->cols), yq_pack_layout_of(w->dtype, w->rows, w->cols),
                    w->packed};
    int64_t g0 = row_begin / PACK_ROWS, g1 = row_end / PACK_ROWS;
    switch (w->dtype) {
    case YQ_DTYPE_Q8_0: run_q8_0(&c, n_tokens, g0, g1); break;
    case YQ_DTYPE_Q4_0: run_q4_0(&c, n_tokens, g0, g1); break;
    case YQ_DTYPE_Q4_1: run_q4_1(&c, n_tokens, g0, g1); break;
    case YQ_DTYPE_Q5_0: run_q5_0(&c, n_tokens, g0, g1); break;
    case YQ_DTYPE_Q5_1: run_q5_1(&c, n_tokens, g0, g1); break;
    case YQ_DTYPE_Q4_K: run_q4_K(&c, n_tokens, g0, g1); break;
    case YQ_DTYPE_Q5_K: run_q5_K(&c, n_tokens, g0, g1); break;
    case YQ_DTYPE_Q6_K: run_q6_K(&c, n_tokens, g0, g1); break;
    default: break;
    }
}
