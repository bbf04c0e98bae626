/* Whisper decoding above the model, against two oracles: one window decoded greedily with the
 * logit filters (suppressed non-speech symbols, blank at the start, timestamp rules) against
 * transformers' Whisper logits processors (tools/make_whisper_fixtures.py), and the whole
 * transcription loop at temperature 0 against openai-whisper's transcribe() on the same
 * random-weight models (tools/make_whisper_transcribe_fixtures.py): language detection, greedy
 * and beam search, timestamps or not, translate, initial prompt, several 30 s windows with the
 * previous text as prompt; segments' tokens, times and text identical. Also sampling
 * invariants, output formats by hand, and the compression ratio against Python's zlib. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "asr/whisper_search.h"
#include "testutil.h"
#include "yuqing/asr.h"
#include "yuqing/audio.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/mel.h"
#include "yuqing/threads.h"

typedef struct {
    const char *name;
    cJSON *ref;
    yq_whisper_model *model;
    yq_tokenizer *tok;
    whisper_vocab vocab;
    yq_whisper_decoder *dec;
} fixture;

static int open_fixture(fixture *f, const char *name) {
    memset(f, 0, sizeof *f);
    f->name = name;
    char rel[128];
    snprintf(rel, sizeof rel, "whisper/%s/reference.json", name);
    f->ref = test_load_json(rel);
    snprintf(rel, sizeof rel, "whisper/%s", name);
    int rc = yq_whisper_open(test_data_path(rel), &f->model);
    if (!rc) rc = yq_tokenizer_open(f->model->folder, NULL, &f->tok);
    if (!rc) rc = whisper_vocab_init(f->tok, f->model->config.vocab_size, &f->vocab);
    if (!rc) rc = yq_whisper_decoder_new(f->model, &f->dec);
    CHECKF(rc == 0 && f->ref, "%s: %s", name, yq_last_error());
    if (rc || !f->ref) return -1;
    /* the window's audio: the encoder over the reference features */
    int n_mels = f->model->config.n_mels, frames = cJSON_GetObjectItem(f->ref, "feature_frames")->valueint;
    float pad = (float)cJSON_GetObjectItem(f->ref, "pad_value")->valuedouble;
    snprintf(rel, sizeof rel, "whisper/%s/features.bin", name);
    yq_mapped_file feats;
    CHECK(yq_map_file(test_data_path(rel), &feats) == 0);
    const float *head = (const float *)feats.data;
    float *mel = malloc((size_t)n_mels * YQ_MEL_WINDOW_FRAMES * sizeof *mel);
    float *enc = malloc((size_t)f->model->config.n_audio_ctx * f->model->config.d_model * sizeof *enc);
    for (int m = 0; m < n_mels; m++)
        for (int t = 0; t < YQ_MEL_WINDOW_FRAMES; t++) mel[m * YQ_MEL_WINDOW_FRAMES + t] = t < frames ? head[m * frames + t] : pad;
    CHECK(yq_whisper_encode(f->model, mel, YQ_MEL_WINDOW_FRAMES, enc) == 0);
    yq_whisper_decoder_set_audio(f->dec, enc);
    free(mel);
    free(enc);
    yq_unmap_file(&feats);
    return 0;
}

static void close_fixture(fixture *f) {
    yq_whisper_decoder_free(f->dec);
    whisper_vocab_free(&f->vocab);
    yq_tokenizer_free(f->tok);
    yq_whisper_close(f->model);
    cJSON_Delete(f->ref);
}

static int decode(fixture *f, int timestamps, float temperature, int beam, int best_of, window_result *r) {
    int32_t prompt[4] = {f->vocab.sot, whisper_lang_id(&f->vocab, "en"), f->vocab.transcribe, f->vocab.no_timestamps};
    uint64_t rng = 42;
    int max_tokens = cJSON_GetObjectItem(f->ref, "generate_max_new_tokens")->valueint;
    window_options o = {temperature, beam, best_of, timestamps, max_tokens, &rng};
    int rc = whisper_decode_window(f->model, f->dec, &f->vocab, prompt, timestamps ? 3 : 4, 0, &o, r);
    CHECKF(rc == 0, "%s: %s", f->name, yq_last_error());
    return rc;
}

