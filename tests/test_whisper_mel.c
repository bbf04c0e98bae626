/* Log-mel features (src/asr/mel.c) against Hugging Face's WhisperFeatureExtractor (the oracle,
 * through tools/make_whisper_fixtures.py): the Slaney mel filterbanks, and the 80- and 128-bin
 * features of the fixture speech padded to one 30 s window, within 1e-4. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "yuqing/audio.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/mel.h"

static void check_filterbank(const char *model, int n_mels) {
    char rel[128];
    snprintf(rel, sizeof rel, "whisper/%s/mel_filters.bin", model);
    yq_mapped_file ref;
    CHECK(yq_map_file(test_data_path(rel), &ref) == 0);
    CHECK(ref.size == (size_t)YQ_MEL_N_BINS * n_mels * sizeof(float));
    float *got = malloc((size_t)YQ_MEL_N_BINS * n_mels * sizeof *got);
    yq_mel_filterbank(n_mels, got);
    const float *want = (const float *)ref.data;
    double max_err = 0;
    for (int i = 0; i < YQ_MEL_N_BINS * n_mels && ref.data; i++) max_err = fmax(max_err, fabs(got[i] - want[i]));
    printf("filterbank %d: max |diff| %.3g\n", n_mels, max_err);
    CHECKF(max_err < 1e-7, "filterbank differs by %g", max_err);
    free(got);
    yq_unmap_file(&ref);
}

static void check_features(const char *model, const yq_audio *audio) {
    char rel[128];
    snprintf(rel, sizeof rel, "whisper/%s/reference.json", model);
    cJSON *ref = test_load_json(rel);
    snprintf(rel, sizeof rel, "whisper/%s/features.bin", model);
    yq_mapped_file feats;
    CHECK(ref && yq_map_file(test_data_path(rel), &feats) == 0);
    if (!ref) return;
    int n_mels = cJSON_GetObjectItem(ref, "n_mels")->valueint;
    int frames = cJSON_GetObjectItem(ref, "feature_frames")->valueint;
    float pad_value = (float)cJSON_GetObjectItem(ref, "pad_value")->valuedouble;
    CHECK(feats.size == (size_t)n_mels * frames * sizeof(float));
    yq_mel mel;
    int rc = yq_mel_compute(audio->samples, audio->n_samples, YQ_MEL_WINDOW_SAMPLES, n_mels, &mel);
    CHECKF(rc == 0, "%s", yq_last_error());
    CHECK(mel.n_mels == n_mels && mel.n_frames == YQ_MEL_WINDOW_FRAMES);
    const float *want = (const float *)feats.data;
    double max_err = 0;
    for (int m = 0; m < n_mels && !rc; m++)
        for (int64_t t = 0; t < mel.n_frames; t++) {
            float w = t < frames ? want[(size_t)m * frames + t] : pad_value;
            max_err = fmax(max_err, fabs(mel.data[m * mel.n_frames + t] - w));
        }
    printf("%s: %d mel bins, max |diff| %.3g\n", model, n_mels, max_err);
    CHECKF(max_err <= 1e-4, "%s: features differ by %g", model, max_err);
    yq_mel_free(&mel);
    yq_unmap_file(&feats);
    cJSON_Delete(ref);
}

static void check_bad_args(void) {
    float x[10] = {0};
    yq_mel mel;
    CHECK(yq_mel_compute(x, 10, 100, 80, &mel) == YQ_EINVAL);
    CHECK(yq_mel_compute(x, 10, 1000, 0, &mel) == YQ_EINVAL);
    CHECK(yq_mel_compute(x, 10, 4000, 80, &mel) == 0 && mel.n_frames == 25);
    yq_mel_free(&mel);
}

int main(void) {
    check_filterbank("tiny80", 80);
    check_filterbank("v3mel128", 128);
    yq_audio audio;
    int rc = yq_audio_load(test_data_path("whisper/audio/speech_en.wav"), 16000, &audio);
    CHECKF(rc == 0, "%s", yq_last_error());
    if (!rc) {
        check_features("tiny80", &audio);
        check_features("v3mel128", &audio);
        yq_audio_free(&audio);
    }
    check_bad_args();
    return test_summary("test_whisper_mel");
}
