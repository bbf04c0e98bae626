/* Inside of the built-in sentiment analyzer: the loaded model and the feature extraction that
 * mirrors tools/sentiment_features.py (the specification; keep the two in step). */
#ifndef YUQING_ANALYZE_SENTIMENT_INTERNAL_H
#define YUQING_ANALYZE_SENTIMENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/sentiment.h"

/* Lexicon entry kinds, as written by tools/train_sentiment.py. */
enum { SENTI_SENTIMENT = 1, SENTI_NEGATOR = 2, SENTI_DEGREE = 3, SENTI_CONTRAST = 4, SENTI_CONCESSIVE = 5 };
/* A proper prefix of a longer Han entry, never a match itself: a lookup that finds nothing can
 * stop extending the run. */
enum { SENTI_PREFIX = 6 };
/* Stored under key (FNV-1a of a Latin word) ^ SENTI_TAG_CONCEPT: the value holds the word's
 * SENTI_UP / _DOWN / _GOOD / _BAD bits. */
enum { SENTI_CONCEPT = 7 };
#define SENTI_TAG_CONCEPT 0x165667B19E3779F9ull
enum { SENTI_UP = 1, SENTI_DOWN = 2, SENTI_GOOD = 4, SENTI_BAD = 8 };
/* Dense rows per language: bias, log1p(positive), log1p(negative), balance, then one
 * log1p(clause count) per concept combination (see CONCEPT_ROWS in sentiment_features.c). */
enum { SENTI_N_CONCEPT_ROWS = 8, SENTI_DENSE_PER_LANG = 4 + SENTI_N_CONCEPT_ROWS };
enum { SENTI_FILTER_BITS = 18 };

typedef struct senti_lex_slot {
    uint64_t key; /* FNV-1a of the folded entry; 0 marks an empty slot */
    float value;  /* polarity in [-1, 1] or degree multiplier */
    uint32_t kind;
} senti_lex_slot;
enum { SENTI_LANG_ZH = 0, SENTI_LANG_EN = 1, SENTI_CLASSES = 3 };

struct yq_sentiment_model {
    uint32_t hash_bits;      /* hashed n-gram rows: 1 << hash_bits */
    uint32_t max_ngram;      /* longest token n-gram */
    uint32_t neg_scope;      /* tokens after a negator whose n-grams are emitted as negated ones */
    uint32_t mod_window;     /* how far before a sentiment word a negator/degree word may stand */
    uint32_t max_lex_len;    /* longest Han lexicon entry, in characters */
    uint32_t dense_per_lang; /* dense rows per language after the hashed rows */
    uint32_t stem_len;       /* a Latin word longer than this also gives its first stem_len letters */
    double negation_factor;  /* multiplies a negated sentiment word's value */
    double contrast_before;  /* weight of tokens before a contrast word / inside a concession */
    double contrast_after;   /* weight of tokens after a contrast word */
    /* Class logits per unit of feature value: hashed row r weighs hashed[r][c] * scale[c]; the
     * dense rows (bias and lexicon scores of each language) follow in float. */
    int16_t *hashed; /* (1 << hash_bits, 3) */
    double scale[3];
    float *dense;        /* (2 * dense_per_lang, 3) */
    senti_lex_slot *lex; /* (lex_mask + 1): open addressing, at most half full */
    uint64_t lex_mask;
    uint64_t *lex_filter; /* (1 << SENTI_FILTER_BITS) bits: bit (key >> (64 - SENTI_FILTER_BITS)) of
                             every key, so that most misses never touch the table */
};

/* Features recorded for tests: (row, value) pairs, repeated rows add up. */
typedef struct senti_feature {
    uint32_t row;
    double value;
} senti_feature;

typedef struct senti_feature_list {
    senti_feature *items;
    size_t n, cap;
} senti_feature_list;

/* Computes the class logits of `len` bytes of `text` into logits[3]. `lang` is SENTI_LANG_ZH,
 * SENTI_LANG_EN, or -1 to detect it. When `record` is not NULL, every feature is also appended
 * to it (values already normalised, as the Python reference lists them). Returns 0 or
 * YQ_ENOMEM. */
int senti_logits(const yq_sentiment_model *m, const char *text, size_t len, int lang, double logits[3],
                 senti_feature_list *record);

/* Lexicon lookup: the entry's kind (0 when absent, SENTI_PREFIX for a prefix only) and value. */
int senti_lex_find(const yq_sentiment_model *m, uint64_t key, float *value);

#endif
