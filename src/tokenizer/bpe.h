/* The BPE core shared by every tokenizer format: a table of merges (left id, right id) -> rank,
 * the id each rank merges into, and the rank-ordered merge of a pre-token's parts: lowest rank
 * first and, among equal ranks, leftmost first (tiktoken's and Hugging Face's order alike). */
#ifndef YUQING_TOKENIZER_BPE_H
#define YUQING_TOKENIZER_BPE_H

#include <stddef.h>
#include <stdint.h>

enum { BPE_ID_BITS = 20, BPE_MAX_ID = (1 << BPE_ID_BITS) - 2, BPE_RANK_BITS = 24, BPE_SMALL = 256 };
#define BPE_NO_MERGE UINT32_MAX
#define BPE_FREE UINT64_MAX

typedef struct yq_bpe {
    uint64_t *slots; /* while loading: left << 44 | right << 24 | rank; BPE_FREE when empty */
    uint64_t mask;
    size_t n;
    /* After bpe_finish, the pairs grouped by left id: a small open-addressing table per left id
     * (power-of-two size, at most half full) of right << 32 | rank, so the merges of a frequent
     * token share a few cache lines. */
    uint32_t *left_start; /* (n_left + 1) first slot of each left id's table */
    uint64_t *by_left;
    int32_t n_left;
    /* A filter over the pairs in by_left: two bits of one word per pair (bpe_filter_bits), so
     * most pairs without a merge are told in one access to a table that stays in L2. */
    uint64_t *filter;
    int filter_shift; /* a pair's word: its hash >> filter_shift */
    uint32_t *small; /* (BPE_SMALL, BPE_SMALL) rank of pairs of small ids (the bytes), dense */
    int32_t *merged; /* (n_ranks) the id that the merge of each rank produces */
    uint32_t n_ranks;
    int ranks_are_ids; /* every merge's rank is the id it produces: merged[] need not be read */
} yq_bpe;

/* A part of a piece being merged, in a list linked by positions (-1: none); all that a merge
 * reads of a part lies in one cache line. */
typedef struct bpe_part {
    int32_t id; /* -1 once merged into the part on its left */
    int32_t next, prev;
    uint32_t rank; /* rank of the pair (part, its right neighbour), BPE_NO_MERGE if none */
} bpe_part;

/* Scratch memory of one encoder (one thread at a time), kept across calls: the parts and the
 * heap. */
typedef struct bpe_scratch {
    bpe_part *parts;
    uint64_t *heap; /* candidates: rank << 32 | position of the left part */
    size_t cap;
} bpe_scratch;

/* Prepares an empty table for ranks 0..n_ranks-1 (n_ranks < 2^24). 0 or YQ_ENOMEM. */
int bpe_init(yq_bpe *b, size_t expected_pairs, uint32_t n_ranks);
void bpe_free(yq_bpe *b);
void bpe_scratch_free(bpe_scratch *s);

/* Records that `left` followed by `right` merges into `merged` with priority `rank` (lower
 * first). A later call for the same pair replaces the earlier. 0, YQ_ENOMEM, or
 * YQ_EUNSUPPORTED for ids above BPE_MAX_ID. */
int bpe_add(yq_bpe *b, int32_t left, int32_t right, uint32_t rank, int32_t merged);

static inline uint64_t bpe_pair_key(int32_t left, int32_t right) {
    return (uint64_t)(uint32_t)left << BPE_ID_BITS | (uint32_t)right;
}

static inline uint64_t bpe_hash(uint64_t key) {
    uint64_t h = key * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

/* Builds the lookup tables; call after the last bpe_add, before any lookup. 0 or YQ_ENOMEM. */
int bpe_finish(yq_bpe *b);

/* The two bits that the pair of hash h sets in its filter word. */
static inline uint64_t bpe_filter_bits(uint64_t h) {
    return 1ull << (h & 63) | 1ull << (h >> 6 & 63);
}

/* The rank of the merge of the pair, or BPE_NO_MERGE. */
static inline uint32_t bpe_rank(const yq_bpe *b, int32_t left, int32_t right) {
    if ((left | right) < BPE_SMALL) return b->small[left * BPE_SMALL + right];
    uint64_t h = bpe_hash(bpe_pair_key(left, right)), bits = bpe_filter_bits(h);
    if ((b->filter[h >> b->filter_shift] & bits) != bits) return BPE_NO_MERGE;
    if (left >= b->n_left) return BPE_NO_MERGE;
    uint32_t first = b->left_start[left], mask = b->left_start[left + 1] - first - 1;
    if (mask == UINT32_MAX) return BPE_NO_MERGE; /* no table: left merges with nothing */
    const uint64_t *t = b->by_left + first;
    for (uint32_t i = (uint32_t)bpe_hash((uint64_t)(uint32_t)right) & mask;; i = (i + 1) & mask) {
        if (t[i] == BPE_FREE) return BPE_NO_MERGE;
        if (t[i] >> 32 == (uint32_t)right) return (uint32_t)t[i];
    }
}

/* Calls fn for every merge in the table (after bpe_finish), in no particular order. */
void bpe_for_each(const yq_bpe *b, void (*fn)(void *ctx, int32_t left, int32_t right, uint32_t rank), void *ctx);

/* The id that the merge of `rank` produces. */
static inline int32_t bpe_merged_id(const yq_bpe *b, uint32_t rank) {
    return b->ranks_are_ids ? (int32_t)rank : b->merged[rank];
}

/* Merges ids[0..n) (the initial parts, e.g. one per byte) in place until no adjacent pair has a
 * merge; *n_out receives the number of ids left at the front of `ids`. O(n log n).
 * 0 or YQ_ENOMEM. */
int bpe_apply(const yq_bpe *b, bpe_scratch *s, int32_t *ids, size_t n, size_t *n_out);

#endif
