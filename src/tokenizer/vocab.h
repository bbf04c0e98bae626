/* The token table: the bytes of every id, and a hash index from bytes to id over the model's
 * ordinary tokens (special and added tokens are stored but not indexed). */
#ifndef YUQING_TOKENIZER_VOCAB_H
#define YUQING_TOKENIZER_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "tokenizer/bloom.h"
#include "tokenizer/buffer.h"

typedef struct vocab_entry {
    uint32_t offset; /* start of the bytes in the pool */
    uint32_t length; /* VOCAB_UNUSED for an id without a token */
} vocab_entry;

typedef struct vocab_slot {
    int32_t id;   /* -1 in a free slot */
    uint32_t tag; /* high bits of the bytes' hash, to skip most mismatches without the pool */
} vocab_slot;

typedef struct yq_vocab {
    int32_t n_ids;        /* ids are 0 .. n_ids-1; some may be unused */
    vocab_entry *entries; /* (n_ids) */
    yq_buf pool;          /* all token bytes, back to back */
    vocab_slot *slots;    /* index: open addressing, linear probing; mask + 1 slots */
    uint64_t mask;
    size_t n_indexed;
    size_t max_indexed_len; /* the longest indexed token */
    yq_bloom filter;        /* the indexed tokens: most failed lookups end in L2 */
} yq_vocab;

enum { VOCAB_UNUSED = UINT32_MAX };

/* Prepares a table for ids 0..n_ids-1, all unused, with an index sized for `n_indexed` tokens.
 * 0 or YQ_ENOMEM. */
int vocab_init(yq_vocab *v, int32_t n_ids, size_t n_indexed);
void vocab_free(yq_vocab *v);

/* Gives `id` its bytes; with `indexed`, also enters them in the bytes->id index. Errors
 * (YQ_EFORMAT, naming `what`): id out of range or already given, bytes already indexed, more
 * indexed tokens than vocab_init was told. */
int vocab_set(yq_vocab *v, int32_t id, const uint8_t *bytes, size_t len, int indexed, const char *what);

/* The indexed id whose bytes are s[0..len), or -1. */
int32_t vocab_find(const yq_vocab *v, const uint8_t *s, size_t len);

/* The same, given hash = yq_hash_bytes(s, len). */
int32_t vocab_find_hashed(const yq_vocab *v, const uint8_t *s, size_t len, uint64_t hash);

/* A 64-bit hash of s[0..len). */
uint64_t yq_hash_bytes(const uint8_t *s, size_t len);

/* 1 when `id` has bytes. */
static inline int vocab_has(const yq_vocab *v, int32_t id) {
    return id >= 0 && id < v->n_ids && v->entries[id].length != VOCAB_UNUSED;
}

/* The bytes of an id that vocab_has (borrowed). */
static inline const uint8_t *vocab_bytes(const yq_vocab *v, int32_t id, size_t *len) {
    *len = v->entries[id].length;
    return v->pool.data + v->entries[id].offset;
}

#endif
