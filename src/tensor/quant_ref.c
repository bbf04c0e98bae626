/* Reference (scalar) quantization and dequantization of ggml's 32-element block types, and the
 * entry points for every quantized dtype. The arithmetic follows ggml-quants.c operation for
 * operation in f32, which is what makes the bytes and values bit-exact with llama.cpp and
 * gguf-py. */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "quant_blocks.h"
#include "quant_ref.h"
#include "yuqing/tensor.h"

/* Bit-exactness needs every multiply and add rounded separately: GCC does not contract in ISO C
 * mode (-std=c17); clang must be told. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* The 32 quants of a block: nibbles of qs, plus bit i of qh as the fifth bit when qh is given. */
static void unpack32(const uint8_t *qs, const uint8_t *qh, uint8_t q[QK32]) {
    uint32_t high = 0;
    if (qh) memcpy(&high, qh, sizeof high);
    for (int i = 0; i < QK32 / 2; i++) {
        q[i] = (uint8_t)((qs[i] & 0xF) | (((high >> i) & 1) << 4));
        q[i + 16] = (uint8_t)((qs[i] >> 4) | (((high >> (i + 16)) & 1) << 4));
    }
}

static void pack32(const uint8_t q[QK32], uint8_t *qs, uint8_t *qh) {
    uint32_t high = 0;
    for (int i = 0; i < QK32 / 2; i++) {
        qs[i] = (uint8_t)((q[i] & 0xF) | ((q[i + 16] & 0xF) << 4));
        high |= (uint32_t)((q[i] >> 4) & 1) << i | (uint32_t)((q[i + 16] >> 4) & 1) << (i + 16);
    }
    if (qh) memcpy(qh, &high, sizeof high);
}

/* Symmetric blocks (Q4_0, Q5_0): value = (q - levels/2) * d. */
static void dequant_sym(const uint8_t *qs, const uint8_t *qh, uint16_t d16, int levels, float *y) {
    uint8_t q[QK32];
    unpack32(qs, qh, q);
    float d = yq_f16_to_f32(d16);
    for (int i = 0; i < QK32; i++)
        y[i] = (float)(q[i] - levels / 2) * d;
}

/* Blocks with a min (Q4_1, Q5_1): value = q * d + m. */
static void dequant_min(const uint8_t *qs, const uint8_t *qh, uint16_t d16, uint16_t m16, float *y) {
    uint8_t q[QK32];
    unpack32(qs, qh, q);
    float d = yq_f16_to_f32(d16), m = yq_f16_to_f32(m16);
    for (int i = 0; i < QK32; i++)
        y[i] = (float)q[i] * d + m;
}

/* d = (the element of largest magnitude, first if tied) / -(levels/2); q = x/d + levels/2,
 * truncated after adding 0.5 and capped at levels - 1 (quantize_row_q4_0_ref / q5_0). */
static uint16_t quant_sym(const float *x, int levels, uint8_t q[QK32]) {
    float amax = 0.0f, max = 0.0f;
    for (int i = 0; i < QK32; i++)
        if (amax < fabsf(x[i])) {
            amax = fabsf(x[i]);
            max = x[i];
        }
    const float d = max / (float)-(levels / 2);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const float offset = (float)(levels / 2) + 0.5f;
    for (int i = 0; i < QK32; i++) {
        int v = (int8_t)(x[i] * id + offset);
        q[i] = (uint8_t)(v < levels - 1 ? v : levels - 1);
    }
    return yq_f32_to_f16(d);
}

/* d = (max - min) / (levels - 1), m = min; q = (x - min)/d + 0.5 truncated, capped at
 * levels - 1 (quantize_row_q4_1_ref / q5_1). */
static void quant_min(const float *x, int levels, uint8_t q[QK32], uint16_t *d16, uint16_t *m16) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int i = 0; i < QK32; i++) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
    }
    const float d = (max - min) / (float)(levels - 1);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int i = 0; i < QK32; i++) {
        int v = (int8_t)((x[i] - min) * id + 0.5f);
        q[i] = (uint8_t)(v < levels - 1 ? v : levels - 1);
    }
    *d16 = yq_f32_to_f16(d);
    *m16 = yq_f32_to_f16(min);
}

