/* The process-wide thread pool: kernels split their rows over it with yq_parallel_for(). */
#ifndef YUQING_THREADS_H
#define YUQING_THREADS_H

#include <stdint.h>

/* Work callback: handle items [begin, end) as thread `thread` (0 = the caller). */
typedef void (*yq_range_fn)(void *ctx, int64_t begin, int64_t end, int thread);

/* Starts the pool with `n_threads` threads in all (the caller counts as one); 0 means one per
 * core. Calling it again resizes the pool. Not thread-safe: call from the main thread. */
int yq_threads_init(int n_threads);
void yq_threads_shutdown(void);
int yq_threads_count(void);

/* Runs fn over [0, n) in parallel and returns when all is done. Each thread starts on its own
 * contiguous share (an equal split), claiming a few items at a time, and when done takes the
 * back half of the largest share left; so the ranges fn is called with, and which thread gets
 * them, vary from run to run: fn must give an item the same result whatever range holds it.
 * Must not be nested. */
void yq_parallel_for(int64_t n, yq_range_fn fn, void *ctx);

#endif
