/* Kernels: the SIMD matmul against its scalar twin for every dtype and awkward shapes, batch and
 * thread invariance, float conversions against IEEE 754 bit patterns, RMSNorm/RoPE/softmax
 * against hand-computed values, SiLU and paged attention against their scalar twins, and the KV
 * block pool. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/kernels.h"
#include "yuqing/kv_cache.h"
#include "yuqing/threads.h"

static uint32_t seed = 12345;
static float random_float(void) {
    seed = seed * 1664525u + 1013904223u;
    return (float)(seed >> 8) / (float)(1 << 24) * 2.0f - 1.0f;
}

static void *random_matrix(yq_dtype dt, int64_t n) {
    void *p = malloc((size_t)n * yq_dtype_size(dt));
    for (int64_t i = 0; i < n; i++) {
        float v = random_float();
        if (dt == YQ_DTYPE_F32) ((float *)p)[i] = v;
        else if (dt == YQ_DTYPE_F16) ((uint16_t *)p)[i] = yq_f32_to_f16(v);
        else ((uint16_t *)p)[i] = yq_f32_to_bf16(v);
    }
    return p;
}

static void check_matmul_shape(yq_dtype dt, int64_t rows, int64_t cols, int n_tokens) {
    void *w_data = random_matrix(dt, rows * cols);
    yq_tensor w = {.dtype = dt, .rows = rows, .cols = cols, .data = w_data};
    CHECK(yq_tensor_pack(&w) == 0); /* f16 with rows % 16 == 0 and cols % 32 == 0: the packed kernel */
    float *x = random_matrix(YQ_DTYPE_F32, cols * n_tokens);
    size_t n_out = (size_t)rows * n_tokens;
    float *ref = malloc(n_out * sizeof *ref), *got = malloc(n_out * sizeof *got), *one = malloc((size_t)rows * sizeof *one);
    yq_matmul_reference(ref, &w, x, n_tokens);
    yq_matmul(got, &w, x, n_tokens);
    float worst = 0;
    for (size_t i = 0; i < n_out; i++) worst = fmaxf(worst, fabsf(ref[i] - got[i]));
    CHECKF(worst <= 1e-5f * (float)cols, "%s %lldx%lld T=%d: max diff %g", yq_dtype_name(dt), (long long)rows,
           (long long)cols, n_tokens, worst);
    for (int t = 0; t < n_tokens; t++) { /* each token alone gives bit-identical rows */
        yq_matmul(one, &w, x + (size_t)t * cols, 1);
        CHECKF(!memcmp(one, got + (size_t)t * rows, (size_t)rows * sizeof *one), "%s %lldx%lld: token %d alone differs",
               yq_dtype_name(dt), (long long)rows, (long long)cols, t);
    }
    yq_tensor_unpack(&w);
    free(w_data);
    free(x);
    free(ref);
    free(got);
    free(one);
}

static void test_matmul(void) {
    static const int64_t shapes[][2] = {{1, 1}, {3, 7}, {17, 8}, {33, 100}, {64, 64}, {48, 96}, {131, 257}, {260, 896}};
    yq_dtype dtypes[] = {YQ_DTYPE_F32, YQ_DTYPE_F16, YQ_DTYPE_BF16};
    yq_kernel_kind kinds[] = {YQ_KERNEL_SCALAR, YQ_KERNEL_AVX2, YQ_KERNEL_AVX512};
    for (int k = 0; k < 3; k++) {
        if (yq_kernels_select(kinds[k]) != 0) continue;
        for (int threads = 1; threads <= 3; threads++) {
            yq_threads_init(threads);
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                for (int d = 0; d < 3; d++)
                    for (int t = 1; t <= 37; t += 9) check_matmul_shape(dtypes[d], shapes[s][0], shapes[s][1], t);
        }
    }
    yq_threads_shutdown();
}

