/* Quantized dtypes: the dtype table and ggml type numbers, reference (de)quantization bit-exact
 * with gguf-py / ggml fixtures (tests/data/quant), round-trip error, and the AVX2 matmul with
 * 8-bit activations against the f32 reference, bit-exact across batches and thread counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/mapfile.h"
#include "yuqing/threads.h"

static const yq_dtype QTYPES[] = {YQ_DTYPE_Q8_0, YQ_DTYPE_Q4_0, YQ_DTYPE_Q4_1, YQ_DTYPE_Q5_0,
                                  YQ_DTYPE_Q5_1, YQ_DTYPE_Q4_K, YQ_DTYPE_Q5_K, YQ_DTYPE_Q6_K};
enum { N_QTYPES = sizeof QTYPES / sizeof QTYPES[0] };

static void test_traits(void) {
    static const struct {
        yq_dtype dt;
        uint32_t ggml;
        int block;
        size_t bytes;
    } want[] = {{YQ_DTYPE_F32, 0, 1, 4},       {YQ_DTYPE_F16, 1, 1, 2},      {YQ_DTYPE_BF16, 30, 1, 2},
                {YQ_DTYPE_Q8_0, 8, 32, 34},    {YQ_DTYPE_Q4_0, 2, 32, 18},   {YQ_DTYPE_Q4_1, 3, 32, 20},
                {YQ_DTYPE_Q5_0, 6, 32, 22},    {YQ_DTYPE_Q5_1, 7, 32, 24},   {YQ_DTYPE_Q4_K, 12, 256, 144},
                {YQ_DTYPE_Q5_K, 13, 256, 176}, {YQ_DTYPE_Q6_K, 14, 256, 210}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        yq_dtype back;
        size_t row;
        CHECK(yq_dtype_to_ggml(want[i].dt) == want[i].ggml);
        CHECK(yq_dtype_from_ggml(want[i].ggml, &back) == 0 && back == want[i].dt);
        CHECK(yq_dtype_block_size(want[i].dt) == want[i].block &&
              yq_dtype_block_bytes(want[i].dt) == want[i].bytes);
        CHECK(yq_dtype_is_quantized(want[i].dt) == (want[i].block > 1));
        CHECK(yq_dtype_row_bytes(want[i].dt, 3 * 256, &row) == 0 &&
              row == 3 * 256 / want[i].block * want[i].bytes);
        CHECK(yq_dtype_size(want[i].dt) == (want[i].block > 1 ? 0 : want[i].bytes));
    }
    yq_dtype dt;
    size_t row;
    CHECK(yq_dtype_from_ggml(10, &dt) == YQ_EUNSUPPORTED && strstr(yq_last_error(), "10")); /* Q2_K */
    CHECK(yq_dtype_row_bytes(YQ_DTYPE_Q4_K, 4096 + 32, &row) == YQ_EINVAL && strstr(yq_last_error(), "Q4_K"));
    CHECK(yq_dtype_row_bytes(YQ_DTYPE_Q8_0, 33, &row) == YQ_EINVAL);
    CHECK(!strcmp(yq_dtype_name(YQ_DTYPE_Q5_K), "Q5_K") && !strcmp(yq_dtype_name(YQ_DTYPE_COUNT), "?"));
    /* plain dtypes go through the same entry points: rounding to nearest even and widening */
    float x[2] = {1.0f + 0x1p-11f, -3.0f}, y[2];
    uint16_t h[2];
    yq_quantize_row(YQ_DTYPE_F16, x, h, 2);
    yq_dequantize_row(YQ_DTYPE_F16, h, y, 2);
    CHECK(h[0] == 0x3c00 && h[1] == 0xc200 && y[0] == 1.0f && y[1] == -3.0f);
    yq_quantize_row(YQ_DTYPE_BF16, x, h, 2);
    CHECK(h[0] == 0x3f80 && h[1] == 0xc040);
}

typedef struct {
    char *data;
    uint32_t ggml_type, rows, cols, n_random;
    float *input, *dequant, *random_dequant;
    const unsigned char *quant, *random;
} fixture;

