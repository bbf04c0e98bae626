/* Whisper's log-mel spectrogram: a Slaney mel filterbank computed here, a reflect-padded STFT
 * through FFTW (one plan, executed on per-task buffers over the thread pool), then log10,
 * the (max - 8) floor and Whisper's (x + 4) / 4 scaling. FFTW is loaded on first use. */
#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/dynlib.h"
#include "yuqing/error.h"
#include "yuqing/mel.h"
#include "yuqing/threads.h"

/* Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above. */
static double hz_to_mel(double hz) {
    const double min_log_hz = 1000.0, min_log_mel = 15.0, logstep = 27.0 / log(6.4);
    return hz < min_log_hz ? 3.0 * hz / 200.0 : min_log_mel + log(hz / min_log_hz) * logstep;
}

static double mel_to_hz(double mel) {
    const double min_log_hz = 1000.0, min_log_mel = 15.0, logstep = log(6.4) / 27.0;
    return mel < min_log_mel ? 200.0 * mel / 3.0 : min_log_hz * exp(logstep * (mel - min_log_mel));
}

void yq_mel_filterbank(int n_mels, float *filters) {
    double *edges = malloc((size_t)(n_mels + 2) * sizeof *edges); /* filter corner frequencies */
    double mel_lo = hz_to_mel(0.0), mel_hi = hz_to_mel(YQ_MEL_SAMPLE_RATE / 2.0);
    for (int i = 0; i < n_mels + 2; i++)
        edges[i] = mel_to_hz(mel_lo + (mel_hi - mel_lo) * i / (n_mels + 1));
    for (int bin = 0; bin < YQ_MEL_N_BINS; bin++) {
        double f = (YQ_MEL_SAMPLE_RATE / 2.0) * bin / (YQ_MEL_N_BINS - 1);
        for (int m = 0; m < n_mels; m++) {
            double down = (f - edges[m]) / (edges[m + 1] - edges[m]);
            double up = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
            double weight = fmax(0.0, fmin(down, up));
            filters[bin * n_mels + m] = (float)(weight * 2.0 / (edges[m + 2] - edges[m]));
        }
    }
    free(edges);
}

/* FFTW's functions used here, from the library loaded on first use (yuqing/dynlib.h). */
#define FFTW_FUNCTIONS(X) X(fftwf_malloc) X(fftwf_free) X(fftwf_plan_dft_r2c_1d) X(fftwf_execute_dft_r2c)
static struct { FFTW_FUNCTIONS(YQ_DYNLIB_POINTER) } fftw;
static yq_dynlib fftw_lib = {.sonames = (const char *const[]){YQ_FFTW_SONAMES, NULL},
                             .names = (const char *const[]){FFTW_FUNCTIONS(YQ_DYNLIB_NAME) NULL},
                             .functions = &fftw};

static fftwf_plan shared_plan;
static pthread_once_t plan_once = PTHREAD_ONCE_INIT;

/* FFTW's planner is not thread-safe; executing one plan on other buffers of the same
 * alignment (fftwf_malloc's) is. */
static void make_plan(void) {
    float *in = fftw.fftwf_malloc(YQ_MEL_N_FFT * sizeof *in);
    fftwf_complex *spec = fftw.fftwf_malloc(YQ_MEL_N_BINS * sizeof *spec);
    if (in && spec) shared_plan = fftw.fftwf_plan_dft_r2c_1d(YQ_MEL_N_FFT, in, spec, FFTW_ESTIMATE);
    fftw.fftwf_free(in);
    fftw.fftwf_free(spec);
}

typedef struct {
    const float *samples;
    int64_t n_samples, padded_len;
    int n_mels;
    const float *filters; /* (N_BINS, n_mels) */
    const float *window;  /* (N_FFT) */
    yq_mel *out;
    int failed;
} mel_job;

