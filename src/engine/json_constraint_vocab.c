/* The vocabulary side of JSON constraints: token bytes in a trie, and the mask of the tokens a
 * state accepts, found by walking the trie with the automaton and pruning on the first bad byte. */
#include <stdlib.h>
#include <string.h>

#include "engine/json_constraint_internal.h"
#include "yuqing/error.h"

#define MAX_TOKEN_BYTES 1024 /* longer tokens are left out (never allowed) */

/* A trie node, stored in pre-order so that a subtree is the range [index, end). */
typedef struct vnode {
    uint32_t end; /* first node after this one's subtree */
    uint32_t tok; /* the tokens that end here: ids[tok .. tok + n_tok) */
    uint16_t n_tok;
    uint16_t depth; /* bytes from the root */
    uint8_t byte;   /* the last of them */
} vnode;

typedef struct vtrie {
    vnode *nodes;
    uint32_t n_nodes;
    int32_t *ids; /* token ids in byte order */
    uint16_t max_depth;
} vtrie;

struct yq_json_vocab {
    int32_t n_vocab;
    vtrie all;      /* every token that may be allowed */
    vtrie unplain;  /* those of them that are not plain string content */
    int32_t *plain; /* those that are (jc_plain_string): allowed all at once inside a string */
    size_t n_plain;
};

typedef struct entry {
    const uint8_t *bytes; /* borrowed from the tokenizer during yq_json_vocab_new */
    uint16_t len;
    int32_t id;
} entry;

static int by_bytes(const void *pa, const void *pb) {
    const entry *a = pa, *b = pb;
    int r = memcmp(a->bytes, b->bytes, a->len < b->len ? a->len : b->len);
    return r ? r : (a->len > b->len) - (a->len < b->len);
}

/* Builds the pre-order trie of entries sorted by_bytes. */
static int build_trie(const entry *e, size_t n, vtrie *t) {
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += e[i].len;
    t->nodes = malloc(cap * sizeof *t->nodes);
    t->ids = malloc((n ? n : 1) * sizeof *t->ids);
    if (!t->nodes || !t->ids) return yq_error(YQ_ENOMEM, "out of memory");
    uint32_t path[MAX_TOKEN_BYTES + 1] = {0}; /* path[d]: the node at depth d of the last token */
    size_t prev_len = 0;
    t->nodes[0] = (vnode){0};
    t->n_nodes = 1;
    for (size_t i = 0; i < n; i++) {
        size_t lcp = 0;
        while (i && lcp < prev_len && lcp < e[i].len && e[i - 1].bytes[lcp] == e[i].bytes[lcp])
            lcp++;
        for (size_t d = prev_len; d > lcp; d--)
            t->nodes[path[d]].end = t->n_nodes;
        for (size_t d = lcp + 1; d <= e[i].len; d++) {
            path[d] = t->n_nodes;
            t->nodes[t->n_nodes++] =
                (vnode){.tok = (uint32_t)i, .depth = (uint16_t)d, .byte = e[i].bytes[d - 1]};
        }
        t->nodes[path[e[i].len]].n_tok++; /* tokens with the same bytes are neighbours */
        t->ids[i] = e[i].id;
        prev_len = e[i].len;
        if (prev_len > t->max_depth) t->max_depth = (uint16_t)prev_len;
    }
    for (size_t d = prev_len + 1; d-- > 0;)
        t->nodes[path[d]].end = t->n_nodes;
    return 0;
}

/* 1 when id is an ordinary token that may be allowed: not empty, not special or added. */
static int eligible(const yq_tokenizer *tok, int32_t id, const char *bytes, size_t len) {
    char text[MAX_TOKEN_BYTES + 1];
    if (!len || len > MAX_TOKEN_BYTES) return 0;
    memcpy(text, bytes, len);
    text[len] = 0;
    return yq_tokenizer_special_id(tok, text) != id;
}

/* The tokens of `tok` that may be allowed, sorted by their bytes. */
static int collect(const yq_tokenizer *tok, int32_t n_vocab, entry **out, size_t *n_out) {
    entry *e = malloc((size_t)(n_vocab ? n_vocab : 1) * sizeof *e);
    if (!e) return yq_error(YQ_ENOMEM, "out of memory");
    size_t n = 0;
    for (int32_t id = 0; id < n_vocab; id++) {
        const char *b = NULL;
        size_t len = 0;
        if (yq_tokenizer_token_bytes(tok, id, &b, &len) == 0 && eligible(tok, id, b, len))
            e[n++] = (entry){.bytes = (const uint8_t *)b, .len = (uint16_t)len, .id = id};
    }
    qsort(e, n, sizeof *e, by_bytes);
    *out = e;
    *n_out = n;
    return 0;
}

