/* Scalar conversions between f32 and the 16-bit float formats, and widening of rows of any
 * dtype to f32 (quantized ones through the reference dequantizer). */
#include <string.h>

#include "yuqing/tensor.h"

static float bits_to_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t f32_to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

float yq_bf16_to_f32(uint16_t b) { return bits_to_f32((uint32_t)b << 16); }

uint16_t yq_f32_to_bf16(float f) {
    uint32_t u = f32_to_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

float yq_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0x1f) return bits_to_f32(sign | 0x7f800000u | (mantissa << 13));
    if (exponent == 0) {
        if (mantissa == 0) return bits_to_f32(sign);
        float value = (float)mantissa * (1.0f / 16777216.0f); /* subnormal: m * 2^-24 */
        return sign ? -value : value;
    }
    return bits_to_f32(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

uint16_t yq_f32_to_f16(float f) {
    uint32_t u = f32_to_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t abs = u & 0x7fffffffu;
    if (abs > 0x7f800000u) return sign | 0x7e00u;
    if (abs >= 0x477ff000u) return sign | 0x7c00u; /* rounds to infinity */
    if (abs < 0x38800000u) {                       /* subnormal or zero in f16 */
        float scaled = bits_to_f32(abs) * 16777216.0f; /* exact: in units of 2^-24 */
        uint32_t m = (uint32_t)scaled;
        float rest = scaled - (float)m;
        if (rest > 0.5f || (rest == 0.5f && (m & 1u))) m++;
        return sign | (uint16_t)m;
    }
    uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);
    return sign | (uint16_t)((rounded - 0x38000000u) >> 13);
}

void yq_to_f32(float *dst, const void *src, yq_dtype dtype, size_t n) {
    const uint16_t *h = src;
    switch (dtype) {
    case YQ_DTYPE_F32: memcpy(dst, src, n * sizeof *dst); break;
    case YQ_DTYPE_F16:
        for (size_t i = 0; i < n; i++) dst[i] = yq_f16_to_f32(h[i]);
        break;
    case YQ_DTYPE_BF16:
        for (size_t i = 0; i < n; i++) dst[i] = yq_bf16_to_f32(h[i]);
        break;
    default: yq_dequantize_row(dtype, src, dst, (int64_t)n); break;
    }
}

void yq_tensor_row_f32(const yq_tensor *t, int64_t row, float *dst) {
    const char *base = (const char *)t->data + (size_t)row * yq_tensor_row_bytes(t);
    yq_to_f32(dst, base, t->dtype, (size_t)t->cols);
}
