/* The memory-bandwidth probe: a read-only kernel over a large buffer on the thread pool, the
 * roofline that decode speed is compared with in the benchmarks. */
#ifndef YUQING_BANDWIDTH_H
#define YUQING_BANDWIDTH_H

#include <stddef.h>

/* Median read bandwidth in bytes/s of `runs` passes over a `bytes` buffer (rounded to 4 KiB),
 * split over the current yq_threads_count() threads. Returns 0 when the buffer cannot be had. */
double yq_read_bandwidth(size_t bytes, int runs);

#endif
