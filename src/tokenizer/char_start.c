/* Whole characters as BPE's starting parts: a 2- or 3-byte character may start as its own token
 * instead of as its bytes, where that gives exactly the same result; this spares CJK text two
 * merges per character. The table is derived from the merge table when a tokenizer loads.
 *
 * Character c qualifies, next to neighbours of given kinds, when its bytes merged alone end as
 * one token through merges of ranks <= R_c; at each step of that, no merge that could join c's
 * first part with the left neighbour, or its last part with the right one, has a rank below
 * that of c's next merge; and every merge joining all of c with other bytes has a rank > R_c.
 * Why that is exact: while c is incomplete, one of its own merges is pending, of lower rank
 * than any merge across its edges, so none of those is taken: c's merges run as they would
 * alone, and every merge taken elsewhere meanwhile has a rank <= R_c, below that of any merge
 * joining the whole of c with a neighbour. Starting c complete therefore changes no merge taken
 * outside it, nor their order; once c is complete, both runs are in one state. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/char_start.h"
#include "tokenizer/tokenizer_internal.h"
#include "yuqing/error.h"

enum { N_CHARS = 0x10000, SHORT_KEYS = 0x10000 + 256 };

/* The lowest rank of a merge that joins bytes of a character with others, by what it holds of
 * the character: a proper prefix at its end, a proper suffix at its start (1 or 2 bytes, indexed
 * by short_index; longer ones belong to 4-byte characters), both by the kind of the byte next to
 * it (char_neighbour_kind), or all of it. */
typedef struct char_scan {
    const yq_tokenizer *tok;
    yq_buf bytes;             /* the bytes of the merge at hand */
    uint32_t *prefix_rank[3]; /* (SHORT_KEYS) by the kind of the byte before; [0] unused */
    uint32_t *suffix_rank[3]; /* (SHORT_KEYS) by the kind of the byte after; [0] unused */
    uint32_t *whole_rank;     /* (N_CHARS) */
    int rc;                   /* YQ_ENOMEM once an append failed */
} char_scan;

static int is_continuation(uint8_t b) {
    return (b & 0xC0) == 0x80;
}

