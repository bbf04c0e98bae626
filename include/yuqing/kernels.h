/* The compute kernels of the forward pass. Each has a plain scalar reference; yq_matmul runs the
 * fastest variant this CPU supports (chosen once at start), split over the thread pool.
 * Every kernel is batch-invariant: an output element's summation order depends only on the
 * shapes, never on the number of tokens or threads. */
#ifndef YUQING_KERNELS_H
#define YUQING_KERNELS_H

#include <stdint.h>

#include "yuqing/tensor.h"

/* Which matmul implementation runs: the scalar reference or a SIMD variant. AVX512 (with VNNI)
 * is AVX2 plus the kernels for packed quantized weights (yq_tensor_pack); weights that are not
 * packed run the AVX2 kernels there. */
typedef enum yq_kernel_kind { YQ_KERNEL_AUTO = 0, YQ_KERNEL_SCALAR, YQ_KERNEL_AVX2, YQ_KERNEL_AVX512 } yq_kernel_kind;

/* Selects the matmul kernel (AUTO: best supported). Returns YQ_EUNSUPPORTED when the CPU or
 * build lacks it. Not thread-safe; call before running models. */
int yq_kernels_select(yq_kernel_kind kind);
yq_kernel_kind yq_kernels_active(void);
const char *yq_kernel_name(yq_kernel_kind kind);

/* out[t][r] = sum_k W[r][k] * x[t][k] for t < n_tokens, r < W->rows, for every weight dtype.
 * x is (n_tokens, W->cols) f32; out is (n_tokens, W->rows). Threaded over rows. With quantized
 * weights the AVX2 kernel rounds each token's activations to 8 bits per block of 32 (K-quants:
 * 256) with the block's largest magnitude at 127, as llama.cpp does, and sums exact integer
 * block products: results differ from the reference by that rounding (see tests/test_quant.c).
 * The 8-bit copy lives in a per-thread buffer that grows as needed; should that allocation fail,
 * the call runs the scalar reference instead. */
void yq_matmul(float *out, const yq_tensor *w, const float *x, int n_tokens);

/* One product of yq_matmul_shared: out = x times w's rows, as yq_matmul(out, w, x, n_tokens). */
typedef struct yq_matmul_out {
    float *out;
    const yq_tensor *w;
} yq_matmul_out;
enum { YQ_MATMUL_MAX_SHARED = 3 };

/* n products of the same input x (the weights have equal column counts), with the results of n
 * yq_matmul calls but one dispatch to the thread pool per YQ_MATMUL_MAX_SHARED of them, and x
 * quantized once per dispatch and activation format: q, k and v; gate and up. */
void yq_matmul_shared(const yq_matmul_out *outs, int n, const float *x, int n_tokens);

/* Gives w a copy of its weights in the layout of the AVX-512 VNNI kernels (groups of 16 rows,
 * quant_pack.h) when this CPU and build have them and w is Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K,
 * Q5_K, Q6_K or F16 (columns a multiple of 32) with a multiple of 16 rows; otherwise leaves w as
 * it is. yq_matmul uses the copy while the AVX-512 kernels are selected. YQ_ENOMEM when the copy
 * cannot be had (w unchanged). */
int yq_tensor_pack(yq_tensor *w);
/* Frees w's packed copy, if any (one that yq_tensor_pack made). */
void yq_tensor_unpack(yq_tensor *w);
/* The bytes of w's packed copy where yq_tensor_pack would make one, else 0. */
size_t yq_tensor_packed_bytes(const yq_tensor *w);
/* Packs w into dst on all threads (yq_tensor_packed_bytes(w) bytes, 64-byte aligned, owned by
 * the caller, who sets w->packed back to NULL before freeing it); not inside yq_parallel_for. */
void yq_tensor_pack_into(yq_tensor *w, void *dst);

/* The same with the scalar reference loop on one thread (used by tests as the twin). */
void yq_matmul_reference(float *out, const yq_tensor *w, const float *x, int n_tokens);

/* out = x * weight / sqrt(mean(x^2) + eps) over n elements (out may alias x). */
void yq_rmsnorm(float *out, const float *x, const float *weight, int n, float eps);

/* Rotates each of n_heads heads of `vec` (n_heads * head_dim) by position `pos`:
 * pairs (i, i + head_dim/2) ("rotate_half", Hugging Face) or (2i, 2i+1) when interleaved
 * (llama2.c). inv_freq has head_dim/2 entries. */
void yq_rope(float *vec, int n_heads, int head_dim, int pos, const float *inv_freq, int interleaved);

/* In-place softmax over n elements. */
void yq_softmax(float *x, int n);

/* The lowest index of the largest of x[0..n) (greedy decoding over a vocabulary); NaNs are
 * never chosen, and n < 1 or all NaN gives 0. */
int32_t yq_argmax(const float *x, int n);

/* gate[i] = silu(gate[i]) * up[i]. */
void yq_silu_mul(float *gate, const float *up, int n);

/* out = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias over n elements (LayerNorm; out may
 * alias x). */
void yq_layernorm(float *out, const float *x, const float *weight, const float *bias, int n, float eps);

/* x[i] = x[i] * (1 + erf(x[i] / sqrt(2))) / 2 (the exact GELU, PyTorch's default). */
void yq_gelu(float *x, int64_t n);

/* yq_softmax for long rows: a vectorised exp (within 2 ulp of expf) when the AVX2 kernels are
 * active, else yq_softmax itself. */
void yq_softmax_long(float *x, int n);

/* out = softmax(q . k_r) v over rows r < n_ctx of contiguous k and v (n_ctx, head_dim), q
 * already scaled (no causal mask, no 1/sqrt(d)). `scores` is scratch of n_ctx floats. AVX2
 * when active and head_dim is a multiple of 8. */
void yq_attention_rows(float *out, const float *q, int head_dim, const float *k, const float *v, int n_ctx,
                       float *scores);

/* Keys/values of one (layer, KV head) reached through a block table: position p lives at
 * base + blocks[p / block_size] * block_stride + (p % block_size) * head_dim. */
typedef struct yq_kv_view {
    const float *k_base, *v_base;
    const int32_t *blocks;
    int block_size;
    int64_t block_stride;
} yq_kv_view;

/* Causal attention of one query head over positions [0, n_ctx): out = softmax(q.K / sqrt(d)) V.
 * `scores` is scratch of n_ctx floats. */
void yq_attention(float *out, const float *q, int head_dim, const yq_kv_view *kv, int n_ctx,
                  float *scores);

#endif
