/* The transcription loop of openai-whisper's transcribe(): log-mel of the whole recording plus
 * 30 s of silence, then window after window (seek in frames): language detection on the first,
 * decoding with temperature fallback, windows of likely silence skipped, timestamp pairs cut into
 * segments, the window advanced to the last complete segment, and the text so far as the next
 * window's prompt. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "whisper_search.h"
#include "yuqing/asr.h"
#include "yuqing/error.h"
#include "yuqing/mel.h"

#define TIME_PRECISION 0.02 /* seconds per timestamp step */

yq_transcribe_options yq_transcribe_defaults(void) {
    yq_transcribe_options o = {0};
    o.beam_size = 5;
    o.best_of = 5;
    o.timestamps = 1;
    o.condition_on_previous = 1;
    o.compression_ratio_threshold = 2.4f;
    o.logprob_threshold = -1.0f;
    o.no_speech_threshold = 0.6f;
    o.temperature_increment = 0.2f;
    o.zh_prompt = "以下是普通话的句子。";
    o.seed = 0x5eed;
    return o;
}

float yq_compression_ratio(const char *text, size_t len) {
    if (len == 0) return 0.0f;
    uLongf cap = compressBound((uLong)len);
    Bytef *buf = malloc(cap);
    if (!buf || compress2(buf, &cap, (const Bytef *)text, (uLong)len, Z_DEFAULT_COMPRESSION) != Z_OK) {
        free(buf);
        return 0.0f;
    }
    free(buf);
    return (float)len / (float)cap;
}

typedef struct {
    const yq_whisper_model *m;
    const yq_tokenizer *tok;
    const yq_transcribe_options *o;
    whisper_vocab v;
    yq_whisper_decoder *dec;
    float *encoded;       /* (n_audio_ctx, d) */
    int32_t *history;     /* all tokens so far (initial prompt included) */
    int n_history, cap_history, prompt_from;
    int32_t lang, task;
    int max_tokens;
    uint64_t rng;
    yq_transcript *out;
} run;

static int push_tokens(run *r, const int32_t *ids, int n) {
    if (r->n_history + n > r->cap_history) {
        int cap = (r->n_history + n) * 2 + 64;
        int32_t *grown = realloc(r->history, (size_t)cap * sizeof *grown);
        if (!grown) return yq_error(YQ_ENOMEM, "out of memory");
        r->history = grown;
        r->cap_history = cap;
    }
    memcpy(r->history + r->n_history, ids, (size_t)n * sizeof *ids);
    r->n_history += n;
    return YQ_OK;
}

/* Bytes of the maximal subpart of a well-formed UTF-8 sequence at s[0..n) (Unicode's "maximal
 * subpart" rule, Python's errors="replace"): one U+FFFD replaces them. At least 1. */
static size_t ill_formed_length(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 1;
    size_t k = 1;
    for (; k < need && k < n; k++) {
        unsigned char lo = 0x80, hi = 0xBF;
        if (k == 1 && c == 0xE0) lo = 0xA0;
        if (k == 1 && c == 0xED) hi = 0x9F;
        if (k == 1 && c == 0xF0) lo = 0x90;
        if (k == 1 && c == 0xF4) hi = 0x8F;
        if (s[k] < lo || s[k] > hi) break;
    }
    return k;
}

/* `bytes` with every ill-formed UTF-8 subpart replaced by U+FFFD (malloc'd; takes bytes). */
static char *valid_utf8(char *bytes, size_t len) {
    char *out = malloc(len * 3 + 1);
    size_t n = 0;
    for (size_t i = 0; out && i < len;) {
        int k = yq_utf8_char_len(bytes + i, len - i);
        if (k > 0) {
            memcpy(out + n, bytes + i, (size_t)k);
            n += (size_t)k, i += (size_t)k;
        } else {
            memcpy(out + n, "\xEF\xBF\xBD", 3);
            n += 3, i += ill_formed_length((const unsigned char *)bytes + i, len - i);
        }
    }
    if (out) out[n] = 0;
    free(bytes);
    return out;
}