/* The next `bytes` of the file, or NULL past its end. */
static const char *take(const fixture *f, size_t len, size_t *pos, size_t bytes) {
    if (len - *pos < bytes) return NULL;
    *pos += bytes;
    return f->data + *pos - bytes;
}

static float *take_floats(const fixture *f, size_t len, size_t *pos, size_t n) {
    const char *p = take(f, len, pos, n * sizeof(float));
    float *v = p ? malloc(n * sizeof *v) : NULL;
    if (v) memcpy(v, p, n * sizeof *v);
    return v;
}

/* Reads tests/data/quant/<name>.bin (format in its README); 0 on success. */
static int load_fixture(yq_dtype dt, fixture *f) {
    char rel[64];
    size_t len, pos = 20;
    memset(f, 0, sizeof *f);
    snprintf(rel, sizeof rel, "quant/%s.bin", yq_dtype_name(dt));
    if (yq_read_file(test_data_path(rel), &f->data, &len) || len < pos || memcmp(f->data, "YQQ1", 4))
        return -1;
    memcpy(&f->ggml_type, f->data + 4, 16);
    size_t row_bytes = f->cols / (size_t)yq_dtype_block_size(dt) * yq_dtype_block_bytes(dt);
    size_t n = (size_t)f->rows * f->cols, n_random = f->n_random * (size_t)yq_dtype_block_size(dt);
    f->input = take_floats(f, len, &pos, n);
    f->quant = (const unsigned char *)take(f, len, &pos, f->rows * row_bytes);
    f->dequant = take_floats(f, len, &pos, n);
    f->random = (const unsigned char *)take(f, len, &pos, f->n_random * yq_dtype_block_bytes(dt));
    f->random_dequant = take_floats(f, len, &pos, n_random);
    return f->random_dequant && pos == len && f->ggml_type == yq_dtype_to_ggml(dt) ? 0 : -1;
}

static void free_fixture(fixture *f) {
    free(f->data);
    free(f->input);
    free(f->dequant);
    free(f->random_dequant);
}

static void test_fixtures(void) {
    for (int q = 0; q < N_QTYPES; q++) {
        yq_dtype dt = QTYPES[q];
        fixture f;
        if (load_fixture(dt, &f)) {
            CHECKF(0, "%s: cannot load its fixture", yq_dtype_name(dt));
            free_fixture(&f);
            continue;
        }
        size_t n = (size_t)f.rows * f.cols, row_bytes;
        yq_dtype_row_bytes(dt, f.cols, &row_bytes);
        unsigned char *bytes = malloc(f.rows * row_bytes);
        float *values = malloc(n * sizeof *values);
        for (uint32_t r = 0; r < f.rows; r++) {
            yq_quantize_row(dt, f.input + (size_t)r * f.cols, bytes + r * row_bytes, f.cols);
            CHECKF(!memcmp(bytes + r * row_bytes, f.quant + r * row_bytes, row_bytes),
                   "%s: row %u quantizes differently", yq_dtype_name(dt), r);
        }
        yq_dequantize_row(dt, f.quant, values, (int64_t)n);
        CHECKF(!memcmp(values, f.dequant, n * sizeof *values), "%s: dequantize differs", yq_dtype_name(dt));
        yq_tensor t = {.dtype = dt, .rows = f.rows, .cols = f.cols, .data = f.quant};
        yq_tensor_row_f32(&t, 2, values);
        CHECKF(!memcmp(values, f.dequant + 2 * f.cols, f.cols * sizeof *values), "%s: tensor row 2",
               yq_dtype_name(dt));
        int64_t n_random = (int64_t)f.n_random * yq_dtype_block_size(dt);
        yq_dequantize_row(dt, f.random, values, n_random);
        CHECKF(!memcmp(values, f.random_dequant, (size_t)n_random * sizeof *values),
               "%s: random blocks differ", yq_dtype_name(dt));
        free(bytes);
        free(values);
        free_fixture(&f);
    }
}

static uint32_t seed = 2024;
static float gaussian(void) { /* sum of 4 uniforms, variance 1 */
    float s = 0;
    for (int i = 0; i < 4; i++) {
        seed = seed * 1664525u + 1013904223u;
        s += (float)(seed >> 8) / (float)(1 << 24) - 0.5f;
    }
    return s * 1.7320508f;
}

