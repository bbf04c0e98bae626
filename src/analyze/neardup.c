/* The near-duplicate index (see yq_neardup in textproc.h): fingerprints in insertion order with
 * four chained 16-bit band tables. */
#include <stdlib.h>

#include "yuqing/error.h"
#include "yuqing/textproc.h"

enum { BANDS = 4, BAND_VALUES = 1 << 16, MAX_BANDED_HAMMING = 3 };

typedef struct entry {
    uint64_t fingerprint;
    int64_t group;
    int32_t next[BANDS]; /* previous entry with the same band value, or -1 */
} entry;

struct yq_neardup {
    int max_hamming;
    entry *entries;
    int32_t n, cap;
    int32_t *heads; /* heads[band * BAND_VALUES + value]: latest entry with that band value, or -1 */
};

static unsigned band_value(uint64_t fingerprint, int band) {
    return (unsigned)(fingerprint >> (16 * band)) & 0xFFFF;
}

yq_neardup *yq_neardup_new(int max_hamming) {
    yq_neardup *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->max_hamming = max_hamming;
    if (max_hamming <= MAX_BANDED_HAMMING) {
        x->heads = malloc((size_t)BANDS * BAND_VALUES * sizeof *x->heads);
        if (!x->heads) {
            free(x);
            return NULL;
        }
        for (int i = 0; i < BANDS * BAND_VALUES; i++) x->heads[i] = -1;
    }
    return x;
}

void yq_neardup_free(yq_neardup *x) {
    if (!x) return;
    free(x->entries);
    free(x->heads);
    free(x);
}

int yq_neardup_add(yq_neardup *x, uint64_t fingerprint, int64_t group) {
    if (x->n == x->cap) {
        int32_t cap = x->cap ? x->cap * 2 : 1024;
        entry *grown = realloc(x->entries, (size_t)cap * sizeof *grown);
        if (!grown) return yq_error(YQ_ENOMEM, "out of memory");
        x->entries = grown;
        x->cap = cap;
    }
    entry *e = &x->entries[x->n];
    e->fingerprint = fingerprint;
    e->group = group;
    for (int b = 0; x->heads && b < BANDS; b++) {
        int32_t *head = &x->heads[b * BAND_VALUES + band_value(fingerprint, b)];
        e->next[b] = *head;
        *head = x->n;
    }
    x->n++;
    return YQ_OK;
}

/* Keeps the better of the current best and entry i: nearer, or as near and earlier. */
static void consider(const yq_neardup *x, uint64_t fingerprint, int32_t i, int *best_distance, int32_t *best) {
    int d = yq_hamming(fingerprint, x->entries[i].fingerprint);
    if (d > x->max_hamming) return;
    if (d < *best_distance || (d == *best_distance && i < *best)) {
        *best_distance = d;
        *best = i;
    }
}

int64_t yq_neardup_find(const yq_neardup *x, uint64_t fingerprint) {
    int best_distance = 65;
    int32_t best = -1;
    if (x->heads) {
        for (int b = 0; b < BANDS; b++)
            for (int32_t i = x->heads[b * BAND_VALUES + band_value(fingerprint, b)]; i >= 0; i = x->entries[i].next[b])
                consider(x, fingerprint, i, &best_distance, &best);
    } else {
        for (int32_t i = 0; i < x->n; i++) consider(x, fingerprint, i, &best_distance, &best);
    }
    return best < 0 ? 0 : x->entries[best].group;
}
