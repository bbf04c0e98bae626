/* Element-wise and per-vector kernels of encoder-decoder models (Whisper): LayerNorm with bias,
 * the exact (erf) GELU, the softmax of long rows, and attention over contiguous keys/values
 * (AVX2 when the matmul kernels are AVX2, else the plain C twins). Fixed summation orders. */
#include <math.h>

#include "matmul_kernels.h"
#include "yuqing/kernels.h"

void yq_layernorm(float *out, const float *x, const float *weight, const float *bias, int n, float eps) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += x[i];
    float mean = (float)(sum / n);
    double var = 0.0;
    for (int i = 0; i < n; i++) var += (double)(x[i] - mean) * (x[i] - mean);
    float scale = 1.0f / sqrtf((float)(var / n) + eps);
    for (int i = 0; i < n; i++) out[i] = (x[i] - mean) * scale * weight[i] + bias[i];
}

void yq_gelu(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * (float)M_SQRT1_2));
}

void yq_softmax_long(float *x, int n) {
#ifdef YQ_HAVE_AVX2
    if (yq_simd_active()) {
        yq_softmax_avx2(x, n);
        return;
    }
#endif
    yq_softmax(x, n);
}

void yq_attention_rows_avx2(float *out, const float *q, int head_dim, const float *k, const float *v, int n_ctx,
                            float *scores);

/* The scalar twin of yq_attention_rows_avx2. */
static void attention_rows_scalar(float *out, const float *q, int head_dim, const float *k, const float *v, int n_ctx,
                                  float *scores) {
    for (int r = 0; r < n_ctx; r++) {
        float dot = 0.0f;
        for (int i = 0; i < head_dim; i++) dot += q[i] * k[(size_t)r * head_dim + i];
        scores[r] = dot;
    }
    yq_softmax(scores, n_ctx);
    for (int i = 0; i < head_dim; i++) out[i] = 0.0f;
    for (int r = 0; r < n_ctx; r++)
        for (int i = 0; i < head_dim; i++) out[i] += scores[r] * v[(size_t)r * head_dim + i];
}

void yq_attention_rows(float *out, const float *q, int head_dim, const float *k, const float *v, int n_ctx,
                       float *scores) {
#ifdef YQ_HAVE_AVX2
    if (yq_simd_active() && head_dim % 8 == 0) {
        yq_attention_rows_avx2(out, q, head_dim, k, v, n_ctx, scores);
        return;
    }
#endif
    attention_rows_scalar(out, q, head_dim, k, v, n_ctx, scores);
}
