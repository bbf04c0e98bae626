/* Shared libraries loaded on first use (dlopen) instead of at program start, for those only some
 * commands need: FFmpeg's (audio decoding), FFTW (log-mel), OpenCC (folding). Loaded at start,
 * their code and data pages and the libraries they pull in would be resident in every process,
 * a crawl included. The SONAMEs come from the build (CMakeLists.txt reads them from the libraries
 * linked against), so that a library of another ABI version is never picked up.
 *
 * A module lists its functions once, X(name) each, and gets a struct of typed pointers:
 *     #define FFTW_FUNCTIONS(X) X(fftwf_malloc) X(fftwf_free)
 *     static struct { FFTW_FUNCTIONS(YQ_DYNLIB_POINTER) } fftw;
 *     static yq_dynlib fftw_lib = {.sonames = (const char *const[]){YQ_FFTW_SONAMES, NULL},
 *                                  .names = (const char *const[]){FFTW_FUNCTIONS(YQ_DYNLIB_NAME) NULL},
 *                                  .functions = &fftw};
 *     if (yq_dynlib_load(&fftw_lib)) return ...;   then   fftw.fftwf_malloc(n) */
#ifndef YUQING_DYNLIB_H
#define YUQING_DYNLIB_H

/* A member of the struct of pointers: the function's own declared type. */
#define YQ_DYNLIB_POINTER(name) __typeof__(name) *name;
/* An element of the list of names, in the same order. */
#define YQ_DYNLIB_NAME(name) #name,

typedef struct yq_dynlib {
    const char *const *sonames; /* NULL-terminated: the libraries to open */
    const char *const *names;   /* NULL-terminated: the functions, in the order of the pointers */
    void *functions;            /* the struct of function pointers (one per name) to fill */
    int state;                  /* 0: not tried yet, 1: loaded, -1: failed (see error) */
    char error[256];
} yq_dynlib;

/* Opens the libraries and fills the pointers on the first call (thread-safe; the libraries stay
 * loaded), and says how that went on every call: 0, or YQ_EUNSUPPORTED with the error set,
 * naming the library that could not be loaded or the function it lacks. */
int yq_dynlib_load(yq_dynlib *lib);

#endif
