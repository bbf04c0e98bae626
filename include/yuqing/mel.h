/* Whisper's log-mel spectrogram: 16 kHz samples to (n_mels, n_frames) features, computed exactly
 * as openai-whisper and Hugging Face's WhisperFeatureExtractor do. */
#ifndef YUQING_MEL_H
#define YUQING_MEL_H

#include <stdint.h>

enum {
    YQ_MEL_SAMPLE_RATE = 16000,
    YQ_MEL_N_FFT = 400,
    YQ_MEL_HOP = 160,
    YQ_MEL_N_BINS = YQ_MEL_N_FFT / 2 + 1,             /* 201 frequency bins */
    YQ_MEL_WINDOW_SAMPLES = 30 * YQ_MEL_SAMPLE_RATE,  /* one 30 s window: 480000 samples */
    YQ_MEL_WINDOW_FRAMES = YQ_MEL_WINDOW_SAMPLES / YQ_MEL_HOP /* 3000 frames */
};

/* Features, row-major (n_mels, n_frames): data[m * n_frames + t]. */
typedef struct yq_mel {
    int n_mels;
    int64_t n_frames;
    float *data;
} yq_mel;

/* Whisper's mel filterbank as librosa.filters.mel(sr=16000, n_fft=400, n_mels, htk=False,
 * norm="slaney") builds it: triangles on the Slaney mel scale from 0 to 8000 Hz, each scaled
 * to unit area. Writes (YQ_MEL_N_BINS, n_mels) floats, row-major, into `filters`. */
void yq_mel_filterbank(int n_mels, float *filters);

/* The log-mel spectrogram of `samples` followed by zeros up to `padded_len` samples (padded_len
 * below n_samples trims): reflect-padded STFT (periodic Hann window of 400, hop 160), power
 * spectrum, mel filterbank, log10 clamped at 1e-10, floored at (max - 8), then (x + 4) / 4.
 * n_frames = padded_len / 160. One 30 s window as WhisperFeatureExtractor computes it is
 * padded_len = YQ_MEL_WINDOW_SAMPLES; openai-whisper's long-form input is n_samples + that.
 * Runs the frames over the thread pool. out->data is malloc'd: free with yq_mel_free. Errors:
 * YQ_EINVAL (n_mels not positive, padded_len < 400), YQ_ENOMEM. */
int yq_mel_compute(const float *samples, int64_t n_samples, int64_t padded_len, int n_mels, yq_mel *out);
void yq_mel_free(yq_mel *mel);

#endif