/* Quantize-dequantize error of Gaussian data relative to its RMS, against ceilings 10-20 % above
 * what the reference quantizers reach on it (Q8_0 0.51 %, Q4_0 8.1 %, Q4_1 7.7 %, Q5_0 4.1 %,
 * Q5_1 3.7 %, Q4_K 6.9 %, Q5_K 3.5 %, Q6_K 1.7 %): a gross error in a quantizer shows here
 * even where no fixture covers the input. */
static void test_round_trip(void) {
    static const float ceiling[N_QTYPES] = {0.006f, 0.095f, 0.09f, 0.048f, 0.043f, 0.08f, 0.041f, 0.02f};
    enum { N = 4096 };
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    void *q = malloc(N * 2);
    for (int i = 0; i < N; i++)
        x[i] = gaussian();
    for (int k = 0; k < N_QTYPES; k++) {
        yq_quantize_row(QTYPES[k], x, q, N);
        yq_dequantize_row(QTYPES[k], q, y, N);
        double err = 0, ref = 0;
        for (int i = 0; i < N; i++)
            err += (double)(x[i] - y[i]) * (x[i] - y[i]), ref += (double)x[i] * x[i];
        CHECKF(sqrt(err / ref) < ceiling[k], "%s: relative RMS error %.4f", yq_dtype_name(QTYPES[k]),
               sqrt(err / ref));
    }
    free(x);
    free(y);
    free(q);
}

/* Worst-case effect of rounding x to 8 bits per block (step max|x|/127, error at most half a
 * step), plus f32 summation slack: the tolerance of the AVX2 kernel against the reference. */
static float tolerance(const float *w_row, const float *x, int64_t cols, int block) {
    double bound = 0, mag = 0;
    for (int64_t b = 0; b < cols; b += block) {
        float amax = 0;
        for (int i = 0; i < block; i++)
            amax = fmaxf(amax, fabsf(x[b + i]));
        for (int i = 0; i < block; i++) {
            bound += fabs(w_row[b + i]) * amax / 127 * 0.5;
            mag += fabs(w_row[b + i] * x[b + i]);
        }
    }
    return (float)(bound * 1.001 + mag * 2e-5 + 1e-30);
}

/* Squared errors against the reference and squared reference outputs, summed per dtype over
 * every case of the AVX2 kernel: the typical error, where tolerance() bounds the worst. */
static double err2[YQ_DTYPE_COUNT], ref2[YQ_DTYPE_COUNT];

typedef struct {
    yq_dtype dt;
    int64_t rows, cols;
    int n_tokens;
    void *w;
    float *wf, *x, *ref, *got, *one;
} case_data;

static void make_case(case_data *c) {
    size_t row_bytes;
    yq_dtype_row_bytes(c->dt, c->cols, &row_bytes);
    size_t nw = (size_t)(c->rows * c->cols), nx = (size_t)(c->n_tokens * c->cols),
           no = (size_t)c->rows * c->n_tokens;
    c->w = malloc((size_t)c->rows * row_bytes);
    c->wf = malloc(nw * sizeof(float));
    c->x = malloc(nx * sizeof(float));
    c->ref = malloc(no * sizeof(float));
    c->got = malloc(no * sizeof(float));
    c->one = malloc((size_t)c->rows * sizeof(float));
    for (size_t i = 0; i < nw; i++)
        c->wf[i] = gaussian() * (1 + (float)(i % 7)); /* uneven block scales */
    for (size_t i = 0; i < nx; i++)
        c->x[i] = gaussian() + (i % 13 == 0 ? 4.0f : 0.0f);
    for (int64_t r = 0; r < c->rows; r++) {
        char *qrow = (char *)c->w + (size_t)r * row_bytes;
        yq_quantize_row(c->dt, c->wf + r * c->cols, qrow, c->cols);
        yq_dequantize_row(c->dt, qrow, c->wf + r * c->cols, c->cols); /* the values W holds */
    }
}

static void free_case(case_data *c) {
    free(c->w);
    free(c->wf);
    free(c->x);
    free(c->ref);
    free(c->got);
    free(c->one);
}

