/* yq_matmul: picks the row kernel for this CPU and splits the weight rows over the thread pool.
 * Rows are handed out in fixed blocks, so results never depend on the thread count. For
 * quantized weights the SIMD kernels first quantize each token's activations to 8 bits, once
 * per call, into a per-thread buffer that grows as needed; packed weights (yq_tensor_pack) run
 * the AVX-512 VNNI kernel while it is selected, the others the AVX2 ones. */
#include <stdlib.h>

#include "matmul_kernels.h"
#include "quant_act.h"
#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/threads.h"

/* A task is one decode tile (four 16-row groups), so the pool's claims never split a tile. */
enum { ROWS_PER_TASK = 64 };

static yq_kernel_kind active_kind = YQ_KERNEL_AUTO;
static yq_matmul_rows_fn active_rows = yq_matmul_rows_scalar;

static int cpu_has_avx2(void) {
#if defined(YQ_HAVE_AVX2) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("f16c");
#else
    return 0;
#endif
}

int yq_cpu_has_avx512(void) {
#if defined(YQ_HAVE_AVX512) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return cpu_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#else
    return 0;
#endif
}

int yq_kernels_select(yq_kernel_kind kind) {
    if (kind == YQ_KERNEL_AUTO)
        kind = yq_cpu_has_avx512() ? YQ_KERNEL_AVX512 : cpu_has_avx2() ? YQ_KERNEL_AVX2 : YQ_KERNEL_SCALAR;
    if (kind == YQ_KERNEL_AVX512 && !yq_cpu_has_avx512())
        return yq_error(YQ_EUNSUPPORTED, "AVX-512 VNNI kernels: not supported here");
    if (kind == YQ_KERNEL_AVX2 || kind == YQ_KERNEL_AVX512) {
        if (!cpu_has_avx2()) return yq_error(YQ_EUNSUPPORTED, "AVX2 kernels: not supported here");
#ifdef YQ_HAVE_AVX2
        active_rows = yq_matmul_rows_avx2;
#endif
#ifdef YQ_HAVE_AVX512
        if (kind == YQ_KERNEL_AVX512) active_rows = yq_matmul_rows_float_avx512;
#endif
    } else {
        active_rows = yq_matmul_rows_scalar;
    }
    active_kind = kind;
    return YQ_OK;
}

yq_kernel_kind yq_kernels_active(void) {
    if (active_kind == YQ_KERNEL_AUTO) yq_kernels_select(YQ_KERNEL_AUTO);
    return active_kind;
}

int yq_simd_active(void) {
    yq_kernel_kind kind = yq_kernels_active();
    return kind == YQ_KERNEL_AVX2 || kind == YQ_KERNEL_AVX512;
}

const char *yq_kernel_name(yq_kernel_kind kind) {
    switch (kind) {
    case YQ_KERNEL_SCALAR: return "scalar";
    case YQ_KERNEL_AVX2: return "avx2";
    case YQ_KERNEL_AVX512: return "avx512-vnni";
    default: return "auto";
    }
}

typedef struct {
    float *out;
    const yq_tensor *w;
    const float *x;
    const void *xq; /* quantized activations, or NULL */
    size_t act_bytes;
    int n_tokens;
} matmul_job;

static void matmul_task(void *ctx, int64_t begin, int64_t end, int thread) {
    (void)thread;
    const matmul_job *job = ctx;
    int64_t row_begin = begin * ROWS_PER_TASK;
    int64_t row_end = end * ROWS_PER_TASK;
    if (row_end > job->w->rows) row_end = job->w->rows;
#ifdef YQ_HAVE_AVX512
    if (job->xq && job->w->packed && active_kind == YQ_KERNEL_AVX512) {
        yq_matmul_rows_packed_avx512(job->out, job->w, job->xq, job->n_tokens, row_begin, row_end);
        return;
    }
    if (job->w->packed && active_kind == YQ_KERNEL_AVX512) { /* f16 */
        yq_matmul_rows_packed_f16_avx512(job->out, job->w, job->x, job->n_tokens, row_begin, row_end);
        return;
    }
#endif
#ifdef YQ_HAVE_AVX2
    if (job->xq) {
        yq_matmul_rows_quant_avx2(job->out, job->w, job->xq, job->n_tokens, row_begin, row_end);
        return;
    }
#endif
    active_rows(job->out, job->w, job->x, job->n_tokens, row_begin, row_end);
}

#ifdef YQ_HAVE_AVX2
static void quantize_task(void *ctx, int64_t begin, int64_t end, int thread) {
    (void)thread;
    const matmul_job *job = ctx;
    for (int64_t t = begin; t < end; t++)
        yq_quantize_act_avx2(job->w->dtype, job->x + t * job->w->cols, job->w->cols,
                             (char *)job->xq + (size_t)t * job->act_bytes);
}

/* The calling thread's activation buffer, grown to `bytes`; NULL when memory runs out. */
static void *act_buffer(size_t bytes) {
    static _Thread_local void *buf;
    static _Thread_local size_t cap;
    if (bytes > cap) {
        void *grown = realloc(buf, bytes);
        if (!grown) return NULL;
        buf = grown;
        cap = bytes;
    }
    return buf;
}

/* Quantizes the job's activations into job->xq (tokens in parallel when there are several).
 * Returns 0 when the buffer cannot be had. */
static int quantize_activations(matmul_job *job) {
    job->act_bytes = yq_act_row_bytes(job->w->dtype, job->w->cols);
    void *xq = act_buffer(job->act_bytes * (size_t)job->n_tokens);
    if (!xq) return 0;
    job->xq = xq;
    if (job->n_tokens == 1) quantize_task(job, 0, 1, 0);
    else yq_parallel_for(job->n_tokens, quantize_task, job);
    return 1;
}
#endif

void yq_matmul(float *out, const yq_tensor *w, const float *x, int n_tokens) {
    if (active_kind == YQ_KERNEL_AUTO) yq_kernels_select(YQ_KERNEL_AUTO);
    if (n_tokens <= 0) return;
    matmul_job job = {out, w, x, NULL, 0, n_tokens};
#ifdef YQ_HAVE_AVX2
    if (active_kind != YQ_KERNEL_SCALAR && yq_dtype_is_quantized(w->dtype) && !quantize_activations(&job)) {
        yq_matmul_rows_scalar(out, w, x, n_tokens, 0, w->rows); /* out of memory: slow but right */
        return;
    }
#endif
    yq_parallel_for((w->rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK, matmul_task, &job);
}

void yq_matmul_reference(float *out, const yq_tensor *w, const float *x, int n_tokens) {
    yq_matmul_rows_scalar(out, w, x, n_tokens, 0, w->rows);
}
