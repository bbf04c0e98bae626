/* The merge table: a dense table for pairs of small ids (the bytes, where every encoding
 * starts); the other pairs collect in one open-addressing hash while loading (where a later pair
 * replaces an earlier), then bpe_finish regroups them into a small hash table per left id. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/bpe.h"
#include "yuqing/error.h"

static uint64_t *new_slots(uint64_t cap) {
    uint64_t *slots = malloc(cap * sizeof *slots);
    if (slots) memset(slots, 0xFF, cap * sizeof *slots);
    return slots;
}

int bpe_init(yq_bpe *b, size_t expected_pairs, uint32_t n_ranks) {
    memset(b, 0, sizeof *b);
    if (n_ranks >= 1u << BPE_RANK_BITS)
        return yq_error(YQ_EUNSUPPORTED, "tokenizer: %u merges, more than supported", n_ranks);
    uint64_t cap = 1024;
    while (cap < 2 * (uint64_t)expected_pairs)
        cap *= 2;
    b->slots = new_slots(cap);
    b->mask = cap - 1;
    b->small = malloc(BPE_SMALL * BPE_SMALL * sizeof *b->small);
    b->merged = malloc(((size_t)n_ranks + 1) * sizeof *b->merged);
    b->n_ranks = n_ranks;
    b->ranks_are_ids = 1;
    if (!b->slots || !b->small || !b->merged) {
        bpe_free(b);
        return yq_error(YQ_ENOMEM, "tokenizer: out of memory for %u merges", n_ranks);
    }
    memset(b->small, 0xFF, BPE_SMALL * BPE_SMALL * sizeof *b->small);
    return YQ_OK;
}

void bpe_free(yq_bpe *b) {
    free(b->slots);
    free(b->left_start);
    free(b->by_left);
    free(b->filter);
    free(b->small);
    free(b->merged);
    memset(b, 0, sizeof *b);
}

/* The slot holding `key`, or the free slot where it would go. */
static uint64_t *slot_for(const yq_bpe *b, uint64_t key) {
    uint64_t i = bpe_hash(key) & b->mask;
    while (b->slots[i] != BPE_FREE && b->slots[i] >> BPE_RANK_BITS != key)
        i = (i + 1) & b->mask;
    return &b->slots[i];
}

static int grow(yq_bpe *b) {
    yq_bpe bigger = *b;
    bigger.mask = 2 * (b->mask + 1) - 1;
    if (!(bigger.slots = new_slots(bigger.mask + 1)))
        return yq_error(YQ_ENOMEM, "tokenizer: out of memory for merges");
    for (uint64_t i = 0; i <= b->mask; i++)
        if (b->slots[i] != BPE_FREE) *slot_for(&bigger, b->slots[i] >> BPE_RANK_BITS) = b->slots[i];
    free(b->slots);
    b->slots = bigger.slots;
    b->mask = bigger.mask;
    return YQ_OK;
}

int bpe_add(yq_bpe *b, int32_t left, int32_t right, uint32_t rank, int32_t merged) {
    if (left > BPE_MAX_ID || right > BPE_MAX_ID || merged > BPE_MAX_ID)
        return yq_error(YQ_EUNSUPPORTED, "tokenizer: ids above %d are not supported", BPE_MAX_ID);
    if (rank >= b->n_ranks) return yq_error(YQ_EFORMAT, "tokenizer: merge rank %u out of range", rank);
    b->merged[rank] = merged;
    b->ranks_are_ids &= rank == (uint32_t)merged;
    if ((left | right) < BPE_SMALL) {
        b->small[left * BPE_SMALL + right] = rank;
        return YQ_OK;
    }
    if (2 * (b->n + 1) > b->mask + 1) {
        int rc = grow(b);
        if (rc) return rc;
    }
    uint64_t key = bpe_pair_key(left, right), *slot = slot_for(b, key);
    b->n += *slot == BPE_FREE;
    *slot = key << BPE_RANK_BITS | rank;
    return YQ_OK;
}

