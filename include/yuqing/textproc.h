/* Text processing for the analysis pipeline: cleaning, folding (Traditional to Simplified via
 * OpenCC, ASCII case), language detection, SimHash fingerprints, sentence splitting, and the
 * multi-pattern matcher (Aho-Corasick) behind entity mentions and event rules. */
#ifndef YUQING_TEXTPROC_H
#define YUQING_TEXTPROC_H

#include <stddef.h>
#include <stdint.h>

/* Cleans article text: decodes HTML entities, maps full-width forms (U+FF01-U+FF5E, U+3000) to
 * ASCII, drops zero-width characters, collapses spaces and tabs, trims lines, keeps at most one
 * blank line between paragraphs and drops short boilerplate lines ("责任编辑：", "All rights
 * reserved", ...; the table is in clean.c and docs/ANALYZE.md). Returns a malloc'd NUL-terminated
 * string (never NULL unless out of memory); *out_len gets its length. */
char *yq_clean_text(const char *text, size_t len, size_t *out_len);

/* Prepares the process-wide Traditional-to-Simplified character table from OpenCC's t2s
 * configuration (idempotent, thread-safe). Errors: YQ_EIO when OpenCC cannot load it. */
int yq_fold_init(void);

/* Folds text for matching and fingerprints: each character mapped Traditional to Simplified (one
 * character to one, from OpenCC's t2s character table) and ASCII upper case to lower case. Writes
 * the result to `out` (capacity 2 * len + 1 is always enough; NUL-terminated) and returns its
 * length; when `map` is not NULL, map[i] is the byte offset in `text` of the character that
 * produced out byte i, and map[length] = len. Call yq_fold_init() first. */
size_t yq_fold_text(const char *text, size_t len, char *out, int32_t *map);

/* Is the code point a CJK ideograph (a one-character unit for shingles and keywords)? Kana and
 * Hangul count too. */
int yq_is_cjk(unsigned cp);
/* Is the code point part of a Latin word: ASCII letters and digits, U+00C0-U+024F but not
 * U+00D7 and U+00F7. */
int yq_is_word_char(unsigned cp);

/* Language of a cleaned text: "zh", "en", "ja", "ko", or "und" (see lang.c for the rule). The
 * returned string is static. */
const char *yq_detect_lang(const char *text, size_t len);

/* The 64-bit SimHash of folded text (docs/ANALYZE.md gives the algorithm; tools/simhash_ref.py
 * is an independent implementation): units are CJK characters and Latin words, features are
 * shingles of 2 consecutive units, each hashed with FNV-1a 64 and MurmurHash3's fmix64. */
uint64_t yq_simhash(const char *folded, size_t len);
int yq_hamming(uint64_t a, uint64_t b);

/* An index of fingerprints for near-duplicate grouping: finds the stored fingerprint nearest to a
 * new one within `max_hamming` bits, looking only at fingerprints that share one of
 * max(4, max_hamming + 1) bands (by the pigeonhole principle every such neighbour does); past 15
 * bits it scans them all. */
typedef struct yq_neardup yq_neardup;
yq_neardup *yq_neardup_new(int max_hamming);
void yq_neardup_free(yq_neardup *index);
int yq_neardup_add(yq_neardup *index, uint64_t fingerprint, int64_t group);
/* The group of the nearest fingerprint within max_hamming bits (ties: the earliest added), or 0. */
int64_t yq_neardup_find(const yq_neardup *index, uint64_t fingerprint);

/* Sentences of a cleaned text, split after 。！？!? (and ; ；), after '.' followed by a space or
 * the end, and at line breaks. Each is a [start, end) byte range with surrounding space trimmed;
 * empty ones are left out. *out is malloc'd. */
typedef struct yq_span {
    int32_t start, end;
} yq_span;
int yq_split_sentences(const char *text, size_t len, yq_span **out, int *n);

/* A compiled set of patterns (Aho-Corasick over folded UTF-8 bytes). Patterns are folded with
 * yq_fold_text when added. A pattern that begins (ends) with a Latin word character only matches
 * where the text has no word character just before (after) it. Matches are leftmost-longest and
 * do not overlap. Built once, then read-only: yq_matcher_find is thread-safe. */
typedef struct yq_matcher yq_matcher;
typedef struct yq_match {
    int32_t start, end; /* byte range in the folded text */
    int32_t pattern;    /* index in the order patterns were added */
    int32_t tag;        /* the tag given with the pattern */
} yq_match;

yq_matcher *yq_matcher_new(void);
void yq_matcher_free(yq_matcher *m);
/* Adds a pattern with a caller-chosen tag (e.g. an entity index). Errors: YQ_EINVAL (empty
 * after folding), YQ_ENOMEM. Not allowed after the first yq_matcher_find. */
int yq_matcher_add(yq_matcher *m, const char *pattern, int32_t tag);
/* Builds the automaton; call once after the last add. */
int yq_matcher_build(yq_matcher *m);
/* Finds matches in folded text. *out is a malloc'd array (NULL when none). */
int yq_matcher_find(const yq_matcher *m, const char *folded, size_t len, yq_match **out, int *n);

#endif
