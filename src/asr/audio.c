/* Audio decoding through FFmpeg's libraries: demux (libavformat), decode (libavcodec), mix
 * down and resample to mono float (libswresample). Standard input is read into memory and
 * served through a seekable AVIOContext. The libraries are loaded on the first decode. */
#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yuqing/audio.h"
#include "yuqing/dynlib.h"
#include "yuqing/error.h"
#include "yuqing/log.h"

/* FFmpeg's functions used here, from the libraries loaded on first use (yuqing/dynlib.h). */
/* clang-format off */
#define FFMPEG_FUNCTIONS(X)                                                                              \
    X(av_strerror) X(av_log_set_level) X(av_malloc) X(av_free) X(av_freep) X(av_frame_alloc)             \
    X(av_frame_unref) X(av_frame_free) X(av_channel_layout_default) X(av_channel_layout_copy)            \
    X(av_channel_layout_uninit)                                                                          \
    X(swr_alloc_set_opts2) X(swr_init) X(swr_get_out_samples) X(swr_convert) X(swr_free)                 \
    X(av_packet_alloc) X(av_packet_unref) X(av_packet_free) X(avcodec_alloc_context3)                    \
    X(avcodec_parameters_to_context) X(avcodec_open2) X(avcodec_send_packet) X(avcodec_receive_frame)    \
    X(avcodec_free_context)                                                                              \
    X(avformat_alloc_context) X(avformat_open_input) X(avformat_find_stream_info)                        \
    X(avformat_close_input) X(av_find_best_stream) X(av_read_frame) X(avio_alloc_context)                \
    X(avio_context_free)
/* clang-format on */
static struct { FFMPEG_FUNCTIONS(YQ_DYNLIB_POINTER) } av;
static yq_dynlib av_lib = {.sonames = (const char *const[]){YQ_LIBAV_SONAMES, NULL},
                           .names = (const char *const[]){FFMPEG_FUNCTIONS(YQ_DYNLIB_NAME) NULL},
                           .functions = &av};

enum { AVIO_BUFFER = 1 << 16 };

/* A growing sample buffer. */
typedef struct {
    float *data;
    int64_t n, cap;
} sample_buf;

static int reserve(sample_buf *b, int64_t extra) {
    if (b->n + extra <= b->cap) return YQ_OK;
    int64_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->n + extra) cap *= 2;
    float *grown = realloc(b->data, (size_t)cap * sizeof *grown);
    if (!grown) return yq_error(YQ_ENOMEM, "audio: out of memory");
    b->data = grown;
    b->cap = cap;
    return YQ_OK;
}

typedef struct {
    const char *name;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    SwrContext *swr;
    AVFrame *frame;
    AVPacket *packet;
    int stream, sample_rate, bad_packets;
    sample_buf out;
} decoder;

static int av_fail(int code, const char *name, const char *what, int averr) {
    char msg[AV_ERROR_MAX_STRING_SIZE] = "";
    av.av_strerror(averr, msg, sizeof msg);
    return yq_error(code, "%s: %s (%s)", name, what, msg);
}

/* Converts `frame` (NULL: flush the resampler) and appends the samples. */
static int append_samples(decoder *d, const AVFrame *frame) {
    int in = frame ? frame->nb_samples : 0;
    int cap = av.swr_get_out_samples(d->swr, in);
    if (cap < 0) return av_fail(YQ_EFORMAT, d->name, "cannot resample", cap);
    int rc = reserve(&d->out, cap);
    if (rc) return rc;
    uint8_t *dst = (uint8_t *)(d->out.data + d->out.n);
    int got = av.swr_convert(d->swr, &dst, cap, frame ? (const uint8_t **)frame->extended_data : NULL, in);
    if (got < 0) return av_fail(YQ_EFORMAT, d->name, "cannot resample", got);
    d->out.n += got;
    return YQ_OK;
}

