/* A Bloom filter over 64-bit fingerprints: the in-memory front of the seen-URL store, so that a
 * URL never seen costs no database lookup. About 9.6 bits per entry at a 1% false-positive rate. */
#ifndef YUQING_CRAWL_BLOOM_H
#define YUQING_CRAWL_BLOOM_H

#include <stddef.h>
#include <stdint.h>

typedef struct crawl_bloom {
    uint64_t *bits;
    uint64_t n_bits;   /* a power of two */
    int k;             /* probes per key */
    uint64_t capacity; /* entries it was sized for at the target rate */
    uint64_t count;    /* entries added */
} crawl_bloom;

/* Sizes the filter for `capacity` entries at false-positive rate `rate` (0 < rate < 1).
 * Errors: YQ_ENOMEM. */
int crawl_bloom_init(crawl_bloom *b, uint64_t capacity, double rate);
void crawl_bloom_free(crawl_bloom *b);

/* Adds a fingerprint (any well-mixed 64-bit value). */
void crawl_bloom_add(crawl_bloom *b, uint64_t key);
/* 0: certainly never added; 1: probably added. */
int crawl_bloom_maybe(const crawl_bloom *b, uint64_t key);

#endif
