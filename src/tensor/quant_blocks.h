/* ggml's quantized block layouts (ggml-common.h), byte for byte, for the reference
 * (de)quantizers and the SIMD kernels. All fields are little-endian; f16 values are raw bits. */
#ifndef YUQING_TENSOR_QUANT_BLOCKS_H
#define YUQING_TENSOR_QUANT_BLOCKS_H

#include <stdint.h>

enum { QK32 = 32, QK_K = 256, K_SCALE_BYTES = 12 };

/* Element i of a 32-block: low nibble of qs[i] for i < 16, high nibble of qs[i - 16] above;
 * the fifth bit (Q5) is bit i of the little-endian 32-bit qh. */
typedef struct {
    uint16_t d;
    int8_t qs[QK32];
} block_q8_0; /* q * d */
typedef struct {
    uint16_t d;
    uint8_t qs[QK32 / 2];
} block_q4_0; /* (q - 8) * d */
typedef struct {
    uint16_t d, m;
    uint8_t qs[QK32 / 2];
} block_q4_1; /* q * d + m */
typedef struct {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[QK32 / 2];
} block_q5_0; /* (q - 16) * d */
typedef struct {
    uint16_t d, m;
    uint8_t qh[4];
    uint8_t qs[QK32 / 2];
} block_q5_1; /* q * d + m */

/* Super-blocks of 256 = 8 sub-blocks of 32 with 6-bit scale and min each, packed in 12 bytes
 * (see k_scale_min). Value = d * scale * q - dmin * min. qs: 4 groups of 64 elements, 32 bytes
 * each, low nibbles the first 32 elements, high nibbles the next 32. */
typedef struct {
    uint16_t d, dmin;
    uint8_t scales[K_SCALE_BYTES];
    uint8_t qs[QK_K / 2];
} block_q4_K;

/* As Q4_K plus a fifth bit: element 64g + i (i < 32) takes bit 2g of qh[i], element 64g + 32 + i
 * bit 2g + 1. */
typedef struct {
    uint16_t d, dmin;
    uint8_t scales[K_SCALE_BYTES];
    uint8_t qh[QK_K / 8];
    uint8_t qs[QK_K / 2];
} block_q5_K;

/* 16 sub-blocks of 16 with int8 scales; value = d * scale * (q - 32), q 6 bits. Each half of 128
 * elements has 64 ql bytes and 32 qh bytes: element 32j + l (j < 4, l < 32) takes the low
 * (j < 2) or high nibble of ql[l + 32 * (j % 2)] and bits 2j..2j+1 of qh[l]. */
typedef struct {
    uint8_t ql[QK_K / 2];
    uint8_t qh[QK_K / 4];
    int8_t scales[QK_K / 16];
    uint16_t d;
} block_q6_K;

_Static_assert(sizeof(block_q8_0) == 34 && sizeof(block_q4_0) == 18 && sizeof(block_q4_1) == 20 &&
                   sizeof(block_q5_0) == 22 && sizeof(block_q5_1) == 24,
               "32-block layouts");
_Static_assert(sizeof(block_q4_K) == 144 && sizeof(block_q5_K) == 176 && sizeof(block_q6_K) == 210,
               "K-quant layouts");

/* The unsigned 6-bit values q (0..63) of a Q6_K super-block in element order; element e's weight
 * is d * scales[e / 16] * (q[e] - 32). */
static inline void q6_K_values(const block_q6_K *b, uint8_t q[QK_K]) {
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 32; l++) {
            uint8_t lo = b->ql[64 * h + l], hi = b->ql[64 * h + l + 32], top = b->qh[32 * h + l];
            q[128 * h + l] = (uint8_t)((lo & 0xF) | (top & 3) << 4);
            q[128 * h + l + 32] = (uint8_t)((hi & 0xF) | ((top >> 2) & 3) << 4);
            q[128 * h + l + 64] = (uint8_t)((lo >> 4) | ((top >> 4) & 3) << 4);
            q[128 * h + l + 96] = (uint8_t)((hi >> 4) | ((top >> 6) & 3) << 4);
        }
}

/* Scale and min of sub-block j (< 8) of a Q4_K/Q5_K super-block: for j < 4 the low 6 bits of
 * bytes j and j + 4; above, a nibble of byte j + 4 with the top two bits of bytes j - 4 / j. */
static inline void k_scale_min(const uint8_t *s, int j, uint8_t *scale, uint8_t *min) {
    if (j < 4) {
        *scale = s[j] & 63;
        *min = s[j + 4] & 63;
    } else {
        *scale = (uint8_t)((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4));
        *min = (uint8_t)((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
    }
}

#endif
