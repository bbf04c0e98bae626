/* The encoder: validate UTF-8, split out allowed special tokens, normalize, pre-tokenize, and
 * BPE each piece (through a cache of short pieces), appending ids to one growing array.
 * Encoders are pooled per tokenizer so that buffers and caches stay warm between calls. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/char_start.h"
#include "tokenizer/encoder.h"
#include "tokenizer/unicode.h"
#include "yuqing/error.h"

/* A remembered piece: its bytes and its ids (one cache line). */
enum { PIECE_CACHE_BITS = 12, PIECE_MAX_BYTES = 30, PIECE_MAX_IDS = 8 };
typedef struct piece_entry {
    uint8_t len; /* 0 when empty */
    uint8_t n_ids;
    uint8_t bytes[PIECE_MAX_BYTES];
    int32_t ids[PIECE_MAX_IDS];
} piece_entry;

/* Everything one encoding call (or one thread of a batch) writes to; kept in the tokenizer's
 * idle list between calls, so buffers and caches stay warm. */
typedef struct encoder {
    const yq_tokenizer *tok;
    int allow_special;
    yq_ids out;
    yq_buf normalized;
    bpe_scratch bpe;
    pretok_scratch pretok;
    piece_entry *pieces; /* direct-mapped cache of short pieces' ids (exact: bytes compared) */
    struct encoder *next_idle;
} encoder;

encoder *encoder_get(const yq_tokenizer *tok, int allow_special) {
    yq_tokenizer *t = (yq_tokenizer *)tok; /* only the idle list changes, under its lock */
    pthread_mutex_lock(&t->encoders_lock);
    encoder *e = t->idle_encoders;
    if (e) t->idle_encoders = e->next_idle;
    pthread_mutex_unlock(&t->encoders_lock);
    if (!e && (e = calloc(1, sizeof *e)) &&
        !(e->pieces = calloc(1u << PIECE_CACHE_BITS, sizeof *e->pieces))) {
        free(e);
        e = NULL;
    }
    if (!e) {
        yq_error(YQ_ENOMEM, "tokenizer: out of memory");
        return NULL;
    }
    e->tok = tok;
    e->allow_special = allow_special;
    return e;
}

void encoder_put(encoder *e) {
    yq_tokenizer *t = (yq_tokenizer *)e->tok;
    pthread_mutex_lock(&t->encoders_lock);
    e->next_idle = t->idle_encoders;
    t->idle_encoders = e;
    pthread_mutex_unlock(&t->encoders_lock);
}

void encoders_free(yq_tokenizer *tok) {
    for (encoder *e = tok->idle_encoders, *next; e; e = next) {
        next = e->next_idle;
        free(e->out.data);
        free(e->normalized.data);
        bpe_scratch_free(&e->bpe);
        pretok_scratch_free(&e->pretok);
        free(e->pieces);
        free(e);
    }
    tok->idle_encoders = NULL;
    pthread_mutex_destroy(&tok->encoders_lock);
}

/* The starting parts of s[0..n): its bytes' tokens, or a character's token where char_ids has
 * one; returns their number. */
static size_t start_parts(const yq_tokenizer *tok, const uint8_t *s, size_t n, int32_t *parts) {
    size_t m = 0;
    for (size_t i = 0; i < n;) {
        size_t k;
        int32_t id = s[i] >= 0xC0 && s[i] < 0xF0 ? char_start_id(tok->char_ids, s, n, i, &k) : -1;
        if (id >= 0) {
            parts[m++] = id;
            i += k;
        } else {
            parts[m++] = tok->byte_ids[s[i++]];
        }
    }
    return m;
}

/* BPE of one piece (of hash h): its starting parts are written at the end of the output and
 * merged in place. */
