/* Content terms of a text (internal): Latin words that are not stopwords and CJK character
 * bigrams without function characters, shared by keywords and summaries; and TextRank. */
#ifndef YUQING_ANALYZE_TERMS_H
#define YUQING_ANALYZE_TERMS_H

#include <stddef.h>
#include <stdint.h>

typedef struct term {
    uint64_t hash;      /* of the ASCII-lowercased term */
    int32_t start, end; /* bytes in the text */
    int32_t position;   /* index among all units (so that neighbours can be found) */
} term;

/* Calls fn for each term of text[0, len) in order. */
typedef void (*term_fn)(void *ctx, const term *t);
void terms_each(const char *text, size_t len, term_fn fn, void *ctx);

/* All terms of text[0, len) in order: *out is a malloc'd array of *n (at most len / 2 + 1). */
int terms_collect(const char *text, size_t len, term **out, int *n);

/* yq_keywords and yq_summarize over terms already collected: `terms` (n_terms, in text order) hold
 * offsets into a larger text that starts `base` bytes before `text` (0 when they index `text`). */
int keywords_from_terms(const char *text, const term *terms, int n_terms, int max, char ***out, int *n);
char *summary_from_terms(const char *text, size_t len, const term *terms, int n_terms, int32_t base,
                         int max_sentences);

/* An undirected weighted edge between nodes a and b. */
typedef struct tr_edge {
    int32_t a, b;
    float weight;
} tr_edge;

/* TextRank (PageRank with damping 0.85 over weighted undirected edges, until no score moves by
 * 1e-3, at most max_iterations): score[i] for each of the n nodes. `scratch` has room for 2 * n floats. */
void textrank(int n, const tr_edge *edges, int n_edges, int max_iterations, float *score, float *scratch);

#endif