static void check_suppressed(const fixture *f) {
    int32_t *want;
    int n_want;
    test_json_ids(cJSON_GetObjectItem(f->ref, "suppress_tokens"), &want, &n_want);
    CHECKF(f->vocab.n_suppress == n_want, "%s: %d suppressed tokens, reference %d", f->name, f->vocab.n_suppress, n_want);
    for (int i = 0; i < n_want; i++) {
        int found = 0;
        for (int j = 0; j < f->vocab.n_suppress; j++) found |= f->vocab.suppress[j] == want[i];
        CHECKF(found, "%s: token %d is not suppressed", f->name, want[i]);
    }
    free(want);
}

static void check_against_generate(fixture *f, int timestamps) {
    const cJSON *gen = cJSON_GetObjectItem(cJSON_GetObjectItem(f->ref, "generate"), timestamps ? "timestamps" : "no_timestamps");
    int32_t *want;
    int n_want;
    test_json_ids(gen, &want, &n_want);
    window_result r;
    if (decode(f, timestamps, 0.0f, 1, 1, &r) == 0) {
        int same = r.n_tokens == n_want && !memcmp(r.tokens, want, (size_t)n_want * sizeof *want);
        CHECKF(same, "%s: greedy %s: %d tokens differ from generate()'s %d", f->name,
               timestamps ? "with timestamps" : "without timestamps", r.n_tokens, n_want);
        for (int i = 0; !same && i < r.n_tokens && i < n_want; i++)
            if (r.tokens[i] != want[i]) {
                fprintf(stderr, "  first difference at %d: %d vs %d\n", i, r.tokens[i], want[i]);
                break;
            }
        CHECK(r.no_speech_prob >= 0 && r.no_speech_prob <= 1 && r.avg_logprob <= 0);
        free(r.tokens);
    }
    free(want);
}

/* Beam search keeps the best of its beams by length-normalised log-probability, so it never does
 * worse than greedy on that score when greedy is among the candidates it explored; sampling is
 * reproducible from the seed; a beam of 1 is greedy. */
static void check_search_invariants(fixture *f) {
    window_result greedy, beam1, beam, s1, s2;
    if (decode(f, 1, 0.0f, 1, 1, &greedy) || decode(f, 1, 0.0f, 1, 5, &beam1) || decode(f, 1, 0.0f, 4, 1, &beam)) return;
    CHECK(beam1.n_tokens == greedy.n_tokens && !memcmp(beam1.tokens, greedy.tokens, (size_t)greedy.n_tokens * 4));
    CHECK(beam.n_tokens > 0 && beam.avg_logprob <= 0);
    printf("%s: greedy %d tokens avg %.3f; beam 4: %d tokens avg %.3f\n", f->name, greedy.n_tokens, greedy.avg_logprob,
           beam.n_tokens, beam.avg_logprob);
    CHECK(decode(f, 1, 0.7f, 1, 3, &s1) == 0 && decode(f, 1, 0.7f, 1, 3, &s2) == 0);
    CHECK(s1.n_tokens == s2.n_tokens && !memcmp(s1.tokens, s2.tokens, (size_t)s1.n_tokens * 4));
    window_result *all[] = {&greedy, &beam1, &beam, &s1, &s2};
    for (int i = 0; i < 5; i++) free(all[i]->tokens);
}

