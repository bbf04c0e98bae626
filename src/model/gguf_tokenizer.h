/* A Hugging Face tokenizer as GGUF metadata (internal to src/model, used by quantize). */
#ifndef YUQING_MODEL_GGUF_TOKENIZER_H
#define YUQING_MODEL_GGUF_TOKENIZER_H

#include "yuqing/gguf_write.h"

/* Writes FOLDER/tokenizer.json, a byte-level BPE with a pre-tokenizer llama.cpp names (qwen2,
 * llama-bpe, gpt-2), as llama.cpp's "gpt2" tokenizer: tokenizer.ggml.model, pre, tokens (padded
 * to `vocab_size` with [PADn]), token_type, merges, add_bos_token and chat_template (from
 * tokenizer_config.json, as yq_tokenizer reads it). *written is 0 when there is no tokenizer.json
 * or it is of another kind (*reason says which; nothing written then). */
int yq_gguf_write_hf_tokenizer(yq_gguf_writer *w, const char *folder, int vocab_size, int *written,
                               const char **reason);

#endif