static int merge_piece(encoder *e, const uint8_t *s, size_t n, uint64_t h) {
    const yq_tokenizer *tok = e->tok;
    if (tok->spm) return spm_encode_piece(tok, &e->bpe, s, n, &e->out);
    if (tok->whole_piece_first) {
        int32_t id = vocab_find_hashed(&tok->vocab, s, n, h);
        if (id >= 0) return yq_ids_push(&e->out, id);
    }
    int rc = yq_ids_reserve(&e->out, n);
    if (rc) return rc;
    int32_t *parts = e->out.data + e->out.len;
    size_t m = start_parts(tok, s, n, parts);
    if (m > 1) rc = bpe_apply(&tok->merges, &e->bpe, parts, m, &m);
    e->out.len += m;
    return rc;
}

/* One piece, through the piece cache when it is short. */
static int encode_piece(void *ctx, const uint8_t *s, size_t n) {
    encoder *e = ctx;
    uint64_t h = yq_hash_bytes(s, n);
    if (n > PIECE_MAX_BYTES) return merge_piece(e, s, n, h);
    piece_entry *p = &e->pieces[h >> (64 - PIECE_CACHE_BITS)];
    if (p->len == n && !memcmp(p->bytes, s, n)) {
        int rc = yq_ids_reserve(&e->out, p->n_ids);
        if (rc) return rc;
        memcpy(e->out.data + e->out.len, p->ids, p->n_ids * sizeof *p->ids);
        e->out.len += p->n_ids;
        return YQ_OK;
    }
    size_t start = e->out.len;
    int rc = merge_piece(e, s, n, h);
    if (!rc && e->out.len - start <= PIECE_MAX_IDS) {
        p->len = (uint8_t)n;
        p->n_ids = (uint8_t)(e->out.len - start);
        memcpy(p->bytes, s, n);
        memcpy(p->ids, e->out.data + start, p->n_ids * sizeof *p->ids);
    }
    return rc;
}

/* Text that holds no special token allowed here, after normalization. */
static int encode_plain(encoder *e, const uint8_t *s, size_t n) {
    return pretok_split(&e->tok->pretok, &e->pretok, s, n, encode_piece, e);
}

/* Splits s[0..n) at the allowed tokens whose `normalized` flag is as given, encoding the text
 * between them with `between`. */
static int split_specials(encoder *e, const uint8_t *s, size_t n, int normalized,
                          int (*between)(encoder *, const uint8_t *, size_t)) {
    const yq_specials *sp = &e->tok->specials;
    size_t pos = 0;
    while (pos < n) {
        const yq_special *hit = NULL;
        size_t at = specials_find(sp, s, n, pos, normalized, &hit);
        int rc = between(e, s + pos, at - pos);
        if (!rc && hit) rc = yq_ids_push(&e->out, hit->id);
        if (rc) return rc;
        pos = hit ? at + hit->len : n;
    }
    return YQ_OK;
}

/* Ordinary text between raw-matched specials: NFC where the tokenizer normalizes, then the
 * specials that match normalized text. */
static int encode_ordinary(encoder *e, const uint8_t *s, size_t n) {
    const yq_tokenizer *tok = e->tok;
    if (tok->nfc && uc_may_need_nfc(s, n)) {
        e->normalized.len = 0;
        int rc = uc_nfc(s, n, &e->normalized);
        if (rc) return rc;
        s = e->normalized.data;
        n = e->normalized.len;
    }
    if (e->allow_special && tok->specials.any_normalized) return split_specials(e, s, n, 1, encode_plain);
    return encode_plain(e, s, n);
}

int encoder_run(encoder *e, const char *text, size_t len) {
    const uint8_t *s = (const uint8_t *)text;
    size_t bad = uc_validate(s, len);
    if (bad < len) return yq_error(YQ_EINVAL, "invalid UTF-8 at byte offset %zu (byte 0x%02x)", bad, s[bad]);
    e->out.len = 0;
    if (e->allow_special && e->tok->specials.n) return split_specials(e, s, len, 0, encode_ordinary);
    return encode_ordinary(e, s, len);
}

const int32_t *encoder_ids(const encoder *e, size_t *n) {
    *n = e->out.len;
    return e->out.data;
}
