/* Hand-written matchers for the split patterns of the tokenizers we know, each exactly equal to
 * a backtracking regex engine's leftmost-first match of the pattern quoted above it (checked
 * against PCRE2 by tests/test_tokenizer_pretok.c). Classes: \p{L} letters, \p{N} numbers,
 * \p{M} marks, \s White_Space, per unicode_data.c. */
#include <string.h>

#include "tokenizer/pretok.h"
#include "tokenizer/unicode.h"

#define KIND_MASK_OF(p) (1u << ((p)&UC_KIND_MASK))
#define SET_N UC_SET(UC_N)
/* o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}] */
#define SET_UPPER (UC_SET(UC_LU) | UC_SET(UC_LT) | UC_SET(UC_LM) | UC_SET(UC_LO) | UC_SET(UC_M))
#define SET_LOWER (UC_SET(UC_LL) | UC_SET(UC_LM) | UC_SET(UC_LO) | UC_SET(UC_M))

static inline uint8_t props_at(const uint8_t *s, size_t i, size_t *len) {
    uint32_t cp;
    *len = uc_next(s + i, &cp);
    return uc_props(cp);
}

static inline int in_set(uint8_t props, unsigned set) {
    return (KIND_MASK_OF(props) & set) != 0;
}

/* The end of the run of characters of a kind in `set` starting at i. */
static size_t run_of(const uint8_t *s, size_t n, size_t i, unsigned set) {
    size_t len;
    while (i < n && in_set(props_at(s, i, &len), set))
        i += len;
    return i;
}

/* [^\s\p{L}\p{N}] */
static int is_symbol(uint8_t props) {
    return !(props & UC_WS) && !in_set(props, UC_LETTER | SET_N);
}

/* [^\r\n\p{L}\p{N}]: the optional character before a word. */
static int is_word_prefix(const uint8_t *s, size_t i, uint8_t props) {
    return s[i] != '\r' && s[i] != '\n' && !in_set(props, UC_LETTER | SET_N);
}

/* The length of 's|'t|'re|'ve|'m|'ll|'d at i (0 if none); case-insensitive as Unicode simple
 * case folding has it, where 's' also matches U+017F LATIN SMALL LETTER LONG S. */
static size_t contraction(const uint8_t *s, size_t n, size_t i, int fold) {
    if (i + 1 >= n || s[i] != '\'') return 0;
    uint8_t c = s[i + 1], d = i + 2 < n ? s[i + 2] : 0;
    if (fold) {
        if (c == 0xC5 && d == 0xBF) return 3; /* U+017F */
        c |= (c >= 'A' && c <= 'Z') ? 0x20 : 0;
        d |= (d >= 'A' && d <= 'Z') ? 0x20 : 0;
    }
    if (c == 's' || c == 't' || c == 'm' || c == 'd') return 2;
    if ((c == 'r' && d == 'e') || (c == 'v' && d == 'e') || (c == 'l' && d == 'l')) return 3;
    return 0;
}

/* ` ?[^\s\p{L}\p{N}]+` followed by `[trail]*`; 0 if no match at pos. */
static size_t symbols(const uint8_t *s, size_t n, size_t pos, const char *trail) {
    size_t i = pos + (s[pos] == ' '), len, j = i;
    while (j < n && is_symbol(props_at(s, j, &len)))
        j += len;
    if (j == i) return 0;
    while (j < n && s[j] && strchr(trail, s[j]))
        j++;
    return j;
}

/* At a White_Space character: `\s*[\r\n]+` (when `newlines`), then `\s+(?!\S)`, then `\s+`. */
static size_t whitespace(const uint8_t *s, size_t n, size_t pos, int newlines) {
    size_t i = pos, last = pos, after_newline = 0, len;
    while (i < n && (props_at(s, i, &len) & UC_WS)) {
        if (s[i] == '\r' || s[i] == '\n') after_newline = i + 1;
        last = i;
        i += len;
    }
    if (newlines && after_newline) return after_newline;
    if (i == n || last == pos) return i;
    return last; /* give back the last one, which then precedes the non-space */
}

/* `\p{N}{1,max}` at a number (max 0: unbounded). */
static size_t numbers(const uint8_t *s, size_t n, size_t pos, int max) {
    size_t len;
    for (int k = 0; pos < n && (max == 0 || k < max) && in_set(props_at(s, pos, &len), SET_N); k++)
        pos += len;
    return pos;
}

/* (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max}| ?[^\s\p{L}\p{N}]+[\r\n]*|
 * \s*[\r\n]+|\s+(?!\S)|\s+ */
