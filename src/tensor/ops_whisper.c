/* Element-wise and per-vector kernels of encoder-decoder models (Whisper): LayerNorm with bias,
 * the exact (erf) GELU, and the softmax of long rows (AVX2 when the matmul kernels are AVX2,
 * else yq_softmax). Plain C with a fixed summation order. */
#include <math.h>

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

void yq_softmax_avx2(float *x, int n);

void yq_softmax_long(float *x, int n) {
#ifdef YQ_HAVE_AVX2
    if (yq_kernels_active() == YQ_KERNEL_AVX2) {
        yq_softmax_avx2(x, n);
        return;
    }
#endif
    yq_softmax(x, n);
}
