/* Token bytes by id, and an open-addressing hash index (linear probing, tagged slots) from
 * bytes to id. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/vocab.h"
#include "yuqing/error.h"

uint64_t yq_hash_bytes(const uint8_t *s, size_t len) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * 0x94D049BB133111EBull;
    return h ^ (h >> 29);
}

int vocab_init(yq_vocab *v, int32_t n_ids, size_t n_indexed) {
    memset(v, 0, sizeof *v);
    uint64_t cap = 64;
    while (cap < 2 * (uint64_t)n_indexed)
        cap *= 2;
    v->n_ids = n_ids;
    v->entries = malloc(((size_t)n_ids + 1) * sizeof *v->entries);
    v->slots = malloc(cap * sizeof *v->slots);
    v->mask = cap - 1;
    if (!v->entries || !v->slots || yq_buf_reserve(&v->pool, 1) || bloom_init(&v->filter, n_indexed)) {
        vocab_free(v);
        return yq_error(YQ_ENOMEM, "tokenizer: out of memory for %d tokens", (int)n_ids);
    }
    for (int32_t i = 0; i < n_ids; i++)
        v->entries[i] = (vocab_entry){0, VOCAB_UNUSED};
    for (uint64_t i = 0; i < cap; i++)
        v->slots[i] = (vocab_slot){-1, 0};
    return YQ_OK;
}

void vocab_free(yq_vocab *v) {
    free(v->entries);
    free(v->slots);
    free(v->pool.data);
    free(v->filter.words);
    memset(v, 0, sizeof *v);
}

/* The slot holding s[0..len) (of hash h), or the free slot where it would go. */
static const vocab_slot *probe(const yq_vocab *v, const uint8_t *s, size_t len, uint64_t h) {
    uint32_t tag = (uint32_t)(h >> 32);
    for (uint64_t i = h & v->mask;; i = (i + 1) & v->mask) {
        const vocab_slot *slot = &v->slots[i];
        if (slot->id < 0) return slot;
        const vocab_entry *e = &v->entries[slot->id];
        if (slot->tag == tag && e->length == len && !memcmp(v->pool.data + e->offset, s, len)) return slot;
    }
}

int32_t vocab_find_hashed(const yq_vocab *v, const uint8_t *s, size_t len, uint64_t hash) {
    if (len > v->max_indexed_len || !bloom_may_hold(&v->filter, hash)) return -1;
    return probe(v, s, len, hash)->id;
}

int32_t vocab_find(const yq_vocab *v, const uint8_t *s, size_t len) {
    return vocab_find_hashed(v, s, len, yq_hash_bytes(s, len));
}

static int index_add(yq_vocab *v, int32_t id, const char *what) {
    if (2 * (v->n_indexed + 1) > v->mask + 1)
        return yq_error(YQ_EFORMAT, "%s: more tokens than declared", what);
    size_t len = v->entries[id].length;
    const uint8_t *s = v->pool.data + v->entries[id].offset;
    uint64_t h = yq_hash_bytes(s, len);
    vocab_slot *slot = (vocab_slot *)probe(v, s, len, h);
    if (slot->id >= 0)
        return yq_error(YQ_EFORMAT, "%s: ids %d and %d have the same bytes", what, (int)slot->id, (int)id);
    *slot = (vocab_slot){id, (uint32_t)(h >> 32)};
    bloom_add(&v->filter, h);
    v->n_indexed++;
    if (len > v->max_indexed_len) v->max_indexed_len = len;
    return YQ_OK;
}

int vocab_set(yq_vocab *v, int32_t id, const uint8_t *bytes, size_t len, int indexed, const char *what) {
    if (id < 0 || id >= v->n_ids) return yq_error(YQ_EFORMAT, "%s: id %d out of range", what, (int)id);
    if (v->entries[id].length != VOCAB_UNUSED)
        return yq_error(YQ_EFORMAT, "%s: id %d appears twice", what, (int)id);
    if (v->pool.len + len >= UINT32_MAX) return yq_error(YQ_EFORMAT, "%s: vocabulary too large", what);
    int rc = yq_buf_append(&v->pool, bytes, len);
    if (rc) return rc;
    v->entries[id] = (vocab_entry){(uint32_t)(v->pool.len - len), (uint32_t)len};
    return indexed ? index_add(v, id, what) : YQ_OK;
}
