/* What a .tiktoken rank file does not say: the split pattern and special tokens of the named
 * encodings, built in, or read from a sibling NAME.json. */
#ifndef YUQING_TOKENIZER_TIKTOKEN_ENCODINGS_H
#define YUQING_TOKENIZER_TIKTOKEN_ENCODINGS_H

#include <stddef.h>
#include <stdint.h>

typedef struct tiktoken_special {
    char *text;
    int32_t id;
} tiktoken_special;

typedef struct tiktoken_encoding {
    char *pattern;
    tiktoken_special *specials;
    size_t n_specials;
    int64_t n_ordinary; /* ranks the file must hold, or -1 when not known */
    char *eos;          /* text of the end-of-text token, or NULL */
} tiktoken_encoding;

/* Fills *enc with the built-in encoding `name` (cl100k_base, o200k_base, qwen). YQ_EINVAL for
 * an unknown name. */
int tiktoken_builtin(const char *name, tiktoken_encoding *enc);

/* Reads NAME.json (fields pat_str, special_tokens {text: id}, n_vocab_ordinary). YQ_EFORMAT or
 * YQ_ENOENT naming the file. */
int tiktoken_read_json(const char *path, tiktoken_encoding *enc);

void tiktoken_encoding_free(tiktoken_encoding *enc);

#endif
