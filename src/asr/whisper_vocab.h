/* Whisper's special tokens, languages and suppressed tokens, found in a tokenizer by their
 * text; and the logit filters of openai-whisper's decoding (internal to src/asr). */
#ifndef YUQING_ASR_WHISPER_VOCAB_H
#define YUQING_ASR_WHISPER_VOCAB_H

#include <stdint.h>

#include "yuqing/tokenizer.h"

enum { WHISPER_MAX_LANGS = 100, WHISPER_N_TIMESTAMPS = 1501 };

typedef struct whisper_vocab {
    int32_t eot, sot, sot_prev, sot_lm, no_speech, no_timestamps, transcribe, translate;
    int32_t timestamp_begin; /* <|0.00|>; timestamps run to the end of the vocabulary */
    int n_langs;
    int32_t lang_ids[WHISPER_MAX_LANGS];
    const char *lang_codes[WHISPER_MAX_LANGS];
    int32_t *suppress; /* openai's "-1": non-speech symbols and the task/special tokens */
    int n_suppress;
    int32_t *blank; /* encode(" ") and <|endoftext|>, suppressed at the first sampled token */
    int n_blank;
    int vocab_size;
} whisper_vocab;

/* Looks the tokens up; YQ_EINVAL naming the first missing one. Free with whisper_vocab_free. */
int whisper_vocab_init(const yq_tokenizer *tok, int vocab_size, whisper_vocab *v);
void whisper_vocab_free(whisper_vocab *v);
/* The token of language `code`, or -1. */
int32_t whisper_lang_id(const whisper_vocab *v, const char *code);

/* openai-whisper's SuppressBlank, SuppressTokens and (with timestamps) ApplyTimestampRules on
 * the logits that follow the sampled tokens sampled[0..n). max_initial: the last timestamp
 * index allowed first (50 = 1.0 s). */
void whisper_filter_logits(const whisper_vocab *v, const int32_t *sampled, int n, int timestamps, int max_initial,
                           float *logits);

#endif
