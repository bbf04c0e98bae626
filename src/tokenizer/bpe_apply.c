/* The merge loop: a heap of candidate merges keyed by (rank, position), so a piece of n
 * parts costs O(n log n) rather than the O(n^2) of rescanning every pair after each merge (the
 * classic worst case: one long run without spaces). The lowest rank merges first and, among
 * equal ranks, the leftmost. A popped candidate is applied only if the pair now at its position
 * still has its rank; otherwise it is stale (a part of it merged since) and skipped. A pair
 * with the same rank is the same merge (a rank names one merged token, and parts only grow), so
 * this test is exact. The current rank of each part's pair is kept with the part (updated
 * exactly where a merge changes a pair), so the test costs no second lookup in the merge table.
 * A piece of a few parts merges by a plain scan for the lowest rank instead (merge_by_scan). */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/bpe.h"
#include "yuqing/error.h"

enum { BPE_SCAN_MAX = 32 }; /* up to this many parts (<= 256), merge_by_scan */

void bpe_scratch_free(bpe_scratch *s) {
    free(s->parts);
    free(s->heap);
    memset(s, 0, sizeof *s);
}

static int reserve(bpe_scratch *s, size_t n) {
    if (n <= s->cap) return YQ_OK;
    size_t cap = n < 256 ? 256 : n;
    free(s->parts);
    free(s->heap);
    s->parts = malloc(cap * sizeof *s->parts);
    s->heap = malloc(3 * cap * sizeof *s->heap); /* n-1 initial candidates, <= 2 per merge */
    s->cap = s->parts && s->heap ? cap : 0;
    return s->cap ? YQ_OK : yq_error(YQ_ENOMEM, "BPE: out of memory");
}

/* The heap is 4-ary (the children of i are 4i+1 .. 4i+4, side by side): half the depth of a
 * binary heap, so half the cache lines touched per operation on a long piece. */

/* Places x at hole i, or above it where its parent is greater. */
static void sift_up(uint64_t *h, size_t i, uint64_t x) {
    for (; i > 0 && h[(i - 1) / 4] > x; i = (i - 1) / 4)
        h[i] = h[(i - 1) / 4];
    h[i] = x;
}

static void heap_push(uint64_t *h, size_t *n, uint64_t c) {
    sift_up(h, (*n)++, c);
}

/* The least child of i in the heap h[0..n), or 0 when it has none; without a branch to
 * mispredict when it has all four. */
static size_t least_child(const uint64_t *h, size_t n, size_t i) {
    size_t c = 4 * i + 1, least = c;
    if (c >= n) return 0;
    if (c + 3 < n) {
        size_t a = c + (h[c + 1] < h[c]), b = c + 2 + (h[c + 3] < h[c + 2]);
        return h[b] < h[a] ? b : a;
    }
    for (size_t k = c + 1; k < n; k++)
        least = h[k] < h[least] ? k : least;
    return least;
}

/* Moves h[i] down to its place in the heap h[0..n). */
static void sift_down(uint64_t *h, size_t n, size_t i) {
    uint64_t x = h[i];
    for (size_t c; (c = least_child(h, n, i)) && h[c] < x; i = c)
        h[i] = h[c];
    h[i] = x;
}

/* Removes the least: its hole goes down to a leaf along the least children, then the last
 * element rises from there (having come from the bottom, seldom far); fewer comparisons, and
 * fewer unpredictable ones, than sifting the last element down from the top. */
static uint64_t heap_pop(uint64_t *h, size_t *n) {
    uint64_t top = h[0];
    size_t last = --*n, i = 0;
    if (!last) return top;
    for (size_t c; (c = least_child(h, last, i)); i = c)
        h[i] = h[c];
    sift_up(h, i, h[last]);
    return top;
}

/* Looks up the rank of the pair of part i (i >= 0) and its right neighbour, records it, and
 * queues the merge if there is one. */
