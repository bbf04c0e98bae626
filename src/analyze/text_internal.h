/* Small helpers shared by the analysis module's text files (internal). */
#ifndef YUQING_ANALYZE_TEXT_INTERNAL_H
#define YUQING_ANALYZE_TEXT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Writes code point `cp` as UTF-8 at `out`; returns the number of bytes (1-4). */
static inline int utf8_put(char *out, unsigned cp) {
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes one code point at p (bounded by end) and returns it; *p advances at least one byte. */
static inline unsigned utf8_take(const char **p, const char *end) {
    const unsigned char *s = (const unsigned char *)*p;
    unsigned c = s[0];
    int k = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 0;
    if (k) c &= 0x3Fu >> k;
    int i = 1;
    for (; i <= k && (const char *)s + i < end && (s[i] & 0xC0) == 0x80; i++)
        c = (c << 6) | (s[i] & 0x3F);
    *p += i;
    return c;
}

/* Text units: a CJK character (Han, kana, Hangul) is a unit of its own; a Latin word is a run of
 * ASCII letters and digits and U+00C0-U+024F (but not U+00D7 and U+00F7). */
static inline int is_cjk(unsigned cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF) ||
           (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

static inline int is_word_char(unsigned cp) {
    if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    return cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7;
}

/* Is the ASCII word w[0, n) (any case) a common English function word? (terms.c) */
int is_english_stopword(const char *w, size_t n);

/* 64-bit FNV-1a and MurmurHash3's finaliser, the hashes of SimHash features and term ids. */
static inline uint64_t fnv1a64(const void *data, size_t len) {
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static inline uint64_t fmix64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

#endif
