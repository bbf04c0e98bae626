/* Speech to text with Whisper: openai-whisper's transcription loop over a whole recording
 * (sliding 30 s windows, language detection, transcribe/translate, timestamp tokens and
 * segments, greedy or beam search with temperature fallback on compression-ratio and
 * log-probability thresholds, conditioning on the previous text, initial prompt, skipping
 * windows whose no-speech probability is high). */
#ifndef YUQING_ASR_H
#define YUQING_ASR_H

#include <stdint.h>

#include "yuqing/tokenizer.h"
#include "yuqing/whisper.h"

typedef struct yq_transcribe_options {
    const char *language;       /* "en", "zh", ...; NULL or "auto": detected on the first window */
    int translate;              /* 1: task translate (to English), 0: transcribe */
    int beam_size;              /* beams at temperature 0; 0 or 1: greedy */
    int best_of;                /* candidates sampled at temperatures above 0 */
    int timestamps;             /* 1: timestamp tokens and segments (default), 0: <|notimestamps|> */
    int condition_on_previous;  /* 1: the previous windows' text is the next window's prompt */
    float compression_ratio_threshold; /* fall back to a higher temperature above it (2.4) */
    float logprob_threshold;    /* ... or below this average log-probability (-1.0) */
    float no_speech_threshold;  /* skip a window above this no-speech probability (0.6) */
    float temperature_increment; /* fallback temperatures 0, inc, 2 inc, ... 1.0 (0.2); 0: none */
    const char *initial_prompt; /* text before the first window, or NULL */
    const char *zh_prompt;      /* initial prompt when the language is Chinese and none is given:
                                   "以下是普通话的句子。" steers Whisper to Simplified characters;
                                   "" leaves the script to the model */
    int max_tokens;             /* tokens sampled per window; 0: n_text_ctx / 2 */
    uint64_t seed;              /* for sampling at temperatures above 0 */
    /* Called after each window with the segments so far and the seconds done; may be NULL. */
    void (*progress)(void *ctx, double seconds_done, double seconds_total);
    void *progress_ctx;
} yq_transcribe_options;

/* openai-whisper's defaults (beam 5, best_of 5, timestamps, conditioning, 2.4 / -1.0 / 0.6,
 * increments of 0.2, Simplified-Chinese prompt). */
yq_transcribe_options yq_transcribe_defaults(void);

typedef struct yq_segment {
    double start, end; /* seconds */
    char *text;        /* UTF-8 */
    int32_t *tokens;   /* text and timestamp tokens */
    int n_tokens;
    float avg_logprob, no_speech_prob, temperature, compression_ratio;
} yq_segment;

typedef struct yq_transcript {
    char language[16];
    float language_prob; /* of the detected language; 1 when given */
    yq_segment *segments;
    int n_segments;
    double duration; /* seconds of audio */
} yq_transcript;

/* Transcribes mono 16 kHz samples. The tokenizer is the model folder's (tokenizer.json with
 * Whisper's special tokens). Errors: YQ_EINVAL (unknown language, a model without the tokens
 * a task needs), YQ_ENOMEM. Fills *out (free with yq_transcript_free) on success. */
int yq_transcribe(const yq_whisper_model *model, const yq_tokenizer *tok, const float *samples,
                  int64_t n_samples, const yq_transcribe_options *opts, yq_transcript *out);
void yq_transcript_free(yq_transcript *t);

typedef enum yq_transcript_format { YQ_FORMAT_TXT = 0, YQ_FORMAT_SRT, YQ_FORMAT_VTT, YQ_FORMAT_JSON } yq_transcript_format;

/* The format called "txt", "srt", "vtt" or "json"; YQ_EINVAL otherwise. */
int yq_transcript_format_parse(const char *name, yq_transcript_format *out);

/* The transcript as text (one segment per line, stripped), SubRip, WebVTT or JSON (text,
 * language, language_probability, duration, segments with id, start, end, text, tokens,
 * temperature, avg_logprob, compression_ratio, no_speech_prob), as openai-whisper writes them.
 * *out is malloc'd. YQ_ENOMEM. */
int yq_transcript_write(const yq_transcript *t, yq_transcript_format format, char **out, size_t *len);

/* The compression ratio openai-whisper uses to detect repetition loops: bytes of the text over
 * bytes of its zlib compression at the default level (Python's zlib.compress). */
float yq_compression_ratio(const char *text, size_t len);

#endif
