/* Folding for matching and fingerprints: Traditional to Simplified one character at a time (a
 * table built once from OpenCC's t2s configuration) and ASCII lower case, with an offset map back
 * to the original text. OpenCC is loaded on first use. */
#include <opencc/opencc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/text_internal.h"
#include "yuqing/dynlib.h"
#include "yuqing/error.h"
#include "yuqing/textproc.h"

/* OpenCC's functions used here, from the library loaded on first use (yuqing/dynlib.h). */
#define OPENCC_FUNCTIONS(X)                                                                                  \
    X(opencc_open) X(opencc_close) X(opencc_convert_utf8) X(opencc_convert_utf8_free) X(opencc_error)
static struct { OPENCC_FUNCTIONS(YQ_DYNLIB_POINTER) } opencc;
static yq_dynlib opencc_lib = {.sonames = (const char *const[]){YQ_OPENCC_SONAMES, NULL},
                               .names = (const char *const[]){OPENCC_FUNCTIONS(YQ_DYNLIB_NAME) NULL},
                               .functions = &opencc};

/* t2s[cp] is the Simplified form of BMP code point cp, or 0 when it has none of its own. */
static uint16_t *t2s;
static int fold_status = YQ_EIO;
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

/* The BMP blocks that hold Traditional characters OpenCC converts. */
static const unsigned cjk_blocks[][2] = {{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}};

/* Converts every character of the blocks in one OpenCC call, one character per line (so that no
 * phrase spans two), and keeps the one-to-one results. */
static int build_table(opencc_t t2s_cc) {
    size_t n_chars = 0;
    for (size_t b = 0; b < sizeof cjk_blocks / sizeof cjk_blocks[0]; b++)
        n_chars += cjk_blocks[b][1] - cjk_blocks[b][0] + 1;
    char *lines = malloc(n_chars * 4 + 1);
    t2s = calloc(0x10000, sizeof *t2s);
    if (!lines || !t2s) {
        free(lines);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    size_t n = 0;
    for (size_t b = 0; b < sizeof cjk_blocks / sizeof cjk_blocks[0]; b++)
        for (unsigned cp = cjk_blocks[b][0]; cp <= cjk_blocks[b][1]; cp++) {
            n += (size_t)utf8_put(lines + n, cp);
            lines[n++] = '\n';
        }
    char *converted = opencc.opencc_convert_utf8(t2s_cc, lines, n);
    free(lines);
    if (!converted) return yq_error(YQ_EIO, "OpenCC t2s conversion failed: %s", opencc.opencc_error());
    const char *p = converted, *end = converted + strlen(converted);
    for (size_t b = 0; b < sizeof cjk_blocks / sizeof cjk_blocks[0]; b++)
        for (unsigned cp = cjk_blocks[b][0]; cp <= cjk_blocks[b][1] && p < end; cp++) {
            const char *eol = memchr(p, '\n', (size_t)(end - p));
            if (!eol) eol = end;
            const char *q = p;
            unsigned simplified = utf8_take(&q, eol);
            if (q == eol && simplified != cp && simplified < 0x10000) t2s[cp] = (uint16_t)simplified;
            p = eol + 1;
        }
    opencc.opencc_convert_utf8_free(converted);
    return YQ_OK;
}

static void fold_setup(void) {
    if ((fold_status = yq_dynlib_load(&opencc_lib))) return;
    opencc_t t2s_cc = opencc.opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
    if (t2s_cc == (opencc_t)-1) {
        fold_status =
            yq_error(YQ_EIO, "cannot load OpenCC's t2s.json (libopencc data): %s", opencc.opencc_error());
        return;
    }
    fold_status = build_table(t2s_cc);
    opencc.opencc_close(t2s_cc);
}

int yq_fold_init(void) {
    pthread_once(&fold_once, fold_setup);
    if (fold_status) return yq_error(fold_status, "cannot load OpenCC's t2s.json (libopencc data)");
    return YQ_OK;
}

size_t yq_fold_text(const char *text, size_t len, char *out, int32_t *map) {
    const char *p = text, *end = text + len;
    size_t n = 0;
    while (p < end) {
        int32_t at = (int32_t)(p - text);
        unsigned cp = utf8_take(&p, end);
        if (cp >= 'A' && cp <= 'Z')
            cp += 32;
        else if (cp < 0x10000 && t2s && t2s[cp])
            cp = t2s[cp];
        int k = utf8_put(out + n, cp);
        if (map)
            for (int i = 0; i < k; i++)
                map[n + (size_t)i] = at;
        n += (size_t)k;
    }
    out[n] = '\0';
    if (map) map[n] = (int32_t)len;
    return n;
}

/* OpenCC's s2t converter for search queries, opened on first use; conversions take the lock. */
static opencc_t s2t = (opencc_t)-1;
static pthread_once_t s2t_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t s2t_lock = PTHREAD_MUTEX_INITIALIZER;

static void open_s2t(void) {
    if (yq_dynlib_load(&opencc_lib) == 0) s2t = opencc.opencc_open(OPENCC_DEFAULT_CONFIG_SIMP_TO_TRAD);
}

char *yq_to_traditional(const char *text, size_t len) {
    pthread_once(&s2t_once, open_s2t);
    if (s2t == (opencc_t)-1) return NULL;
    pthread_mutex_lock(&s2t_lock);
    char *converted = opencc.opencc_convert_utf8(s2t, text, len);
    pthread_mutex_unlock(&s2t_lock);
    char *copy = converted ? strdup(converted) : NULL;
    opencc.opencc_convert_utf8_free(converted);
    return copy;
}