/* One shape under the active kernel and thread count (which also pack it): within tolerance of
 * the reference. On one thread (`first` gets the batch result) each token alone must give its row
 * of the batch bit for bit; on more threads the batch, and its last token alone, must match
 * `first`. */
static void check_case(case_data *c, float *first, int threads) {
    yq_tensor w = {.dtype = c->dt, .rows = c->rows, .cols = c->cols, .data = c->w};
    CHECK(yq_tensor_pack(&w) == 0);
    size_t no = (size_t)c->rows * c->n_tokens, row_bytes = (size_t)c->rows * sizeof(float);
    yq_matmul_reference(c->ref, &w, c->x, c->n_tokens);
    yq_matmul(c->got, &w, c->x, c->n_tokens);
    int block = yq_dtype_block_size(c->dt), bad = 0;
    for (int t = 0; t < c->n_tokens; t++)
        for (int64_t r = 0; r < c->rows; r++) {
            size_t i = (size_t)t * c->rows + r;
            float tol = tolerance(c->wf + r * c->cols, c->x + t * c->cols, c->cols, block);
            bad += !(fabsf(c->got[i] - c->ref[i]) <= tol);
            if (yq_kernels_active() != YQ_KERNEL_SCALAR) {
                err2[c->dt] += (double)(c->got[i] - c->ref[i]) * (c->got[i] - c->ref[i]);
                ref2[c->dt] += (double)c->ref[i] * c->ref[i];
            }
        }
    CHECKF(!bad, "%s %lldx%lld T=%d threads=%d: %d outputs beyond tolerance", yq_dtype_name(c->dt),
           (long long)c->rows, (long long)c->cols, c->n_tokens, threads, bad);
    if (threads == 1)
        memcpy(first, c->got, no * sizeof(float));
    else
        CHECKF(!memcmp(first, c->got, no * sizeof(float)), "%s %lldx%lld T=%d: %d threads differ from 1",
               yq_dtype_name(c->dt), (long long)c->rows, (long long)c->cols, c->n_tokens, threads);
    for (int t = threads == 1 ? 0 : c->n_tokens - 1; t < c->n_tokens; t++) {
        yq_matmul(c->one, &w, c->x + t * c->cols, 1);
        CHECKF(!memcmp(c->one, first + (size_t)t * c->rows, row_bytes),
               "%s %lldx%lld threads=%d: token %d alone differs", yq_dtype_name(c->dt), (long long)c->rows,
               (long long)c->cols, threads, t);
    }
    yq_tensor_unpack(&w);
}

/* Every quantized dtype, row counts around the AVX2 kernels' 4-row tiles and 64-row tasks (16,
 * 48 and 64 rows are packed for the AVX-512 kernels, whose decode takes groups of 16 rows two
 * at a time: 48 leaves one over, 64 none), token counts around the 2-, 4- and 8-token tiles,
 * the 4-token steps of the 32-block panels and the 64-token chunks; 1 to 3 threads (the scalar
 * kernel on 1: it is the reference itself). */
static void test_matmul(void) {
    static const int64_t rows[] = {1, 5, 16, 17, 48, 64, 67};
    static const int tokens[] = {1, 2, 5, 33, 67};
    yq_kernel_kind kinds[] = {YQ_KERNEL_SCALAR, YQ_KERNEL_AVX2, YQ_KERNEL_AVX512};
    for (int k = 0; k < 3; k++) {
        if (yq_kernels_select(kinds[k]) != 0) continue;
        for (int q = 0; q < N_QTYPES; q++)
            for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
                for (size_t t = 0; t < sizeof tokens / sizeof tokens[0]; t++) {
                    case_data c = {.dt = QTYPES[q], .rows = rows[r], .n_tokens = tokens[t]};
                    c.cols = yq_dtype_block_size(c.dt) == 32 ? 96 : 512;
                    make_case(&c);
                    float *first = malloc((size_t)c.rows * c.n_tokens * sizeof(float));
                    for (int threads = 1; threads <= (kinds[k] == YQ_KERNEL_SCALAR ? 1 : 3); threads++) {
                        yq_threads_init(threads);
                        check_case(&c, first, threads);
                    }
                    free(first);
                    free_case(&c);
                }
    }
    yq_threads_shutdown();
    yq_kernels_select(YQ_KERNEL_AUTO);
    for (int q = 0; q < N_QTYPES; q++) { /* 8-bit activations: 0.7-0.9 % here; 0 without AVX2 */
        yq_dtype dt = QTYPES[q];
        double rel = ref2[dt] > 0 ? sqrt(err2[dt] / ref2[dt]) : 0;
        CHECKF(rel < 0.012, "%s: relative RMS error %.4f against the reference", yq_dtype_name(dt), rel);
    }
}