/* Sample j of the zero-padded signal, reflected at both ends as torch.stft(center=True). */
static float padded_sample(const mel_job *job, int64_t j) {
    int64_t len = job->padded_len;
    if (j < 0) j = -j;
    if (j >= len) j = 2 * (len - 1) - j;
    return j < job->n_samples ? job->samples[j] : 0.0f;
}

/* log10 of the mel energies of frames [begin, end). */
static void mel_frames(void *ctx, int64_t begin, int64_t end, int thread) {
    mel_job *job = ctx;
    float *in = fftw.fftwf_malloc(YQ_MEL_N_FFT * sizeof *in);
    fftwf_complex *spec = fftw.fftwf_malloc(YQ_MEL_N_BINS * sizeof *spec);
    float power[YQ_MEL_N_BINS];
    if (!in || !spec) job->failed = 1;
    for (int64_t t = begin; t < end && in && spec; t++) {
        int64_t start = t * YQ_MEL_HOP - YQ_MEL_N_FFT / 2;
        for (int n = 0; n < YQ_MEL_N_FFT; n++) in[n] = padded_sample(job, start + n) * job->window[n];
        fftw.fftwf_execute_dft_r2c(shared_plan, in, spec);
        for (int k = 0; k < YQ_MEL_N_BINS; k++) power[k] = spec[k][0] * spec[k][0] + spec[k][1] * spec[k][1];
        for (int m = 0; m < job->n_mels; m++) {
            float sum = 0.0f;
            for (int k = 0; k < YQ_MEL_N_BINS; k++) sum += job->filters[k * job->n_mels + m] * power[k];
            job->out->data[(int64_t)m * job->out->n_frames + t] = log10f(fmaxf(sum, 1e-10f));
        }
    }
    fftw.fftwf_free(in);
    fftw.fftwf_free(spec);
}

static void floor_and_scale(yq_mel *mel) {
    int64_t n = mel->n_frames * mel->n_mels;
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) max = fmaxf(max, mel->data[i]);
    for (int64_t i = 0; i < n; i++) mel->data[i] = (fmaxf(mel->data[i], max - 8.0f) + 4.0f) / 4.0f;
}

int yq_mel_compute(const float *samples, int64_t n_samples, int64_t padded_len, int n_mels, yq_mel *out) {
    memset(out, 0, sizeof *out);
    if (n_mels <= 0 || padded_len < YQ_MEL_N_FFT)
        return yq_error(YQ_EINVAL, "log-mel: %d mel bins over %lld samples", n_mels, (long long)padded_len);
    int rc = yq_dynlib_load(&fftw_lib);
    if (rc) return rc;
    pthread_once(&plan_once, make_plan);
    float window[YQ_MEL_N_FFT];
    for (int n = 0; n < YQ_MEL_N_FFT; n++) window[n] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * n / YQ_MEL_N_FFT));
    float *filters = malloc((size_t)YQ_MEL_N_BINS * (size_t)n_mels * sizeof *filters);
    out->n_mels = n_mels;
    out->n_frames = padded_len / YQ_MEL_HOP;
    out->data = malloc((size_t)out->n_frames * (size_t)n_mels * sizeof *out->data);
    if (!shared_plan || !filters || !out->data) {
        free(filters);
        yq_mel_free(out);
        return yq_error(YQ_ENOMEM, "log-mel: out of memory");
    }
    yq_mel_filterbank(n_mels, filters);
    mel_job job = {samples, n_samples < padded_len ? n_samples : padded_len, padded_len, n_mels,
                   filters, window, out, 0};
    yq_parallel_for(out->n_frames, mel_frames, &job);
    free(filters);
    if (job.failed) {
        yq_mel_free(out);
        return yq_error(YQ_ENOMEM, "log-mel: out of memory");
    }
    floor_and_scale(out);
    return YQ_OK;
}

void yq_mel_free(yq_mel *mel) {
    free(mel->data);
    mel->data = NULL;
}