/* The text of the tokens below <|endoftext|> (malloc'd, valid UTF-8). */
static char *text_of(const run *r, const int32_t *tokens, int n) {
    int32_t *text_ids = malloc((size_t)(n + 1) * sizeof *text_ids);
    int k = 0;
    for (int i = 0; text_ids && i < n; i++)
        if (tokens[i] < r->v.eot) text_ids[k++] = tokens[i];
    char *text = NULL;
    size_t len;
    if (text_ids && yq_tokenizer_decode(r->tok, text_ids, (size_t)k, &text, &len)) text = NULL;
    free(text_ids);
    if (text) text = valid_utf8(text, len);
    return text ? text : strdup("");
}

/* <|startofprev|> prompt... <|startoftranscript|> lang task [<|notimestamps|>]. */
static int build_prompt(const run *r, int32_t *prompt, int *sot_index) {
    int n = 0, from = r->prompt_from, keep = r->m->config.n_text_ctx / 2 - 1;
    if (r->n_history - from > keep) from = r->n_history - keep;
    if (r->n_history > from) {
        prompt[n++] = r->v.sot_prev;
        for (int i = from; i < r->n_history; i++) prompt[n++] = r->history[i];
    }
    *sot_index = n;
    prompt[n++] = r->v.sot;
    prompt[n++] = r->lang;
    prompt[n++] = r->task;
    if (!r->o->timestamps) prompt[n++] = r->v.no_timestamps;
    return n;
}

/* The compression ratio of the text without surrounding white space, as decoding.py computes it. */
static float stripped_compression_ratio(const char *text) {
    while (isspace((unsigned char)*text)) text++;
    size_t len = strlen(text);
    while (len && isspace((unsigned char)text[len - 1])) len--;
    return yq_compression_ratio(text, len);
}

typedef struct {
    window_result best;
    float temperature, compression_ratio;
    char *text;
} decoded;

/* Decodes the window at temperature 0, then higher ones while the text looks like a loop
 * (compression ratio) or is unlikely (average log-probability), unless it is silence. */
static int decode_with_fallback(run *r, decoded *d) {
    const yq_transcribe_options *o = r->o;
    memset(d, 0, sizeof *d);
    int32_t *prompt = malloc((size_t)(r->m->config.n_text_ctx + 8) * sizeof *prompt);
    if (!prompt) return yq_error(YQ_ENOMEM, "out of memory");
    int sot_index, n_prompt = build_prompt(r, prompt, &sot_index), rc = 0;
    for (float t = 0.0f; t <= 1.0f + 1e-6f; t += o->temperature_increment) {
        free(d->best.tokens);
        free(d->text);
        window_options wo = {t, o->beam_size, o->best_of, o->timestamps, r->max_tokens, &r->rng};
        rc = whisper_decode_window(r->m, r->dec, &r->v, prompt, n_prompt, sot_index, &wo, &d->best);
        if (rc) break;
        d->temperature = t;
        d->text = text_of(r, d->best.tokens, d->best.n_tokens);
        d->compression_ratio = stripped_compression_ratio(d->text);
        int fallback = d->compression_ratio > o->compression_ratio_threshold || d->best.avg_logprob < o->logprob_threshold;
        if (d->best.no_speech_prob > o->no_speech_threshold) fallback = 0;
        if (!fallback || o->temperature_increment <= 0) break;
    }
    free(prompt);
    return rc;
}

static int is_blank(const char *s) {
    while (*s && isspace((unsigned char)*s)) s++;
    return *s == 0;
}