static void quant_q8_0(const float *x, block_q8_0 *y) {
    float amax = 0.0f;
    for (int i = 0; i < QK32; i++)
        amax = fmaxf(amax, fabsf(x[i]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y->d = yq_f32_to_f16(d);
    for (int i = 0; i < QK32; i++)
        y->qs[i] = (int8_t)roundf(x[i] * id);
}

static void dequant_block32(yq_dtype dtype, const void *src, float *y) {
    switch (dtype) {
    case YQ_DTYPE_Q8_0: {
        const block_q8_0 *b = src;
        float d = yq_f16_to_f32(b->d);
        for (int i = 0; i < QK32; i++)
            y[i] = (float)b->qs[i] * d;
        break;
    }
    case YQ_DTYPE_Q4_0: {
        const block_q4_0 *b = src;
        dequant_sym(b->qs, NULL, b->d, 16, y);
        break;
    }
    case YQ_DTYPE_Q5_0: {
        const block_q5_0 *b = src;
        dequant_sym(b->qs, b->qh, b->d, 32, y);
        break;
    }
    case YQ_DTYPE_Q4_1: {
        const block_q4_1 *b = src;
        dequant_min(b->qs, NULL, b->d, b->m, y);
        break;
    }
    case YQ_DTYPE_Q5_1: {
        const block_q5_1 *b = src;
        dequant_min(b->qs, b->qh, b->d, b->m, y);
        break;
    }
    default:
        assert(!"not a 32-block dtype");
    }
}

static void quant_block32(yq_dtype dtype, const float *x, void *dst) {
    uint8_t q[QK32];
    switch (dtype) {
    case YQ_DTYPE_Q8_0:
        quant_q8_0(x, dst);
        break;
    case YQ_DTYPE_Q4_0: {
        block_q4_0 *b = dst;
        b->d = quant_sym(x, 16, q);
        pack32(q, b->qs, NULL);
        break;
    }
    case YQ_DTYPE_Q5_0: {
        block_q5_0 *b = dst;
        b->d = quant_sym(x, 32, q);
        pack32(q, b->qs, b->qh);
        break;
    }
    case YQ_DTYPE_Q4_1: {
        block_q4_1 *b = dst;
        quant_min(x, 16, q, &b->d, &b->m);
        pack32(q, b->qs, NULL);
        break;
    }
    case YQ_DTYPE_Q5_1: {
        block_q5_1 *b = dst;
        quant_min(x, 32, q, &b->d, &b->m);
        pack32(q, b->qs, b->qh);
        break;
    }
    default:
        assert(!"not a 32-block dtype");
    }
}

void yq_dequantize_row(yq_dtype dtype, const void *src, float *dst, int64_t n) {
    if (!yq_dtype_is_quantized(dtype)) {
        yq_to_f32(dst, src, dtype, (size_t)n);
        return;
    }
    const int block = yq_dtype_block_size(dtype);
    const size_t bytes = yq_dtype_block_bytes(dtype);
    assert(n % block == 0);
    for (int64_t b = 0; b < n / block; b++) {
        const void *in = (const char *)src + (size_t)b * bytes;
        float *out = dst + b * block;
        if (block == QK32)
            dequant_block32(dtype, in, out);
        else
            yq_dequant_superblock(dtype, in, out);
    }
}

/* Rounds n floats to a plain dtype. */
static void narrow(yq_dtype dtype, const float *src, void *dst, int64_t n) {
    uint16_t *h = dst;
    if (dtype == YQ_DTYPE_F32)
        memcpy(dst, src, (size_t)n * sizeof *src);
    else if (dtype == YQ_DTYPE_F16)
        for (int64_t i = 0; i < n; i++)
            h[i] = yq_f32_to_f16(src[i]);
    else
        for (int64_t i = 0; i < n; i++)
            h[i] = yq_f32_to_bf16(src[i]);
}

void yq_quantize_row(yq_dtype dtype, const float *src, void *dst, int64_t n) {
    if (!yq_dtype_is_quantized(dtype)) {
        narrow(dtype, src, dst, n);
        return;
    }
    const int block = yq_dtype_block_size(dtype);
    const size_t bytes = yq_dtype_block_bytes(dtype);
    assert(n % block == 0);
    for (int64_t b = 0; b < n / block; b++) {
        void *out = (char *)dst + (size_t)b * bytes;
        if (block == QK32)
            quant_block32(dtype, src + b * block, out);
        else
            yq_quant_superblock(dtype, src + b * block, out);
    }
}
