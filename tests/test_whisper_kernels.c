/* The encoder-decoder kernels of src/tensor/ops_whisper*.c against double-precision formulas:
 * LayerNorm with bias, the exact GELU, the long-row softmax (its AVX2 exp against the scalar
 * yq_softmax twin, with the scalar kernels selected it is the twin itself), and attention over
 * contiguous keys/values with either kernel set. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "yuqing/kernels.h"

static float uniform(uint64_t *s) {
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return (float)(*s >> 40) / (float)(1 << 24) * 2.0f - 1.0f;
}

static void check_layernorm(void) {
    enum { N = 384 };
    float x[N], w[N], b[N], out[N];
    uint64_t s = 7;
    for (int i = 0; i < N; i++) x[i] = 3.0f * uniform(&s) + 0.5f, w[i] = 1.0f + 0.1f * uniform(&s), b[i] = 0.1f * uniform(&s);
    yq_layernorm(out, x, w, b, N, 1e-5f);
    double mean = 0, var = 0, err = 0;
    for (int i = 0; i < N; i++) mean += x[i];
    mean /= N;
    for (int i = 0; i < N; i++) var += (x[i] - mean) * (x[i] - mean);
    var /= N;
    for (int i = 0; i < N; i++) err = fmax(err, fabs(out[i] - ((x[i] - mean) / sqrt(var + 1e-5) * w[i] + b[i])));
    CHECKF(err < 2e-6, "layernorm differs by %g", err);
    yq_layernorm(x, x, w, b, N, 1e-5f); /* in place */
    CHECK(x[0] == out[0] && x[N - 1] == out[N - 1]);
}

static void check_gelu(void) {
    float x[9] = {-6, -3, -1, -0.5f, 0, 0.25f, 1, 2.5f, 8};
    float y[9];
    for (int i = 0; i < 9; i++) y[i] = x[i];
    yq_gelu(y, 9);
    for (int i = 0; i < 9; i++) {
        double want = 0.5 * x[i] * (1.0 + erf(x[i] / sqrt(2.0)));
        CHECKF(fabs(y[i] - want) <= 1e-6 * fmax(1.0, fabs(want)), "gelu(%g) = %g, want %g", x[i], y[i], want);
    }
}

static void check_softmax(yq_kernel_kind kind) {
    if (yq_kernels_select(kind)) return; /* AVX2 missing here */
    enum { N = 1500 };
    float *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    uint64_t s = 11;
    for (int i = 0; i < N; i++) a[i] = b[i] = 30.0f * uniform(&s);
    a[5] = b[5] = -200.0f; /* underflows to 0 */
    yq_softmax_long(a, N - 3); /* a length that is not a multiple of 8 */
    yq_softmax(b, N - 3);
    double err = 0, sum = 0;
    for (int i = 0; i < N - 3; i++) err = fmax(err, fabs(a[i] - b[i]) / fmax(b[i], 1e-30)), sum += a[i];
    printf("%s softmax: max relative error %.2g\n", yq_kernel_name(kind), err);
    CHECKF(err < 1e-6, "%s softmax: relative error %g", yq_kernel_name(kind), err);
    CHECK(fabs(sum - 1.0) < 1e-5 && a[5] == 0.0f);
    free(a);
    free(b);
}

/* softmax(q . k_r) v in double, for 1500 positions of 64 dimensions. */
static void check_attention_rows(yq_kernel_kind kind) {
    if (yq_kernels_select(kind)) return;
    enum { T = 1500, HD = 64 };
    float *k = malloc(T * HD * sizeof *k), *v = malloc(T * HD * sizeof *v), *scores = malloc(T * sizeof *scores);
    float q[HD], out[HD];
    uint64_t s = 3;
    for (int i = 0; i < T * HD; i++) k[i] = uniform(&s), v[i] = uniform(&s);
    for (int i = 0; i < HD; i++) q[i] = 0.6f * uniform(&s);
    yq_attention_rows(out, q, HD, k, v, T, scores);
    double *p = malloc(T * sizeof *p), max = -1e300, sum = 0, err = 0;
    for (int r = 0; r < T; r++) {
        p[r] = 0;
        for (int i = 0; i < HD; i++) p[r] += (double)q[i] * k[r * HD + i];
        max = fmax(max, p[r]);
    }
    for (int r = 0; r < T; r++) sum += p[r] = exp(p[r] - max);
    for (int i = 0; i < HD; i++) {
        double want = 0;
        for (int r = 0; r < T; r++) want += p[r] / sum * v[r * HD + i];
        err = fmax(err, fabs(out[i] - want));
    }
    printf("%s attention rows: max |diff| %.2g\n", yq_kernel_name(kind), err);
    CHECKF(err < 1e-5, "%s attention rows differ by %g", yq_kernel_name(kind), err);
    free(k), free(v), free(scores), free(p);
}

int main(void) {
    check_layernorm();
    check_gelu();
    check_softmax(YQ_KERNEL_SCALAR);
    check_softmax(YQ_KERNEL_AVX2);
    check_attention_rows(YQ_KERNEL_SCALAR);
    check_attention_rows(YQ_KERNEL_AVX2);
    yq_kernels_select(YQ_KERNEL_AUTO);
    return test_summary("test_whisper_kernels");
}