static int add_segment(run *r, double start, double end, const int32_t *tokens, int n, const decoded *d) {
    char *text = text_of(r, tokens, n);
    if (start == end || is_blank(text)) { /* as openai-whisper clears them */
        free(text);
        return YQ_OK;
    }
    yq_transcript *t = r->out;
    yq_segment *grown = realloc(t->segments, (size_t)(t->n_segments + 1) * sizeof *grown);
    int32_t *copy = malloc((size_t)n * sizeof *copy);
    if (!grown || !copy) {
        free(text);
        free(copy);
        if (grown) t->segments = grown;
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    memcpy(copy, tokens, (size_t)n * sizeof *copy);
    t->segments = grown;
    t->segments[t->n_segments++] = (yq_segment){start, end, text, copy, n, d->best.avg_logprob,
                                                d->best.no_speech_prob, d->temperature, d->compression_ratio};
    return push_tokens(r, tokens, n);
}

/* Cuts the window's tokens into segments at consecutive timestamps; returns the frames to advance. */
static int64_t segment_window(run *r, const decoded *d, int64_t seek, int64_t window_frames, int *rc) {
    const int32_t *tok = d->best.tokens;
    int n = d->best.n_tokens;
    int32_t tb = r->v.timestamp_begin;
    double offset = (double)seek * YQ_MEL_HOP / YQ_MEL_SAMPLE_RATE;
    int frames_per_step = YQ_MEL_WINDOW_FRAMES / r->m->config.n_audio_ctx; /* 2 */
    int single_ending = n >= 2 && tok[n - 2] < tb && tok[n - 1] >= tb;
    int last_slice = 0, any_pair = 0;
    for (int i = 1; i < n && !*rc; i++) {
        if (!(tok[i - 1] >= tb && tok[i] >= tb)) continue;
        any_pair = 1;
        *rc = add_segment(r, offset + (tok[last_slice] - tb) * TIME_PRECISION, offset + (tok[i - 1] - tb) * TIME_PRECISION,
                          tok + last_slice, i - last_slice, d);
        last_slice = i;
    }
    if (any_pair) {
        if (single_ending && !*rc)
            *rc = add_segment(r, offset + (tok[last_slice] - tb) * TIME_PRECISION, offset + (tok[n - 1] - tb) * TIME_PRECISION,
                              tok + last_slice, n - last_slice, d);
        if (single_ending) return window_frames;
        return (int64_t)(tok[last_slice - 1] - tb) * frames_per_step;
    }
    double duration = (double)window_frames * YQ_MEL_HOP / YQ_MEL_SAMPLE_RATE;
    for (int i = n - 1; i >= 0; i--)
        if (tok[i] >= tb) {
            if (tok[i] != tb) duration = (tok[i] - tb) * TIME_PRECISION;
            break;
        }
    *rc = add_segment(r, offset, offset + duration, tok, n, d);
    return window_frames;
}

static int choose_language(run *r, const float *window, int64_t stride) {
    const char *lang = r->o->language;
    if (lang && *lang && strcmp(lang, "auto")) {
        r->lang = whisper_lang_id(&r->v, lang);
        if (r->lang < 0) return yq_error(YQ_EINVAL, "unknown language '%s' for this model", lang);
        snprintf(r->out->language, sizeof r->out->language, "%s", lang);
        r->out->language_prob = 1.0f;
        return YQ_OK;
    }
    int rc = yq_whisper_encode(r->m, window, stride, r->encoded);
    if (rc) return rc;
    yq_whisper_decoder_set_audio(r->dec, r->encoded);
    float probs[WHISPER_MAX_LANGS];
    int best = whisper_detect_language(r->m, r->dec, &r->v, probs);
    if (best < 0) return best;
    r->lang = r->v.lang_ids[best];
    snprintf(r->out->language, sizeof r->out->language, "%s", r->v.lang_codes[best]);
    r->out->language_prob = probs[best];
    return YQ_OK;
}

/* " " + the initial prompt (or the Chinese one), stripped, as the first history. */
static int add_initial_prompt(run *r) {
    const char *p = r->o->initial_prompt;
    if ((!p || !*p) && !strcmp(r->out->language, "zh")) p = r->o->zh_prompt;
    if (!p || is_blank(p)) return YQ_OK;
    while (isspace((unsigned char)*p)) p++;
    size_t len = strlen(p);
    while (len && isspace((unsigned char)p[len - 1])) len--;
    char *text = malloc(len + 2);
    if (!text) return yq_error(YQ_ENOMEM, "out of memory");
    text[0] = ' ';
    memcpy(text + 1, p, len);
    int32_t *ids = NULL;
    size_t n = 0;
    int rc = yq_tokenizer_encode(r->tok, text, len + 1, 0, &ids, &n);
    if (!rc) rc = push_tokens(r, ids, (int)n);
    free(ids);
    free(text);
    return rc;
}

/* Frames [seek, seek + n) of the features, zero-padded to a whole window (pad_or_trim). */
static void cut_window(const yq_mel *mel, int64_t seek, int64_t n, float *window) {
    for (int m = 0; m < mel->n_mels; m++) {
        float *row = window + (int64_t)m * YQ_MEL_WINDOW_FRAMES;
        memcpy(row, mel->data + m * mel->n_frames + seek, (size_t)n * sizeof *row);
        memset(row + n, 0, (size_t)(YQ_MEL_WINDOW_FRAMES - n) * sizeof *row);
    }
}

static int transcribe_windows(run *r, const yq_mel *mel) {
    int64_t content = mel->n_frames - YQ_MEL_WINDOW_FRAMES, seek = 0;
    float *window_mel = malloc((size_t)mel->n_mels * YQ_MEL_WINDOW_FRAMES * sizeof *window_mel);
    int rc = window_mel ? choose_language(r, mel->data, mel->n_frames) : yq_error(YQ_ENOMEM, "out of memory");
    if (!rc) rc = add_initial_prompt(r);
    r->prompt_from = 0;
    while (!rc && seek < content) {
        int64_t window = content - seek < YQ_MEL_WINDOW_FRAMES ? content - seek : YQ_MEL_WINDOW_FRAMES;
        cut_window(mel, seek, window, window_mel);
        rc = yq_whisper_encode(r->m, window_mel, YQ_MEL_WINDOW_FRAMES, r->encoded);
        if (rc) break;
        yq_whisper_decoder_set_audio(r->dec, r->encoded);
        decoded d;
        rc = decode_with_fallback(r, &d);
        int skip = !rc && d.best.no_speech_prob > r->o->no_speech_threshold && d.best.avg_logprob <= r->o->logprob_threshold;
        int64_t advance = window;
        if (!rc && !skip) advance = segment_window(r, &d, seek, window, &rc);
        seek += advance > 0 ? advance : window;
        if (!skip && (!r->o->condition_on_previous || d.temperature > 0.5f)) r->prompt_from = r->n_history;
        free(d.best.tokens);
        free(d.text);
        if (r->o->progress) r->o->progress(r->o->progress_ctx, (double)(seek < content ? seek : content) / 100.0, (double)content / 100.0);
    }
    free(window_mel);
    return rc;
}

int yq_transcribe(const yq_whisper_model *m, const yq_tokenizer *tok, const float *samples, int64_t n_samples,
                  const yq_transcribe_options *opts, yq_transcript *out) {
    memset(out, 0, sizeof *out);
    out->duration = (double)n_samples / YQ_MEL_SAMPLE_RATE;
    run r = {.m = m, .tok = tok, .o = opts, .out = out, .rng = opts->seed};
    r.max_tokens = opts->max_tokens > 0 ? opts->max_tokens : m->config.n_text_ctx / 2;
    int rc = whisper_vocab_init(tok, m->config.vocab_size, &r.v);
    if (rc) return rc;
    r.task = opts->translate ? r.v.translate : r.v.transcribe;
    yq_mel mel = {0};
    r.encoded = malloc((size_t)m->config.n_audio_ctx * (size_t)m->config.d_model * sizeof *r.encoded);
    rc = r.encoded ? yq_whisper_decoder_new(m, &r.dec) : yq_error(YQ_ENOMEM, "out of memory");
    if (!rc) rc = yq_mel_compute(samples, n_samples, n_samples + YQ_MEL_WINDOW_SAMPLES, m->config.n_mels, &mel);
    if (!rc) rc = transcribe_windows(&r, &mel);
    yq_mel_free(&mel);
    yq_whisper_decoder_free(r.dec);
    free(r.encoded);
    free(r.history);
    whisper_vocab_free(&r.v);
    if (rc) yq_transcript_free(out);
    return rc;
}

void yq_transcript_free(yq_transcript *t) {
    for (int i = 0; i < t->n_segments; i++) {
        free(t->segments[i].text);
        free(t->segments[i].tokens);
    }
    free(t->segments);
    t->segments = NULL;
    t->n_segments = 0;
}
