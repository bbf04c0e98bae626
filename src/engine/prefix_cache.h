/* Prefix caching over the paged KV cache: full blocks are keyed by a hash chain of their tokens
 * (each block's key covers the whole prefix up to it), so a prompt that starts like an earlier
 * one reuses its blocks. The cache holds one reference to each block it knows; blocks held only
 * by the cache are evicted least-recently-used first when the pool needs room. */
#ifndef YUQING_ENGINE_PREFIX_CACHE_H
#define YUQING_ENGINE_PREFIX_CACHE_H

#include "yuqing/kv_cache.h"

typedef struct yq_prefix_cache yq_prefix_cache;

int yq_prefix_cache_new(yq_kv_cache *kv, yq_prefix_cache **out);
void yq_prefix_cache_free(yq_prefix_cache *pc);

/* Finds the longest run of cached full blocks that `tokens` starts with, appends them (retained)
 * to the empty sequence `seq`, and returns how many positions they cover. */
int yq_prefix_cache_match(yq_prefix_cache *pc, const int32_t *tokens, int n_tokens, yq_kv_seq *seq);

/* Registers the full blocks of `seq` whose positions are all below n_valid (computed). */
void yq_prefix_cache_insert(yq_prefix_cache *pc, const int32_t *tokens, int n_valid, const yq_kv_seq *seq);

/* Frees the least recently used block that only the cache holds; 0 when there is none. */
int yq_prefix_cache_evict(yq_prefix_cache *pc);

/* Blocks the cache holds, and how many of them only the cache holds (free to evict). */
void yq_prefix_cache_counts(const yq_prefix_cache *pc, int *held, int *evictable);

#endif
