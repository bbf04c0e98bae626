/* A string-keyed hash map with linear probing, grown at 50% load; keys hashed with the URL
 * fingerprint function. */
#include <stdlib.h>
#include <string.h>

#include "crawl/strmap.h"
#include "yuqing/error.h"
#include "yuqing/url.h"

typedef struct {
    char *key;
    void *value;
} slot;

struct yq_strmap {
    slot *slots;
    size_t cap, n; /* cap is a power of two */
};

yq_strmap *yq_strmap_new(void) {
    yq_strmap *m = calloc(1, sizeof *m);
    if (m) m->slots = calloc(m->cap = 16, sizeof *m->slots);
    if (m && !m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void yq_strmap_free(yq_strmap *m, void (*free_value)(void *)) {
    if (!m) return;
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        if (m->slots[i].key && free_value) free_value(m->slots[i].value);
    }
    free(m->slots);
    free(m);
}

/* The slot holding `key`, or the empty slot where it would go. */
static slot *find(const slot *slots, size_t cap, const char *key) {
    size_t i = (size_t)yq_fingerprint64(key, strlen(key)) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return (slot *)&slots[i];
}

void *yq_strmap_get(const yq_strmap *m, const char *key) {
    return find(m->slots, m->cap, key)->value;
}

static int grow(yq_strmap *m) {
    size_t cap = m->cap * 2;
    slot *slots = calloc(cap, sizeof *slots);
    if (!slots) return YQ_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key) *find(slots, cap, m->slots[i].key) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int yq_strmap_put(yq_strmap *m, const char *key, void *value) {
    slot *s = find(m->slots, m->cap, key);
    if (s->key) {
        s->value = value;
        return 0;
    }
    if ((m->n + 1) * 2 > m->cap) {
        if (grow(m)) return YQ_ENOMEM;
        s = find(m->slots, m->cap, key);
    }
    if (!(s->key = strdup(key))) return YQ_ENOMEM;
    s->value = value;
    m->n++;
    return 0;
}
