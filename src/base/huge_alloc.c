/* yq_huge_alloc (include/yuqing/huge_alloc.h): posix_memalign, then madvise(MADV_HUGEPAGE) over
 * the buffer's whole 2 MiB pages. */
#include <stdlib.h>
#include <sys/mman.h>

#include "yuqing/huge_alloc.h"

enum { HUGE_PAGE_BYTES = 2 << 20, SMALL_ALIGN = 64 };

void *yq_huge_alloc(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, bytes >= HUGE_PAGE_BYTES ? HUGE_PAGE_BYTES : SMALL_ALIGN, bytes ? bytes : 1)) return NULL;
#ifdef MADV_HUGEPAGE
    if (bytes >= HUGE_PAGE_BYTES) madvise(p, bytes / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES, MADV_HUGEPAGE);
#endif
    return p;
}