static void check_formats(void) {
    int32_t tokens[2] = {1, 2};
    yq_segment segs[2] = {{0.0, 2.5, " Hello world.", tokens, 2, -0.25f, 0.01f, 0.0f, 1.2f},
                          {3723.004, 3725.5, " 再见 ", tokens, 1, -0.5f, 0.02f, 0.2f, 0.9f}};
    yq_transcript t = {"en", 0.9f, segs, 2, 3726.0};
    char *out;
    size_t len;
    CHECK(yq_transcript_write(&t, YQ_FORMAT_TXT, &out, &len) == 0);
    CHECK(!strcmp(out, "Hello world.\n再见\n"));
    free(out);
    CHECK(yq_transcript_write(&t, YQ_FORMAT_SRT, &out, &len) == 0);
    CHECK(!strcmp(out, "1\n00:00:00,000 --> 00:00:02,500\nHello world.\n\n2\n01:02:03,004 --> 01:02:05,500\n再见\n\n"));
    free(out);
    CHECK(yq_transcript_write(&t, YQ_FORMAT_VTT, &out, &len) == 0);
    CHECK(!strcmp(out, "WEBVTT\n\n00:00.000 --> 00:02.500\nHello world.\n\n01:02:03.004 --> 01:02:05.500\n再见\n\n"));
    free(out);
    CHECK(yq_transcript_write(&t, YQ_FORMAT_JSON, &out, &len) == 0);
    cJSON *j = cJSON_Parse(out);
    CHECK(j && !strcmp(cJSON_GetObjectItem(j, "text")->valuestring, " Hello world. 再见 "));
    CHECK(j && cJSON_GetArraySize(cJSON_GetObjectItem(j, "segments")) == 2);
    cJSON_Delete(j);
    free(out);
    yq_transcript_format f;
    CHECK(yq_transcript_format_parse("vtt", &f) == 0 && f == YQ_FORMAT_VTT);
    CHECK(yq_transcript_format_parse("doc", &f) == YQ_EINVAL);
}

/* len(text) / len(zlib.compress(text)) from Python 3.11's zlib (1.2.13). */
static void check_compression_ratio(void) {
    const char *loop = " the the the the the the the the the the the the the the the the the the the the";
    CHECKF(fabsf(yq_compression_ratio(loop, strlen(loop)) - 80.0f / 15.0f) < 1e-5f, "%g", yq_compression_ratio(loop, strlen(loop)));
    const char *plain = "The quick brown fox jumps over the lazy dog.";
    CHECKF(fabsf(yq_compression_ratio(plain, strlen(plain)) - 44.0f / 51.0f) < 1e-5f, "%g", yq_compression_ratio(plain, strlen(plain)));
}

/* The whole loop on the fixture speech: one window, segments inside the audio window, the
 * detected language among the model's, progress reported. */
static void progress_cb(void *ctx, double done, double total) {
    *(int *)ctx += 1;
    CHECK(done <= total + 1e-9);
}

static void check_transcribe(fixture *f) {
    yq_audio audio;
    CHECK(yq_audio_load(test_data_path("whisper/audio/speech_en.wav"), 16000, &audio) == 0);
    yq_transcribe_options o = yq_transcribe_defaults();
    int calls = 0;
    o.progress = progress_cb;
    o.progress_ctx = &calls;
    o.beam_size = 2;
    o.best_of = 2;
    o.max_tokens = 12;
    yq_transcript t;
    int rc = yq_transcribe(f->model, f->tok, audio.samples, audio.n_samples, &o, &t);
    CHECKF(rc == 0, "%s: %s", f->name, yq_last_error());
    if (!rc) {
        CHECK(calls >= 1 && whisper_lang_id(&f->vocab, t.language) >= 0 && t.language_prob > 0);
        for (int i = 0; i < t.n_segments; i++) CHECK(t.segments[i].start < t.segments[i].end && t.segments[i].start >= 0);
        yq_transcript_free(&t);
    }
    o.language = "xx";
    CHECK(yq_transcribe(f->model, f->tok, audio.samples, audio.n_samples, &o, &t) == YQ_EINVAL);
    yq_audio_free(&audio);
}

/* The fixture audio of tools/make_whisper_transcribe_fixtures.py: the speech, or `repeats` times
 * the speech followed by `gap` seconds of zeros. */
static float *case_audio(const cJSON *doc, const char *kind, const yq_audio *speech, int64_t *n) {
    int repeats = strcmp(kind, "long") ? 1 : cJSON_GetObjectItem(doc, "long_repeats")->valueint;
    int64_t gap = strcmp(kind, "long") ? 0 : (int64_t)(cJSON_GetObjectItem(doc, "long_gap_seconds")->valuedouble * 16000);
    int64_t one = speech->n_samples + gap;
    *n = one * repeats;
    float *x = calloc((size_t)*n, sizeof *x);
    for (int r = 0; r < repeats; r++) memcpy(x + r * one, speech->samples, (size_t)speech->n_samples * sizeof *x);
    return x;
}

