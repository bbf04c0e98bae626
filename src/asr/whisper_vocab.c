/* Whisper's special tokens and languages by their text in the tokenizer, the non-speech symbols
 * openai-whisper suppresses (tokenizer.non_speech_tokens), and its logit filters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whisper_vocab.h"
#include "yuqing/error.h"

/* Whisper's language tokens in vocabulary order (tokenizer.py LANGUAGES); large-v3 adds "yue". */
static const char *const LANG_CODES[WHISPER_MAX_LANGS] = {
    "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it", "id",
    "hi", "fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur", "hr", "bg",
    "lt", "la", "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn", "et", "mk", "br",
    "eu", "is", "hy", "ne", "mn", "bs", "kk", "sq", "sw", "gl", "mr", "pa", "si", "km", "sn", "yo", "so",
    "af", "oc", "ka", "be", "tg", "sd", "gu", "am", "yi", "lo", "uz", "fo", "ht", "ps", "tk", "nn", "mt",
    "sa", "lb", "my", "bo", "tl", "mg", "as", "tt", "haw", "ln", "ha", "ba", "jw", "su", "yue"};

static int find(const yq_tokenizer *tok, const char *text, const char *alt, int32_t *id) {
    *id = yq_tokenizer_special_id(tok, text);
    if (*id < 0 && alt) *id = yq_tokenizer_special_id(tok, alt);
    return *id >= 0 ? YQ_OK : yq_error(YQ_EINVAL, "Whisper tokenizer: no %s token", text);
}

static int add_id(int32_t **ids, int *n, int32_t id) {
    for (int i = 0; i < *n; i++)
        if ((*ids)[i] == id) return YQ_OK;
    int32_t *grown = realloc(*ids, (size_t)(*n + 1) * sizeof *grown);
    if (!grown) return yq_error(YQ_ENOMEM, "out of memory");
    grown[(*n)++] = id;
    *ids = grown;
    return YQ_OK;
}

/* tokenizer.non_speech_tokens: symbols that encode to one token, alone or after a space
 * (musical notes always), plus " -" and " '". */
static int add_non_speech(const yq_tokenizer *tok, whisper_vocab *v) {
    static const char *const symbols[] = {
        "\"", "#", "(", ")", "*", "+", "/", ":", ";", "<", "=", ">", "@", "[", "\\", "]", "^", "_", "`",
        "{", "|", "}", "~", "「", "」", "『", "』", "<<", ">>", "<<<", ">>>", "--", "---", "-(", "-[",
        "('", "(\"", "((", "))", "(((", ")))", "[[", "]]", "{{", "}}", "♪♪", "♪♪♪",
        "♩", "♪", "♫", "♬", "♭", "♮", "♯"};
    enum { FIRST_MISC = 47 };
    int rc = 0;
    for (size_t i = 0; i < sizeof symbols / sizeof *symbols && !rc; i++)
        for (int spaced = 0; spaced < 2 && !rc; spaced++) {
            char text[32];
            snprintf(text, sizeof text, "%s%s", spaced ? " " : "", symbols[i]);
            int32_t *ids = NULL;
            size_t n = 0;
            rc = yq_tokenizer_encode(tok, text, strlen(text), 0, &ids, &n);
            if (!rc && n > 0 && (n == 1 || i >= FIRST_MISC)) rc = add_id(&v->suppress, &v->n_suppress, ids[0]);
            free(ids);
        }
    static const char *const leading[] = {" -", " '"};
    for (int i = 0; i < 2 && !rc; i++) {
        int32_t *ids = NULL;
        size_t n = 0;
        rc = yq_tokenizer_encode(tok, leading[i], 2, 0, &ids, &n);
        if (!rc && n > 0) rc = add_id(&v->suppress, &v->n_suppress, ids[0]);
        free(ids);
    }
    return rc;
}

