/* The parts of the tokenizer.json loader, one file each: the BPE model, the pipeline
 * (normalizer, pre-tokenizer, decoder, added tokens), and tokenizer_config.json. */
#ifndef YUQING_TOKENIZER_HF_H
#define YUQING_TOKENIZER_HF_H

#include <cjson/cJSON.h>

#include "tokenizer/tokenizer_internal.h"

/* Reads model.vocab and model.merges (byte-level strings) into tok->vocab and tok->merges,
 * with ids up to n_ids-1 (added tokens included). Errors name `path`. */
int hf_read_bpe(yq_tokenizer *tok, const cJSON *model, int32_t n_ids, const char *path);

/* Reads normalizer, pre_tokenizer and decoder; anything but NFC, ByteLevel/Split and a
 * ByteLevel decoder is YQ_EUNSUPPORTED. */
int hf_read_pipeline(yq_tokenizer *tok, const cJSON *root, const char *path);

/* Reads tokenizer_config.json beside `tokenizer_json_path`, if there is one: bos/eos, add_bos,
 * chat template. */
int hf_read_config(yq_tokenizer *tok, const char *tokenizer_json_path);

/* The string of a field that is a string or an AddedToken object {"content": ...}; NULL
 * otherwise. */
const char *hf_token_text(const cJSON *item);

#endif
