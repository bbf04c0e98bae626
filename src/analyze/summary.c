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

enum { MAX_SENTENCES = 48, MAX_TERMS = 2048, SUMMARY_BYTES = 600 };

typedef struct sentence_terms {
    uint64_t *hashes; /* sorted, distinct */
    int n;
} sentence_terms;

typedef struct term_buffer {
    uint64_t *hashes;
    int n, cap;
} term_buffer;

static void add_term(void *ctx, const term *t) {
    term_buffer *b = ctx;
    if (b->n < b->cap) b->hashes[b->n++] = t->hash;
}

static int by_hash(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int shared_terms(const sentence_terms *a, const sentence_terms *b) {
    int i = 0, j = 0, shared = 0;
    while (i < a->n && j < b->n) {
        if (a->hashes[i] == b->hashes[j]) shared++, i++, j++;
        else if (a->hashes[i] < b->hashes[j]) i++;
        else j++;
    }
    return shared;
}

/* Each sentence's distinct terms, all in one buffer. */
static void sentence_term_sets(const char *text, const yq_span *spans, int n, term_buffer *buffer,
                               sentence_terms *sets) {
    for (int i = 0; i < n; i++) {
        int first = buffer->n;
        terms_each(text + spans[i].start, (size_t)(spans[i].end - spans[i].start), add_term, buffer);
        uint64_t *h = buffer->hashes + first;
        int count = buffer->n - first, distinct = 0;
        qsort(h, (size_t)count, sizeof *h, by_hash);
        for (int k = 0; k < count; k++)
            if (k == 0 || h[k] != h[k - 1]) h[distinct++] = h[k];
        buffer->n = first + distinct;
        sets[i] = (sentence_terms){h, distinct};
    }
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
    ranked_sentence order[MAX_SENTENCES];
    for (int i = 0; i < n; i++) order[i] = (ranked_sentence){i, score[i]};
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
    for (int i = 0; i < n; i++) cap += chosen[i] ? (size_t)(spans[i].end - spans[i].start) + 1 : 0;
    char *out = malloc(cap), *o = out;
    if (!out) return NULL;
    for (int i = 0; i < n; i++) {
        if (!chosen[i]) continue;
        if (o > out && (unsigned char)o[-1] < 0x80) *o++ = ' ';
        int32_t len = spans[i].end - spans[i].start;
        if (len > SUMMARY_BYTES) /* one overlong sentence: cut at a character boundary */
            for (len = SUMMARY_BYTES; ((unsigned char)text[spans[i].start + len] & 0xC0) == 0x80;) len--;
        memcpy(o, text + spans[i].start, (size_t)len);
        o += len;
    }
    *o = '\0';
    return out;
}

static char *rank_and_join(const char *text, const yq_span *spans, int n, int max_sentences, uint64_t *hashes) {
    sentence_terms sets[MAX_SENTENCES];
    term_buffer buffer = {hashes, 0, MAX_TERMS};
    sentence_term_sets(text, spans, n, &buffer, sets);
    tr_edge *edges = calloc((size_t)n * (size_t)n / 2 + 1, sizeof *edges);
    if (!edges) return NULL;
    int n_edges = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            int shared = shared_terms(&sets[i], &sets[j]);
            if (shared)
                edges[n_edges++] = (tr_edge){i, j, (float)shared / (logf(1.0f + (float)sets[i].n) + logf(1.0f + (float)sets[j].n))};
        }
    float score[MAX_SENTENCES], scratch[2 * MAX_SENTENCES];
    char chosen[MAX_SENTENCES] = {0};
    textrank(n, edges, n_edges, score, scratch);
    free(edges);
    choose(spans, score, n, max_sentences, chosen);
    return join(text, spans, n, chosen);
}

char *yq_summarize(const char *text, size_t len, int max_sentences) {
    yq_span *spans = NULL;
    int n = 0;
    if (yq_split_sentences(text, len, &spans, &n)) return NULL;
    if (n > MAX_SENTENCES) n = MAX_SENTENCES;
    uint64_t *hashes = malloc(MAX_TERMS * sizeof *hashes);
    char *summary = hashes ? rank_and_join(text, spans, n, max_sentences, hashes) : NULL;
    free(hashes);
    free(spans);
    return summary;
}
