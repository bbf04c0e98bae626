/* Read-bandwidth probe (see include/yuqing/bandwidth.h): XOR of 32-byte loads, four independent
 * chains per thread, contiguous ranges per thread, over a buffer in huge pages as the packed
 * weights are (the roofline decode is measured against). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yuqing/bandwidth.h"
#include "yuqing/huge_alloc.h"
#include "yuqing/threads.h"

typedef struct {
    const uint64_t *buf;
    uint64_t sums[256];
} read_job;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Pages [begin, end) of 4 KiB; plain 64-bit loads that the compiler vectorises. */
static void read_pages(void *arg, int64_t begin, int64_t end, int thread) {
    read_job *job = arg;
    const uint64_t *p = job->buf + (size_t)begin * 512, *stop = job->buf + (size_t)end * 512;
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (; p < stop; p += 4) {
        a ^= p[0];
        b ^= p[1];
        c ^= p[2];
        d ^= p[3];
    }
    job->sums[thread & 255] += a ^ b ^ c ^ d;
}

static int compare(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

double yq_read_bandwidth(size_t bytes, int runs) {
    size_t pages = bytes / 4096;
    uint64_t *buf = yq_huge_alloc(pages * 4096); /* in pages like the weights' */
    double *rates = malloc((size_t)runs * sizeof *rates);
    if (!buf || !rates || runs <= 0) {
        free(buf);
        free(rates);
        return 0;
    }
    memset(buf, 1, pages * 4096);
    read_job job = {buf, {0}};
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        yq_parallel_for((int64_t)pages, read_pages, &job);
        rates[r] = (double)(pages * 4096) / (now() - t0);
    }
    qsort(rates, (size_t)runs, sizeof *rates, compare);
    double median = rates[runs / 2];
    free(buf);
    free(rates);
    return median;
}
