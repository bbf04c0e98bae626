/* Special and added tokens: their table, and the leftmost-longest search for them in text (the
 * match Hugging Face's added-token splitter makes; tiktoken's specials never overlap). */
#ifndef YUQING_TOKENIZER_SPECIALS_H
#define YUQING_TOKENIZER_SPECIALS_H

#include <stddef.h>
#include <stdint.h>

typedef struct yq_special {
    uint8_t *text;
    uint32_t len;
    int32_t id;
    uint8_t special;    /* "special": true in tokenizer.json (all of tiktoken's are) */
    uint8_t normalized; /* matched in normalized text rather than raw text */
} yq_special;

typedef struct yq_specials {
    yq_special *items; /* sorted by first byte, then longest first */
    size_t n, cap;
    uint32_t first[257]; /* items starting with byte b: [first[b], first[b + 1]) */
    int any_normalized;
} yq_specials;

/* Adds a token (text copied). 0, YQ_ENOMEM, or YQ_EFORMAT for empty text. */
int specials_add(yq_specials *sp, const uint8_t *text, size_t len, int32_t id, int special, int normalized);

/* Sorts and indexes the table; call once after the last specials_add. */
void specials_finish(yq_specials *sp);
void specials_free(yq_specials *sp);

/* The leftmost-longest occurrence in s[from..n) of a token whose `normalized` flag equals the
 * argument: returns its offset and sets *hit, or returns n when there is none. */
size_t specials_find(const yq_specials *sp, const uint8_t *s, size_t n, size_t from, int normalized,
                     const yq_special **hit);

/* The token with exactly this text, or NULL. */
const yq_special *specials_lookup(const yq_specials *sp, const uint8_t *text, size_t len);

#endif
