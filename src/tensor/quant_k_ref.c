/* Reference quantization and dequantization of the K-quant super-blocks (Q4_K, Q5_K, Q6_K):
 * llama.cpp's quantize_row_q*_K_ref without importance matrix, i.e. the scale searches
 * make_qkx2_quants (Q4_K, Q5_K) and make_qx_quants (Q6_K), operation for operation in f32. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "quant_blocks.h"
#include "quant_ref.h"

/* Bit-exactness needs every multiply and add rounded separately: GCC does not contract in ISO C
 * mode (-std=c17); clang must be told. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define GROUP_MAX_EPS 1e-15f

/* Round to nearest, ties to even, by the 1.5 * 2^23 trick that ggml uses (for |x| < 2^22; larger
 * values wrap exactly as they do there). */
static inline int nearest_int(float x) {
    float shifted = x + 12582912.0f;
    int32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    return (bits & 0x007fffff) - 0x00400000;
}

static inline int clamp_int(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* Error-weighted least-squares fit of x ~ scale * L + min with 0 <= L <= nmax and min <= 0,
 * trying nstep + 1 candidate scales (rmin + rdelta * step + nmax)/(max - min). Returns the scale
 * and stores -min in *neg_min; L receives the quants. (ggml's make_qkx2_quants, use_mad false.) */
static float fit_scale_min(int n, int nmax, const float *x, const float *w, uint8_t *L, float *neg_min,
                           float rmin, float rdelta, int nstep) {
    float min = x[0], max = x[0], sum_w = w[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        memset(L, 0, (size_t)n);
        *neg_min = -min;
        return 0.0f;
    }
    float iscale = (float)nmax / (max - min), scale = 1 / iscale, best_error = 0;
    for (int i = 0; i < n; i++) {
        L[i] = (uint8_t)clamp_int(nearest_int(iscale * (x[i] - min)), 0, nmax);
        float diff = scale * L[i] + min - x[i];
        best_error += w[i] * (diff * diff);
    }
    uint8_t trial[QK32];
    for (int step = 0; step <= nstep; step++) {
        iscale = (rmin + rdelta * (float)step + (float)nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; i++) {
            int l = clamp_int(nearest_int(iscale * (x[i] - min)), 0, nmax);
            trial[i] = (uint8_t)l;
            sum_l += w[i] * (float)l;
            sum_l2 += w[i] * (float)l * (float)l;
            sum_xl += w[i] * (float)l * x[i];
        }
        float D = sum_w * sum_l2 - sum_l * sum_l;
        if (!(D > 0)) continue;
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
        if (this_min > 0) {
            this_min = 0;
            this_scale = sum_xl / sum_l2;
        }
        float error = 0;
        for (int i = 0; i < n; i++) {
            float diff = this_scale * trial[i] + this_min - x[i];
            error += w[i] * (diff * diff);
        }
        if (error < best_error) {
            memcpy(L, trial, (size_t)n);
            best_error = error;
            scale = this_scale;
            min = this_min;
        }
    }
    *neg_min = -min;
    return scale;
}

/* Sums of w*x*l and w*l*l over the quants l = round(iscale * x) clamped to [-nmax, nmax - 1],
 * weights w = x^2; stores l + nmax into L when L is not NULL. */
static void sym_sums(int n, int nmax, const float *x, float iscale, int8_t *L, float *sumlx, float *suml2) {
    *sumlx = *suml2 = 0;
    for (int i = 0; i < n; i++) {
        int l = clamp_int(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        if (L) L[i] = (int8_t)(l + nmax);
        float w = x[i] * x[i];
        *sumlx += w * x[i] * (float)l;
        *suml2 += w * (float)l * (float)l;
    }
}

/* Weighted least-squares symmetric scale for x ~ scale * (L - nmax), trying 19 scales around
 * -nmax / max. (ggml's make_qx_quants with rmse_type 1 and no importance weights.) */
static float fit_scale_sym(int n, int nmax, const float *x, int8_t *L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; i++)
        if (fabsf(x[i]) > amax) {
            amax = fabsf(x[i]);
            max = x[i];
        }
    if (amax < GROUP_MAX_EPS) {
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    float sumlx, suml2;
    sym_sums(n, nmax, x, (float)-nmax / max, L, &sumlx, &suml2);
    float scale = suml2 != 0 ? sumlx / suml2 : 0.0f, best = scale * sumlx;
    for (int step = -9; step <= 9; step++) {
        if (step == 0) continue;
        float iscale = -((float)nmax + 0.1f * (float)step) / max;
        sym_sums(n, nmax, x, iscale, NULL, &sumlx, &suml2);
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            sym_sums(n, nmax, x, iscale, L, &sumlx, &suml2);
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

/* The shared half of Q4_K and Q5_K: per sub-block of 32 a scale/min fit with weights
 * rms + |x|, the 8 scales and mins quantized to 6 bits against the largest, and the quants
 * recomputed with the rounded scales (kept from the fit where a sub-block's scale is 0). */
static void quant_k_scales(const float *x, int nmax, float rmin, int nstep, uint16_t *d16, uint16_t *dmin16,
                           uint8_t scales[K_SCALE_BYTES], uint8_t L[QK_K]) {
    float sc[8], mins[8], w[QK32], max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; j++) {
        const float *xj = x + QK32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < QK32; l++)
            sum_x2 += xj[l] * xj[l];
        float av_x = sqrtf(sum_x2 / QK32);
        for (int l = 0; l < QK32; l++)
            w[l] = av_x + fabsf(xj[l]);
        sc[j] = fit_scale_min(QK32, nmax, xj, w, L + QK32 * j, &mins[j], rmin, 0.1f, nstep);
        if (sc[j] > max_scale) max_scale = sc[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f, inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    for (int j = 0; j < 8; j++) {
        uint8_t ls = (uint8_t)nearest_int(inv_scale * sc[j]), lm = (uint8_t)nearest_int(inv_min * mins[j]);
        ls = ls < 63 ? ls : 63;
        lm = lm < 63 ? lm : 63;
        if (j < 4) {
            scales[j] = ls;
            scales[j + 4] = lm;
        } else {
            scales[j + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
            scales[j - 4] |= (uint8_t)((ls >> 4) << 6);
            scales[j] |= (uint8_t)((lm >> 4) << 6);
        }
    }
    *d16 = yq_f32_to_f16(max_scale / 63.f);
    *dmin16 = yq_f32_to_f16(max_min / 63.f);
    for (int j = 0; j < 8; j++) {
        uint8_t s, m;
        k_scale_min(scales, j, &s, &m);
        const float d = yq_f16_to_f32(*d16) * s;
        if (d == 0) continue;
        const float dm = yq_f16_to_f32(*dmin16) * m;
        for (int i = 0; i < QK32; i++)
            L[QK32 * j + i] = (uint8_t)clamp_int(nearest_int((x[QK32 * j + i] + dm) / d), 0, nmax);
    }
}

static void quant_q4_K(const float *x, block_q4_K *y) {
    uint8_t L[QK_K];
    quant_k_scales(x, 15, -1.0f, 20, &y->d, &y->dmin, y->scales, L);
    for (int g = 0; g < 4; g++)
        for (int l = 0; l < 32; l++)
            y->qs[32 * g + l] = (uint8_t)(L[64 * g + l] | (L[64 * g + l + 32] << 4));
}

static void quant_q5_K(const float *x, block_q5_K *y) {
    uint8_t L[QK_K];
    quant_k_scales(x, 31, -0.5f, 15, &y->d, &y->dmin, y->scales, L);
    memset(y->qh, 0, sizeof y->qh);
    for (int g = 0; g < 4; g++)
        for (int l = 0; l < 32; l++) {
            int lo = L[64 * g + l], hi = L[64 * g + l + 32];
            y->qs[32 * g + l] = (uint8_t)((lo & 0xF) | ((hi & 0xF) << 4));
            y->qh[l] |= (uint8_t)(((lo >> 4) << (2 * g)) | ((hi >> 4) << (2 * g + 1)));
        }
}

/* Q6_K: a symmetric 6-bit fit per sub-block of 16, the 16 scales quantized to int8 against the
 * one of largest magnitude (-128 maps to it), then the quants recomputed. */
static void quant_q6_K(const float *x, block_q6_K *y) {
    int8_t L[QK_K];
    float scales[QK_K / 16], max_scale = 0, max_abs_scale = 0;
    for (int b = 0; b < QK_K / 16; b++) {
        scales[b] = fit_scale_sym(16, 32, x + 16 * b, L + 16 * b);
        if (fabsf(scales[b]) > max_abs_scale) {
            max_abs_scale = fabsf(scales[b]);
            max_scale = scales[b];
        }
    }
    if (max_abs_scale < GROUP_MAX_EPS) {
        memset(y, 0, sizeof *y);
        return;
    }
    float iscale = -128.f / max_scale;
    y->d = yq_f32_to_f16(1 / iscale);
    for (int b = 0; b < QK_K / 16; b++) {
        int s = nearest_int(iscale * scales[b]);
        y->scales[b] = (int8_t)(s < 127 ? s : 127);
    }
    for (int b = 0; b < QK_K / 16; b++) {
        float d = yq_f16_to_f32(y->d) * y->scales[b];
        if (d == 0) continue;
        for (int i = 0; i < 16; i++)
            L[16 * b + i] = (int8_t)(clamp_int(nearest_int(x[16 * b + i] / d), -32, 31) + 32);
    }
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 32; l++) {
            const int8_t *q = L + 128 * h + l;
            y->ql[64 * h + l] = (uint8_t)((q[0] & 0xF) | ((q[64] & 0xF) << 4));
            y->ql[64 * h + l + 32] = (uint8_t)((q[32] & 0xF) | ((q[96] & 0xF) << 4));
            y->qh[32 * h + l] =
                (uint8_t)((q[0] >> 4) | ((q[32] >> 4) << 2) | ((q[64] >> 4) << 4) | ((q[96] >> 4) << 6));
        }
}

/* Quant of element 64g + i (i < 64) of a Q4_K/Q5_K super-block (without the fifth bit). */
static inline int k4_quant(const uint8_t *qs, int g, int i) {
    return i < 32 ? qs[32 * g + i] & 0xF : qs[32 * g + i - 32] >> 4;
}

static void dequant_k4(const uint8_t *scales, uint16_t d16, uint16_t dmin16, const uint8_t *qs,
                       const uint8_t *qh, float *y) {
    const float d = yq_f16_to_f32(d16), dmin = yq_f16_to_f32(dmin16);
    for (int j = 0; j < 8; j++) {
        uint8_t s, m;
        k_scale_min(scales, j, &s, &m);
        const float dj = d * s, mj = dmin * m;
        for (int i = 0; i < QK32; i++) {
            int g = j / 2, e = QK32 * (j % 2) + i;
            int q = k4_quant(qs, g, e) + (qh && (qh[i] >> j) & 1 ? 16 : 0);
            y[QK32 * j + i] = dj * (float)q - mj;
        }
    }
}

static void dequant_q6_K(const block_q6_K *b, float *y) {
    const float d = yq_f16_to_f32(b->d);
    uint8_t q[QK_K];
    q6_K_values(b, q);
    for (int e = 0; e < QK_K; e++) y[e] = d * (float)b->scales[e / 16] * (float)(q[e] - 32);
}

void yq_dequant_superblock(yq_dtype dtype, const void *src, float *y) {
    switch (dtype) {
    case YQ_DTYPE_Q4_K: {
        const block_q4_K *b = src;
        dequant_k4(b->scales, b->d, b->dmin, b->qs, NULL, y);
        break;
    }
    case YQ_DTYPE_Q5_K: {
        const block_q5_K *b = src;
        dequant_k4(b->scales, b->d, b->dmin, b->qs, b->qh, y);
        break;
    }
    case YQ_DTYPE_Q6_K:
        dequant_q6_K(src, y);
        break;
    default:
        assert(!"not a K-quant dtype");
    }
}

void yq_quant_superblock(yq_dtype dtype, const float *x, void *dst) {
    switch (dtype) {
    case YQ_DTYPE_Q4_K:
        quant_q4_K(x, dst);
        break;
    case YQ_DTYPE_Q5_K:
        quant_q5_K(x, dst);
        break;
    case YQ_DTYPE_Q6_K:
        quant_q6_K(x, dst);
        break;
    default:
        assert(!"not a K-quant dtype");
    }
}
