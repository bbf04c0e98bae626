/* Pre-tokenization: splitting text into the pieces that BPE encodes one by one. A pre-tokenizer
 * is a short pipeline of steps (a tokenizer.json Sequence); each step splits every piece of the
 * step before by a pattern, and may first prepend a space (ByteLevel's add_prefix_space). */
#ifndef YUQING_TOKENIZER_PRETOK_H
#define YUQING_TOKENIZER_PRETOK_H

#include <stddef.h>
#include <stdint.h>

#include "tokenizer/buffer.h"

enum { PRETOK_MAX_STEPS = 8 };

/* Whether a step prepends a space to each piece: never, when it does not start with one
 * (ByteLevel's add_prefix_space), or always (SentencePiece's dummy prefix). */
enum { PRETOK_PREFIX_NONE, PRETOK_PREFIX_IF_MISSING, PRETOK_PREFIX_ALWAYS };

/* The end of the match that starts at `pos` (< n) of valid UTF-8 text s[0..n); a known pattern
 * matches at every position. */
typedef size_t (*pretok_match_fn)(const uint8_t *s, size_t n, size_t pos);

typedef struct pretok_step {
    pretok_match_fn match;           /* a known pattern, written out by hand; or */
    struct pcre2_real_code_8 *regex; /* any other pattern, through PCRE2; or neither: no split */
    int keep_gaps;                   /* text between matches is a piece (HF Split "Isolated"), else dropped */
    int prefix_space;                /* PRETOK_PREFIX_*: prepend ' ' to each piece first */
} pretok_step;

typedef struct yq_pretok {
    int n_steps;
    pretok_step steps[PRETOK_MAX_STEPS];
} yq_pretok;

/* Per-call scratch (one per thread). */
typedef struct pretok_scratch {
    yq_buf prefixed[PRETOK_MAX_STEPS];
    struct pcre2_real_match_data_8 *match_data[PRETOK_MAX_STEPS];
} pretok_scratch;

/* Receives one piece; a non-zero return stops the split and is returned by pretok_split. */
typedef int (*pretok_emit_fn)(void *ctx, const uint8_t *piece, size_t len);

/* Appends a step splitting by `pattern` (regex syntax of tiktoken / tokenizer.json). Known
 * patterns (cl100k_base, o200k_base, Qwen, GPT-2; see pretok_known.c) use exact hand-written
 * matchers; others are compiled with PCRE2 (UTF, Unicode properties). Errors: YQ_EFORMAT for a
 * pattern that does not compile, YQ_ERANGE for too many steps; messages name `what`. */
int pretok_add_split(yq_pretok *p, const char *pattern, int keep_gaps, const char *what);

/* Appends a ByteLevel step: the GPT-2 pattern when use_regex, after prepending a space to each
 * piece when add_prefix_space. */
int pretok_add_byte_level(yq_pretok *p, int add_prefix_space, int use_regex, const char *what);

/* Appends a step that only prepends a space to every piece (SentencePiece's dummy prefix). */
int pretok_add_space_prefix(yq_pretok *p, const char *what);

void pretok_free(yq_pretok *p);
void pretok_scratch_free(pretok_scratch *s);

/* Splits valid UTF-8 text s[0..n) through every step, calling emit for each non-empty piece in
 * order. Returns 0, emit's non-zero status, or a YQ_E* code. */
int pretok_split(const yq_pretok *p, pretok_scratch *scratch, const uint8_t *s, size_t n, pretok_emit_fn emit,
                 void *ctx);

/* The hand-written matcher for a known pattern string, or NULL. */
pretok_match_fn pretok_known_pattern(const char *pattern);

/* The known patterns: cl100k_base (also Llama-3), Qwen (qwen.tiktoken, Qwen2/2.5/3), o200k_base,
 * GPT-2 (ByteLevel's use_regex). */
extern const char pretok_cl100k_pattern[], pretok_qwen_pattern[], pretok_o200k_pattern[],
    pretok_gpt2_pattern[];

#endif
