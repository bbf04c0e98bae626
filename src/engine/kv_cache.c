/* Block pool of the paged KV cache: a free list, reference counts, and block tables. Counts of
 * shared and cache-only blocks are kept up to date at each reference change, so the engine reads
 * them in O(1) every step. */
#include <stdlib.h>
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/kv_cache.h"

struct yq_kv_cache {
    int n_layers, n_kv_heads, head_dim, block_size, n_blocks;
    int64_t block_floats; /* floats in one block (one of keys or values) */
    float *keys, *values; /* (n_blocks, n_layers, n_kv_heads, block_size, head_dim) */
    int32_t *refcount;
    uint8_t *cached; /* 1 while the prefix cache holds a reference */
    int32_t *free_list;
    int n_free;
    int n_shared;      /* blocks with refcount > 1 */
    int n_cached_only; /* cached blocks whose only holder is the prefix cache */
};

int yq_kv_cache_new(int n_layers, int n_kv_heads, int head_dim, int block_size, int n_blocks,
                    yq_kv_cache **out) {
    if (n_layers <= 0 || n_kv_heads <= 0 || head_dim <= 0 || block_size <= 0 || n_blocks <= 0)
        return yq_error(YQ_EINVAL, "KV cache: bad shape");
    yq_kv_cache *kv = calloc(1, sizeof *kv);
    if (!kv) return yq_error(YQ_ENOMEM, "KV cache: out of memory");
    *kv = (yq_kv_cache){.n_layers = n_layers, .n_kv_heads = n_kv_heads, .head_dim = head_dim,
                        .block_size = block_size, .n_blocks = n_blocks};
    kv->block_floats = (int64_t)n_layers * n_kv_heads * block_size * head_dim;
    size_t total = (size_t)kv->block_floats * (size_t)n_blocks;
    kv->keys = calloc(total, sizeof(float));
    kv->values = calloc(total, sizeof(float));
    kv->refcount = calloc((size_t)n_blocks, sizeof(int32_t));
    kv->cached = calloc((size_t)n_blocks, 1);
    kv->free_list = malloc((size_t)n_blocks * sizeof(int32_t));
    if (!kv->keys || !kv->values || !kv->refcount || !kv->cached || !kv->free_list) {
        yq_kv_cache_free(kv);
        return yq_error(YQ_ENOMEM, "KV cache: cannot allocate %d blocks (%.1f MiB)", n_blocks,
                        2.0 * (double)total * sizeof(float) / 1048576.0);
    }
    for (int i = 0; i < n_blocks; i++) kv->free_list[i] = n_blocks - 1 - i;
    kv->n_free = n_blocks;
    *out = kv;
    return YQ_OK;
}

void yq_kv_cache_free(yq_kv_cache *kv) {
    if (!kv) return;
    free(kv->keys);
    free(kv->values);
    free(kv->refcount);
    free(kv->cached);
    free(kv->free_list);
    free(kv);
}

int yq_kv_cache_block_size(const yq_kv_cache *kv) { return kv->block_size; }
int yq_kv_cache_free_blocks(const yq_kv_cache *kv) { return kv->n_free; }
int yq_kv_cache_total_blocks(const yq_kv_cache *kv) { return kv->n_blocks; }

int32_t yq_kv_block_alloc(yq_kv_cache *kv) {
    if (kv->n_free == 0) return -1;
    int32_t block = kv->free_list[--kv->n_free];
    kv->refcount[block] = 1;
    return block;
}

int yq_kv_cache_shared_blocks(const yq_kv_cache *kv) { return kv->n_shared; }
int yq_kv_cache_cached_only_blocks(const yq_kv_cache *kv) { return kv->n_cached_only; }

void yq_kv_block_retain(yq_kv_cache *kv, int32_t block) {
    if (++kv->refcount[block] == 2) {
        kv->n_shared++;
        kv->n_cached_only -= kv->cached[block];
    }
}

void yq_kv_block_release(yq_kv_cache *kv, int32_t block) {
    int32_t left = --kv->refcount[block];
    if (left == 1) {
        kv->n_shared--;
        kv->n_cached_only += kv->cached[block];
    } else if (left == 0) {
        kv->free_list[kv->n_free++] = block;
    }
}

void yq_kv_block_set_cached(yq_kv_cache *kv, int32_t block, int cached) {
    if (kv->cached[block] == !!cached) return;
    kv->cached[block] = (uint8_t)!!cached;
    if (kv->refcount[block] == 1) kv->n_cached_only += cached ? 1 : -1;
}

int yq_kv_block_refcount(const yq_kv_cache *kv, int32_t block) { return kv->refcount[block]; }

void yq_kv_block_copy(yq_kv_cache *kv, int32_t dst, int32_t src) {
    size_t bytes = (size_t)kv->block_floats * sizeof(float);
    memcpy(kv->keys + dst * kv->block_floats, kv->keys + src * kv->block_floats, bytes);
    memcpy(kv->values + dst * kv->block_floats, kv->values + src * kv->block_floats, bytes);
}

static int64_t row_offset(const yq_kv_cache *kv, int32_t block, int layer, int head) {
    return block * kv->block_floats +
           ((int64_t)layer * kv->n_kv_heads + head) * kv->block_size * kv->head_dim;
}

float *yq_kv_keys(const yq_kv_cache *kv, int32_t block, int layer, int head) {
    return kv->keys + row_offset(kv, block, layer, head);
}

float *yq_kv_values(const yq_kv_cache *kv, int32_t block, int layer, int head) {
    return kv->values + row_offset(kv, block, layer, head);
}

int64_t yq_kv_block_stride(const yq_kv_cache *kv) { return kv->block_floats; }

static int grow_table(yq_kv_seq *seq, int needed) {
    if (needed <= seq->capacity) return YQ_OK;
    int capacity = needed * 2;
    int32_t *blocks = realloc(seq->blocks, (size_t)capacity * sizeof *blocks);
    if (!blocks) return yq_error(YQ_ENOMEM, "KV cache: out of memory");
    seq->blocks = blocks;
    seq->capacity = capacity;
    return YQ_OK;
}

int yq_kv_seq_append_block(yq_kv_cache *kv, yq_kv_seq *seq, int32_t block) {
    int rc = grow_table(seq, seq->n_blocks + 1);
    if (rc) return rc;
    yq_kv_block_retain(kv, block);
    seq->blocks[seq->n_blocks++] = block;
    return YQ_OK;
}

int yq_kv_seq_reserve(yq_kv_cache *kv, yq_kv_seq *seq, int n_positions) {
    int needed = (n_positions + kv->block_size - 1) / kv->block_size;
    if (needed <= seq->n_blocks) return YQ_OK;
    if (needed - seq->n_blocks > kv->n_free)
        return yq_error(YQ_ENOMEM, "KV cache full: %d positions need %d more blocks, %d free",
                        n_positions, needed - seq->n_blocks, kv->n_free);
    int rc = grow_table(seq, needed);
    if (rc) return rc;
    while (seq->n_blocks < needed) seq->blocks[seq->n_blocks++] = yq_kv_block_alloc(kv);
    return YQ_OK;
}

void yq_kv_seq_release(yq_kv_cache *kv, yq_kv_seq *seq) {
    for (int i = 0; i < seq->n_blocks; i++) yq_kv_block_release(kv, seq->blocks[i]);
    free(seq->blocks);
    memset(seq, 0, sizeof *seq);
}