int whisper_vocab_init(const yq_tokenizer *tok, int vocab_size, whisper_vocab *v) {
    memset(v, 0, sizeof *v);
    v->vocab_size = vocab_size;
    int rc = find(tok, "<|endoftext|>", NULL, &v->eot);
    if (!rc) rc = find(tok, "<|startoftranscript|>", NULL, &v->sot);
    if (!rc) rc = find(tok, "<|startofprev|>", NULL, &v->sot_prev);
    if (!rc) rc = find(tok, "<|startoflm|>", NULL, &v->sot_lm);
    if (!rc) rc = find(tok, "<|nospeech|>", "<|nocaptions|>", &v->no_speech);
    if (!rc) rc = find(tok, "<|notimestamps|>", NULL, &v->no_timestamps);
    if (!rc) rc = find(tok, "<|transcribe|>", NULL, &v->transcribe);
    if (!rc) rc = find(tok, "<|translate|>", NULL, &v->translate);
    if (rc) return rc;
    v->timestamp_begin = yq_tokenizer_special_id(tok, "<|0.00|>");
    if (v->timestamp_begin < 0) v->timestamp_begin = v->no_timestamps + 1;
    for (int i = 0; i < WHISPER_MAX_LANGS; i++) {
        char text[16];
        snprintf(text, sizeof text, "<|%s|>", LANG_CODES[i]);
        int32_t id = yq_tokenizer_special_id(tok, text);
        if (id < 0) continue;
        v->lang_codes[v->n_langs] = LANG_CODES[i];
        v->lang_ids[v->n_langs++] = id;
    }
    int32_t specials[] = {v->transcribe, v->translate, v->sot, v->sot_prev, v->sot_lm, v->no_speech};
    for (size_t i = 0; i < sizeof specials / sizeof *specials && !rc; i++) rc = add_id(&v->suppress, &v->n_suppress, specials[i]);
    if (!rc) rc = add_non_speech(tok, v);
    int32_t *space = NULL;
    size_t n_space = 0;
    if (!rc) rc = yq_tokenizer_encode(tok, " ", 1, 0, &space, &n_space);
    for (size_t i = 0; i < n_space && !rc; i++) rc = add_id(&v->blank, &v->n_blank, space[i]);
    free(space);
    if (!rc) rc = add_id(&v->blank, &v->n_blank, v->eot);
    if (rc) whisper_vocab_free(v);
    return rc;
}

void whisper_vocab_free(whisper_vocab *v) {
    free(v->suppress);
    free(v->blank);
    v->suppress = v->blank = NULL;
}

int32_t whisper_lang_id(const whisper_vocab *v, const char *code) {
    for (int i = 0; i < v->n_langs; i++)
        if (!strcmp(v->lang_codes[i], code)) return v->lang_ids[i];
    return -1;
}

static void mask_range(float *logits, int32_t begin, int32_t end) {
    for (int32_t i = begin; i < end; i++) logits[i] = -INFINITY;
}

/* ApplyTimestampRules: timestamps come in pairs, never decrease, the first token is a timestamp
 * no later than max_initial, and a timestamp is forced when timestamps together are likelier
 * than any text token. */
static void timestamp_rules(const whisper_vocab *v, const int32_t *sampled, int n, int max_initial, float *logits) {
    int32_t tb = v->timestamp_begin, vocab = v->vocab_size;
    logits[v->no_timestamps] = -INFINITY;
    int last_ts = n >= 1 && sampled[n - 1] >= tb;
    int penultimate_ts = n < 2 || sampled[n - 2] >= tb;
    if (last_ts) {
        if (penultimate_ts) mask_range(logits, tb, vocab);
        else mask_range(logits, 0, v->eot);
    }
    int32_t last_timestamp = -1;
    for (int i = 0; i < n; i++)
        if (sampled[i] >= tb) last_timestamp = sampled[i];
    if (last_timestamp >= 0) mask_range(logits, tb, last_ts && !penultimate_ts ? last_timestamp : last_timestamp + 1);
    if (n == 0) {
        mask_range(logits, 0, tb);
        if (max_initial >= 0 && tb + max_initial + 1 < vocab) mask_range(logits, tb + max_initial + 1, vocab);
    }
    float max = -INFINITY;
    for (int32_t i = 0; i < vocab; i++) max = fmaxf(max, logits[i]);
    double sum_ts = 0;
    float max_text = -INFINITY;
    for (int32_t i = 0; i < vocab; i++) {
        if (i >= tb) sum_ts += exp((double)logits[i] - max);
        else max_text = fmaxf(max_text, logits[i]);
    }
    /* log-sum-exp of the timestamps' log-probabilities against the best text token's */
    if (sum_ts > 0 && log(sum_ts) + max > (double)max_text) mask_range(logits, 0, tb);
}

void whisper_filter_logits(const whisper_vocab *v, const int32_t *sampled, int n, int timestamps, int max_initial,
                           float *logits) {
    if (n == 0)
        for (int i = 0; i < v->n_blank; i++) logits[v->blank[i]] = -INFINITY;
    for (int i = 0; i < v->n_suppress; i++) logits[v->suppress[i]] = -INFINITY;
    if (timestamps) timestamp_rules(v, sampled, n, max_initial, logits);
}
