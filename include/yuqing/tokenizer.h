/* BPE tokenizers (tiktoken rank files, Hugging Face tokenizer.json, GGUF vocabularies: byte-level
 * and SentencePiece) behind one API: encode, count, batch encode, decode, special tokens, and an
 * incremental decoder for streaming. See docs/TOKENIZERS.md. */
#ifndef YUQING_TOKENIZER_H
#define YUQING_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

typedef struct yq_tokenizer yq_tokenizer;

/* Opens a tokenizer from a `.tiktoken` file, a `tokenizer.json`, a GGUF file, or a model folder
 * holding one (tried in that order). `encoding` names a tiktoken encoding (cl100k_base,
 * o200k_base, qwen) when the file's own name and sibling NAME.json do not say it; may be NULL;
 * an unknown name is YQ_EINVAL. Errors: YQ_ENOENT, YQ_EINVAL, YQ_EFORMAT, YQ_EUNSUPPORTED,
 * each with a one-line message naming the file. Free with yq_tokenizer_free. */
int yq_tokenizer_open(const char *path, const char *encoding, yq_tokenizer **out);
void yq_tokenizer_free(yq_tokenizer *tok);

/* Encodes `len` bytes of UTF-8 text. With allow_special, special and added tokens in the text are
 * recognised; otherwise all text is ordinary. *ids is malloc'd (caller frees), *n_ids its length.
 * Invalid UTF-8 gives YQ_EINVAL naming the byte offset. Thread-safe on a shared tokenizer. */
int yq_tokenizer_encode(const yq_tokenizer *tok, const char *text, size_t len, int allow_special,
                        int32_t **ids, size_t *n_ids);

/* Like yq_tokenizer_encode, but only counts the ids. */
int yq_tokenizer_count(const yq_tokenizer *tok, const char *text, size_t len, int allow_special,
                       size_t *n_tokens);

/* Many texts encoded at once over the thread pool (yq_threads_init; must not be called from
 * inside yq_parallel_for). The caller fills n, texts and lens and provides the output arrays of
 * n entries: status (0 or a YQ_E* code per text), n_ids, and ids (each a malloc'd array the
 * caller frees) or ids = NULL to count only. A failed text's message is not kept: encode it
 * alone for that. Returns 0, or the first failing text's code. */
typedef struct yq_token_batch {
    size_t n;
    const char *const *texts;
    const size_t *lens;
    int32_t **ids;
    size_t *n_ids;
    int *status;
} yq_token_batch;
int yq_tokenizer_encode_batch(const yq_tokenizer *tok, yq_token_batch *batch, int allow_special);

/* The bytes of one token (borrowed, not NUL-terminated; may be partial UTF-8). YQ_ERANGE for an
 * id outside the vocabulary. */
int yq_tokenizer_token_bytes(const yq_tokenizer *tok, int32_t id, const char **bytes, size_t *len);

/* Decodes ids to a malloc'd NUL-terminated byte string (*len excludes the NUL): the tokens' bytes
 * in order (SentencePiece: less the dummy prefix space at the start). The bytes need not be
 * valid UTF-8. YQ_ERANGE for an id outside the vocabulary. */
int yq_tokenizer_decode(const yq_tokenizer *tok, const int32_t *ids, size_t n_ids, char **text, size_t *len);

/* Number of ids (ordinary + special). */
int32_t yq_tokenizer_vocab_size(const yq_tokenizer *tok);

/* The id of a special/added token given its exact text, or -1. */
int32_t yq_tokenizer_special_id(const yq_tokenizer *tok, const char *text);

/* BOS/EOS as the tokenizer's own config names them (tokenizer_config.json, GGUF metadata), -1
 * when none; add_bos: 1 when the config adds a BOS to every encoded prompt (Llama), else 0
 * (Qwen). */
int32_t yq_tokenizer_bos(const yq_tokenizer *tok);
int32_t yq_tokenizer_eos(const yq_tokenizer *tok);
int yq_tokenizer_adds_bos(const yq_tokenizer *tok);

/* The chat template text from tokenizer_config.json, or NULL (borrowed). */
const char *yq_tokenizer_chat_template(const yq_tokenizer *tok);

/* Incremental decoder for streaming: feeds ids one at a time, returns only complete UTF-8
 * characters, holding back the bytes of an incomplete one until it completes; bytes that cannot
 * become a character come out as U+FFFD. A stream continues a text, so no leading space is
 * dropped. One per stream; not shared between threads. */
typedef struct yq_detokenizer yq_detokenizer;
int yq_detokenizer_new(const yq_tokenizer *tok, yq_detokenizer **out);
void yq_detokenizer_free(yq_detokenizer *d);
/* Appends the text of `id`; *text and *len receive the newly complete bytes (borrowed until the next
 * call). */
int yq_detokenizer_push(yq_detokenizer *d, int32_t id, const char **text, size_t *len);
/* Returns whatever is held back (invalid trailing bytes are emitted as U+FFFD). */
int yq_detokenizer_flush(yq_detokenizer *d, const char **text, size_t *len);

/* The length (1-4) of the well-formed UTF-8 character at s[0..n), or 0 when the bytes there are
 * ill-formed or incomplete. */
int yq_utf8_char_len(const char *s, size_t n);

#endif
