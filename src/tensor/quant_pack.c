/* Packs quantized and f16 weight matrices into the 16-row layouts of quant_pack.h, once at model
 * load, on all threads, for the AVX-512 kernels (yq_tensor_pack); the mapped original stays
 * untouched. */
#include <stdlib.h>
#include <string.h>

#include "matmul_kernels.h"
#include "quant_blocks.h"
#include "quant_pack.h"
#include "yuqing/error.h"
#include "yuqing/huge_alloc.h"
#include "yuqing/threads.h"

yq_pack_shape yq_pack_shape_of(yq_dtype dtype) {
    switch (dtype) {
    case YQ_DTYPE_Q8_0: return (yq_pack_shape){8 * PACK_LANE_BYTES, 32, 2};
    case YQ_DTYPE_Q4_0: return (yq_pack_shape){4 * PACK_LANE_BYTES, 32, 2};
    case YQ_DTYPE_Q4_1: return (yq_pack_shape){4 * PACK_LANE_BYTES, 64, 2};
    case YQ_DTYPE_Q5_0: return (yq_pack_shape){4 * PACK_LANE_BYTES, 96, 2};
    case YQ_DTYPE_Q5_1: return (yq_pack_shape){4 * PACK_LANE_BYTES, 128, 2};
    case YQ_DTYPE_Q4_K: return (yq_pack_shape){32 * PACK_LANE_BYTES, 448, 0};
    case YQ_DTYPE_Q5_K: return (yq_pack_shape){4 * PACK_Q5K_PAIR_BYTES, 448, 0};
    case YQ_DTYPE_Q6_K: return (yq_pack_shape){48 * PACK_LANE_BYTES, 320, 0};
    case YQ_DTYPE_F16: return (yq_pack_shape){PACK_F16_COLS * PACK_ROWS * 2, 0, 1};
    default: return (yq_pack_shape){0, 0, 1};
    }
}

yq_pack_layout yq_pack_layout_of(yq_dtype dtype, int64_t rows, int64_t cols) {
    yq_pack_layout l = {.shape = yq_pack_shape_of(dtype)};
    l.n_blocks = cols / (dtype == YQ_DTYPE_F16 ? PACK_F16_COLS : yq_dtype_block_size(dtype));
    int64_t n_groups = rows / PACK_ROWS, u = l.shape.unit_blocks;
    if (!u) {
        l.group_bytes = (size_t)l.n_blocks * l.shape.qs_bytes;
        l.meta_start = (size_t)n_groups * l.group_bytes;
        l.total_bytes = l.meta_start + (size_t)(n_groups * l.n_blocks) * l.shape.meta_bytes;
    } else {
        l.unit_bytes = (size_t)u * (l.shape.qs_bytes + l.shape.meta_bytes);
        l.group_bytes = (size_t)((l.n_blocks + u - 1) / u) * l.unit_bytes;
        l.total_bytes = (size_t)n_groups * l.group_bytes;
    }
    return l;
}

/* Four bytes of row r into lane r of the 64-byte vector at lane0, XOR `flip` (0 or 0x80808080). */
static void put_lane(uint8_t *lane0, int r, const void *src, uint32_t flip) {
    uint32_t v;
    memcpy(&v, src, sizeof v);
    v ^= flip;
    memcpy(lane0 + 4 * r, &v, sizeof v);
}

static void pack_q8_0(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b) {
    uint16_t *d = (uint16_t *)meta;
    for (int r = 0; r < PACK_ROWS; r++) {
        const block_q8_0 *x = (const block_q8_0 *)rows[r] + b;
        d[r] = x->d;
        for (int c = 0; c < 8; c++) put_lane(qs + c * PACK_LANE_BYTES, r, x->qs + 4 * c, 0x80808080u);
    }
}

static void put_nibbles(uint8_t *qs, int r, const uint8_t *nibbles) {
    for (int c = 0; c < 4; c++) put_lane(qs + c * PACK_LANE_BYTES, r, nibbles + 4 * c, 0);
}

/* Row r's fifth bits (qh) into the eight masks of quant_pack.h. */
static void put_fifth_bits(uint64_t *mask, int r, const uint8_t *qh_bytes) {
    uint32_t qh;
    memcpy(&qh, qh_bytes, sizeof qh);
    for (int k = 0; k < 8; k++) /* elements 4k .. (k < 4), 16 + 4(k - 4) .. (k >= 4) */
        mask[k] |= (uint64_t)((qh >> (k < 4 ? 4 * k : 16 + 4 * (k - 4))) & 0xF) << (4 * r);
}