static void queue_pair(const yq_bpe *b, bpe_scratch *s, size_t *n_heap, int32_t i) {
    bpe_part *p = s->parts;
    uint32_t rank = p[i].next < 0 ? BPE_NO_MERGE : bpe_rank(b, p[i].id, p[p[i].next].id);
    p[i].rank = rank;
    if (rank != BPE_NO_MERGE) heap_push(s->heap, n_heap, (uint64_t)rank << 32 | (uint32_t)i);
}

/* Merges ids[0..n) through the heap; returns the ids left. */
static size_t merge_by_heap(const yq_bpe *b, bpe_scratch *s, int32_t *ids, size_t n) {
    bpe_part *p = s->parts;
    size_t n_heap = 0;
    for (size_t i = 0; i < n; i++) { /* the initial pairs, heapified in O(n) */
        uint32_t rank = i + 1 < n ? bpe_rank(b, ids[i], ids[i + 1]) : BPE_NO_MERGE;
        p[i] = (bpe_part){ids[i], i + 1 < n ? (int32_t)(i + 1) : -1, (int32_t)i - 1, rank};
        if (rank != BPE_NO_MERGE) s->heap[n_heap++] = (uint64_t)rank << 32 | i;
    }
    for (size_t i = n_heap / 4 + 1; i-- > 0;)
        sift_down(s->heap, n_heap, i);
    while (n_heap) {
        uint64_t c = heap_pop(s->heap, &n_heap);
        int32_t i = (int32_t)(uint32_t)c, r = p[i].next;
        uint32_t rank = (uint32_t)(c >> 32);
        if (p[i].id < 0 || p[i].rank != rank) continue; /* stale */
        p[i].id = bpe_merged_id(b, rank);
        p[r].id = -1;
        p[i].next = p[r].next;
        if (p[r].next >= 0) p[p[r].next].prev = i;
        if (p[i].prev >= 0) queue_pair(b, s, &n_heap, p[i].prev);
        queue_pair(b, s, &n_heap, i);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].id >= 0) ids[m++] = p[i].id;
    return m;
}

/* Merges ids[0..n) (n <= BPE_SCAN_MAX) by scanning the ranks of all pairs for the lowest,
 * leftmost first: O(n^2), faster than the heap for a few parts. Returns the ids left. */
static size_t merge_by_scan(const yq_bpe *b, int32_t *ids, size_t n) {
    uint32_t rank[BPE_SCAN_MAX];
    for (size_t i = 0; i + 1 < n; i++)
        rank[i] = bpe_rank(b, ids[i], ids[i + 1]);
    rank[n - 1] = BPE_NO_MERGE;
    for (;;) {
        uint32_t min = UINT32_MAX; /* rank << 8 | position (ranks < 2^24): a branch-free minimum */
        for (size_t i = 0; i + 1 < n; i++) {
            uint32_t key = rank[i] << 8 | (uint32_t)i;
            min = key < min ? key : min;
        }
        if (min >= BPE_NO_MERGE << 8) return n;
        size_t best = min & 0xFF;
        uint32_t best_rank = min >> 8;
        ids[best] = bpe_merged_id(b, best_rank);
        n--;
        for (size_t i = best + 1; i < n; i++) /* short: a loop beats memmove's size dispatch */
            ids[i] = ids[i + 1], rank[i] = rank[i + 1];
        rank[best] = best + 1 < n ? bpe_rank(b, ids[best], ids[best + 1]) : BPE_NO_MERGE;
        if (best > 0) rank[best - 1] = bpe_rank(b, ids[best - 1], ids[best]);
    }
}

int bpe_apply(const yq_bpe *b, bpe_scratch *s, int32_t *ids, size_t n, size_t *n_out) {
    if (n <= BPE_SCAN_MAX) {
        *n_out = merge_by_scan(b, ids, n);
        return YQ_OK;
    }
    int rc = reserve(s, n);
    if (rc) return rc;
    *n_out = merge_by_heap(b, s, ids, n);
    return YQ_OK;
}
