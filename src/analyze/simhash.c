/* SimHash (Charikar) over shingles of 3 consecutive units of folded text: a unit is one CJK
 * character or one Latin word; separators (spaces, punctuation, symbols) are skipped. Each shingle
 * is its units joined by one space, hashed with fmix64(FNV-1a 64); bit b of the fingerprint is set
 * when more than half of the shingle occurrences have bit b set. Fewer than 3 units make one
 * shingle of them all; no unit gives 0. tools/simhash_ref.py implements the same independently. */
#include "analyze/text_internal.h"
#include "yuqing/textproc.h"

enum { SHINGLE = 3 };

typedef struct unit {
    const char *start;
    size_t len;
} unit;

/* The next unit at or after *p, or 0 when none is left. */
static int next_unit(const char **p, const char *end, unit *u) {
    while (*p < end) {
        const char *start = *p;
        unsigned cp = utf8_take(p, end);
        if (yq_is_cjk(cp)) {
            *u = (unit){start, (size_t)(*p - start)};
            return 1;
        }
        if (!yq_is_word_char(cp)) continue;
        const char *q = *p;
        while (q < end) {
            const char *next = q;
            if (!yq_is_word_char(utf8_take(&next, end))) break;
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

static void add_feature(uint32_t ones[64], uint64_t h) {
    for (int b = 0; b < 64; b++) ones[b] += (uint32_t)((h >> b) & 1);
}

uint64_t yq_simhash(const char *folded, size_t len) {
    uint32_t ones[64] = {0};
    uint32_t total = 0;
    unit window[SHINGLE];
    int have = 0;
    const char *p = folded, *end = folded + len;
    unit u;
    while (next_unit(&p, end, &u)) {
        if (have == SHINGLE) {
            window[0] = window[1];
            window[1] = window[2];
            have--;
        }
        window[have++] = u;
        if (have == SHINGLE) {
            add_feature(ones, shingle_hash(window, SHINGLE));
            total++;
        }
    }
    if (total == 0 && have == 0) return 0;
    if (total == 0) {
        add_feature(ones, shingle_hash(window, have));
        total = 1;
    }
    uint64_t fingerprint = 0;
    for (int b = 0; b < 64; b++)
        if (2 * ones[b] > total) fingerprint |= 1ull << b;
    return fingerprint;
}

int yq_hamming(uint64_t a, uint64_t b) {
    return __builtin_popcountll(a ^ b);
}