static void test_conversions(void) {
    /* IEEE 754 binary16 and bfloat16 encodings. */
    CHECK(yq_f32_to_f16(1.0f) == 0x3c00 && yq_f32_to_f16(-2.0f) == 0xc000);
    CHECK(yq_f32_to_f16(65504.0f) == 0x7bff && yq_f32_to_f16(65520.0f) == 0x7c00);
    CHECK(yq_f32_to_f16(0x1p-24f) == 0x0001 && yq_f32_to_f16(0x1p-14f) == 0x0400);
    CHECK(yq_f32_to_f16(0x1p-25f) == 0x0000);             /* ties to even: rounds down to 0 */
    CHECK(yq_f32_to_f16(1.0f + 0x1p-11f) == 0x3c00);      /* halfway, even stays */
    CHECK(yq_f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3c02);  /* halfway, odd rounds up */
    CHECK(yq_f16_to_f32(0x0001) == 0x1p-24f && yq_f16_to_f32(0x7bff) == 65504.0f);
    CHECK(isinf(yq_f16_to_f32(0x7c00)) && isnan(yq_f16_to_f32(0x7e00)));
    CHECK(yq_f32_to_bf16(1.0f) == 0x3f80 && yq_f32_to_bf16(-1.5f) == 0xbfc0);
    CHECK(yq_f32_to_bf16(1.0f + 0x1p-8f) == 0x3f80 && yq_f32_to_bf16(1.0f + 3 * 0x1p-8f) == 0x3f82);
    CHECK(yq_bf16_to_f32(0x4049) == 3.140625f);
    for (uint32_t h = 0; h < 0x10000; h++) { /* every finite f16 survives the round trip */
        float f = yq_f16_to_f32((uint16_t)h);
        if (!isnan(f)) CHECKF(yq_f32_to_f16(f) == h, "f16 0x%04x round trip", h);
    }
}

static void test_small_ops(void) {
    float x[4] = {1, 2, 3, 4}, w[4] = {1, 1, 1, 2}, out[4];
    yq_rmsnorm(out, x, w, 4, 0.0f); /* rms = sqrt(30/4) */
    float inv = 1.0f / sqrtf(7.5f);
    CHECK(fabsf(out[0] - inv) < 1e-6f && fabsf(out[3] - 8 * inv) < 1e-6f);
    float s[3] = {0, logf(2), logf(5)};
    yq_softmax(s, 3);
    CHECK(fabsf(s[0] - 0.125f) < 1e-6f && fabsf(s[1] - 0.25f) < 1e-6f && fabsf(s[2] - 0.625f) < 1e-6f);
    /* RoPE: rotate_half pairs (0,2),(1,3) vs interleaved (0,1),(2,3); angle pos*inv_freq. */
    float inv_freq[2] = {1.0f, 0.5f}, a[4] = {1, 0, 0, 1}, b[4] = {1, 0, 0, 1};
    yq_rope(a, 1, 4, 1, inv_freq, 0);
    CHECK(fabsf(a[0] - cosf(1)) < 1e-6f && fabsf(a[2] - sinf(1)) < 1e-6f);
    CHECK(fabsf(a[1] + sinf(0.5f)) < 1e-6f && fabsf(a[3] - cosf(0.5f)) < 1e-6f);
    yq_rope(b, 1, 4, 1, inv_freq, 1);
    CHECK(fabsf(b[0] - cosf(1)) < 1e-6f && fabsf(b[1] - sinf(1)) < 1e-6f);
    CHECK(fabsf(b[2] + sinf(0.5f)) < 1e-6f && fabsf(b[3] - cosf(0.5f)) < 1e-6f);
    float g[2] = {0.0f, 2.0f}, u[2] = {5.0f, 3.0f};
    yq_silu_mul(g, u, 2);
    CHECK(g[0] == 0.0f && fabsf(g[1] - 3 * 2 / (1 + expf(-2))) < 1e-6f);
}

/* The SIMD SiLU and paged attention against the scalar code (selected explicitly): SiLU over
 * [-40, 40], attention through a shuffled block table for head sizes 64, 128 and 24 (the
 * generic path) and context lengths around the 4-row score groups and 16-position blocks. */
