/* Literal texts of a JSON constraint: the byte tries that hold property names and enum values,
 * and the one JSON spelling of a string that they are matched in. */
#include <stdlib.h>
#include <string.h>

#include "engine/json_constraint_internal.h"
#include "yuqing/error.h"
#include "yuqing/tokenizer.h"

int jc_trie_new(yq_json_constraint *c) {
    jc_tnode *t = jc_grow(c->tnodes, &c->cap_tnodes, c->n_tnodes + 1, sizeof *t);
    if (!t) return -1;
    c->tnodes = t;
    c->tnodes[c->n_tnodes] = (jc_tnode){.term = -1};
    return (int)c->n_tnodes++;
}

uint32_t jc_trie_child(const yq_json_constraint *c, uint32_t t, uint8_t b) {
    for (uint32_t k = c->tnodes[t].child; k; k = c->tnodes[k].next)
        if (c->tnodes[k].byte == b) return k;
    return 0;
}

/* The child of t for byte b, made when missing; 0 when out of memory. */
static uint32_t child_or_new(yq_json_constraint *c, uint32_t t, uint8_t b) {
    uint32_t k = jc_trie_child(c, t, b);
    if (k) return k;
    int fresh = jc_trie_new(c);
    if (fresh < 0) return 0;
    c->tnodes[fresh].byte = b;
    c->tnodes[fresh].next = c->tnodes[t].child;
    c->tnodes[t].child = (uint32_t)fresh;
    return (uint32_t)fresh;
}

int jc_trie_add(yq_json_constraint *c, uint32_t root, const char *text, size_t len, int32_t term, int key) {
    uint64_t bit = key ? (uint64_t)1 << term : ~(uint64_t)0;
    uint32_t t = root;
    c->tnodes[t].mask |= bit;
    for (size_t i = 0; i < len; i++) {
        t = child_or_new(c, t, (uint8_t)text[i]);
        if (!t) return yq_error(YQ_ENOMEM, "out of memory");
        c->tnodes[t].mask |= bit;
    }
    if (c->tnodes[t].term >= 0) return 1;
    c->tnodes[t].term = term;
    return 0;
}

/* Writes the escape of byte b inside a JSON string to out; returns its length, or 0 when b
 * stands for itself. */
static size_t escape(unsigned char b, char out[6]) {
    static const char hex[] = "0123456789abcdef";
    const char *named = b == '"'    ? "\""
                        : b == '\\' ? "\\"
                        : b == '\b' ? "b"
                        : b == '\f' ? "f"
                        : b == '\n' ? "n"
                        : b == '\r' ? "r"
                        : b == '\t' ? "t"
                                    : NULL;
    out[0] = '\\';
    if (named) {
        out[1] = named[0];
        return 2;
    }
    if (b >= 0x20) return 0;
    out[1] = 'u';
    out[2] = out[3] = '0';
    out[4] = hex[b >> 4];
    out[5] = hex[b & 15];
    return 6;
}

size_t jc_quote(const char *s, char *buf, size_t cap) {
    size_t n = 0, len = strlen(s);
    if (cap < 2) return 0;
    buf[n++] = '"';
    for (size_t i = 0; i < len;) {
        char esc[6];
        size_t k = escape((unsigned char)s[i], esc);
        const char *piece = k ? esc : s + i;
        size_t used = k ? 1 : (size_t)yq_utf8_char_len(s + i, len - i);
        if (!k) k = used;
        if (!k || n + k + 1 > cap) return 0;
        memcpy(buf + n, piece, k);
        n += k;
        i += used;
    }
    buf[n++] = '"';
    return n;
}
