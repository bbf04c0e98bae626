/* Weight layouts for the AVX-512 VNNI kernels: rows in groups of 16, each block of the group
 * stored so that 32-bit lane r of a 64-byte vector holds four bytes of row r. One vpdpbusd then
 * adds four products to each of the 16 rows at once, and a block's whole integer dot product
 * ends in one lane: the float work is one multiply-add per 16 rows, not per row.
 *
 * Each block has a `qs` part (qs_bytes, 64-byte aligned) and a `meta` part (scales, mins,
 * fifth bits; meta_bytes). Where they lie is chosen for decode, which streams every weight once
 * per token from DRAM and stalls wherever a stream restarts (measured on short rows, where the
 * old layout of one group's quants then its scales restarted the scale stream every group):
 *   32-blocks (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1): groups of units of two consecutive blocks, their
 *         two meta parts then their two qs parts (64-byte multiples without padding), so each
 *         group is one forward stream;
 *   K-quants (Q4_K, Q5_K, Q6_K): all groups' qs parts (group after group, block after block), then
 *         all groups' meta parts in the same order: two long streams (units were slower).
 * Per block b of a group of rows r0..r0+15:
 *   Q8_0  qs[c][r]  = bytes 4c..4c+3 of row r's q, each XOR 0x80 (q + 128 as u8), c < 8;
 *         meta = d[16] (f16).
 *   Q4_0  qs[c][r]  = bytes 4c..4c+3 of row r's nibbles (elements 4c.. low, 16 + 4c.. high);
 *         meta = d[16].
 *   Q5_0  as Q4_0; meta = mask[8] (u64: bit 4r + i of mask k set where byte i of row r in
 *         the k-th unpacked vector, low nibbles k < 4 then high nibbles, has its fifth bit),
 *         then d[16].
 *   Q4_1  as Q4_0; meta = d[16], m[16] (f16).
 *   Q5_1  as Q5_0; meta = mask[8], d[16], m[16].
 *   Q4_K  qs[g][c][r] = bytes 32g + 4c .. + 3 of row r's qs (sub-block 2g low nibbles, 2g + 1
 *         high), g < 4, c < 8; meta = d[16], dmin[16] (f16), sc[8][16] (u8 scale of
 *         sub-block j), mins[4][16] (two i16: mins of sub-blocks 2p and 2p + 1).
 *   Q5_K  as Q4_K, but each qs[g] (8 vectors) comes after mask[2][8] (u64: bit 4r + i of
 *         mask [h][c] set where byte i of row r in vector qs[g][c], low nibbles h = 0 or high
 *         h = 1, has its fifth bit), 640 bytes a pair of sub-blocks. The masks come first
 *         because the kernel reads them with the pair's first vector: placed after the
 *         vectors, each pair's reads jumped forward and back, the hardware prefetcher lost
 *         the stream, and decode from memory ran at half speed.
 *   Q6_K  the 6-bit values (0..63) of elements 4k..4k+3 of row r make vector k (k < 64), one
 *         byte each; each sub-block's four vectors 4j..4j+3 are stored as three, qs[3j + m][r] =
 *         vector 4j + m with bits 2m, 2m + 1 of vector 4j + 3 in its bits 6-7 (m < 3): 6 bits a
 *         weight, like the file; meta = sc[16][16] (i8 scale of sub-block j), d[16], padding to
 *         320 bytes.
 *   F16   blocks of 32 columns: for each column k, the 16 rows' f16 values (32 bytes; no meta),
 *         so that one vector widened to f32 holds column k of all 16 rows.
 * Where `qs[..][r]` is the r-th 4-byte lane of a 64-byte vector. */
#ifndef YUQING_TENSOR_QUANT_PACK_H
#define YUQING_TENSOR_QUANT_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/tensor.h"

enum { PACK_ROWS = 16, PACK_LANE_BYTES = 64, PACK_F16_COLS = 32 };
/* Q5_K: a sub-block pair's masks, and its masks and vectors together. */
enum { PACK_Q5K_MASK_BYTES = 2 * 8 * 8, PACK_Q5K_PAIR_BYTES = PACK_Q5K_MASK_BYTES + 8 * PACK_LANE_BYTES };

typedef struct {
    size_t qs_bytes, meta_bytes; /* per block of a group; 0 when the dtype is not packed */
    int unit_blocks;             /* blocks per unit; 0: the meta parts in a region of their own */
} yq_pack_shape;

yq_pack_shape yq_pack_shape_of(yq_dtype dtype);

/* Where the blocks of a packed matrix lie. */
typedef struct {
    yq_pack_shape shape;
    int64_t n_blocks;   /* per row */
    size_t unit_bytes;  /* units: bytes of one */
    size_t group_bytes; /* distance between consecutive groups' first qs parts */
    size_t meta_start;  /* K-quants: where the meta region begins */
    size_t total_bytes;
} yq_pack_layout;

yq_pack_layout yq_pack_layout_of(yq_dtype dtype, int64_t rows, int64_t cols);

/* Block b of group g: its quants and its scales, in the packed matrix at `packed`. */
static inline const uint8_t *yq_pack_qs(const yq_pack_layout *l, const uint8_t *packed, int64_t g,
                                        int64_t b) {
    const uint8_t *group = packed + (size_t)g * l->group_bytes;
    int u = l->shape.unit_blocks;
    if (!u) return group + (size_t)b * l->shape.qs_bytes;
    return group + (size_t)(b / u) * l->unit_bytes + (size_t)u * l->shape.meta_bytes +
           (size_t)(b % u) * l->shape.qs_bytes;
}

static inline const uint8_t *yq_pack_meta(const yq_pack_layout *l, const uint8_t *packed, int64_t g,
                                          int64_t b) {
    int u = l->shape.unit_blocks;
    if (!u) return packed + l->meta_start + (size_t)(g * l->n_blocks + b) * l->shape.meta_bytes;
    return packed + (size_t)g * l->group_bytes + (size_t)(b / u) * l->unit_bytes +
           (size_t)(b % u) * l->shape.meta_bytes;
}

#endif