static int open_resampler(decoder *d) {
    AVChannelLayout in_layout, mono = AV_CHANNEL_LAYOUT_MONO;
    if (d->dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || d->dec->ch_layout.nb_channels == 0)
        av.av_channel_layout_default(&in_layout,
                                     d->dec->ch_layout.nb_channels > 0 ? d->dec->ch_layout.nb_channels : 1);
    else if (av.av_channel_layout_copy(&in_layout, &d->dec->ch_layout) < 0)
        return yq_error(YQ_ENOMEM, "audio: out of memory");
    int rc = av.swr_alloc_set_opts2(&d->swr, &mono, AV_SAMPLE_FMT_FLT, d->sample_rate, &in_layout,
                                    d->dec->sample_fmt, d->dec->sample_rate, 0, NULL);
    av.av_channel_layout_uninit(&in_layout);
    if (rc >= 0) rc = av.swr_init(d->swr);
    return rc < 0 ? av_fail(YQ_EUNSUPPORTED, d->name, "cannot convert its samples", rc) : YQ_OK;
}

static int open_decoder(decoder *d) {
    int rc = av.avformat_find_stream_info(d->fmt, NULL);
    if (rc < 0) return av_fail(YQ_EFORMAT, d->name, "cannot read the streams", rc);
    const AVCodec *codec = NULL;
    d->stream = av.av_find_best_stream(d->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (d->stream == AVERROR_STREAM_NOT_FOUND) return yq_error(YQ_EFORMAT, "%s: no audio stream", d->name);
    if (d->stream < 0 || !codec) return yq_error(YQ_EUNSUPPORTED, "%s: no decoder for its audio codec", d->name);
    d->dec = av.avcodec_alloc_context3(codec);
    if (!d->dec) return yq_error(YQ_ENOMEM, "audio: out of memory");
    rc = av.avcodec_parameters_to_context(d->dec, d->fmt->streams[d->stream]->codecpar);
    if (rc >= 0) rc = av.avcodec_open2(d->dec, codec, NULL);
    if (rc < 0) return av_fail(YQ_EUNSUPPORTED, d->name, "cannot open the audio decoder", rc);
    if (d->dec->sample_rate <= 0) return yq_error(YQ_EFORMAT, "%s: audio stream without a sample rate", d->name);
    return open_resampler(d);
}

/* Receives every frame the decoder has ready. */
static int drain_frames(decoder *d) {
    for (;;) {
        int rc = av.avcodec_receive_frame(d->dec, d->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return YQ_OK;
        if (rc < 0) {
            d->bad_packets++;
            return YQ_OK;
        }
        rc = append_samples(d, d->frame);
        av.av_frame_unref(d->frame);
        if (rc) return rc;
    }
}

static int decode_all(decoder *d) {
    d->frame = av.av_frame_alloc();
    d->packet = av.av_packet_alloc();
    if (!d->frame || !d->packet) return yq_error(YQ_ENOMEM, "audio: out of memory");
    int rc, read;
    while ((read = av.av_read_frame(d->fmt, d->packet)) >= 0) {
        if (d->packet->stream_index == d->stream && av.avcodec_send_packet(d->dec, d->packet) < 0)
            d->bad_packets++;
        av.av_packet_unref(d->packet);
        if ((rc = drain_frames(d))) return rc;
    }
    if (read != AVERROR_EOF && d->out.n == 0)
        return av_fail(YQ_EFORMAT, d->name, "cannot read the media data", read);
    if (read != AVERROR_EOF) yq_warn("%s: media data ends early (truncated?); using what was decoded", d->name);
    av.avcodec_send_packet(d->dec, NULL);
    if ((rc = drain_frames(d))) return rc;
    if ((rc = append_samples(d, NULL))) return rc;
    if (d->bad_packets) yq_warn("%s: %d audio packets could not be decoded and were skipped", d->name, d->bad_packets);
    if (d->out.n == 0) return yq_error(YQ_EFORMAT, "%s: no audio could be decoded", d->name);
    return YQ_OK;
}

static void decoder_close(decoder *d) {
    av.av_frame_free(&d->frame);
    av.av_packet_free(&d->packet);
    av.swr_free(&d->swr);
    av.avcodec_free_context(&d->dec);
    av.avformat_close_input(&d->fmt);
}

/* Runs the decoder on an opened format context (closed here) and fills `out`. */
static int decode_opened(AVFormatContext *fmt, const char *name, int sample_rate, yq_audio *out) {
    decoder d = {.name = name, .fmt = fmt, .sample_rate = sample_rate};
    int rc = open_decoder(&d);
    if (!rc) rc = decode_all(&d);
    decoder_close(&d);
    if (rc) {
        free(d.out.data);
        return rc;
    }
    *out = (yq_audio){d.out.data, d.out.n, sample_rate};
    return YQ_OK;
}

typedef struct {
    const uint8_t *data;
    size_t size, pos;
} memory_source;

static int memory_read(void *opaque, uint8_t *buf, int n) {
    memory_source *m = opaque;
    size_t left = m->size - m->pos;
    if (left == 0) return AVERROR_EOF;
    if ((size_t)n > left) n = (int)left;
    memcpy(buf, m->data + m->pos, (size_t)n);
    m->pos += (size_t)n;
    return n;
}

static int64_t memory_seek(void *opaque, int64_t offset, int whence) {
    memory_source *m = opaque;
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE) return (int64_t)m->size;
    int64_t base = whence == SEEK_CUR ? (int64_t)m->pos : whence == SEEK_END ? (int64_t)m->size : 0;
    if (base + offset < 0 || base + offset > (int64_t)m->size) return AVERROR(EINVAL);
    m->pos = (size_t)(base + offset);
    return (int64_t)m->pos;
}

int yq_audio_load_memory(const void *data, size_t size, const char *name, int sample_rate, yq_audio *out) {
    memset(out, 0, sizeof *out);
    int rc = yq_dynlib_load(&av_lib);
    if (rc) return rc;
    av.av_log_set_level(AV_LOG_FATAL);
    memory_source src = {data, size, 0};
    uint8_t *buffer = av.av_malloc(AVIO_BUFFER);
    AVIOContext *io =
        buffer ? av.avio_alloc_context(buffer, AVIO_BUFFER, 0, &src, memory_read, NULL, memory_seek) : NULL;
    AVFormatContext *fmt = io ? av.avformat_alloc_context() : NULL;
    if (!fmt) {
        if (io)
            av.av_freep(&io->buffer);
        else
            av.av_free(buffer);
        av.avio_context_free(&io);
        return yq_error(YQ_ENOMEM, "audio: out of memory");
    }
    fmt->pb = io;
    rc = av.avformat_open_input(&fmt, NULL, NULL, NULL);
    if (rc < 0)
        rc = av_fail(YQ_EFORMAT, name, "not a media file that can be read", rc);
    else
        rc = decode_opened(fmt, name, sample_rate, out);
    av.av_freep(&io->buffer);
    av.avio_context_free(&io);
    return rc;
}

static int read_stdin(uint8_t **data, size_t *size) {
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) return yq_error(YQ_ENOMEM, "audio: out of memory");
        ssize_t got = read(STDIN_FILENO, buf + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            free(buf);
            return yq_error(YQ_EIO, "standard input: %s", strerror(errno));
        }
        if (got == 0) break;
        n += (size_t)got;
        if (n == cap) {
            uint8_t *grown = realloc(buf, cap *= 2);
            if (!grown) free(buf);
            buf = grown;
        }
    }
    *data = buf;
    *size = n;
    return YQ_OK;
}

