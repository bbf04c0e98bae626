/* The KV cache: a pool of fixed-size, reference-counted blocks (block_size positions x layers x
 * KV heads x head_dim, for keys and for values), and per-sequence block tables over it. */
#ifndef YUQING_KV_CACHE_H
#define YUQING_KV_CACHE_H

#include <stdint.h>

typedef struct yq_kv_cache yq_kv_cache;

/* A sequence's view of the cache: blocks[i] holds positions [i*block_size, (i+1)*block_size).
 * n_tokens is how many positions are filled. Owned by the caller; start zeroed. */
typedef struct yq_kv_seq {
    int32_t *blocks;
    int n_blocks, capacity;
    int n_tokens;
} yq_kv_seq;

/* Creates a pool of n_blocks blocks. Memory is reserved lazily by the OS as blocks are used. */
int yq_kv_cache_new(int n_layers, int n_kv_heads, int head_dim, int block_size, int n_blocks,
                    yq_kv_cache **out);
void yq_kv_cache_free(yq_kv_cache *kv);

int yq_kv_cache_block_size(const yq_kv_cache *kv);
int yq_kv_cache_free_blocks(const yq_kv_cache *kv);
int yq_kv_cache_total_blocks(const yq_kv_cache *kv);

/* Takes a free block (reference count 1); -1 when none is free. */
int32_t yq_kv_block_alloc(yq_kv_cache *kv);
/* Adds a reference (a block shared by several sequences). */
void yq_kv_block_retain(yq_kv_cache *kv, int32_t block);
/* Drops a reference; the block is free again at zero. */
void yq_kv_block_release(yq_kv_cache *kv, int32_t block);
/* How many holders the block has (sequences, the prefix cache). */
int yq_kv_block_refcount(const yq_kv_cache *kv, int32_t block);
/* Marks whether the prefix cache holds a reference to `block` (for the counts below). */
void yq_kv_block_set_cached(yq_kv_cache *kv, int32_t block, int cached);
/* Blocks held more than once, and cached blocks held by the prefix cache alone (evictable);
 * both kept current at every reference change. */
int yq_kv_cache_shared_blocks(const yq_kv_cache *kv);
int yq_kv_cache_cached_only_blocks(const yq_kv_cache *kv);
/* Copies all keys and values of block src into block dst (copy on write). */
void yq_kv_block_copy(yq_kv_cache *kv, int32_t dst, int32_t src);

/* Base of keys/values for (block, layer, head): block_size rows of head_dim floats. */
float *yq_kv_keys(const yq_kv_cache *kv, int32_t block, int layer, int head);
float *yq_kv_values(const yq_kv_cache *kv, int32_t block, int layer, int head);
/* Floats between the same (layer, head) rows of consecutive block ids. */
int64_t yq_kv_block_stride(const yq_kv_cache *kv);

/* Makes `seq` own blocks for positions [0, n_positions). On YQ_ENOMEM (pool exhausted) the
 * sequence keeps what it had. */
int yq_kv_seq_reserve(yq_kv_cache *kv, yq_kv_seq *seq, int n_positions);
/* Appends an existing block to the sequence's table (retaining it). */
int yq_kv_seq_append_block(yq_kv_cache *kv, yq_kv_seq *seq, int32_t block);

/* Releases all blocks of `seq` and frees its table; seq is zeroed. */
void yq_kv_seq_release(yq_kv_cache *kv, yq_kv_seq *seq);

#endif