static size_t match_cl100k_like(const uint8_t *s, size_t n, size_t pos, int max_digits) {
    size_t len, len1, e = contraction(s, n, pos, 1);
    if (e) return pos + e;
    uint8_t p = props_at(s, pos, &len);
    if (in_set(p, UC_LETTER)) return run_of(s, n, pos, UC_LETTER);
    if (is_word_prefix(s, pos, p) && pos + len < n && in_set(props_at(s, pos + len, &len1), UC_LETTER))
        return run_of(s, n, pos + len, UC_LETTER);
    if (in_set(p, SET_N)) return numbers(s, n, pos, max_digits);
    if ((e = symbols(s, n, pos, "\r\n"))) return e;
    return whitespace(s, n, pos, 1);
}

/* cl100k_base and Llama-3: numbers in groups of up to three. */
static size_t match_cl100k(const uint8_t *s, size_t n, size_t pos) {
    return match_cl100k_like(s, n, pos, 3);
}

/* Qwen (qwen.tiktoken, Qwen2/2.5/3 tokenizer.json): every digit alone. */
static size_t match_qwen(const uint8_t *s, size_t n, size_t pos) {
    return match_cl100k_like(s, n, pos, 1);
}

/* The start of the character before position i (> 0). */
static size_t char_before(const uint8_t *s, size_t i) {
    do
        i--;
    while ((s[i] & 0xC0) == 0x80);
    return i;
}

/* [UPPER]*[LOWER]+(?i:contraction)? at start, or 0. */
static size_t word_lower_first(const uint8_t *s, size_t n, size_t start) {
    size_t q = run_of(s, n, start, SET_UPPER), r = q, len;
    /* backtrack [UPPER]* to the last position where [LOWER] can begin */
    if (q == n || !in_set(props_at(s, q, &len), SET_LOWER)) {
        do {
            if (r == start) return 0;
            r = char_before(s, r);
        } while (!in_set(props_at(s, r, &len), SET_LOWER));
    }
    size_t e = run_of(s, n, r, SET_LOWER);
    return e + contraction(s, n, e, 1);
}

/* [UPPER]+[LOWER]*(?i:contraction)? at start, or 0. */
static size_t word_upper_first(const uint8_t *s, size_t n, size_t start) {
    size_t q = run_of(s, n, start, SET_UPPER);
    if (q == start) return 0;
    size_t e = run_of(s, n, q, SET_LOWER);
    return e + contraction(s, n, e, 1);
}

/* Tries `[^\r\n\p{L}\p{N}]?WORD`: with the optional character first, then without. */
static size_t prefixed_word(const uint8_t *s, size_t n, size_t pos, uint8_t p, size_t len,
                            size_t (*word)(const uint8_t *, size_t, size_t)) {
    size_t e;
    if (is_word_prefix(s, pos, p) && pos + len < n && (e = word(s, n, pos + len))) return e;
    return word(s, n, pos);
}

/* o200k_base:
 * [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
 * [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
 * \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
static size_t match_o200k(const uint8_t *s, size_t n, size_t pos) {
    size_t len, e;
    uint8_t p = props_at(s, pos, &len);
    if ((e = prefixed_word(s, n, pos, p, len, word_lower_first))) return e;
    if ((e = prefixed_word(s, n, pos, p, len, word_upper_first))) return e;
    if (in_set(p, SET_N)) return numbers(s, n, pos, 3);
    if ((e = symbols(s, n, pos, "\r\n/"))) return e;
    return whitespace(s, n, pos, 1);
}

/* GPT-2 (r50k/p50k, ByteLevel's use_regex):
 * 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
static size_t match_gpt2(const uint8_t *s, size_t n, size_t pos) {
    size_t len, e = contraction(s, n, pos, 0);
    if (e) return pos + e;
    size_t i = pos + (s[pos] == ' ' && pos + 1 < n);
    uint8_t p = props_at(s, i, &len);
    if (in_set(p, UC_LETTER)) return run_of(s, n, i, UC_LETTER);
    if (in_set(p, SET_N)) return numbers(s, n, i, 0);
    if ((e = symbols(s, n, pos, ""))) return e;
    return whitespace(s, n, pos, 0);
}

#define CL100K_HEAD "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
#define CL100K_TAIL "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define O200K_WORD(a, b)                                                                                     \
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]" a "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]" b         \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?"

const char pretok_cl100k_pattern[] = CL100K_HEAD "\\p{N}{1,3}" CL100K_TAIL;
const char pretok_qwen_pattern[] = CL100K_HEAD "\\p{N}" CL100K_TAIL;
const char pretok_o200k_pattern[] = O200K_WORD("*", "+") "|" O200K_WORD(
    "+", "*") "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char pretok_gpt2_pattern[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

static const struct {
    const char *pattern;
    pretok_match_fn match;
} known[] = {
    {pretok_cl100k_pattern, match_cl100k},
    {pretok_qwen_pattern, match_qwen},
    {pretok_o200k_pattern, match_o200k},
    {pretok_gpt2_pattern, match_gpt2},
};

pretok_match_fn pretok_known_pattern(const char *pattern) {
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(pattern, known[i].pattern)) return known[i].match;
    return NULL;
}
