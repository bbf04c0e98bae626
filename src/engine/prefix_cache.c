/* Hash-chained block registry for prefix caching (see prefix_cache.h). Entries live in a fixed
 * pool (one per KV block at most) chained from power-of-two buckets, and on a least-recently-used
 * list that eviction walks from its cold end. */
#include <stdlib.h>
#include <string.h>

#include "prefix_cache.h"
#include "yuqing/error.h"

typedef struct entry {
    uint64_t key;     /* hash of the prefix up to and including this block */
    uint64_t parent;  /* key of the previous block (0 for the first) */
    int32_t block;
    int next;         /* next entry in the bucket, or -1; next free entry when unused */
    int lru_prev, lru_next; /* neighbours on the LRU list (-1 at the ends) */
    int32_t *tokens;  /* (block_size) the block's tokens, to rule out hash collisions */
} entry;

struct yq_prefix_cache {
    yq_kv_cache *kv;
    int block_size, n_entries, n_buckets, free_head, used;
    entry *entries;
    int *buckets;
    int32_t *token_pool;
    int lru_head, lru_tail; /* least and most recently used entries, -1 when empty */
};

int yq_prefix_cache_new(yq_kv_cache *kv, yq_prefix_cache **out) {
    yq_prefix_cache *pc = calloc(1, sizeof *pc);
    if (!pc) return yq_error(YQ_ENOMEM, "out of memory");
    pc->kv = kv;
    pc->block_size = yq_kv_cache_block_size(kv);
    pc->n_entries = yq_kv_cache_total_blocks(kv);
    if (pc->n_entries <= 0 || pc->n_entries > (1 << 28)) {
        free(pc);
        return yq_error(YQ_EINVAL, "prefix cache: bad pool size");
    }
    pc->n_buckets = 1;
    while (pc->n_buckets < 2 * pc->n_entries) pc->n_buckets *= 2;
    pc->entries = calloc((size_t)pc->n_entries, sizeof *pc->entries);
    pc->buckets = malloc((size_t)pc->n_buckets * sizeof *pc->buckets);
    pc->token_pool = malloc((size_t)pc->n_entries * pc->block_size * sizeof *pc->token_pool);
    if (!pc->entries || !pc->buckets || !pc->token_pool) {
        yq_prefix_cache_free(pc);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    for (int i = 0; i < pc->n_buckets; i++) pc->buckets[i] = -1;
    pc->lru_head = pc->lru_tail = -1;
    for (int i = 0; i < pc->n_entries; i++) {
        pc->entries[i].next = i + 1 < pc->n_entries ? i + 1 : -1;
        pc->entries[i].tokens = pc->token_pool + (size_t)i * pc->block_size;
    }
    *out = pc;
    return YQ_OK;
}

void yq_prefix_cache_free(yq_prefix_cache *pc) {
    if (!pc) return;
    free(pc->entries);
    free(pc->buckets);
    free(pc->token_pool);
    free(pc);
}

/* FNV-1a over the parent key and the block's tokens, never 0. */
static uint64_t chain_key(uint64_t parent, const int32_t *tokens, int n) {
    uint64_t h = 0xcbf29ce484222325ull ^ parent;
    for (int i = 0; i < n; i++) {
        uint32_t t = (uint32_t)tokens[i];
        for (int b = 0; b < 4; b++) h = (h ^ ((t >> (8 * b)) & 0xff)) * 0x100000001b3ull;
    }
    return h ? h : 1;
}

static void lru_unlink(yq_prefix_cache *pc, int i) {
    entry *e = &pc->entries[i];
    if (e->lru_prev >= 0) pc->entries[e->lru_prev].lru_next = e->lru_next;
    else pc->lru_head = e->lru_next;
    if (e->lru_next >= 0) pc->entries[e->lru_next].lru_prev = e->lru_prev;
    else pc->lru_tail = e->lru_prev;
}

static void lru_push_recent(yq_prefix_cache *pc, int i) {
    entry *e = &pc->entries[i];
    e->lru_prev = pc->lru_tail;
    e->lru_next = -1;
    if (pc->lru_tail >= 0) pc->entries[pc->lru_tail].lru_next = i;
    else pc->lru_head = i;
    pc->lru_tail = i;
}

static int find(const yq_prefix_cache *pc, uint64_t key, uint64_t parent, const int32_t *tokens) {
    for (int i = pc->buckets[key & (uint64_t)(pc->n_buckets - 1)]; i >= 0; i = pc->entries[i].next) {
        const entry *e = &pc->entries[i];
        if (e->key == key && e->parent == parent &&
            !memcmp(e->tokens, tokens, (size_t)pc->block_size * sizeof *tokens))
            return i;
    }
    return -1;
}

int yq_prefix_cache_match(yq_prefix_cache *pc, const int32_t *tokens, int n_tokens, yq_kv_seq *seq) {
    uint64_t parent = 0;
    int covered = 0;
    for (int b = 0; (b + 1) * pc->block_size <= n_tokens; b++) {
        const int32_t *block_tokens = tokens + (size_t)b * pc->block_size;
        uint64_t key = chain_key(parent, block_tokens, pc->block_size);
        int i = find(pc, key, parent, block_tokens);
        if (i < 0 || yq_kv_seq_append_block(pc->kv, seq, pc->entries[i].block) != YQ_OK) break;
        lru_unlink(pc, i);
        lru_push_recent(pc, i);
        covered += pc->block_size;
        parent = key;
    }
    return covered;
}

void yq_prefix_cache_insert(yq_prefix_cache *pc, const int32_t *tokens, int n_valid, const yq_kv_seq *seq) {
    uint64_t parent = 0;
    for (int b = 0; (b + 1) * pc->block_size <= n_valid && b < seq->n_blocks; b++) {
        const int32_t *block_tokens = tokens + (size_t)b * pc->block_size;
        uint64_t key = chain_key(parent, block_tokens, pc->block_size);
        if (find(pc, key, parent, block_tokens) < 0 && pc->free_head >= 0) {
            int i = pc->free_head;
            entry *e = &pc->entries[i];
            pc->free_head = e->next;
            e->key = key;
            e->parent = parent;
            e->block = seq->blocks[b];
            memcpy(e->tokens, block_tokens, (size_t)pc->block_size * sizeof *block_tokens);
            int bucket = (int)(key & (uint64_t)(pc->n_buckets - 1));
            e->next = pc->buckets[bucket];
            pc->buckets[bucket] = i;
            yq_kv_block_retain(pc->kv, e->block);
            yq_kv_block_set_cached(pc->kv, e->block, 1);
            lru_push_recent(pc, i);
            pc->used++;
        }
        parent = key;
    }
}

static void unlink_entry(yq_prefix_cache *pc, int i) {
    int *link = &pc->buckets[pc->entries[i].key & (uint64_t)(pc->n_buckets - 1)];
    while (*link != i) link = &pc->entries[*link].next;
    *link = pc->entries[i].next;
    lru_unlink(pc, i);
    pc->entries[i].next = pc->free_head;
    pc->free_head = i;
    pc->used--;
}

int yq_prefix_cache_evict(yq_prefix_cache *pc) {
    int victim = pc->lru_head;
    while (victim >= 0 && yq_kv_block_refcount(pc->kv, pc->entries[victim].block) != 1)
        victim = pc->entries[victim].lru_next;
    if (victim < 0) return 0;
    int32_t block = pc->entries[victim].block;
    unlink_entry(pc, victim);
    yq_kv_block_set_cached(pc->kv, block, 0);
    yq_kv_block_release(pc->kv, block);
    return 1;
}

void yq_prefix_cache_counts(const yq_prefix_cache *pc, int *held, int *evictable) {
    *held = pc->used;
    *evictable = yq_kv_cache_cached_only_blocks(pc->kv);
}
