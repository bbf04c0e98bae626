/* The near-duplicate index (see yq_neardup in textproc.h): fingerprints in insertion order with
 * chained band tables. With B = max(4, max_hamming + 1) bands of about 64/B bits, two fingerprints
 * at most max_hamming bits apart agree on at least one whole band (pigeonhole), so only entries
 * sharing a band are compared. Past MAX_BANDS it scans every entry. */
#include <stdlib.h>

#include "yuqing/error.h"
#include "yuqing/textproc.h"

enum { MIN_BANDS = 4, MAX_BANDS = 16 };

typedef struct entry {
    uint64_t fingerprint;
    int64_t group;
    int32_t next[MAX_BANDS]; /* previous entry with the same value of that band, or -1 */
} entry;

struct yq_neardup {
    int max_hamming, bands;        /* bands = 0: linear scan */
    int shift[MAX_BANDS], bits[MAX_BANDS];
    int32_t *heads[MAX_BANDS];     /* heads[b][value]: latest entry with that band value, or -1 */
    entry *entries;
    int32_t n, cap;
};

static unsigned band_value(const yq_neardup *x, uint64_t fingerprint, int b) {
    return (unsigned)((fingerprint >> x->shift[b]) & ((1ull << x->bits[b]) - 1));
}

yq_neardup *yq_neardup_new(int max_hamming) {
    yq_neardup *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->max_hamming = max_hamming;
    int bands = max_hamming + 1 < MIN_BANDS ? MIN_BANDS : max_hamming + 1;
    x->bands = bands <= MAX_BANDS ? bands : 0;
    for (int b = 0; b < x->bands; b++) {
        x->shift[b] = 64 * b / x->bands;
        x->bits[b] = 64 * (b + 1) / x->bands - x->shift[b];
        size_t values = (size_t)1 << x->bits[b];
        if (!(x->heads[b] = malloc(values * sizeof *x->heads[b]))) {
            yq_neardup_free(x);
            return NULL;
        }
        for (size_t v = 0; v < values; v++) x->heads[b][v] = -1;
    }
    return x;
}

void yq_neardup_free(yq_neardup *x) {
    if (!x) return;
    for (int b = 0; b < MAX_BANDS; b++) free(x->heads[b]);
    free(x->entries);
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
    for (int b = 0; b < x->bands; b++) {
        int32_t *head = &x->heads[b][band_value(x, fingerprint, b)];
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
    for (int b = 0; b < x->bands; b++)
        for (int32_t i = x->heads[b][band_value(x, fingerprint, b)]; i >= 0; i = x->entries[i].next[b])
            consider(x, fingerprint, i, &best_distance, &best);
    for (int32_t i = 0; !x->bands && i < x->n; i++) consider(x, fingerprint, i, &best_distance, &best);
    return best < 0 ? 0 : x->entries[best].group;
}