static const char *json_str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void compare_transcript(const char *what, const yq_transcript *t, const cJSON *c) {
    const cJSON *segs = cJSON_GetObjectItem(c, "segments");
    CHECKF(!strcmp(t->language, json_str(c, "language_out")), "%s: language %s", what, t->language);
    CHECKF(t->n_segments == cJSON_GetArraySize(segs), "%s: %d segments, openai-whisper %d", what, t->n_segments,
           cJSON_GetArraySize(segs));
    for (int i = 0; i < t->n_segments && i < cJSON_GetArraySize(segs); i++) {
        const cJSON *s = cJSON_GetArrayItem(segs, i);
        const yq_segment *g = &t->segments[i];
        int32_t *tokens;
        int n;
        test_json_ids(cJSON_GetObjectItem(s, "tokens"), &tokens, &n);
        CHECKF(g->n_tokens == n && !memcmp(g->tokens, tokens, (size_t)n * sizeof *tokens), "%s: segment %d tokens", what, i);
        CHECKF(fabs(g->start - cJSON_GetObjectItem(s, "start")->valuedouble) < 1e-6 &&
               fabs(g->end - cJSON_GetObjectItem(s, "end")->valuedouble) < 1e-6,
               "%s: segment %d at %.3f-%.3f", what, i, g->start, g->end);
        CHECKF(!strcmp(g->text, json_str(s, "text")), "%s: segment %d text", what, i);
        free(tokens);
    }
}

/* openai-whisper's transcribe() at temperature 0 on the same model and audio: the same
 * segments (tokens, times, text) and language, over several windows. */
static void check_openai_cases(fixture *f) {
    char rel[128];
    snprintf(rel, sizeof rel, "whisper/%s/transcribe.json", f->name);
    cJSON *doc = test_load_json(rel);
    yq_audio speech;
    CHECK(doc && yq_audio_load(test_data_path("whisper/audio/speech_en.wav"), 16000, &speech) == 0);
    const cJSON *c, *cases = doc ? cJSON_GetObjectItem(doc, "cases") : NULL;
    int index = 0;
    cJSON_ArrayForEach(c, cases) {
        int64_t n;
        float *x = case_audio(doc, json_str(c, "audio"), &speech, &n);
        yq_transcribe_options o = yq_transcribe_defaults();
        const cJSON *beam = cJSON_GetObjectItem(c, "beam_size");
        o.beam_size = cJSON_IsNumber(beam) ? beam->valueint : 1;
        o.temperature_increment = 0;
        o.language = json_str(c, "language");
        o.translate = !strcmp(json_str(c, "task"), "translate");
        o.timestamps = !cJSON_IsTrue(cJSON_GetObjectItem(c, "without_timestamps"));
        o.initial_prompt = json_str(c, "initial_prompt");
        o.zh_prompt = "";
        yq_transcript t;
        int rc = yq_transcribe(f->model, f->tok, x, n, &o, &t);
        char what[96];
        snprintf(what, sizeof what, "%s case %d (%s audio, beam %d)", f->name, index++, json_str(c, "audio"), o.beam_size);
        CHECKF(rc == 0, "%s: %s", what, yq_last_error());
        if (!rc) {
            compare_transcript(what, &t, c);
            yq_transcript_free(&t);
        }
        free(x);
    }
    yq_audio_free(&speech);
    cJSON_Delete(doc);
}

int main(void) {
    yq_threads_init(1);
    static const char *const names[] = {"tiny80", "v3mel128"};
    for (int i = 0; i < 2; i++) {
        fixture f;
        if (open_fixture(&f, names[i]) == 0) {
            check_suppressed(&f);
            check_against_generate(&f, 0);
            check_against_generate(&f, 1);
            check_search_invariants(&f);
            check_transcribe(&f);
            check_openai_cases(&f);
        }
        close_fixture(&f);
    }
    check_formats();
    check_compression_ratio();
    yq_threads_shutdown();
    return test_summary("test_whisper_transcribe");
}
