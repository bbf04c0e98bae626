/* Unicode for the tokenizers: UTF-8 decoding and validation, the code-point properties the
 * pre-tokenizers test (letter/mark/number kinds, White_Space), and NFC normalization. */
#ifndef YUQING_TOKENIZER_UNICODE_H
#define YUQING_TOKENIZER_UNICODE_H

#include <stddef.h>
#include <stdint.h>

#include "tokenizer/buffer.h"

/* Property byte of a code point: the low 3 bits are its kind, then two flags. */
enum uc_kind { UC_OTHER, UC_LU, UC_LT, UC_LL, UC_LM, UC_LO, UC_M, UC_N };
enum { UC_KIND_MASK = 7, UC_WS = 8, UC_NFC_UNSTABLE = 16 };

/* Sets of kinds, as bit masks over (1 << kind). */
#define UC_SET(k) (1u << (k))
#define UC_LETTER (UC_SET(UC_LU) | UC_SET(UC_LT) | UC_SET(UC_LL) | UC_SET(UC_LM) | UC_SET(UC_LO))

/* Generated tables (unicode_data.c). */
extern const uint8_t yq_uc_prop_index[0x1100];
extern const uint8_t yq_uc_prop_blocks[][256];
extern const uint32_t yq_uc_ccc_runs[], yq_uc_decomp_index[], yq_uc_decomp_pool[], yq_uc_compose[];
extern const size_t yq_uc_ccc_runs_len, yq_uc_decomp_index_len, yq_uc_decomp_pool_len, yq_uc_compose_len;

/* The property byte of code point `cp` (< 0x110000). */
static inline uint8_t uc_props(uint32_t cp) {
    return yq_uc_prop_blocks[yq_uc_prop_index[cp >> 8]][cp & 255];
}

/* Decodes the character at s[0..n) of text already known to be valid UTF-8; returns its length
 * and stores the code point. */
static inline size_t uc_next(const uint8_t *s, uint32_t *cp) {
    uint8_t b = s[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b < 0xE0) {
        *cp = (uint32_t)(b & 0x1F) << 6 | (s[1] & 0x3F);
        return 2;
    }
    if (b < 0xF0) {
        *cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        return 3;
    }
    *cp = (uint32_t)(b & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 |
          (s[3] & 0x3F);
    return 4;
}

/* Checked decoding of one character at s[0..n), n >= 1. Returns its length (> 0) and stores the
 * code point; 0 when s is a valid but incomplete prefix of a character; or -k when the first k
 * bytes are an ill-formed sequence (Unicode's "maximal subpart", replaced by one U+FFFD). */
int uc_decode(const uint8_t *s, size_t n, uint32_t *cp);

/* The offset of the first byte of s[0..n) that is not part of well-formed UTF-8 (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF), or n when all of it is well-formed. */
size_t uc_validate(const uint8_t *s, size_t n);

/* Writes the UTF-8 form of `cp` to out; returns its length (1-4). */
size_t uc_encode(uint32_t cp, uint8_t out[4]);

/* Appends the NFC form of the valid UTF-8 text s[0..n) to `out`. Returns 0 or YQ_ENOMEM. */
int uc_nfc(const uint8_t *s, size_t n, yq_buf *out);

/* 1 when s[0..n) (valid UTF-8) holds a character that NFC might change, else 0 (the text is
 * already in NFC). */
int uc_may_need_nfc(const uint8_t *s, size_t n);

#endif
