/* Loads FFmpeg's libraries with dlopen on the first audio decode and fills the function table
 * of libav.h. The SONAMEs come from the major versions in the headers compiled against, so a
 * library of another ABI is never picked up. */
#include "libav.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "yuqing/error.h"

enum { LIB_AVUTIL, LIB_SWRESAMPLE, LIB_AVCODEC, LIB_AVFORMAT, N_LIBS };

/* In dependency order, so that each dlopen finds the ones before it already loaded. */
static const char *const sonames[N_LIBS] = {
    [LIB_AVUTIL] = "libavutil.so." AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR),
    [LIB_SWRESAMPLE] = "libswresample.so." AV_STRINGIFY(LIBSWRESAMPLE_VERSION_MAJOR),
    [LIB_AVCODEC] = "libavcodec.so." AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR),
    [LIB_AVFORMAT] = "libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR),
};

static yq_libav table;
static char load_error[512]; /* empty when loaded */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void *find(void *const handles[N_LIBS], int lib, const char *name) {
    void *fn = dlsym(handles[lib], name);
    if (!fn && !load_error[0]) snprintf(load_error, sizeof load_error, "%s has no %s", sonames[lib], name);
    return fn;
}

static void load(void) {
    void *handles[N_LIBS];
    for (int lib = 0; lib < N_LIBS; lib++) {
        handles[lib] = dlopen(sonames[lib], RTLD_NOW | RTLD_LOCAL);
        if (!handles[lib]) {
            snprintf(load_error, sizeof load_error, "cannot load FFmpeg's %s: %s", sonames[lib], dlerror());
            return;
        }
    }
    /* POSIX guarantees that dlsym's void * converts to the function's pointer type. */
#define YQ_LIBAV_FIND(lib, name) table.name = (__typeof__(table.name))find(handles, LIB_##lib, #name);
    YQ_LIBAV_FUNCTIONS(YQ_LIBAV_FIND)
}

const yq_libav *yq_libav_get(void) {
    pthread_once(&load_once, load);
    if (load_error[0]) {
        yq_error(YQ_EUNSUPPORTED, "audio: %s", load_error);
        return NULL;
    }
    return &table;
}
