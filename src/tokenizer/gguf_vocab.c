/* Tokenizers stored in GGUF metadata (tokenizer.ggml.*): GPT-2-style byte-level BPE with merges
 * ("gpt2") here, SentencePiece BPE ("llama") in spm.c; both with their special tokens, BOS/EOS
 * and chat template. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/bytelevel.h"
#include "tokenizer/gguf_vocab.h"
#include "yuqing/error.h"

/* The pre-tokenizers llama.cpp names in tokenizer.ggml.pre that we know: regex and whether a
 * piece that is a token is taken whole (llama.cpp's ignore_merges). */
static const struct {
    const char *name;
    const char *pattern;
    int whole_piece_first;
} known_pre[] = {
    {"default", NULL, 0},
    {"gpt-2", NULL, 0}, /* ByteLevel's GPT-2 pattern */
    {"llama-bpe", pretok_cl100k_pattern, 1},
    {"llama3", pretok_cl100k_pattern, 1},
    {"qwen2", pretok_qwen_pattern, 0},
    {"deepseek-r1-qwen", pretok_qwen_pattern, 0},
};

static int set_pre_tokenizer(yq_tokenizer *tok, const yq_gguf *g, const char *path) {
    yq_gguf_string pre = {"default", 7};
    yq_gguf_get_string(g, "tokenizer.ggml.pre", &pre);
    for (size_t i = 0; i < sizeof known_pre / sizeof known_pre[0]; i++) {
        if (pre.len != strlen(known_pre[i].name) || memcmp(pre.data, known_pre[i].name, pre.len)) continue;
        tok->whole_piece_first = known_pre[i].whole_piece_first;
        if (!known_pre[i].pattern) return pretok_add_byte_level(&tok->pretok, 0, 1, path);
        return pretok_add_split(&tok->pretok, known_pre[i].pattern, 1, path);
    }
    return yq_error(YQ_EUNSUPPORTED, "%s: pre-tokenizer '%.*s' is not supported", path, (int)pre.len,
                    pre.data);
}

/* Byte-level vocabulary: normal tokens indexed, control and user-defined ones special. */
static int read_byte_level_vocab(yq_tokenizer *tok, const gguf_tokens *t, const char *path) {
    int rc = vocab_init(&tok->vocab, (int32_t)t->n, t->n);
    yq_buf bytes = {0};
    for (uint64_t i = 0; !rc && i < t->n; i++) {
        const yq_gguf_string *s = &t->text->arr.strings[i];
        int type = gguf_token_type(t, i);
        bytes.len = 0;
        if (bytelevel_decode(s->data, s->len, &bytes) || bytes.len == 0) {
            bytes.len = 0; /* a special token spelled outside the alphabet: its text */
            rc = type == GGUF_TOKEN_NORMAL ? yq_error(YQ_EFORMAT, "%s: token %llu is not a byte-level string",
                                                      path, (unsigned long long)i)
                                           : yq_buf_append(&bytes, s->data, s->len);
        }
        if (!rc)
            rc = vocab_set(&tok->vocab, (int32_t)i, bytes.data, bytes.len, type == GGUF_TOKEN_NORMAL, path);
        if (!rc && (type == GGUF_TOKEN_CONTROL || type == GGUF_TOKEN_USER))
            rc = specials_add(&tok->specials, (const uint8_t *)s->data, s->len, (int32_t)i,
                              type == GGUF_TOKEN_CONTROL, 0);
    }
    free(bytes.data);
    return rc;
}

