/* FFmpeg's libraries (libavformat, libavcodec, libswresample, libavutil), loaded on first use
 * instead of at program start: they and the hundred codec libraries they depend on cost a
 * process about 16 MB of resident memory, which every command but audio decoding would pay. */
#ifndef YQ_ASR_LIBAV_H
#define YQ_ASR_LIBAV_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>

/* The functions used, each with the library that defines it. */
#define YQ_LIBAV_FUNCTIONS(X)                                                                                \
    X(AVUTIL, av_strerror)                                                                                   \
    X(AVUTIL, av_log_set_level)                                                                              \
    X(AVUTIL, av_malloc)                                                                                     \
    X(AVUTIL, av_free)                                                                                       \
    X(AVUTIL, av_freep)                                                                                      \
    X(AVUTIL, av_frame_alloc)                                                                                \
    X(AVUTIL, av_frame_unref)                                                                                \
    X(AVUTIL, av_frame_free)                                                                                 \
    X(AVUTIL, av_channel_layout_default)                                                                     \
    X(AVUTIL, av_channel_layout_copy)                                                                        \
    X(AVUTIL, av_channel_layout_uninit)                                                                      \
    X(SWRESAMPLE, swr_alloc_set_opts2)                                                                       \
    X(SWRESAMPLE, swr_init)                                                                                  \
    X(SWRESAMPLE, swr_get_out_samples)                                                                       \
    X(SWRESAMPLE, swr_convert)                                                                               \
    X(SWRESAMPLE, swr_free)                                                                                  \
    X(AVCODEC, av_packet_alloc)                                                                              \
    X(AVCODEC, av_packet_unref)                                                                              \
    X(AVCODEC, av_packet_free)                                                                               \
    X(AVCODEC, avcodec_alloc_context3)                                                                       \
    X(AVCODEC, avcodec_parameters_to_context)                                                                \
    X(AVCODEC, avcodec_open2)                                                                                \
    X(AVCODEC, avcodec_send_packet)                                                                          \
    X(AVCODEC, avcodec_receive_frame)                                                                        \
    X(AVCODEC, avcodec_free_context)                                                                         \
    X(AVFORMAT, avformat_alloc_context)                                                                      \
    X(AVFORMAT, avformat_open_input)                                                                         \
    X(AVFORMAT, avformat_find_stream_info)                                                                   \
    X(AVFORMAT, avformat_close_input)                                                                        \
    X(AVFORMAT, av_find_best_stream)                                                                         \
    X(AVFORMAT, av_read_frame)                                                                               \
    X(AVFORMAT, avio_alloc_context)                                                                          \
    X(AVFORMAT, avio_context_free)

/* Pointers to those functions, typed from FFmpeg's own declarations. */
typedef struct yq_libav {
#define YQ_LIBAV_POINTER(lib, name) __typeof__(name) *name;
    YQ_LIBAV_FUNCTIONS(YQ_LIBAV_POINTER)
#undef YQ_LIBAV_POINTER
} yq_libav;

/* Loads the libraries of the major versions compiled against (once per process, thread-safe;
 * they stay loaded) and returns the table, or NULL with the error set (YQ_EUNSUPPORTED, naming
 * the library or symbol that is missing). */
const yq_libav *yq_libav_get(void);

#endif
