/* The merge loop: a binary heap of candidate merges keyed by (rank, position), so a piece of n
 * parts costs O(n log n) rather than the O(n^2) of rescanning every pair after each merge (the
 * classic worst case: one long run without spaces). The lowest rank merges first and, among
 * equal ranks, the leftmost. A popped candidate is applied only if the pair now at its position
 * still has its rank; otherwise it is stale (a part of it merged since) and skipped. A pair
 * with the same rank is the same merge (a rank names one merged token, and parts only grow), so
 * this test is exact. The current rank of each part's pair is kept in an array (updated exactly
 * where a merge changes a pair), so the test costs no second lookup in the merge table. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/bpe.h"
#include "yuqing/error.h"

void bpe_scratch_free(bpe_scratch *s) {
    free(s->next);
    free(s->prev);
    free(s->rank);
    free(s->heap);
    memset(s, 0, sizeof *s);
}

static int reserve(bpe_scratch *s, size_t n) {
    if (n <= s->cap) return YQ_OK;
    size_t cap = n < 256 ? 256 : n;
    free(s->next);
    free(s->prev);
    free(s->rank);
    free(s->heap);
    s->next = malloc(cap * sizeof *s->next);
    s->prev = malloc(cap * sizeof *s->prev);
    s->rank = malloc(cap * sizeof *s->rank);
    s->heap = malloc(3 * cap * sizeof *s->heap); /* n-1 initial candidates, <= 2 per merge */
    s->cap = s->next && s->prev && s->rank && s->heap ? cap : 0;
    return s->cap ? YQ_OK : yq_error(YQ_ENOMEM, "BPE: out of memory");
}

static void heap_push(uint64_t *h, size_t *n, uint64_t c) {
    size_t i = (*n)++;
    for (; i > 0 && h[(i - 1) / 2] > c; i = (i - 1) / 2)
        h[i] = h[(i - 1) / 2];
    h[i] = c;
}

/* Moves h[i] down to its place in the heap h[0..n). */
static void sift_down(uint64_t *h, size_t n, size_t i) {
    uint64_t x = h[i];
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && h[c + 1] < h[c]) c++;
        if (h[c] >= x) break;
        h[i] = h[c];
    }
    h[i] = x;
}

static uint64_t heap_pop(uint64_t *h, size_t *n) {
    uint64_t top = h[0];
    if (--*n) {
        h[0] = h[*n];
        sift_down(h, *n, 0);
    }
    return top;
}

/* Looks up the rank of the pair of part i (i >= 0) and its right neighbour, records it, and
 * queues the merge if there is one. */
static void queue_pair(const yq_bpe *b, bpe_scratch *s, size_t *n_heap, const int32_t *ids, int32_t i) {
    uint32_t rank = s->next[i] < 0 ? BPE_NO_MERGE : bpe_rank(b, ids[i], ids[s->next[i]]);
    s->rank[i] = rank;
    if (rank != BPE_NO_MERGE) heap_push(s->heap, n_heap, (uint64_t)rank << 32 | (uint32_t)i);
}

/* Merges ids[0..n) through the heap; returns the ids left. */
static size_t merge_by_heap(const yq_bpe *b, bpe_scratch *s, int32_t *ids, size_t n) {
    size_t n_heap = 0;
    for (size_t i = 0; i < n; i++) {
        s->next[i] = i + 1 < n ? (int32_t)(i + 1) : -1;
        s->prev[i] = (int32_t)i - 1;
    }
    for (size_t i = 0; i < n; i++) { /* the initial pairs, heapified in O(n) */
        uint32_t rank = i + 1 < n ? bpe_rank(b, ids[i], ids[i + 1]) : BPE_NO_MERGE;
        s->rank[i] = rank;
        if (rank != BPE_NO_MERGE) s->heap[n_heap++] = (uint64_t)rank << 32 | i;
    }
    for (size_t i = n_heap / 2; i-- > 0;)
        sift_down(s->heap, n_heap, i);
    while (n_heap) {
        uint64_t c = heap_pop(s->heap, &n_heap);
        int32_t i = (int32_t)(uint32_t)c, r = s->next[i];
        uint32_t rank = (uint32_t)(c >> 32);
        if (ids[i] < 0 || s->rank[i] != rank) continue; /* stale */
        ids[i] = bpe_merged_id(b, rank);
        ids[r] = -1;
        s->next[i] = s->next[r];
        if (s->next[r] >= 0) s->prev[s->next[r]] = i;
        if (s->prev[i] >= 0) queue_pair(b, s, &n_heap, ids, s->prev[i]);
        queue_pair(b, s, &n_heap, ids, i);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= 0) ids[m++] = ids[i];
    return m;
}

int bpe_apply(const yq_bpe *b, bpe_scratch *s, int32_t *ids, size_t n, size_t *n_out) {
    int rc = reserve(s, n);
    if (rc) return rc;
    *n_out = merge_by_heap(b, s, ids, n);
    return YQ_OK;
}