/* tokenizer.ggml.merges: "a b" strings of byte-level tokens. */
static int read_merges(yq_tokenizer *tok, const yq_gguf *g, const char *path) {
    const yq_gguf_value *m;
    if (yq_gguf_get_array(g, "tokenizer.ggml.merges", YQ_GGUF_STRING, &m))
        return yq_error(YQ_EFORMAT, "%s: no string array tokenizer.ggml.merges", path);
    int rc = YQ_OK;
    merge_ids *list = malloc((m->arr.n + 1) * sizeof *list);
    yq_buf a = {0}, b = {0};
    if (!list) rc = yq_error(YQ_ENOMEM, "%s: out of memory", path);
    for (uint64_t i = 0; !rc && i < m->arr.n; i++) {
        const yq_gguf_string *s = &m->arr.strings[i];
        const char *sp = memchr(s->data, ' ', s->len);
        a.len = b.len = 0;
        int bad = !sp || bytelevel_decode(s->data, (size_t)(sp - s->data), &a) ||
                  bytelevel_decode(sp + 1, s->len - (size_t)(sp - s->data) - 1, &b);
        list[i].left = bad ? -1 : vocab_find(&tok->vocab, a.data, a.len);
        list[i].right = bad ? -1 : vocab_find(&tok->vocab, b.data, b.len);
        if (!bad) rc = yq_buf_append(&a, b.data, b.len);
        list[i].merged = bad ? -1 : vocab_find(&tok->vocab, a.data, a.len);
        if (!rc && (list[i].left < 0 || list[i].right < 0 || list[i].merged < 0))
            rc = yq_error(YQ_EFORMAT, "%s: merge %llu is not a pair of tokens whose concatenation is one",
                          path, (unsigned long long)i);
    }
    if (!rc) rc = tokenizer_set_merges(tok, list, (uint32_t)m->arr.n);
    free(list);
    free(a.data);
    free(b.data);
    return rc;
}

static int load_gpt2(yq_tokenizer *tok, const yq_gguf *g, const gguf_tokens *t, const char *path) {
    int rc = set_pre_tokenizer(tok, g, path);
    if (!rc) rc = read_byte_level_vocab(tok, t, path);
    if (!rc) rc = read_merges(tok, g, path);
    if (!rc) rc = tokenizer_prepare_bpe(tok, path);
    return rc;
}

/* BOS/EOS ids, add_bos, chat template. */
static int read_config(yq_tokenizer *tok, const yq_gguf *g, const char *path) {
    uint64_t id;
    int add_bos = tok->spm; /* llama.cpp's default: SentencePiece models add a BOS */
    if (!yq_gguf_get_uint(g, "tokenizer.ggml.bos_token_id", &id) && id < (uint64_t)tok->vocab.n_ids)
        tok->bos = (int32_t)id;
    if (!yq_gguf_get_uint(g, "tokenizer.ggml.eos_token_id", &id) && id < (uint64_t)tok->vocab.n_ids)
        tok->eos = (int32_t)id;
    yq_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &add_bos);
    tok->adds_bos = add_bos && tok->bos >= 0;
    yq_gguf_string tmpl;
    if (!yq_gguf_get_string(g, "tokenizer.chat_template", &tmpl) &&
        !(tok->chat_template = strndup(tmpl.data, tmpl.len)))
        return yq_error(YQ_ENOMEM, "%s: out of memory", path);
    return YQ_OK;
}

int gguf_token_type(const gguf_tokens *t, uint64_t i) {
    return t->types ? yq_gguf_i32_at(t->types, i) : GGUF_TOKEN_NORMAL;
}

int gguf_vocab_load(yq_tokenizer *tok, const char *path) {
    yq_gguf *g;
    int rc = yq_gguf_open(path, &g);
    if (rc) return rc;
    gguf_tokens t = {0};
    yq_gguf_string model = {"", 0};
    if (yq_gguf_get_string(g, "tokenizer.ggml.model", &model) ||
        yq_gguf_get_array(g, "tokenizer.ggml.tokens", YQ_GGUF_STRING, &t.text))
        rc = yq_error(YQ_EFORMAT, "%s: no tokenizer in this GGUF file (tokenizer.ggml.model, tokens)", path);
    if (!rc && yq_gguf_get_array(g, "tokenizer.ggml.token_type", YQ_GGUF_INT32, &t.types)) t.types = NULL;
    t.n = rc ? 0 : t.text->arr.n;
    if (!rc && (t.types && t.types->arr.n != t.n))
        rc = yq_error(YQ_EFORMAT, "%s: token_type has %llu entries for %llu tokens", path,
                      (unsigned long long)t.types->arr.n, (unsigned long long)t.n);
    if (!rc && model.len == 4 && !memcmp(model.data, "gpt2", 4))
        rc = load_gpt2(tok, g, &t, path);
    else if (!rc && model.len == 5 && !memcmp(model.data, "llama", 5))
        rc = spm_load(tok, g, &t, path);
    else if (!rc)
        rc = yq_error(YQ_EUNSUPPORTED, "%s: tokenizer model '%.*s' is not supported (gpt2 and llama are)",
                      path, (int)model.len, model.data);
    if (!rc) specials_finish(&tok->specials);
    if (!rc) rc = read_config(tok, g, path);
    yq_gguf_close(g);
    return rc;
}
