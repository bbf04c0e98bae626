/* Audio input for speech recognition: any audio or video file FFmpeg's libraries read (wav,
 * flac, mp3, m4a/aac, ogg/opus, mp4, webm, mkv, ...) decoded, mixed down to mono and resampled
 * to float samples at a given rate. */
#ifndef YUQING_AUDIO_H
#define YUQING_AUDIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct yq_audio {
    float *samples; /* (n_samples) mono, nominally in [-1, 1] */
    int64_t n_samples;
    int sample_rate;
} yq_audio;

/* Decodes the best audio stream of the file at `path` ("-" reads all of standard input first,
 * so that formats needing to seek work from a pipe too) into mono float samples at
 * `sample_rate` Hz, through libavformat, libavcodec and libswresample (the resampler FFmpeg's
 * command uses by default). Packets that fail to decode are skipped with a warning. Errors name
 * the file: YQ_ENOENT (no such file), YQ_EFORMAT (not a readable media file, truncated,
 * no audio stream, nothing decodable), YQ_EUNSUPPORTED (no decoder for the codec), YQ_EIO,
 * YQ_ENOMEM. out->samples is malloc'd: free with yq_audio_free. */
int yq_audio_load(const char *path, int sample_rate, yq_audio *out);

/* The same for a whole file already in memory (borrowed for the call); `name` is used in
 * messages. */
int yq_audio_load_memory(const void *data, size_t size, const char *name, int sample_rate, yq_audio *out);

void yq_audio_free(yq_audio *audio);

#endif
