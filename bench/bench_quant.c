/* Quantized matmul kernels: decode-style matrix-vector speed (GB/s of weights, rows/s) of every
 * quantized dtype next to bf16 on a ~256 MB matrix at 1 and 2 threads, against the read
 * bandwidth of the same buffer; and the accuracy of each dtype (round trip, and the 8-bit
 * activation kernel against the f32 reference). Usage: bench_quant [max_threads] [MB]. */
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yuqing/kernels.h"
#include "yuqing/threads.h"

enum { COLS = 4096, RUNS = 9, SAMPLE_ROWS = 64, ACC_ROWS = 256, MAX_THREADS = 16 };

static const yq_dtype DTYPES[] = {YQ_DTYPE_BF16, YQ_DTYPE_Q8_0, YQ_DTYPE_Q4_0, YQ_DTYPE_Q4_1, YQ_DTYPE_Q5_0,
                                  YQ_DTYPE_Q5_1, YQ_DTYPE_Q4_K, YQ_DTYPE_Q5_K, YQ_DTYPE_Q6_K};
enum { N_DTYPES = sizeof DTYPES / sizeof DTYPES[0] };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static float gaussian(void) { /* sum of 4 uniforms, variance 1 */
    float s = 0;
    for (int i = 0; i < 4; i++) {
        rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
        s += (float)(rng_state >> 40) / (float)(1 << 24) - 0.5f;
    }
    return s * 1.7320508f;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fills `rows` rows of dtype with SAMPLE_ROWS rows of Gaussian weights repeated (the kernels'
 * speed does not depend on the values). */
static void fill_matrix(void *data, yq_dtype dt, int64_t rows, size_t row_bytes) {
    float *x = malloc((size_t)SAMPLE_ROWS * COLS * sizeof *x);
    for (size_t i = 0; i < (size_t)SAMPLE_ROWS * COLS; i++)
        x[i] = gaussian() * 0.05f;
    for (int64_t r = 0; r < rows && r < SAMPLE_ROWS; r++) {
        yq_quantize_row(dt, x + r * COLS, (char *)data + (size_t)r * row_bytes, COLS);
    }
    for (int64_t r = SAMPLE_ROWS; r < rows; r++)
        memcpy((char *)data + (size_t)r * row_bytes, (char *)data + (size_t)(r % SAMPLE_ROWS) * row_bytes,
               row_bytes);
    free(x);
}

typedef struct {
    const unsigned char *buf;
    uint64_t sums[64];
} read_job;

/* Reads pages [begin, end) as 4 sequential streams a quarter of the range apart, the pattern of
 * the decode kernels (a single stream per core reads markedly slower on some machines). */
__attribute__((target("avx2"))) static void read_pages(void *arg, int64_t begin, int64_t end, int thread) {
    read_job *job = arg;
    const size_t quarter = (size_t)(end - begin) / 4 * 4096;
    const unsigned char *p = job->buf + (size_t)begin * 4096;
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    for (size_t off = 0; off < quarter; off += 32) {
        a = _mm256_xor_si256(a, _mm256_load_si256((const __m256i *)(p + off)));
        b = _mm256_xor_si256(b, _mm256_load_si256((const __m256i *)(p + quarter + off)));
        c = _mm256_xor_si256(c, _mm256_load_si256((const __m256i *)(p + 2 * quarter + off)));
        d = _mm256_xor_si256(d, _mm256_load_si256((const __m256i *)(p + 3 * quarter + off)));
    }
    a = _mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d));
    job->sums[thread] += (uint64_t)_mm256_extract_epi64(a, 0);
}

/* Median of RUNS timings of fn over `bytes`, in bytes per second. */
static double median_rate(size_t bytes, void (*fn)(void *), void *arg) {
    double rates[RUNS];
    fn(arg); /* warm-up */
    for (int r = 0; r < RUNS; r++) {
        double t0 = now();
        fn(arg);
        rates[r] = (double)bytes / (now() - t0);
    }
    qsort(rates, RUNS, sizeof rates[0], compare_doubles);
    return rates[RUNS / 2];
}

typedef struct {
    read_job read;
    size_t bytes;
    yq_tensor w;
    const float *x;
    float *out;
} bench_args;

static void run_read(void *arg) {
    bench_args *a = arg;
    yq_parallel_for((int64_t)(a->bytes / 4096), read_pages, &a->read);
}

static void run_matvec(void *arg) {
    bench_args *a = arg;
    yq_matmul(a->out, &a->w, a->x, 1);
}

/* Relative RMS errors of a quantize-dequantize round trip of Gaussian weights and of the active
 * kernel's matmul (8-bit activations for quantized weights) against the f32 reference. */