static uint32_t left_of(uint64_t slot) {
    return (uint32_t)(slot >> (BPE_RANK_BITS + BPE_ID_BITS));
}

/* start[l] for l in 0..n_left: where the table of left id l begins; its size, start[l + 1] -
 * start[l], is 0 or a power of two at least twice its number of pairs. NULL when out of
 * memory. */
static uint32_t *left_tables(const yq_bpe *b, int32_t n_left) {
    uint32_t *start = calloc((size_t)n_left + 2, sizeof *start);
    if (!start) return NULL;
    for (uint64_t i = 0; i <= b->mask; i++)
        if (b->slots[i] != BPE_FREE) start[left_of(b->slots[i]) + 1]++;
    for (int32_t l = 0; l < n_left; l++) {
        uint32_t size = start[l + 1] ? 2 : 0;
        while (size && size < 2 * start[l + 1])
            size *= 2;
        start[l + 1] = start[l] + size;
    }
    return start;
}

/* The filter over the pairs in slots: about 8 bits per pair. 0 or YQ_ENOMEM. */
static int build_filter(yq_bpe *b) {
    int bits = 7; /* log2 of the filter's size in bits: two words at least */
    while ((1ull << bits) < 8 * (uint64_t)b->n)
        bits++;
    b->filter_shift = 64 - (bits - 6);
    if (!(b->filter = calloc(1ull << (bits - 6), sizeof *b->filter))) return YQ_ENOMEM;
    for (uint64_t i = 0; i <= b->mask; i++)
        if (b->slots[i] != BPE_FREE) {
            uint64_t h = bpe_hash(b->slots[i] >> BPE_RANK_BITS);
            b->filter[h >> b->filter_shift] |= bpe_filter_bits(h);
        }
    return YQ_OK;
}

int bpe_finish(yq_bpe *b) {
    int32_t n_left = 0;
    for (uint64_t i = 0; i <= b->mask; i++)
        if (b->slots[i] != BPE_FREE && (int32_t)left_of(b->slots[i]) >= n_left)
            n_left = (int32_t)left_of(b->slots[i]) + 1;
    uint32_t *start = left_tables(b, n_left);
    uint64_t *by_left = start ? new_slots((uint64_t)start[n_left] + 1) : NULL;
    if (!by_left || build_filter(b)) {
        free(by_left);
        free(start);
        return yq_error(YQ_ENOMEM, "tokenizer: out of memory for merges");
    }
    for (uint64_t i = 0; i <= b->mask; i++) {
        uint64_t s = b->slots[i];
        if (s == BPE_FREE) continue;
        uint32_t left = left_of(s);
        uint32_t right = (uint32_t)(s >> BPE_RANK_BITS) & ((1u << BPE_ID_BITS) - 1);
        uint32_t mask = start[left + 1] - start[left] - 1, k = (uint32_t)bpe_hash(right) & mask;
        while (by_left[start[left] + k] != BPE_FREE)
            k = (k + 1) & mask;
        by_left[start[left] + k] = (uint64_t)right << 32 | (s & ((1u << BPE_RANK_BITS) - 1));
    }
    free(b->slots);
    b->slots = NULL;
    b->left_start = start;
    b->by_left = by_left;
    b->n_left = n_left;
    return YQ_OK;
}

void bpe_for_each(const yq_bpe *b, void (*fn)(void *ctx, int32_t left, int32_t right, uint32_t rank), void *ctx) {
    for (int32_t i = 0; i < BPE_SMALL * BPE_SMALL; i++)
        if (b->small[i] != BPE_NO_MERGE) fn(ctx, i / BPE_SMALL, i % BPE_SMALL, b->small[i]);
    for (int32_t left = 0; left < b->n_left; left++)
        for (uint32_t k = b->left_start[left]; k < b->left_start[left + 1]; k++)
            if (b->by_left[k] != BPE_FREE) fn(ctx, left, (int32_t)(b->by_left[k] >> 32), (uint32_t)b->by_left[k]);
}
