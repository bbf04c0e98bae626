/* Percent-encoding normalisation shared by url.c and robots.c. Internal to src/crawl. */
#ifndef YUQING_CRAWL_URL_INTERNAL_H
#define YUQING_CRAWL_URL_INTERNAL_H

#include <stddef.h>

/* `s[0..n)` with escapes upper-cased, escapes of unreserved characters decoded and bytes not
 * allowed in a path or query (space, non-ASCII, controls) encoded; malloc'd, NULL on
 * out-of-memory. */
char *yq_url_normalise_escapes(const char *s, size_t n);

#endif