/* yq_matmul_shared gives each product the bits of its own yq_matmul call: mixed dtypes whose
 * activations are quantized in both formats (32- and 256-blocks) and not at all (F16), row
 * counts that end tasks mid-way, more products than one dispatch takes, on every kernel and 1
 * to 3 threads. */
static void test_matmul_shared(void) {
    static const yq_dtype mixes[][YQ_MATMUL_MAX_SHARED] = {{YQ_DTYPE_Q4_K, YQ_DTYPE_Q8_0, YQ_DTYPE_Q6_K},
                                                          {YQ_DTYPE_F16, YQ_DTYPE_Q5_0, YQ_DTYPE_Q5_0}};
    static const int64_t rows[YQ_MATMUL_MAX_SHARED] = {67, 16, 112};
    static const int tokens[] = {1, 5, 67};
    yq_kernel_kind kinds[] = {YQ_KERNEL_SCALAR, YQ_KERNEL_AVX2, YQ_KERNEL_AVX512};
    for (int k = 0; k < 3; k++) {
        if (yq_kernels_select(kinds[k]) != 0) continue;
        for (size_t m = 0; m < sizeof mixes / sizeof mixes[0]; m++)
            for (size_t t = 0; t < sizeof tokens / sizeof tokens[0]; t++)
                for (int threads = 1; threads <= 3; threads++) {
                    yq_threads_init(threads);
                    case_data c[YQ_MATMUL_MAX_SHARED];
                    yq_tensor w[YQ_MATMUL_MAX_SHARED];
                    yq_matmul_out outs[2 * YQ_MATMUL_MAX_SHARED]; /* each product twice: two dispatches */
                    float *again[YQ_MATMUL_MAX_SHARED];
                    for (int i = 0; i < YQ_MATMUL_MAX_SHARED; i++) {
                        c[i] = (case_data){.dt = mixes[m][i], .rows = rows[i], .cols = 512, .n_tokens = tokens[t]};
                        make_case(&c[i]);
                        w[i] = (yq_tensor){.dtype = c[i].dt, .rows = c[i].rows, .cols = c[i].cols, .data = c[i].w};
                        CHECK(yq_tensor_pack(&w[i]) == 0);
                        yq_matmul(c[i].ref, &w[i], c[0].x, c[i].n_tokens);
                        again[i] = malloc((size_t)c[i].rows * c[i].n_tokens * sizeof(float));
                        outs[i] = (yq_matmul_out){c[i].got, &w[i]};
                        outs[YQ_MATMUL_MAX_SHARED + i] = (yq_matmul_out){again[i], &w[i]};
                    }
                    yq_matmul_shared(outs, 2 * YQ_MATMUL_MAX_SHARED, c[0].x, tokens[t]);
                    for (int i = 0; i < YQ_MATMUL_MAX_SHARED; i++) {
                        size_t bytes = (size_t)c[i].rows * c[i].n_tokens * sizeof(float);
                        CHECKF(!memcmp(c[i].ref, c[i].got, bytes) && !memcmp(c[i].ref, again[i], bytes),
                               "shared %s, %s kernel, T=%d, %d threads: differs from its own yq_matmul",
                               yq_dtype_name(c[i].dt), yq_kernel_name(kinds[k]), tokens[t], threads);
                        free(again[i]);
                        yq_tensor_unpack(&w[i]);
                        free_case(&c[i]);
                    }
                }
    }
    yq_threads_shutdown();
    yq_kernels_select(YQ_KERNEL_AUTO);
}

int main(void) {
    test_traits();
    test_fixtures();
    test_round_trip();
    test_matmul();
    test_matmul_shared();
    return test_summary("quant");
}