static void accuracy(yq_dtype dt, double *round_trip, double *matmul) {
    size_t row_bytes;
    yq_dtype_row_bytes(dt, COLS, &row_bytes);
    float *wf = malloc((size_t)ACC_ROWS * COLS * sizeof *wf), *x = malloc(COLS * sizeof *x);
    float *ref = malloc(ACC_ROWS * sizeof *ref), *got = malloc(ACC_ROWS * sizeof *got),
          *row = malloc(COLS * sizeof *row);
    void *w = malloc(ACC_ROWS * row_bytes);
    for (size_t i = 0; i < (size_t)ACC_ROWS * COLS; i++)
        wf[i] = gaussian();
    for (int k = 0; k < COLS; k++)
        x[k] = gaussian();
    double e2 = 0, r2 = 0;
    for (int r = 0; r < ACC_ROWS; r++) {
        char *q = (char *)w + (size_t)r * row_bytes;
        yq_quantize_row(dt, wf + r * COLS, q, COLS);
        yq_dequantize_row(dt, q, row, COLS);
        for (int k = 0; k < COLS; k++) {
            double d = row[k] - wf[r * COLS + k];
            e2 += d * d, r2 += (double)wf[r * COLS + k] * wf[r * COLS + k];
        }
    }
    *round_trip = sqrt(e2 / r2);
    yq_tensor t = {.dtype = dt, .rows = ACC_ROWS, .cols = COLS, .data = w};
    yq_tensor_pack(&t); /* as a model's weights are at load (AVX-512 kernels) */
    yq_matmul_reference(ref, &t, x, 1);
    yq_matmul(got, &t, x, 1);
    yq_tensor_unpack(&t);
    e2 = r2 = 0;
    for (int r = 0; r < ACC_ROWS; r++)
        e2 += (double)(got[r] - ref[r]) * (got[r] - ref[r]), r2 += (double)ref[r] * ref[r];
    *matmul = sqrt(e2 / r2);
    free(wf), free(x), free(ref), free(got), free(row), free(w);
}

int main(int argc, char **argv) {
    int max_threads = argc > 1 ? atoi(argv[1]) : 2;
    if (max_threads < 1 || max_threads > MAX_THREADS) max_threads = 2;
    int mb = argc > 2 ? atoi(argv[2]) : 256;
    size_t target = (size_t)(mb >= 16 ? mb : 256) << 20;
    unsigned char *buf = aligned_alloc(4096, target);
    float *x = malloc(COLS * sizeof *x), *out = calloc(target / 64, sizeof *out);
    memset(buf, 1, target);
    for (int k = 0; k < COLS; k++)
        x[k] = gaussian();
    yq_kernels_select(YQ_KERNEL_AUTO);
    double rt[N_DTYPES], mm[N_DTYPES], rate[MAX_THREADS + 1][N_DTYPES], read_bw[MAX_THREADS + 1];
    size_t row_bytes[N_DTYPES];
    for (int d = 0; d < N_DTYPES; d++) {
        accuracy(DTYPES[d], &rt[d], &mm[d]);
        yq_dtype_row_bytes(DTYPES[d], COLS, &row_bytes[d]);
    }
    for (int threads = 1; threads <= max_threads; threads++) {
        yq_threads_init(threads);
        bench_args a = {{buf, {0}}, target, {0}, x, out};
        read_bw[threads] = median_rate(target, run_read, &a);
        for (int d = 0; d < N_DTYPES; d++) {
            int64_t rows = (int64_t)(target / row_bytes[d]) / 64 * 64;
            fill_matrix(buf, DTYPES[d], rows, row_bytes[d]);
            a.w = (yq_tensor){.dtype = DTYPES[d], .rows = rows, .cols = COLS, .data = buf};
            yq_tensor_pack(&a.w); /* as a model's weights are at load (AVX-512 kernels) */
            a.bytes = (size_t)rows * row_bytes[d];
            rate[threads][d] = median_rate(a.bytes, run_matvec, &a);
            yq_tensor_unpack(&a.w);
        }
    }
    printf("decode matvec (1 token), %d columns, ~%zu MB of weights per dtype, %s kernels, median of %d\n",
           COLS, target >> 20, yq_kernel_name(yq_kernels_active()), RUNS);
    printf("dtype  bits/w  rt err  mm err");
    for (int threads = 1; threads <= max_threads; threads++)
        printf("  | %d thr: GB/s  Mrows/s  of read", threads);
    printf("\nread bandwidth                ");
    for (int threads = 1; threads <= max_threads; threads++)
        printf("  |        %5.1f                 ", read_bw[threads] / 1e9);
    for (int d = 0; d < N_DTYPES; d++) {
        printf("\n%-5s  %6.2f  %5.2f%%  %5.2f%%", yq_dtype_name(DTYPES[d]), 8.0 * (double)row_bytes[d] / COLS,
               100 * rt[d], 100 * mm[d]);
        for (int threads = 1; threads <= max_threads; threads++)
            printf("  |        %5.1f  %7.2f  %6.0f%%", rate[threads][d] / 1e9,
                   rate[threads][d] / row_bytes[d] / 1e6, 100 * rate[threads][d] / read_bw[threads]);
    }
    printf("\nrt err: relative RMS error of quantize + dequantize on N(0, 1) weights; mm err: of the matvec\n"
           "against the f32 reference on the same quantized weights (8-bit activations for Q*).\n");
    yq_threads_shutdown();
    free(buf), free(x), free(out);
    return 0;
}
