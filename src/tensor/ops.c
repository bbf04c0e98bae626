/* Element-wise and per-vector kernels of the decoder: RMSNorm, RoPE, softmax, argmax, SiLU
 * gating, and attention over a paged KV cache (AVX2 twins in attention_avx2.c, silu_avx2.c,
 * argmax_avx2.c). Plain C with a fixed summation order. */
#include <math.h>
#include <stdint.h>

#include "matmul_kernels.h"
#include "yuqing/kernels.h"

/* The squares are summed in double, as ggml does: with 8-bit activations downstream, a last-bit
 * difference here can flip a rounding, so GGUF models follow llama.cpp's logits only this way. */
void yq_rmsnorm(float *out, const float *x, const float *weight, int n, float eps) {
    double ss = 0.0;
    for (int i = 0; i < n; i++) ss += (double)(x[i] * x[i]);
    float scale = 1.0f / sqrtf((float)(ss / n) + eps);
    for (int i = 0; i < n; i++) out[i] = weight[i] * (x[i] * scale);
}

void yq_rope(float *vec, int n_heads, int head_dim, int pos, const float *inv_freq, int interleaved) {
    int half = head_dim / 2;
    for (int i = 0; i < half; i++) {
        float angle = (float)pos * inv_freq[i];
        float c = cosf(angle), s = sinf(angle);
        for (int h = 0; h < n_heads; h++) {
            float *head = vec + (size_t)h * (size_t)head_dim;
            int a = interleaved ? 2 * i : i;
            int b = interleaved ? 2 * i + 1 : i + half;
            float x0 = head[a], x1 = head[b];
            head[a] = x0 * c - x1 * s;
            head[b] = x1 * c + x0 * s;
        }
    }
}

void yq_softmax(float *x, int n) {
    float max = x[0];
    for (int i = 1; i < n; i++)
        if (x[i] > max) max = x[i];
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    float inv = 1.0f / sum;
    for (int i = 0; i < n; i++) x[i] *= inv;
}

int32_t yq_argmax(const float *x, int n) {
#ifdef YQ_HAVE_AVX2
    if (yq_simd_active()) return yq_argmax_avx2(x, n);
#endif
    int32_t best = -1;
    float max = -INFINITY;
    for (int i = 0; i < n; i++)
        if (x[i] > max || (best < 0 && x[i] == max)) {
            max = x[i];
            best = i;
        }
    return best < 0 ? 0 : best;
}

void yq_silu_mul(float *gate, const float *up, int n) {
#ifdef YQ_HAVE_AVX2
    if (yq_simd_active()) {
        yq_silu_mul_avx2(gate, up, n);
        return;
    }
#endif
    for (int i = 0; i < n; i++) {
        float g = gate[i];
        gate[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

static const float *kv_row(const float *base, const yq_kv_view *kv, int pos, int head_dim) {
    int32_t block = kv->blocks[pos / kv->block_size];
    return base + block * kv->block_stride + (int64_t)(pos % kv->block_size) * head_dim;
}

void yq_attention(float *out, const float *q, int head_dim, const yq_kv_view *kv, int n_ctx,
                  float *scores) {
#ifdef YQ_HAVE_AVX2
    if (yq_simd_active() && head_dim % 8 == 0) {
        yq_attention_avx2(out, q, head_dim, kv, n_ctx, scores);
        return;
    }
#endif
    float scale = 1.0f / sqrtf((float)head_dim);
    for (int p = 0; p < n_ctx; p++) {
        const float *k = kv_row(kv->k_base, kv, p, head_dim);
        float dot = 0.0f;
        for (int d = 0; d < head_dim; d++) dot += q[d] * k[d];
        scores[p] = dot * scale;
    }
    yq_softmax(scores, n_ctx);
    for (int d = 0; d < head_dim; d++) out[d] = 0.0f;
    for (int p = 0; p < n_ctx; p++) {
        const float *v = kv_row(kv->v_base, kv, p, head_dim);
        float a = scores[p];
        for (int d = 0; d < head_dim; d++) out[d] += a * v[d];
    }
}
