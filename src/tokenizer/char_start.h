/* Whole characters as BPE's starting parts (char_start.c): the table that says which token a
 * 2- or 3-byte character may start as, next to which neighbours. */
#ifndef YUQING_TOKENIZER_CHAR_START_H
#define YUQING_TOKENIZER_CHAR_START_H

#include <stddef.h>
#include <stdint.h>

#include "tokenizer/unicode.h"

/* An entry of the table (one per code point below 0x10000): the token id in the low
 * CHAR_ID_BITS bits, above them the contexts it may start in, as bits CHAR_LEFT(kind of the byte
 * before it) and CHAR_RIGHT(kind of the byte after it); 0 where it must start as bytes. */
enum { CHAR_ID_BITS = 24, CHAR_NO_NEIGHBOUR = 0, CHAR_ASCII = 1, CHAR_NOT_ASCII = 2 };
#define CHAR_LEFT(kind) (1u << (kind))
#define CHAR_RIGHT(kind) (1u << (3 + (kind)))
#define CHAR_ANY 0x3Fu

static inline unsigned char_neighbour_kind(uint8_t b) {
    return b < 0x80 ? CHAR_ASCII : CHAR_NOT_ASCII;
}

/* The token that the character at s[i] (a 2- or 3-byte one, of valid UTF-8 s[0..n)) starts as,
 * or -1 to start from its bytes; *len receives the character's length. */
static inline int32_t char_start_id(const uint32_t *table, const uint8_t *s, size_t n, size_t i, size_t *len) {
    uint32_t cp;
    *len = uc_next(s + i, &cp);
    uint32_t entry = table[cp];
    unsigned left = i == 0 ? CHAR_NO_NEIGHBOUR : char_neighbour_kind(s[i - 1]);
    unsigned right = i + *len == n ? CHAR_NO_NEIGHBOUR : char_neighbour_kind(s[i + *len]);
    unsigned need = CHAR_LEFT(left) | CHAR_RIGHT(right);
    return (entry >> CHAR_ID_BITS & need) == need ? (int32_t)(entry & ((1u << CHAR_ID_BITS) - 1)) : -1;
}

#endif
