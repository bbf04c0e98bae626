/* Audio decoding (src/asr/audio.c) on the fixtures of tools/make_audio_fixtures.sh: the 16-bit
 * WAV decodes to its own PCM samples / 32768 (read here independently), FLAC to the very same
 * samples, lossy encodings (MP3, Opus in Ogg, AAC in MP4, Vorbis in Matroska) to within 20 dB
 * SNR of the source after resampling, standard-input style memory input to the same samples;
 * truncated, corrupt and missing files give clear errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/audio.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"

/* The s16 samples of a canonical RIFF/WAVE file's "data" chunk, as floats / 32768. */
static float *wav_pcm(const char *path, int64_t *n) {
    char *bytes;
    size_t size;
    if (yq_read_file(path, &bytes, &size)) return NULL;
    float *out = NULL;
    for (size_t pos = 12; pos + 8 <= size;) {
        uint32_t len = (uint8_t)bytes[pos + 4] | (uint8_t)bytes[pos + 5] << 8 | (uint8_t)bytes[pos + 6] << 16 |
                       (uint32_t)(uint8_t)bytes[pos + 7] << 24;
        if (!memcmp(bytes + pos, "data", 4)) {
            *n = len / 2;
            out = malloc((size_t)*n * sizeof *out);
            for (int64_t i = 0; i < *n; i++) {
                int16_t s = (int16_t)((uint8_t)bytes[pos + 8 + 2 * i] | (uint8_t)bytes[pos + 9 + 2 * i] << 8);
                out[i] = s / 32768.0f;
            }
            break;
        }
        pos += 8 + len + (len & 1);
    }
    free(bytes);
    return out;
}

/* SNR in dB of `got` against `ref` over their common length, at the best lag in [-max_lag, max_lag]
 * (codecs may shift the signal by a few samples). */
static double snr_db(const yq_audio *ref, const yq_audio *got, int max_lag) {
    double best = -INFINITY;
    for (int lag = -max_lag; lag <= max_lag; lag++) {
        double sig = 0, err = 0;
        for (int64_t i = 0; i < ref->n_samples; i++) {
            int64_t j = i + lag;
            if (j < 0 || j >= got->n_samples) continue;
            sig += (double)ref->samples[i] * ref->samples[i];
            double d = (double)got->samples[j] - ref->samples[i];
            err += d * d;
        }
        double snr = 10.0 * log10(sig / (err + 1e-30));
        if (snr > best) best = snr;
    }
    return best;
}

static void check_lossless(const yq_audio *wav) {
    int64_t n = 0;
    float *pcm = wav_pcm(test_data_path("whisper/audio/speech_en.wav"), &n);
    CHECK(pcm && n == wav->n_samples);
    for (int64_t i = 0; pcm && i < n && i < wav->n_samples; i++)
        if (pcm[i] != wav->samples[i]) {
            CHECKF(0, "wav sample %lld: %g vs PCM %g", (long long)i, wav->samples[i], pcm[i]);
            break;
        }
    free(pcm);
    yq_audio flac;
    CHECK(yq_audio_load(test_data_path("whisper/audio/speech_en.flac"), 16000, &flac) == 0);
    CHECK(flac.n_samples == wav->n_samples);
    CHECK(flac.n_samples == wav->n_samples &&
          !memcmp(flac.samples, wav->samples, (size_t)flac.n_samples * sizeof *flac.samples));
    yq_audio_free(&flac);
}

static void check_lossy(const yq_audio *wav) {
    static const char *const files[] = {"speech_en.mp3", "speech_en.opus.ogg", "speech_en.m4a", "speech_en.mkv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "whisper/audio/%s", files[i]);
        yq_audio got;
        int rc = yq_audio_load(test_data_path(rel), 16000, &got);
        CHECKF(rc == 0, "%s: %s", files[i], yq_last_error());
        if (rc) continue;
        double snr = snr_db(wav, &got, 64);
        double seconds = (double)got.n_samples / 16000.0;
        printf("%-20s %6lld samples (%.3f s)  SNR %.1f dB\n", files[i], (long long)got.n_samples, seconds, snr);
        CHECKF(snr >= 20.0, "%s: SNR %.1f dB < 20 dB", files[i], snr);
        CHECKF(fabs(seconds - wav->n_samples / 16000.0) < 0.1, "%s: %.3f s", files[i], seconds);
        yq_audio_free(&got);
    }
}

static void check_memory_input(const yq_audio *wav) {
    char *bytes;
    size_t size;
    CHECK(yq_read_file(test_data_path("whisper/audio/speech_en.flac"), &bytes, &size) == 0);
    yq_audio got;
    CHECK(yq_audio_load_memory(bytes, size, "memory", 16000, &got) == 0);
    CHECK(got.n_samples == wav->n_samples &&
          !memcmp(got.samples, wav->samples, (size_t)got.n_samples * sizeof *got.samples));
    yq_audio_free(&got);
    free(bytes);
}

static void check_error(const char *rel, int expected, const char *needle) {
    yq_audio got;
    int rc = yq_audio_load(test_data_path(rel), 16000, &got);
    CHECKF(rc == expected, "%s: rc %d (%s)", rel, rc, yq_last_error());
    CHECKF(strstr(yq_last_error(), needle) != NULL, "%s: message '%s'", rel, yq_last_error());
    CHECK(got.samples == NULL);
}

int main(void) {
    yq_audio wav;
    int rc = yq_audio_load(test_data_path("whisper/audio/speech_en.wav"), 16000, &wav);
    CHECKF(rc == 0, "wav: %s", yq_last_error());
    if (rc) return test_summary("test_whisper_audio");
    check_lossless(&wav);
    check_lossy(&wav);
    check_memory_input(&wav);
    check_error("whisper/audio/truncated.m4a", YQ_EFORMAT, "truncated.m4a");
    check_error("whisper/audio/corrupt.m4a", YQ_EFORMAT, "corrupt.m4a");
    check_error("whisper/audio/missing.wav", YQ_ENOENT, "missing.wav");
    check_error("whisper/tiny80/config.json", YQ_EFORMAT, "config.json");
    yq_audio_free(&wav);
    return test_summary("test_whisper_audio");
}
