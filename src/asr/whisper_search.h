/* Decoding one 30 s window: greedy, sampling (best of N) or beam search over the Whisper
 * decoder, as openai-whisper's DecodingTask does (internal to src/asr). */
#ifndef YUQING_ASR_WHISPER_SEARCH_H
#define YUQING_ASR_WHISPER_SEARCH_H

#include <stdint.h>

#include "whisper_vocab.h"
#include "yuqing/whisper.h"

typedef struct window_options {
    float temperature;
    int beam_size;  /* used at temperature 0 when above 1 */
    int best_of;    /* candidates sampled at temperatures above 0 */
    int timestamps;
    int max_tokens; /* tokens sampled at most */
    uint64_t *rng;  /* state of the sampler */
} window_options;

typedef struct window_result {
    int32_t *tokens; /* sampled tokens up to (not including) <|endoftext|> */
    int n_tokens;
    float sum_logprob, avg_logprob, no_speech_prob;
} window_result;

/* Decodes after `prompt` (<|startofprev|> ... <|startoftranscript|> lang task [notimestamps]);
 * prompt[sot_index] is <|startoftranscript|>, whose next-token distribution gives the no-speech
 * probability. The decoder's audio must be set. result->tokens is malloc'd. */
int whisper_decode_window(const yq_whisper_model *m, yq_whisper_decoder *dec, const whisper_vocab *v,
                          const int32_t *prompt, int n_prompt, int sot_index, const window_options *o,
                          window_result *result);

/* Probabilities of the languages after <|startoftranscript|> (v->n_langs entries); returns the
 * index of the likeliest. */
int whisper_detect_language(const yq_whisper_model *m, yq_whisper_decoder *dec, const whisper_vocab *v, float *probs);

#endif