static void test_simd_ops(void) {
    enum { N = 1003, BLOCK = 16, BLOCKS = 5, MAX_HD = 128 };
    float g[N], g_ref[N], up[N];
    for (int i = 0; i < N; i++) g[i] = g_ref[i] = 40.0f * random_float(), up[i] = random_float();
    float *k = malloc(BLOCK * BLOCKS * MAX_HD * sizeof *k), *v = malloc(BLOCK * BLOCKS * MAX_HD * sizeof *v);
    for (int i = 0; i < BLOCK * BLOCKS * MAX_HD; i++) k[i] = 3 * random_float(), v[i] = random_float();
    yq_kernels_select(YQ_KERNEL_SCALAR);
    yq_silu_mul(g_ref, up, N);
    int head_dims[] = {64, 128, 24}, lengths[] = {1, 3, 16, 17, 66, 80};
    float ref[3][6][MAX_HD], q[MAX_HD], scores[BLOCK * BLOCKS], out[MAX_HD];
    int32_t table[BLOCKS] = {3, 0, 4, 1, 2};
    for (int i = 0; i < MAX_HD; i++) q[i] = random_float();
    for (int h = 0; h < 3; h++)
        for (int l = 0; l < 6; l++) {
            yq_kv_view view = {k, v, table, BLOCK, (int64_t)BLOCK * head_dims[h]};
            yq_attention(ref[h][l], q, head_dims[h], &view, lengths[l], scores);
        }
    if (yq_kernels_select(YQ_KERNEL_AVX2) == 0) { /* else no SIMD twin here */
        yq_silu_mul(g, up, N);
        double err = 0;
        for (int i = 0; i < N; i++) err = fmax(err, fabs(g[i] - g_ref[i]) / fmax(fabs(g_ref[i]), 1e-3));
        CHECKF(err < 1e-6, "silu: relative error %g", err);
        for (int h = 0; h < 3; h++)
            for (int l = 0; l < 6; l++) {
                yq_kv_view view = {k, v, table, BLOCK, (int64_t)BLOCK * head_dims[h]};
                yq_attention(out, q, head_dims[h], &view, lengths[l], scores);
                for (int i = 0; i < head_dims[h]; i++)
                    CHECKF(fabsf(out[i] - ref[h][l][i]) < 1e-5f, "attention d=%d n=%d: %g vs %g", head_dims[h],
                           lengths[l], out[i], ref[h][l][i]);
            }
    }
    free(k);
    free(v);
    yq_kernels_select(YQ_KERNEL_AUTO);
}

/* argmax, hand-worked, on every kernel tier: the lowest index of the largest value, NaNs never
 * chosen, -inf a value like others, positions in the vector body and in the tail. */
static void test_argmax(void) {
    enum { N = 77 };
    float x[N];
    for (int i = 0; i < N; i++) x[i] = (float)(i % 10);
    yq_kernel_kind kinds[] = {YQ_KERNEL_SCALAR, YQ_KERNEL_AVX2, YQ_KERNEL_AVX512};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (yq_kernels_select(kinds[k]) != 0) continue;
        x[40] = 9.0f;
        CHECKF(yq_argmax(x, N) == 9, "argmax: tie goes to the first 9, got %d", yq_argmax(x, N));
        x[40] = 12.0f, x[75] = 12.0f;
        CHECK(yq_argmax(x, N) == 40);
        x[0] = NAN, x[40] = NAN;
        CHECKF(yq_argmax(x, N) == 75, "argmax: NaN skipped, max in the tail, got %d", yq_argmax(x, N));
        x[40] = 0.0f, x[75] = 5.0f;
        float neg[5] = {NAN, -INFINITY, -INFINITY, NAN, -INFINITY};
        CHECK(yq_argmax(neg, 5) == 1 && yq_argmax(neg, 1) == 0 && yq_argmax(x, 0) == 0);
    }
    yq_kernels_select(YQ_KERNEL_AUTO);
}

static void test_kv_pool(void) {
    yq_kv_cache *kv;
    CHECK(yq_kv_cache_new(2, 2, 4, 16, 3, &kv) == 0);
    yq_kv_seq a = {0}, b = {0};
    CHECK(yq_kv_seq_reserve(kv, &a, 17) == 0 && a.n_blocks == 2 && yq_kv_cache_free_blocks(kv) == 1);
    CHECK(yq_kv_seq_reserve(kv, &b, 33) != 0 && b.n_blocks == 0); /* needs 3, 1 free: nothing taken */
    yq_kv_block_retain(kv, a.blocks[0]);                          /* shared with another sequence */
    yq_kv_seq_release(kv, &a);
    CHECK(yq_kv_cache_free_blocks(kv) == 2);
    CHECK(yq_kv_seq_reserve(kv, &b, 32) == 0 && yq_kv_cache_free_blocks(kv) == 0);
    CHECK(yq_kv_keys(kv, 1, 1, 1) - yq_kv_keys(kv, 0, 0, 0) == yq_kv_block_stride(kv) + (1 * 2 + 1) * 16 * 4);
    yq_kv_seq_release(kv, &b);
    yq_kv_cache_free(kv);
}

int main(void) {
    test_conversions();
    test_small_ops();
    test_simd_ops();
    test_argmax();
    test_kv_pool();
    test_matmul();
    return test_summary("kernels");
}