/* Every byte that JSON text may need next must be a token of its own, or a mask could leave a
 * state with no token to continue: ASCII text and the bytes of well-formed UTF-8. */
static int check_single_bytes(const entry *e, size_t n) {
    uint8_t have[256] = {0};
    for (size_t i = 0; i < n; i++)
        if (e[i].len == 1) have[e[i].bytes[0]] = 1;
    for (int b = 0x20; b <= 0xF4; b++)
        if (!have[b] && b != 0x7F && b != 0xC0 && b != 0xC1)
            return yq_error(YQ_EUNSUPPORTED, "json constraint: the vocabulary has no token for byte 0x%02x",
                            b);
    return 0;
}

/* Splits the sorted entries into plain string content (ids into v->plain) and the rest (moved to
 * the front of e, still sorted); returns how many are left in e. */
static size_t split_plain(yq_json_vocab *v, entry *e, size_t n) {
    size_t rest = 0;
    for (size_t i = 0; i < n; i++) {
        if (jc_plain_string(e[i].bytes, e[i].len))
            v->plain[v->n_plain++] = e[i].id;
        else
            e[rest++] = e[i];
    }
    return rest;
}

static int build(yq_json_vocab *v, const yq_tokenizer *tok) {
    entry *e = NULL;
    size_t n = 0;
    int rc = collect(tok, v->n_vocab, &e, &n);
    if (!rc) rc = check_single_bytes(e, n);
    if (!rc) rc = build_trie(e, n, &v->all);
    if (!rc) {
        v->plain = malloc((n ? n : 1) * sizeof *v->plain);
        rc = v->plain ? build_trie(e, split_plain(v, e, n), &v->unplain)
                      : yq_error(YQ_ENOMEM, "out of memory");
    }
    free(e);
    return rc;
}

int yq_json_vocab_new(const yq_tokenizer *tok, yq_json_vocab **out) {
    *out = NULL;
    yq_json_vocab *v = calloc(1, sizeof *v);
    if (!v) return yq_error(YQ_ENOMEM, "out of memory");
    v->n_vocab = yq_tokenizer_vocab_size(tok);
    int rc = build(v, tok);
    if (rc) {
        yq_json_vocab_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

static void trie_free(vtrie *t) {
    free(t->nodes);
    free(t->ids);
}

void yq_json_vocab_free(yq_json_vocab *v) {
    if (!v) return;
    trie_free(&v->all);
    trie_free(&v->unplain);
    free(v->plain);
    free(v);
}

int32_t yq_json_vocab_size(const yq_json_vocab *v) {
    return v->n_vocab;
}

/* Marks the tokens of trie t that the automaton accepts from st[0], with st[d] the state after
 * the first d bytes of the current path; a rejected byte skips the node's whole subtree. */
static void walk(const yq_json_constraint *c, const vtrie *t, yq_json_state *st, uint8_t *allowed) {
    for (uint32_t i = 1; i < t->n_nodes;) {
        const vnode *nd = &t->nodes[i];
        yq_json_state *cur = &st[nd->depth];
        jc_state_copy(cur, cur - 1);
        if (!jc_step(c, cur, nd->byte)) {
            i = nd->end;
            continue;
        }
        for (uint32_t k = 0; k < nd->n_tok; k++)
            allowed[t->ids[nd->tok + k]] = 1;
        i++;
    }
}

int yq_json_allowed_tokens(const yq_json_constraint *c, const yq_json_vocab *v, const yq_json_state *s,
                           uint8_t *allowed) {
    memset(allowed, 0, (size_t)v->n_vocab);
    const vtrie *t = jc_clean_string(s) ? &v->unplain : &v->all;
    yq_json_state *st = malloc(((size_t)t->max_depth + 1) * sizeof *st);
    if (!st) return yq_error(YQ_ENOMEM, "out of memory");
    if (t == &v->unplain)
        for (size_t i = 0; i < v->n_plain; i++)
            allowed[v->plain[i]] = 1;
    jc_state_copy(&st[0], s);
    walk(c, t, st, allowed);
    free(st);
    return 0;
}
