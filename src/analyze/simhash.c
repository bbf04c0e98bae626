/* SimHash (Charikar) over shingles of 2 consecutive units of folded text: a unit is one CJK
 * character or one Latin word; separators (spaces, punctuation, symbols) are skipped. Each shingle
 * is its units joined by one space, hashed with fmix64(FNV-1a 64); bit b of the fingerprint is set
 * when more than half of the shingle occurrences have bit b set. A single unit makes one
 * shingle of its own; no unit gives 0. tools/simhash_ref.py implements the same independently. */
#include <string.h>

#include "analyze/text_internal.h"
#include "yuqing/textproc.h"

enum { SHINGLE = 2 };

typedef struct unit {
    const char *start;
    size_t len;
} unit;

/* The next unit at or after *p, or 0 when none is left. */
static int next_unit(const char **p, const char *end, unit *u) {
    while (*p < end) {
        const char *start = *p;
        unsigned cp = utf8_take(p, end);
        if (is_cjk(cp)) {
            *u = (unit){start, (size_t)(*p - start)};
            return 1;
        }
        if (!is_word_char(cp)) continue;
        const char *q = *p;
        while (q < end) {
            const char *next = q;
            if (!is_word_char(utf8_take(&next, end))) break;
            q = next;
        }
        *p = q;
        *u = (unit){start, (size_t)(q - start)};
        return 1;
    }
    return 0;
}

static uint64_t shingle_hash(const unit *units, int n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < n; i++) {
        if (i) h = (h ^ ' ') * 0x100000001b3ull;
        for (size_t j = 0; j < units[i].len; j++) h = (h ^ (unsigned char)units[i].start[j]) * 0x100000001b3ull;
    }
    return fmix64(h);
}

/* Bit counts, eight to a word: lane j of packed[k] counts bit 8 * j + k of the features since the
 * last flush into ones[] (every 255 features, before a lane can overflow). */
typedef struct bit_counts {
    uint64_t packed[8];
    uint32_t ones[64];
    uint32_t total, pending;
} bit_counts;

static void flush(bit_counts *c) {
    for (int k = 0; k < 8; k++) {
        for (int j = 0; j < 8; j++) c->ones[8 * j + k] += (uint32_t)((c->packed[k] >> (8 * j)) & 0xFF);
        c->packed[k] = 0;
    }
    c->pending = 0;
}

static void add_feature(bit_counts *c, uint64_t h) {
    for (int k = 0; k < 8; k++) c->packed[k] += (h >> k) & 0x0101010101010101ull;
    c->total++;
    if (++c->pending == 255) flush(c);
}

uint64_t yq_simhash(const char *folded, size_t len) {
    bit_counts c = {0};
    unit window[SHINGLE];
    int have = 0;
    const char *p = folded, *end = folded + len;
    unit u;
    while (next_unit(&p, end, &u)) {
        if (have == SHINGLE) {
            memmove(window, window + 1, (SHINGLE - 1) * sizeof *window);
            have--;
        }
        window[have++] = u;
        if (have == SHINGLE) add_feature(&c, shingle_hash(window, SHINGLE));
    }
    if (c.total == 0 && have == 0) return 0;
    if (c.total == 0) add_feature(&c, shingle_hash(window, have));
    flush(&c);
    uint64_t fingerprint = 0;
    for (int b = 0; b < 64; b++)
        if (2 * c.ones[b] > c.total) fingerprint |= 1ull << b;
    return fingerprint;
}

int yq_hamming(uint64_t a, uint64_t b) {
    return __builtin_popcountll(a ^ b);
}
