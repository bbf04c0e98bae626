/* Large buffers backed by 2 MiB pages where the kernel allows it (transparent huge pages in
 * "madvise" mode, Debian's default): a buffer streamed whole, like packed weights decoded once
 * per token, otherwise pays a TLB walk every 4 KiB. */
#ifndef YUQING_HUGE_ALLOC_H
#define YUQING_HUGE_ALLOC_H

#include <stddef.h>

/* `bytes` of memory, 64-byte aligned (2 MiB-aligned and advised for huge pages from 2 MiB up);
 * released with free(). NULL when out of memory. */
void *yq_huge_alloc(size_t bytes);

#endif
