/* A blocked Bloom filter: one 64-byte block per key, four bits set in it, so a query costs one
 * cache line. It keeps "certainly absent" answers for big hash tables in L2. */
#ifndef YUQING_TOKENIZER_BLOOM_H
#define YUQING_TOKENIZER_BLOOM_H

#include <stdint.h>
#include <stdlib.h>

typedef struct yq_bloom {
    uint64_t *words; /* 8 per block */
    uint64_t mask;   /* blocks - 1 */
} yq_bloom;

/* A filter sized for n keys at about 8 bits each; 0, or -1 when out of memory. */
static inline int bloom_init(yq_bloom *f, uint64_t n) {
    uint64_t blocks = 1;
    while (blocks * 512 < 8 * n)
        blocks *= 2;
    f->words = calloc(blocks * 8, sizeof *f->words);
    f->mask = blocks - 1;
    return f->words ? 0 : -1;
}

/* Block from the high bits of the 64-bit hash h, then four 9-bit positions from the low bits. */
static inline void bloom_add(yq_bloom *f, uint64_t h) {
    uint64_t *block = f->words + 8 * ((h >> 40) & f->mask);
    for (int k = 0; k < 4; k++) {
        unsigned bit = (unsigned)(h >> (9 * k)) & 511;
        block[bit >> 6] |= 1ull << (bit & 63);
    }
}

/* 0 when the key of hash h was certainly never added. */
static inline int bloom_may_hold(const yq_bloom *f, uint64_t h) {
    const uint64_t *block = f->words + 8 * ((h >> 40) & f->mask);
    for (int k = 0; k < 4; k++) {
        unsigned bit = (unsigned)(h >> (9 * k)) & 511;
        if (!(block[bit >> 6] >> (bit & 63) & 1)) return 0;
    }
    return 1;
}

#endif