static void pack_q4_0(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b) {
    uint16_t *d = (uint16_t *)meta;
    for (int r = 0; r < PACK_ROWS; r++) {
        const block_q4_0 *x = (const block_q4_0 *)rows[r] + b;
        d[r] = x->d;
        put_nibbles(qs, r, x->qs);
    }
}

static void pack_q4_1(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b) {
    uint16_t *d = (uint16_t *)meta, *m = d + PACK_ROWS;
    for (int r = 0; r < PACK_ROWS; r++) {
        const block_q4_1 *x = (const block_q4_1 *)rows[r] + b;
        d[r] = x->d;
        m[r] = x->m;
        put_nibbles(qs, r, x->qs);
    }
}

static void pack_q5_0(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b) {
    uint64_t mask[8] = {0};
    uint16_t *d = (uint16_t *)(meta + sizeof mask);
    for (int r = 0; r < PACK_ROWS; r++) {
        const block_q5_0 *x = (const block_q5_0 *)rows[r] + b;
        d[r] = x->d;
        put_nibbles(qs, r, x->qs);
        put_fifth_bits(mask, r, x->qh);
    }
    memcpy(meta, mask, sizeof mask);
}

static void pack_q5_1(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b) {
    uint64_t mask[8] = {0};
    uint16_t *d = (uint16_t *)(meta + sizeof mask), *m = d + PACK_ROWS;
    for (int r = 0; r < PACK_ROWS; r++) {
        const block_q5_1 *x = (const block_q5_1 *)rows[r] + b;
        d[r] = x->d;
        m[r] = x->m;
        put_nibbles(qs, r, x->qs);
        put_fifth_bits(mask, r, x->qh);
    }
    memcpy(meta, mask, sizeof mask);
}

/* The Q4_K parts of a super-block (shared by Q5_K) of row r; pair_bytes apart, the sub-block
 * pairs' vectors. */
static void put_k4(uint8_t *qs, size_t pair_bytes, uint8_t *meta, int r, uint16_t d_bits, uint16_t dmin_bits,
                   const uint8_t *scales, const uint8_t *quants) {
    uint16_t *d = (uint16_t *)meta, *dmin = d + PACK_ROWS;
    uint8_t *sc = meta + 64;
    int16_t *mins = (int16_t *)(meta + 64 + 8 * PACK_ROWS);
    d[r] = d_bits;
    dmin[r] = dmin_bits;
    for (int j = 0; j < 8; j++) {
        uint8_t scale, min;
        k_scale_min(scales, j, &scale, &min);
        sc[j * PACK_ROWS + r] = scale;
        mins[(j / 2) * 2 * PACK_ROWS + 2 * r + j % 2] = min;
    }
    for (int g = 0; g < 4; g++)
        for (int c = 0; c < 8; c++) put_lane(qs + g * pair_bytes + c * PACK_LANE_BYTES, r, quants + 32 * g + 4 * c, 0);
}

static void pack_q4_K(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b) {
    for (int r = 0; r < PACK_ROWS; r++) {
        const block_q4_K *x = (const block_q4_K *)rows[r] + b;
        put_k4(qs, 8 * PACK_LANE_BYTES, meta, r, x->d, x->dmin, x->scales, x->qs);
    }
}

/* Q5_K: element l of sub-block 2g + h has its fifth bit in bit 2g + h of qh[l]. */
static void pack_q5_K(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b) {
    uint64_t mask[4][2][8] = {{{0}}};
    for (int r = 0; r < PACK_ROWS; r++) {
        const block_q5_K *x = (const block_q5_K *)rows[r] + b;
        put_k4(qs + PACK_Q5K_MASK_BYTES, PACK_Q5K_PAIR_BYTES, meta, r, x->d, x->dmin, x->scales, x->qs);
        for (int g = 0; g < 4; g++)
            for (int h = 0; h < 2; h++)
                for (int c = 0; c < 8; c++)
                    for (int i = 0; i < 4; i++)
                        mask[g][h][c] |= (uint64_t)(x->qh[4 * c + i] >> (2 * g + h) & 1) << (4 * r + i);
    }
    for (int g = 0; g < 4; g++) memcpy(qs + g * PACK_Q5K_PAIR_BYTES, mask[g], sizeof mask[g]);
}