/* The length of the character that lead byte b starts; 0 for a continuation byte. */
static size_t sequence_length(uint8_t b) {
    return b < 0x80 ? 1 : b < 0xC0 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* Index of a 1- or 2-byte prefix or suffix in prefix_rank / suffix_rank. */
static size_t short_index(const uint8_t *s, size_t len) {
    return len == 1 ? 0x10000 + (size_t)s[0] : (size_t)s[0] << 8 | s[1];
}

static void lower(uint32_t *rank, uint32_t r) {
    if (r < *rank) *rank = r;
}

/* The merge result r[0..m) of rank `rank`: a proper suffix of a character at its start, a proper
 * prefix at its end (after a byte that can precede a character: ASCII or a continuation). */
static void note_edges(char_scan *c, const uint8_t *r, size_t m, uint32_t rank) {
    size_t head = 0;
    while (head < m && head < 3 && is_continuation(r[head]))
        head++;
    if (head >= 1 && head <= 2 && head < m)
        lower(&c->suffix_rank[char_neighbour_kind(r[head])][short_index(r, head)], rank);
    size_t lead = m;
    while (lead > 0 && m - lead < 3 && is_continuation(r[lead - 1]))
        lead--;
    if (lead < 2 || r[lead - 2] >= 0xC0) return; /* no lead byte near the end, or no character before it */
    size_t have = m - --lead;
    if (have <= 2 && sequence_length(r[lead]) > have)
        lower(&c->prefix_rank[char_neighbour_kind(r[lead - 1])][short_index(r + lead, have)], rank);
}

/* Every whole 2- or 3-byte character within the longer merge result r[0..m) of rank `rank`. */
static void note_inside(char_scan *c, const uint8_t *r, size_t m, uint32_t rank) {
    for (size_t i = 0; i < m; i++) {
        size_t k = sequence_length(r[i]);
        if (k < 2 || k > 3 || k == m || i + k > m) continue;
        uint32_t cp;
        int whole = 1;
        for (size_t j = 1; j < k; j++)
            whole &= is_continuation(r[i + j]);
        if (!whole) continue;
        uc_next(r + i, &cp);
        lower(&c->whole_rank[cp], rank);
    }
}

static void note_merge(void *ctx, int32_t left, int32_t right, uint32_t rank) {
    char_scan *c = ctx;
    const yq_vocab *v = &c->tok->vocab;
    if (!vocab_has(v, left) || !vocab_has(v, right)) return;
    size_t a, b;
    const uint8_t *l = vocab_bytes(v, left, &a), *r = vocab_bytes(v, right, &b);
    c->bytes.len = 0;
    if (c->rc || (c->rc = yq_buf_append(&c->bytes, l, a)) || (c->rc = yq_buf_append(&c->bytes, r, b))) return;
    note_edges(c, c->bytes.data, c->bytes.len, rank);
    note_inside(c, c->bytes.data, c->bytes.len, rank);
}

/* Whether no merge across the edges of a character with bytes b[0..k), now in parts ending at
 * ends[0..n), could come before its next merge, of rank `next`: the contexts (CHAR_* bits) in
 * which that holds, among those in `ok`. */
static unsigned edges_wait(const char_scan *c, const uint8_t *b, size_t k, const size_t *ends, size_t n,
                           uint32_t next, unsigned ok) {
    size_t first = short_index(b, ends[0]), last = short_index(b + ends[n - 2], k - ends[n - 2]);
    for (unsigned kind = CHAR_ASCII; kind <= CHAR_NOT_ASCII; kind++) {
        if (c->prefix_rank[kind][first] <= next) ok &= ~CHAR_LEFT(kind);
        if (c->suffix_rank[kind][last] <= next) ok &= ~CHAR_RIGHT(kind);
    }
    return ok;
}

/* The token that the k (2 or 3) bytes b[] of a character merge into alone (lowest rank first,
 * leftmost among equals) with the contexts in which it may start as that token, as a char_ids
 * entry; 0 when it may not. *max_rank receives the highest rank taken. */
static uint32_t merge_alone(const char_scan *c, const uint8_t *b, size_t k, uint32_t *max_rank) {
    const yq_tokenizer *tok = c->tok;
    int32_t parts[3];
    size_t ends[3]; /* where each part ends in b */
    for (size_t i = 0; i < k; i++)
        parts[i] = tok->byte_ids[b[i]], ends[i] = i + 1;
    unsigned ok = CHAR_ANY;
    *max_rank = 0;
    for (size_t n = k; n > 1; n--) {
        size_t best = 0;
        uint32_t best_rank = BPE_NO_MERGE;
        for (size_t i = 0; i + 1 < n; i++) {
            uint32_t rank = bpe_rank(&tok->merges, parts[i], parts[i + 1]);
            if (rank < best_rank) best = i, best_rank = rank;
        }
        if (best_rank == BPE_NO_MERGE) return 0;
        ok = edges_wait(c, b, k, ends, n, best_rank, ok);
        *max_rank = best_rank > *max_rank ? best_rank : *max_rank;
        parts[best] = bpe_merged_id(&tok->merges, best_rank);
        ends[best] = ends[best + 1];
        memmove(parts + best + 1, parts + best + 2, (n - best - 2) * sizeof *parts);
        memmove(ends + best + 1, ends + best + 2, (n - best - 2) * sizeof *ends);
    }
    return (uint32_t)parts[0] | ok << CHAR_ID_BITS;
}

/* The char_ids entry of code point cp (0x80..0xFFFF). */
static uint32_t char_start(const char_scan *c, uint32_t cp) {
    uint8_t b[4];
    uint32_t max_rank, entry = merge_alone(c, b, uc_encode(cp, b), &max_rank);
    return max_rank < c->whole_rank[cp] ? entry : 0;
}

static uint32_t *new_ranks(size_t n) {
    uint32_t *r = malloc(n * sizeof *r);
    if (r) memset(r, 0xFF, n * sizeof *r);
    return r;
}

int tokenizer_prepare_chars(yq_tokenizer *tok) {
    char_scan c = {.tok = tok};
    int rc = YQ_OK;
    for (int kind = 1; kind < 3; kind++)
        if (!(c.prefix_rank[kind] = new_ranks(SHORT_KEYS)) || !(c.suffix_rank[kind] = new_ranks(SHORT_KEYS)))
            rc = YQ_ENOMEM;
    if (!(c.whole_rank = new_ranks(N_CHARS)) || !(tok->char_ids = calloc(N_CHARS, sizeof *tok->char_ids)))
        rc = YQ_ENOMEM;
    if (!rc) {
        bpe_for_each(&tok->merges, note_merge, &c);
        rc = c.rc;
    }
    for (uint32_t cp = 0x80; !rc && cp < N_CHARS; cp++)
        if (cp < 0xD800 || cp >= 0xE000) tok->char_ids[cp] = char_start(&c, cp);
    for (int kind = 1; kind < 3; kind++) {
        free(c.prefix_rank[kind]);
        free(c.suffix_rank[kind]);
    }
    free(c.whole_rank);
    free(c.bytes.data);
    return rc ? yq_error(YQ_ENOMEM, "tokenizer: out of memory") : YQ_OK;
}
