/* Bloom filter with double hashing (Kirsch-Mitzenmacher): probe i is h1 + i*h2 over a
 * power-of-two bit array, both halves derived from the key by a 64-bit finaliser. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crawl/bloom.h"
#include "yuqing/error.h"

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

int crawl_bloom_init(crawl_bloom *b, uint64_t capacity, double rate) {
    memset(b, 0, sizeof *b);
    if (capacity < 1024) capacity = 1024;
    double bits = -(double)capacity * log(rate) / (M_LN2 * M_LN2);
    uint64_t n = 64;
    while ((double)n < bits) n <<= 1;
    b->k = (int)lround((double)n / (double)capacity * M_LN2);
    if (b->k < 1) b->k = 1;
    if (b->k > 16) b->k = 16;
    b->bits = calloc(n / 64, sizeof *b->bits);
    if (!b->bits) return yq_error(YQ_ENOMEM, "out of memory for a Bloom filter of %llu bits", (unsigned long long)n);
    b->n_bits = n;
    b->capacity = capacity;
    return YQ_OK;
}

void crawl_bloom_free(crawl_bloom *b) {
    free(b->bits);
    memset(b, 0, sizeof *b);
}

void crawl_bloom_add(crawl_bloom *b, uint64_t key) {
    uint64_t h1 = mix(key), h2 = mix(key ^ 0x9e3779b97f4a7c15ull) | 1, mask = b->n_bits - 1;
    for (int i = 0; i < b->k; i++) {
        uint64_t bit = (h1 + (uint64_t)i * h2) & mask;
        b->bits[bit >> 6] |= 1ull << (bit & 63);
    }
    b->count++;
}

int crawl_bloom_maybe(const crawl_bloom *b, uint64_t key) {
    uint64_t h1 = mix(key), h2 = mix(key ^ 0x9e3779b97f4a7c15ull) | 1, mask = b->n_bits - 1;
    for (int i = 0; i < b->k; i++) {
        uint64_t bit = (h1 + (uint64_t)i * h2) & mask;
        if (!(b->bits[bit >> 6] >> (bit & 63) & 1)) return 0;
    }
    return 1;
}