static void pack_q6_K(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b) {
    int8_t *sc = (int8_t *)meta;
    uint16_t *d = (uint16_t *)(meta + 16 * PACK_ROWS);
    for (int r = 0; r < PACK_ROWS; r++) {
        const block_q6_K *x = (const block_q6_K *)rows[r] + b;
        uint8_t q[QK_K];
        q6_K_values(x, q);
        d[r] = x->d;
        for (int j = 0; j < 16; j++) sc[j * PACK_ROWS + r] = x->scales[j];
        for (int j = 0; j < QK_K / 16; j++) /* sub-block j: vectors 4j .. 4j + 3 into three */
            for (int m = 0; m < 3; m++)
                for (int i = 0; i < 4; i++) {
                    uint8_t fourth = q[16 * j + 12 + i] >> (2 * m) & 3;
                    qs[(3 * j + m) * PACK_LANE_BYTES + 4 * r + i] = (uint8_t)(q[16 * j + 4 * m + i] | fourth << 6);
                }
    }
}

/* Columns 32b .. 32b + 31, each as the 16 rows' f16 values in lane order. */
static void pack_f16(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b) {
    (void)meta;
    uint16_t block[PACK_ROWS][PACK_F16_COLS], *out = (uint16_t *)qs;
    for (int r = 0; r < PACK_ROWS; r++) memcpy(block[r], rows[r] + sizeof block[r] * (size_t)b, sizeof block[r]);
    for (int k = 0; k < PACK_F16_COLS; k++)
        for (int r = 0; r < PACK_ROWS; r++) out[k * PACK_ROWS + r] = block[r][k];
}

typedef void (*pack_block_fn)(uint8_t *qs, uint8_t *meta, const char *const *rows, int64_t b);

static pack_block_fn packer_of(yq_dtype dtype) {
    switch (dtype) {
    case YQ_DTYPE_Q8_0: return pack_q8_0;
    case YQ_DTYPE_Q4_0: return pack_q4_0;
    case YQ_DTYPE_Q4_1: return pack_q4_1;
    case YQ_DTYPE_Q5_0: return pack_q5_0;
    case YQ_DTYPE_Q5_1: return pack_q5_1;
    case YQ_DTYPE_Q4_K: return pack_q4_K;
    case YQ_DTYPE_Q5_K: return pack_q5_K;
    case YQ_DTYPE_Q6_K: return pack_q6_K;
    case YQ_DTYPE_F16: return pack_f16;
    default: return NULL;
    }
}

size_t yq_tensor_packed_bytes(const yq_tensor *w) {
    yq_pack_shape shape = yq_pack_shape_of(w->dtype);
    if (w->packed || !shape.qs_bytes || w->rows % PACK_ROWS || !yq_cpu_has_avx512()) return 0;
    if (w->dtype == YQ_DTYPE_F16 && w->cols % PACK_F16_COLS) return 0;
    return yq_pack_layout_of(w->dtype, w->rows, w->cols).total_bytes;
}

typedef struct {
    const yq_tensor *w;
    yq_pack_layout layout;
    pack_block_fn pack;
    uint8_t *out;
} pack_job;

/* Groups [begin, end) of the job's matrix. */
static void pack_groups(void *ctx, int64_t begin, int64_t end, int thread) {
    (void)thread;
    const pack_job *job = ctx;
    size_t row_bytes = yq_tensor_row_bytes(job->w);
    for (int64_t g = begin; g < end; g++) {
        const char *rows[PACK_ROWS];
        for (int r = 0; r < PACK_ROWS; r++)
            rows[r] = (const char *)job->w->data + (size_t)(g * PACK_ROWS + r) * row_bytes;
        for (int64_t b = 0; b < job->layout.n_blocks; b++)
            job->pack((uint8_t *)yq_pack_qs(&job->layout, job->out, g, b),
                      (uint8_t *)yq_pack_meta(&job->layout, job->out, g, b), rows, b);
    }
}

/* On all threads: each writes (and so first touches, which costs more than the packing on a
 * fresh buffer) its own part of dst. */
void yq_tensor_pack_into(yq_tensor *w, void *dst) {
    pack_job job = {w, yq_pack_layout_of(w->dtype, w->rows, w->cols), packer_of(w->dtype), dst};
    yq_parallel_for(w->rows / PACK_ROWS, pack_groups, &job);
    w->packed = dst;
}

int yq_tensor_pack(yq_tensor *w) {
    size_t bytes = yq_tensor_packed_bytes(w);
    if (!bytes) return YQ_OK;
    void *out = yq_huge_alloc(bytes); /* decode streams it whole every token */
    if (!out) return yq_error(YQ_ENOMEM, "out of memory packing a %lldx%lld weight", (long long)w->rows,
                              (long long)w->cols);
    yq_tensor_pack_into(w, out);
    return YQ_OK;
}

void yq_tensor_unpack(yq_tensor *w) {
    free((void *)w->packed);
    w->packed = NULL;
}
