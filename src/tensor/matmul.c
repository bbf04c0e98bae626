/* yq_matmul: picks the row kernel for this CPU and splits the weight rows over the thread pool.
 * Rows are handed out in fixed blocks, so results never depend on the thread count. */
#include "matmul_kernels.h"
#include "yuqing/error.h"
#include "yuqing/kernels.h"
#include "yuqing/threads.h"

enum { ROWS_PER_TASK = 16 };

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

int yq_kernels_select(yq_kernel_kind kind) {
    if (kind == YQ_KERNEL_AUTO) kind = cpu_has_avx2() ? YQ_KERNEL_AVX2 : YQ_KERNEL_SCALAR;
    if (kind == YQ_KERNEL_AVX2) {
        if (!cpu_has_avx2()) return yq_error(YQ_EUNSUPPORTED, "AVX2 kernels: not supported here");
#ifdef YQ_HAVE_AVX2
        active_rows = yq_matmul_rows_avx2;
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

const char *yq_kernel_name(yq_kernel_kind kind) {
    switch (kind) {
    case YQ_KERNEL_SCALAR: return "scalar";
    case YQ_KERNEL_AVX2: return "avx2";
    default: return "auto";
    }
}

typedef struct {
    float *out;
    const yq_tensor *w;
    const float *x;
    int n_tokens;
} matmul_job;

static void matmul_task(void *ctx, int64_t begin, int64_t end, int thread) {
    (void)thread;
    const matmul_job *job = ctx;
    int64_t row_begin = begin * ROWS_PER_TASK;
    int64_t row_end = end * ROWS_PER_TASK;
    if (row_end > job->w->rows) row_end = job->w->rows;
    active_rows(job->out, job->w, job->x, job->n_tokens, row_begin, row_end);
}

void yq_matmul(float *out, const yq_tensor *w, const float *x, int n_tokens) {
    if (active_kind == YQ_KERNEL_AUTO) yq_kernels_select(YQ_KERNEL_AUTO);
    matmul_job job = {out, w, x, n_tokens};
    yq_parallel_for((w->rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK, matmul_task, &job);
}

void yq_matmul_reference(float *out, const yq_tensor *w, const float *x, int n_tokens) {
    yq_matmul_rows_scalar(out, w, x, n_tokens, 0, w->rows);
}
