/* SentencePiece BPE as GGUF stores it ("llama": Llama-2, BaiChuan): tokens with scores, the
 * space written U+2581, bytes as <0xNN> tokens. A text gets a leading space (the dummy prefix);
 * its characters are the starting parts; two parts merge when their concatenation is a token,
 * the higher score first (ranks follow descending score, ties by id) and, among equal ranks,
 * the leftmost; a character without a token becomes its byte tokens. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/gguf_vocab.h"
#include "tokenizer/unicode.h"
#include "yuqing/error.h"

static const char space_marker[] = "\xe2\x96\x81"; /* U+2581 LOWER ONE EIGHTH BLOCK */

/* The byte of a "<0xNN>" token, or -1. */
static int byte_token(const yq_gguf_string *s) {
    static const char hex[] = "0123456789ABCDEF";
    if (s->len != 6 || memcmp(s->data, "<0x", 3) || s->data[5] != '>') return -1;
    const char *hi = memchr(hex, s->data[3], 16), *lo = memchr(hex, s->data[4], 16);
    return hi && lo && s->data[3] && s->data[4] ? (int)((hi - hex) << 4 | (lo - hex)) : -1;
}

/* A token's bytes: its text with U+2581 as ' ', or the byte of a byte token. */
static int token_bytes(const yq_gguf_string *s, int type, yq_buf *out) {
    out->len = 0;
    int byte = type == GGUF_TOKEN_BYTE ? byte_token(s) : -1;
    if (byte >= 0) {
        uint8_t b = (uint8_t)byte;
        return yq_buf_append(out, &b, 1);
    }
    int rc = YQ_OK;
    for (uint64_t i = 0; !rc && i < s->len;) {
        int marker = s->len - i >= 3 && !memcmp(s->data + i, space_marker, 3);
        rc = yq_buf_append(out, marker ? " " : s->data + i, 1);
        i += marker ? 3 : 1;
    }
    return rc;
}

static int read_vocab(yq_tokenizer *tok, const gguf_tokens *t, const char *path) {
    size_t n_normal = 0;
    for (uint64_t i = 0; i < t->n; i++)
        n_normal += gguf_token_type(t, i) == GGUF_TOKEN_NORMAL;
    int rc = vocab_init(&tok->vocab, (int32_t)t->n, n_normal);
    yq_buf bytes = {0};
    memset(tok->byte_ids, 0xFF, sizeof tok->byte_ids);
    for (uint64_t i = 0; !rc && i < t->n; i++) {
        const yq_gguf_string *s = &t->text->arr.strings[i];
        int type = gguf_token_type(t, i);
        rc = token_bytes(s, type, &bytes);
        if (!rc)
            rc = vocab_set(&tok->vocab, (int32_t)i, bytes.data, bytes.len, type == GGUF_TOKEN_NORMAL, path);
        if (!rc && type == GGUF_TOKEN_BYTE && byte_token(s) >= 0) tok->byte_ids[byte_token(s)] = (int32_t)i;
        if (!rc && (type == GGUF_TOKEN_CONTROL || type == GGUF_TOKEN_USER))
            rc = specials_add(&tok->specials, (const uint8_t *)s->data, s->len, (int32_t)i,
                              type == GGUF_TOKEN_CONTROL, 0);
    }
    free(bytes.data);
    for (int b = 0; !rc && b < 256; b++)
        if (tok->byte_ids[b] < 0) rc = yq_error(YQ_EFORMAT, "%s: no byte token <0x%02X>", path, b);
    return rc;
}

typedef struct scored {
    float score;
    int32_t id;
} scored;

static int by_score(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Every split of a normal token into two normal tokens merges into it; its rank is its place
 * in descending score order. */
static int build_merges(yq_tokenizer *tok, const gguf_tokens *t, const yq_gguf_value *scores) {
    scored *order = malloc((t->n + 1) * sizeof *order);
    size_t n = 0;
    if (!order) return yq_error(YQ_ENOMEM, "tokenizer: out of memory");
    for (uint64_t i = 0; i < t->n; i++)
        if (gguf_token_type(t, i) == GGUF_TOKEN_NORMAL)
            order[n++] = (scored){yq_gguf_f32_at(scores, i), (int32_t)i};
    qsort(order, n, sizeof *order, by_score);
    int rc = bpe_init(&tok->merges, 2 * n, (uint32_t)n);
    for (size_t r = 0; !rc && r < n; r++) {
        size_t len;
        const uint8_t *b = vocab_bytes(&tok->vocab, order[r].id, &len);
        for (size_t k = 1; !rc && k < len; k++) {
            if ((b[k] & 0xC0) == 0x80) continue; /* parts are whole characters */
            int32_t left = vocab_find(&tok->vocab, b, k);
            int32_t right = left < 0 ? -1 : vocab_find(&tok->vocab, b + k, len - k);
            if (right >= 0) rc = bpe_add(&tok->merges, left, right, (uint32_t)r, order[r].id);
        }
    }
    free(order);
    return rc ? rc : bpe_finish(&tok->merges);
}

int spm_load(yq_tokenizer *tok, const yq_gguf *g, const gguf_tokens *t, const char *path) {
    const yq_gguf_value *scores;
    if (yq_gguf_get_array(g, "tokenizer.ggml.scores", YQ_GGUF_FLOAT32, &scores) || scores->arr.n != t->n)
        return yq_error(YQ_EFORMAT, "%s: tokenizer.ggml.scores is not one float per token", path);
    int prefix = 1, rc;
    yq_gguf_get_bool(g, "tokenizer.ggml.add_space_prefix", &prefix);
    tok->spm = 1;
    tok->strip_space_prefix = prefix;
    rc = prefix ? pretok_add_space_prefix(&tok->pretok, path) : YQ_OK;
    if (!rc) rc = read_vocab(tok, t, path);
    if (!rc) rc = build_merges(tok, t, scores);
    return rc;
}

/* Merges the parts out->data[from..] in place. */
static int merge_run(const yq_tokenizer *tok, bpe_scratch *scratch, yq_ids *out, size_t from) {
    size_t m = out->len - from;
    int rc = m > 1 ? bpe_apply(&tok->merges, scratch, out->data + from, m, &m) : YQ_OK;
    out->len = from + m;
    return rc;
}

int spm_encode_piece(const yq_tokenizer *tok, bpe_scratch *scratch, const uint8_t *s, size_t n, yq_ids *out) {
    int rc = yq_ids_reserve(out, n);
    size_t run = out->len; /* the parts since the last character without a token */
    for (size_t i = 0; !rc && i < n;) {
        uint32_t cp;
        size_t k = uc_next(s + i, &cp);
        int32_t id = vocab_find(&tok->vocab, s + i, k);
        if (id >= 0) {
            out->data[out->len++] = id;
        } else { /* byte fallback: such a character is in no token, so nothing merges across it */
            rc = merge_run(tok, scratch, out, run);
            for (size_t j = 0; j < k; j++)
                out->data[out->len++] = tok->byte_ids[s[i + j]];
            run = out->len;
        }
        i += k;
    }
    return rc ? rc : merge_run(tok, scratch, out, run);
}
