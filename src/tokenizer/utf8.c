/* UTF-8 decoding with Unicode's well-formedness rules (RFC 3629), validation with an ASCII fast
 * path, and encoding. */
#include <string.h>

#include "tokenizer/unicode.h"
#include "yuqing/tokenizer.h"

/* Allowed range of the second byte after each kind of lead byte (Unicode Table 3-7). */
static int second_byte_ok(uint8_t lead, uint8_t b) {
    if (lead == 0xE0) return b >= 0xA0 && b <= 0xBF;
    if (lead == 0xED) return b >= 0x80 && b <= 0x9F;
    if (lead == 0xF0) return b >= 0x90 && b <= 0xBF;
    if (lead == 0xF4) return b >= 0x80 && b <= 0x8F;
    return b >= 0x80 && b <= 0xBF;
}

int uc_decode(const uint8_t *s, size_t n, uint32_t *cp) {
    uint8_t lead = s[0];
    if (lead < 0x80) {
        *cp = lead;
        return 1;
    }
    size_t need = lead >= 0xC2 && lead <= 0xDF   ? 2
                  : lead >= 0xE0 && lead <= 0xEF ? 3
                  : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                 : 0;
    if (!need) return -1;
    for (size_t i = 1; i < need; i++) {
        if (i >= n) return 0;
        int ok = i == 1 ? second_byte_ok(lead, s[i]) : (s[i] & 0xC0) == 0x80;
        if (!ok) return -(int)i;
    }
    uc_next(s, cp);
    return (int)need;
}

size_t uc_validate(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        /* the common 3-byte case (CJK) inline: lead E1-EC or EE-EF, two continuation bytes */
        if (i + 3 <= n && s[i] >= 0xE1 && s[i] <= 0xEF && s[i] != 0xED && (s[i + 1] & 0xC0) == 0x80 &&
            (s[i + 2] & 0xC0) == 0x80) {
            i += 3;
            continue;
        }
        uint32_t cp;
        int k = uc_decode(s + i, n - i, &cp);
        if (k <= 0) return i;
        i += (size_t)k;
    }
    return n;
}

size_t uc_encode(uint32_t cp, uint8_t out[4]) {
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

int yq_utf8_char_len(const char *s, size_t n) {
    uint32_t cp;
    int k = n ? uc_decode((const uint8_t *)s, n, &cp) : 0;
    return k > 0 ? k : 0;
}
