/* Keywords by TextRank over content terms: nodes are distinct terms, edges join terms at most
 * WINDOW units apart. A CJK bigram seen only once counts half (most are fragments of two words);
 * the best-ranked bigrams are grown into the phrase (up to 6 characters) they form with repeated
 * bigrams next to them (阿里 + 里巴 + 巴巴 -> 阿里巴巴). */
#include <stdlib.h>
#include <string.h>

#include "analyze/terms.h"
#include "yuqing/analyze.h"
#include "yuqing/error.h"

enum { WINDOW = 2, MAX_OCCURRENCES = 4096, MAX_PHRASE_BYTES = 18, ITERATIONS = 10 };

typedef struct node {
    uint64_t hash;
    int first; /* index of its first occurrence */
    int count;
} node;

typedef struct kw_state {
    term *occ;      /* occurrences in text order */
    int *node_of;   /* node index of each occurrence */
    int n_occ, cap; /* cap: at most MAX_OCCURRENCES, and no more than the text can hold */
    node *nodes;
    int n_nodes;
    int *slots; /* open-addressing table of node indexes + 1 */
    int n_slots;
} kw_state;

static void collect(kw_state *s, const term *t) {
    if (s->n_occ == s->cap) return;
    int slot = (int)(t->hash & (uint64_t)(s->n_slots - 1));
    while (s->slots[slot] && s->nodes[s->slots[slot] - 1].hash != t->hash)
        slot = (slot + 1) & (s->n_slots - 1);
    if (!s->slots[slot]) {
        s->nodes[s->n_nodes] = (node){t->hash, s->n_occ, 0};
        s->slots[slot] = ++s->n_nodes;
    }
    s->nodes[s->slots[slot] - 1].count++;
    s->node_of[s->n_occ] = s->slots[slot] - 1;
    s->occ[s->n_occ++] = *t;
}

/* The unused node with the best weighted score (ties: the earliest), or -1. */
static int best_unused(const kw_state *s, const float *weighted, const char *used) {
    int best = -1;
    for (int i = 0; i < s->n_nodes; i++)
        if (!used[i] && (best < 0 || weighted[i] > weighted[best] ||
                         (weighted[i] == weighted[best] && s->nodes[i].first < s->nodes[best].first)))
            best = i;
    return best;
}

/* Occurrence index of the term that starts at byte `start`, or -1. */
static int occurrence_at(const kw_state *s, int32_t start) {
    int lo = 0, hi = s->n_occ - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (s->occ[mid].start == start) return mid;
        if (s->occ[mid].start < start)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static int is_cjk_bigram(const char *text, const term *t) {
    return (unsigned char)text[t->start] >= 0xE0 && t->end - t->start <= 8;
}

/* Is occurrence k a repeated CJK bigram? Marks it used when it is. */
static int take_neighbour(const kw_state *s, const char *text, int k, char *used) {
    if (k < 0 || s->nodes[s->node_of[k]].count < 2 || !is_cjk_bigram(text, &s->occ[k])) return 0;
    used[s->node_of[k]] = 1;
    return 1;
}

/* Grows the bigram at occurrence i over neighbouring bigrams (sharing one character) that are
 * repeated, both ways, up to MAX_PHRASE_BYTES; *start, *end get the phrase. */
static void grow_phrase(const kw_state *s, const char *text, int i, char *used, int32_t *start,
                        int32_t *end) {
    int32_t half = (s->occ[i].end - s->occ[i].start) / 2; /* one character */
    *start = s->occ[i].start;
    *end = s->occ[i].end;
    for (int k; *end - *start < MAX_PHRASE_BYTES &&
                take_neighbour(s, text, k = occurrence_at(s, *end - half), used);)
        *end = s->occ[k].end;
    for (int k; *end - *start < MAX_PHRASE_BYTES &&
                take_neighbour(s, text, k = occurrence_at(s, *start - half), used);)
        *start = s->occ[k].start;
}

static int pick(kw_state *s, const char *text, float *score, int max, char ***out, int *n_out) {
    char *used = calloc((size_t)s->n_nodes, 1);
    char **words = calloc((size_t)max, sizeof *words);
    int n = 0, rc = used && words ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    for (int i = 0; i < s->n_nodes; i++)
        if (s->nodes[i].count < 2 && is_cjk_bigram(text, &s->occ[s->nodes[i].first])) score[i] *= 0.5f;
    for (int best; !rc && n < max && (best = best_unused(s, score, used)) >= 0;) {
        int first = s->nodes[best].first;
        used[best] = 1;
        int32_t start = s->occ[first].start, end = s->occ[first].end;
        if (is_cjk_bigram(text, &s->occ[first])) grow_phrase(s, text, first, used, &start, &end);
        if (!(words[n++] = strndup(text + start, (size_t)(end - start))))
            rc = yq_error(YQ_ENOMEM, "out of memory");
    }
    free(used);
    if (rc) {
        for (int i = 0; i < n; i++)
            free(words[i]);
        free(words);
        return rc;
    }
    *out = words;
    *n_out = n;
    return YQ_OK;
}

static int rank_terms(kw_state *s, const char *text, int max, char ***out, int *n) {
    tr_edge *edges = malloc((size_t)s->n_occ * WINDOW * sizeof *edges + 1);
    float *score = malloc((size_t)s->n_nodes * 3 * sizeof *score + 1);
    if (!edges || !score) {
        free(edges);
        free(score);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    int n_edges = 0;
    for (int i = 0; i < s->n_occ; i++)
        for (int j = i + 1; j < s->n_occ && s->occ[j].position - s->occ[i].position <= WINDOW; j++)
            if (s->node_of[i] != s->node_of[j])
                edges[n_edges++] = (tr_edge){s->node_of[i], s->node_of[j], 1.0f};
    textrank(s->n_nodes, edges, n_edges, ITERATIONS, score, score + s->n_nodes);
    int rc = pick(s, text, score, max, out, n);
    free(edges);
    free(score);
    return rc;
}

int keywords_from_terms(const char *text, const term *terms, int n_terms, int max, char ***out, int *n) {
    *out = NULL;
    *n = 0;
    kw_state s = {.cap = n_terms < MAX_OCCURRENCES ? n_terms : MAX_OCCURRENCES, .n_slots = 64};
    while (s.n_slots < 2 * s.cap)
        s.n_slots *= 2;
    s.occ = malloc((size_t)s.cap * sizeof *s.occ + 1);
    s.node_of = malloc((size_t)s.cap * sizeof *s.node_of + 1);
    s.nodes = malloc((size_t)s.cap * sizeof *s.nodes + 1);
    s.slots = calloc((size_t)s.n_slots, sizeof *s.slots);
    int rc = s.occ && s.node_of && s.nodes && s.slots ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < s.cap; i++)
        collect(&s, &terms[i]);
    if (!rc && s.n_nodes > 0 && max > 0) rc = rank_terms(&s, text, max, out, n);
    free(s.occ);
    free(s.node_of);
    free(s.nodes);
    free(s.slots);
    return rc;
}

int yq_keywords(const char *text, size_t len, int max, char ***out, int *n) {
    term *terms;
    int n_terms, rc = terms_collect(text, len, &terms, &n_terms);
    if (rc) return rc;
    rc = keywords_from_terms(text, terms, n_terms, max, out, n);
    free(terms);
    return rc;
}
