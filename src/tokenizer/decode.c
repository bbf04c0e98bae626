/* Decoding ids to bytes, whole or incrementally for streaming: the detokenizer holds back the
 * bytes of a character until it is complete, and turns ill-formed bytes into U+FFFD. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer_internal.h"
#include "tokenizer/unicode.h"
#include "yuqing/error.h"

int yq_tokenizer_token_bytes(const yq_tokenizer *tok, int32_t id, const char **bytes, size_t *len) {
    if (!vocab_has(&tok->vocab, id))
        return yq_error(YQ_ERANGE, "token id %d is not in the vocabulary (size %d)", (int)id,
                        (int)tok->vocab.n_ids);
    *bytes = (const char *)vocab_bytes(&tok->vocab, id, len);
    return YQ_OK;
}

int yq_tokenizer_decode(const yq_tokenizer *tok, const int32_t *ids, size_t n_ids, char **text, size_t *len) {
    yq_buf out = {0};
    int rc = yq_buf_reserve(&out, 1);
    for (size_t i = 0; !rc && i < n_ids; i++) {
        const char *b = NULL;
        size_t n = 0;
        rc = yq_tokenizer_token_bytes(tok, ids[i], &b, &n);
        if (!rc) rc = yq_buf_append(&out, b, n);
    }
    if (!rc) rc = yq_buf_append(&out, "", 1);
    if (rc) {
        free(out.data);
        return rc;
    }
    if (tok->strip_space_prefix && out.data[0] == ' ') { /* SentencePiece's dummy prefix */
        memmove(out.data, out.data + 1, out.len - 1);
        out.len--;
    }
    *text = (char *)out.data;
    *len = out.len - 1;
    return YQ_OK;
}

struct yq_detokenizer {
    const yq_tokenizer *tok;
    uint8_t held[4]; /* the start of an incomplete character (at most 3 bytes) */
    size_t n_held;
    yq_buf out; /* what the last call returned */
};

int yq_detokenizer_new(const yq_tokenizer *tok, yq_detokenizer **out) {
    yq_detokenizer *d = calloc(1, sizeof *d);
    if (!d) return yq_error(YQ_ENOMEM, "detokenizer: out of memory");
    d->tok = tok;
    *out = d;
    return YQ_OK;
}

void yq_detokenizer_free(yq_detokenizer *d) {
    if (!d) return;
    free(d->out.data);
    free(d);
}

static const uint8_t replacement[3] = {0xEF, 0xBF, 0xBD}; /* U+FFFD */

/* Moves the complete characters of held bytes + s[0..n) to d->out, keeping an incomplete tail. */
static int feed(yq_detokenizer *d, const uint8_t *s, size_t n) {
    int rc = yq_buf_reserve(&d->out, 3 * (d->n_held + n) + 1);
    for (size_t i = 0; !rc && i < n; i++) {
        d->held[d->n_held++] = s[i];
        while (d->n_held) {
            uint32_t cp;
            int k = uc_decode(d->held, d->n_held, &cp);
            if (k == 0) break; /* incomplete: wait for more */
            size_t used = k > 0 ? (size_t)k : (size_t)-k;
            if (k > 0)
                memcpy(d->out.data + d->out.len, d->held, used);
            else
                memcpy(d->out.data + d->out.len, replacement, 3);
            d->out.len += k > 0 ? used : 3;
            memmove(d->held, d->held + used, d->n_held - used);
            d->n_held -= used;
        }
    }
    return rc;
}

int yq_detokenizer_push(yq_detokenizer *d, int32_t id, const char **text, size_t *len) {
    const char *b = NULL;
    size_t n = 0;
    d->out.len = 0;
    int rc = yq_tokenizer_token_bytes(d->tok, id, &b, &n);
    if (!rc) rc = feed(d, (const uint8_t *)b, n);
    *text = rc ? "" : (const char *)d->out.data;
    *len = rc ? 0 : d->out.len;
    return rc;
}

int yq_detokenizer_flush(yq_detokenizer *d, const char **text, size_t *len) {
    d->out.len = 0;
    int rc = yq_buf_reserve(&d->out, 3);
    if (!rc && d->n_held) {
        memcpy(d->out.data, replacement, 3);
        d->out.len = 3;
        d->n_held = 0;
    }
    *text = rc ? "" : (const char *)d->out.data;
    *len = rc ? 0 : d->out.len;
    return rc;
}
