/* The special/added token table and its search: a per-first-byte index into the tokens sorted
 * longest first, so the scan costs one table load per byte of text. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/specials.h"
#include "yuqing/error.h"

int specials_add(yq_specials *sp, const uint8_t *text, size_t len, int32_t id, int special, int normalized) {
    if (len == 0 || len > UINT32_MAX) return yq_error(YQ_EFORMAT, "special token %d is empty", (int)id);
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? 2 * sp->cap : 32;
        yq_special *items = realloc(sp->items, cap * sizeof *items);
        if (!items) return yq_error(YQ_ENOMEM, "tokenizer: out of memory");
        sp->items = items;
        sp->cap = cap;
    }
    yq_special *t = &sp->items[sp->n];
    *t = (yq_special){NULL, (uint32_t)len, id, (uint8_t) !!special, (uint8_t) !!normalized};
    if (!(t->text = malloc(len))) return yq_error(YQ_ENOMEM, "tokenizer: out of memory");
    memcpy(t->text, text, len);
    sp->n++;
    sp->any_normalized |= !!normalized;
    return YQ_OK;
}

static int by_first_byte_longest(const void *a, const void *b) {
    const yq_special *x = a, *y = b;
    if (x->text[0] != y->text[0]) return x->text[0] < y->text[0] ? -1 : 1;
    if (x->len != y->len) return x->len > y->len ? -1 : 1;
    return memcmp(x->text, y->text, x->len);
}

void specials_finish(yq_specials *sp) {
    if (sp->n) qsort(sp->items, sp->n, sizeof *sp->items, by_first_byte_longest);
    size_t k = 0;
    for (int b = 0; b < 256; b++) {
        sp->first[b] = (uint32_t)k;
        while (k < sp->n && sp->items[k].text[0] == b)
            k++;
    }
    sp->first[256] = (uint32_t)sp->n;
}

void specials_free(yq_specials *sp) {
    for (size_t i = 0; i < sp->n; i++)
        free(sp->items[i].text);
    free(sp->items);
    memset(sp, 0, sizeof *sp);
}

size_t specials_find(const yq_specials *sp, const uint8_t *s, size_t n, size_t from, int normalized,
                     const yq_special **hit) {
    for (size_t i = from; i < n; i++) {
        uint32_t lo = sp->first[s[i]], hi = sp->first[s[i] + 1];
        for (uint32_t k = lo; k < hi; k++) {
            const yq_special *t = &sp->items[k];
            if (t->normalized == normalized && t->len <= n - i && !memcmp(s + i, t->text, t->len)) {
                *hit = t;
                return i;
            }
        }
    }
    return n;
}

const yq_special *specials_lookup(const yq_specials *sp, const uint8_t *text, size_t len) {
    if (len == 0) return NULL;
    for (uint32_t k = sp->first[text[0]]; k < sp->first[text[0] + 1]; k++)
        if (sp->items[k].len == len && !memcmp(sp->items[k].text, text, len)) return &sp->items[k];
    return NULL;
}
