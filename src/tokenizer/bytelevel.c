/* The inverse of GPT-2's bytes_to_unicode(): bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF stand for
 * themselves; the other 68 bytes, in increasing order, for U+0100 onwards. */
#include "tokenizer/bytelevel.h"
#include "tokenizer/unicode.h"
#include "yuqing/error.h"

static int printable(unsigned b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

/* The byte that code point cp stands for, or -1. */
static int byte_of(uint32_t cp) {
    if (cp < 256) return printable(cp) ? (int)cp : -1;
    uint32_t k = cp - 256; /* the k-th non-printable byte: 0x00..0x20, 0x7F..0xA0, 0xAD */
    return k < 33 ? (int)k : k < 67 ? (int)k + 94 : k == 67 ? 0xAD : -1;
}

int bytelevel_decode(const char *s, size_t n, yq_buf *out) {
    const uint8_t *u = (const uint8_t *)s;
    int rc = yq_buf_reserve(out, n);
    for (size_t i = 0; !rc && i < n;) {
        uint32_t cp;
        int k = uc_decode(u + i, n - i, &cp);
        int b = k > 0 ? byte_of(cp) : -1;
        if (b < 0) return YQ_EFORMAT;
        out->data[out->len++] = (uint8_t)b;
        i += (size_t)k;
    }
    return rc;
}
