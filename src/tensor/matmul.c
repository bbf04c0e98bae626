/* yq_matmul: picks the row kernel for this CPU and splits the weight rows over the thread pool.
 * Rows are handed out in fixed blocks, so results never depend on the thread count. For
 * quantized weights the SIMD kernels first quantize each token's activations to 8 bits, once
 * per call and activation format (yq_matmul_shared runs several products of one input), into a
 * per-thread buffer that grows as needed; packed weights (yq_tensor_pack) run
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

/* The products of one input in one dispatch: each job's tasks follow the previous job's. */
typedef struct {
    matmul_job jobs[YQ_MATMUL_MAX_SHARED];
    int64_t first_task[YQ_MATMUL_MAX_SHARED + 1];
    int n;
} shared_job;

static void shared_task(void *ctx, int64_t begin, int64_t end, int thread) {
    shared_job *s = ctx;
    for (int i = 0; i < s->n; i++) {
        int64_t b = begin > s->first_task[i] ? begin : s->first_task[i];
        int64_t e = end < s->first_task[i + 1] ? end : s->first_task[i + 1];
        if (b < e) matmul_task(&s->jobs[i], b - s->first_task[i], e - s->first_task[i], thread);
    }
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

/* The earlier job of s whose quantized activations job i can share, or -1. */
static int same_activations(const shared_job *s, int i) {
    for (int j = 0; j < i; j++)
        if (s->jobs[j].act_bytes && yq_act_format(s->jobs[j].w->dtype) == yq_act_format(s->jobs[i].w->dtype))
            return j;
    return -1;
}

/* Quantizes the input of the quantized jobs, once per activation format (tokens in parallel
 * when there are several). Returns 0 when the buffer cannot be had. */
static int quantize_activations(shared_job *s, int n_tokens) {
    size_t total = 0;
    for (int i = 0; i < s->n; i++) {
        matmul_job *job = &s->jobs[i];
        if (!yq_dtype_is_quantized(job->w->dtype)) continue;
        job->act_bytes = yq_act_row_bytes(job->w->dtype, job->w->cols);
        if (same_activations(s, i) < 0) total += job->act_bytes * (size_t)n_tokens;
    }
    char *buf = total ? act_buffer(total) : NULL;
    if (total && !buf) return 0;
    for (int i = 0; i < s->n; i++) {
        matmul_job *job = &s->jobs[i];
        if (!job->act_bytes) continue;
        int shared = same_activations(s, i);
        if (shared >= 0) {
            job->xq = s->jobs[shared].xq;
            continue;
        }
        job->xq = buf;
        buf += job->act_bytes * (size_t)n_tokens;
        if (n_tokens == 1) quantize_task(job, 0, 1, 0);
        else yq_parallel_for(n_tokens, quantize_task, job);
    }
    return 1;
}
#endif

void yq_matmul_shared(const yq_matmul_out *outs, int n, const float *x, int n_tokens) {
    if (active_kind == YQ_KERNEL_AUTO) yq_kernels_select(YQ_KERNEL_AUTO);
    if (n_tokens <= 0) return;
    for (; n > YQ_MATMUL_MAX_SHARED; outs += YQ_MATMUL_MAX_SHARED, n -= YQ_MATMUL_MAX_SHARED)
        yq_matmul_shared(outs, YQ_MATMUL_MAX_SHARED, x, n_tokens);
    shared_job s = {.n = n};
    for (int i = 0; i < n; i++) {
        s.jobs[i] = (matmul_job){outs[i].out, outs[i].w, x, NULL, 0, n_tokens};
        s.first_task[i + 1] = s.first_task[i] + (outs[i].w->rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
    }
#ifdef YQ_HAVE_AVX2
    if (active_kind != YQ_KERNEL_SCALAR && !quantize_activations(&s, n_tokens)) {
        for (int i = 0; i < n; i++) /* out of memory: slow but right */
            yq_matmul_rows_scalar(outs[i].out, outs[i].w, x, n_tokens, 0, outs[i].w->rows);
        return;
    }
#endif
    yq_parallel_for(s.first_task[n], shared_task, &s);
}

void yq_matmul(float *out, const yq_tensor *w, const float *x, int n_tokens) {
    yq_matmul_out one = {out, w};
    yq_matmul_shared(&one, 1, x, n_tokens);
}

void yq_matmul_reference(float *out, const yq_tensor *w, const float *x, int n_tokens) {
    yq_matmul_rows_scalar(out, w, x, n_tokens, 0, w->rows);
}
