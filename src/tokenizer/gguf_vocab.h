/* Shared by the GGUF tokenizer loaders (gguf_vocab.c, spm.c): the token list of a GGUF file. */
#ifndef YUQING_TOKENIZER_GGUF_VOCAB_H
#define YUQING_TOKENIZER_GGUF_VOCAB_H

#include "tokenizer/tokenizer_internal.h"
#include "yuqing/gguf.h"

/* llama.cpp's token types (tokenizer.ggml.token_type). */
enum {
    GGUF_TOKEN_NORMAL = 1,
    GGUF_TOKEN_UNKNOWN = 2,
    GGUF_TOKEN_CONTROL = 3,
    GGUF_TOKEN_USER = 4,
    GGUF_TOKEN_UNUSED = 5,
    GGUF_TOKEN_BYTE = 6
};

typedef struct gguf_tokens {
    const yq_gguf_value *text;  /* tokenizer.ggml.tokens: array of strings */
    const yq_gguf_value *types; /* tokenizer.ggml.token_type, or NULL: all normal */
    uint64_t n;
} gguf_tokens;

/* The type of token i. */
int gguf_token_type(const gguf_tokens *t, uint64_t i);

/* Loads a SentencePiece BPE vocabulary ("llama": scores, byte fallback, the U+2581 space). */
int spm_load(yq_tokenizer *tok, const yq_gguf *g, const gguf_tokens *t, const char *path);

#endif
