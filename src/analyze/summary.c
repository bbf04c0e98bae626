/* Extractive summaries by TextRank over sentences (Mihalcea & Tarau 2004): two sentences are
 * joined with weight |shared terms| / (log(1 + |S1|) + log(1 + |S2|)); the best-ranked ones are
 * returned in text order, within SUMMARY_BYTES. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/terms.h"
#include "yuqing/analyze.h"
#include "yuqing/error.h"
#include "yuqing/textproc.h"

enum { MAX_SENTENCES = 48, MAX_TERMS = 2048, SUMMARY_BYTES = 600, ITERATIONS = 20 };

/* Postings of terms over sentences: an open-addressing table from term hash to its newest
 * posting; postings chain to older ones. Counting shared terms this way costs the number of
 * sentence pairs per term, which is small for all but a few terms. */
enum { TERM_SLOTS = 4096 };

typedef struct posting {
    int32_t sentence, older;
} posting;

typedef struct overlap {
    size_t mask;               /* slots in use - 1: a power of two above the text's possible terms */
    uint64_t keys[TERM_SLOTS]; /* valid where heads is not 0 */
    int32_t heads[TERM_SLOTS]; /* newest posting + 1, 0 when the slot is free */
    posting postings[MAX_TERMS];
    int n_postings, sentence;
    int16_t terms[MAX_SENTENCES];                 /* distinct terms per sentence */
    int16_t shared[MAX_SENTENCES][MAX_SENTENCES]; /* [older][newer] */
} overlap;

static void add_term(overlap *o, const term *t) {
    size_t slot = t->hash & o->mask;
    while (o->heads[slot] && o->keys[slot] != t->hash)
        slot = (slot + 1) & o->mask;
    int32_t head = o->heads[slot] - 1;
    if ((head >= 0 && o->postings[head].sentence == o->sentence) || o->n_postings == MAX_TERMS) return;
    for (int32_t p = head; p >= 0; p = o->postings[p].older)
        o->shared[o->postings[p].sentence][o->sentence]++;
    o->postings[o->n_postings] = (posting){o->sentence, head};
    o->keys[slot] = t->hash;
    o->heads[slot] = ++o->n_postings;
    o->terms[o->sentence]++;
}

typedef struct ranked_sentence {
    int index;
    float score;
} ranked_sentence;

static int by_rank(const void *a, const void *b) {
    const ranked_sentence *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->index - y->index;
}

/* Marks the chosen sentences: best first, as long as they fit in SUMMARY_BYTES (the best always). */
static void choose(const yq_span *spans, const float *score, int n, int max_sentences, char *chosen) {
    if (n == 0) return;
    ranked_sentence order[MAX_SENTENCES];
    for (int i = 0; i < n; i++)
        order[i] = (ranked_sentence){i, score[i]};
    qsort(order, (size_t)n, sizeof *order, by_rank);
    int bytes = 0, picked = 0;
    for (int i = 0; i < n && picked < max_sentences; i++) {
        int len = spans[order[i].index].end - spans[order[i].index].start;
        if (picked > 0 && bytes + len > SUMMARY_BYTES) continue;
        chosen[order[i].index] = 1;
        bytes += len + 1;
        picked++;
    }
}

/* Joins the chosen sentences in text order: a space between them unless one ends in CJK. */
static char *join(const char *text, const yq_span *spans, int n, const char *chosen) {
    size_t cap = 1;
    for (int i = 0; i < n; i++)
        cap += chosen[i] ? (size_t)(spans[i].end - spans[i].start) + 1 : 0;
    char *out = malloc(cap), *o = out;
    if (!out) return NULL;
    for (int i = 0; i < n; i++) {
        if (!chosen[i]) continue;
        if (o > out && (unsigned char)o[-1] < 0x80) *o++ = ' ';
        int32_t len = spans[i].end - spans[i].start;
        if (len > SUMMARY_BYTES) /* one overlong sentence: cut at a character boundary */
            for (len = SUMMARY_BYTES; ((unsigned char)text[spans[i].start + len] & 0xC0) == 0x80;)
                len--;
        memcpy(o, text + spans[i].start, (size_t)len);
        o += len;
    }
    *o = '\0';
    return out;
}

/* Counts the terms each pair of sentences shares; terms (offsets less `base`) and spans both go
 * in text order. */
static void count_overlap(const yq_span *spans, int n, const term *terms, int n_terms, int32_t base,
                          overlap *o) {
    int k = 0;
    for (o->sentence = 0; o->sentence < n; o->sentence++) {
        while (k < n_terms && terms[k].start - base < spans[o->sentence].start)
            k++;
        for (; k < n_terms && terms[k].start - base < spans[o->sentence].end; k++)
            add_term(o, &terms[k]);
    }
}

static char *rank_and_join(const char *text, const yq_span *spans, int n, int max_sentences, overlap *o) {
    tr_edge *edges = calloc((size_t)n * (size_t)n / 2 + 1, sizeof *edges);
    if (!edges) return NULL;
    int n_edges = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (o->shared[i][j])
                edges[n_edges++] = (tr_edge){i, j,
                                             (float)o->shared[i][j] / (logf(1.0f + (float)o->terms[i]) +
                                                                       logf(1.0f + (float)o->terms[j]))};
    float score[MAX_SENTENCES], scratch[2 * MAX_SENTENCES];
    char chosen[MAX_SENTENCES] = {0};
    textrank(n, edges, n_edges, ITERATIONS, score, scratch);
    free(edges);
    choose(spans, score, n, max_sentences, chosen);
    return join(text, spans, n, chosen);
}

/* An overlap table sized for n_terms terms, cleared where it is read before being written. */
static overlap *new_overlap(int n_terms) {
    overlap *o = malloc(sizeof *o);
    if (!o) return NULL;
    size_t terms = n_terms < MAX_TERMS ? (size_t)n_terms : MAX_TERMS;
    for (o->mask = 63; o->mask + 1 < 2 * terms;)
        o->mask = 2 * o->mask + 1;
    memset(o->heads, 0, (o->mask + 1) * sizeof *o->heads);
    memset(o->terms, 0, sizeof o->terms);
    memset(o->shared, 0, sizeof o->shared);
    o->n_postings = 0;
    return o;
}

char *summary_from_terms(const char *text, size_t len, const term *terms, int n_terms, int32_t base,
                         int max_sentences) {
    yq_span *spans = NULL;
    int n = 0;
    if (yq_split_sentences(text, len, &spans, &n)) return NULL;
    if (n > MAX_SENTENCES) n = MAX_SENTENCES;
    overlap *o = new_overlap(n_terms);
    char *summary = NULL;
    if (o) {
        count_overlap(spans, n, terms, n_terms, base, o);
        summary = rank_and_join(text, spans, n, max_sentences, o);
    }
    free(o);
    free(spans);
    return summary;
}

char *yq_summarize(const char *text, size_t len, int max_sentences) {
    term *terms;
    int n_terms;
    if (terms_collect(text, len, &terms, &n_terms)) return NULL;
    char *summary = summary_from_terms(text, len, terms, n_terms, 0, max_sentences);
    free(terms);
    return summary;
}