int yq_audio_load(const char *path, int sample_rate, yq_audio *out) {
    memset(out, 0, sizeof *out);
    int rc = yq_dynlib_load(&av_lib);
    if (rc) return rc;
    av.av_log_set_level(AV_LOG_FATAL);
    if (sample_rate <= 0) return yq_error(YQ_EINVAL, "audio: sample rate %d", sample_rate);
    if (!strcmp(path, "-")) {
        uint8_t *data = NULL;
        size_t size = 0;
        rc = read_stdin(&data, &size);
        if (rc) return rc;
        rc = size ? yq_audio_load_memory(data, size, "standard input", sample_rate, out)
                  : yq_error(YQ_EFORMAT, "standard input: empty");
        free(data);
        return rc;
    }
    if (access(path, R_OK) != 0)
        return yq_error(errno == ENOENT ? YQ_ENOENT : YQ_EIO, "%s: %s", path, strerror(errno));
    AVFormatContext *fmt = NULL;
    rc = av.avformat_open_input(&fmt, path, NULL, NULL);
    if (rc < 0) return av_fail(YQ_EFORMAT, path, "not a media file that can be read", rc);
    return decode_opened(fmt, path, sample_rate, out);
}

void yq_audio_free(yq_audio *audio) {
    free(audio->samples);
    audio->samples = NULL;
    audio->n_samples = 0;
}
