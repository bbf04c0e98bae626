/* Stop strings over a token stream: text is released only once it cannot be the beginning of
 * a stop string, and generation ends at the first complete one (which is never shown). */
#include <stdlib.h>
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/generate.h"

struct yq_stop_matcher {
    char **stops;
    int n_stops;
    char *pending; /* text not yet released */
    size_t len, cap;
    char *out; /* released text of the last call */
    size_t out_cap;
};

int yq_stop_matcher_new(const char *const *stops, int n_stops, yq_stop_matcher **out) {
    yq_stop_matcher *m = calloc(1, sizeof *m);
    if (!m || !(m->stops = calloc((size_t)n_stops + 1, sizeof *m->stops))) {
        free(m);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n_stops; i++) {
        if (!stops[i][0]) continue;
        m->stops[m->n_stops] = strdup(stops[i]);
        if (!m->stops[m->n_stops++]) {
            yq_stop_matcher_free(m);
            return yq_error(YQ_ENOMEM, "out of memory");
        }
    }
    *out = m;
    return YQ_OK;
}

void yq_stop_matcher_free(yq_stop_matcher *m) {
    if (!m) return;
    for (int i = 0; i < m->n_stops; i++) free(m->stops[i]);
    free(m->stops);
    free(m->pending);
    free(m->out);
    free(m);
}

static int grow(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return 1;
    size_t cap2 = need * 2 + 64;
    char *p = realloc(*buf, cap2);
    if (!p) return 0;
    *buf = p;
    *cap = cap2;
    return 1;
}

/* Length of the longest suffix of pending that is a proper prefix of some stop string. */
static size_t held_suffix(const yq_stop_matcher *m) {
    size_t best = 0;
    for (int i = 0; i < m->n_stops; i++) {
        size_t n = strlen(m->stops[i]);
        for (size_t k = n - 1 < m->len ? n - 1 : m->len; k > best; k--)
            if (!memcmp(m->pending + m->len - k, m->stops[i], k)) {
                best = k;
                break;
            }
    }
    return best;
}

/* Moves the first n pending bytes to the output buffer. */
static void release(yq_stop_matcher *m, size_t n, const char **emit, size_t *emit_len) {
    if (!grow(&m->out, &m->out_cap, n + 1)) n = 0;
    memcpy(m->out, m->pending, n);
    memmove(m->pending, m->pending + n, m->len - n);
    m->len -= n;
    *emit = m->out;
    *emit_len = n;
}

int yq_stop_matcher_feed(yq_stop_matcher *m, const char *text, size_t len, const char **emit,
                         size_t *emit_len) {
    if (!grow(&m->pending, &m->cap, m->len + len + 1)) {
        *emit = text;
        *emit_len = len;
        return 0;
    }
    memcpy(m->pending + m->len, text, len);
    m->len += len;
    m->pending[m->len] = '\0';
    size_t first = m->len;
    for (int i = 0; i < m->n_stops; i++) {
        char *hit = memmem(m->pending, m->len, m->stops[i], strlen(m->stops[i]));
        if (hit && (size_t)(hit - m->pending) < first) first = (size_t)(hit - m->pending);
    }
    if (first < m->len) {
        release(m, first, emit, emit_len);
        m->len = 0;
        return 1;
    }
    release(m, m->len - held_suffix(m), emit, emit_len);
    return 0;
}

void yq_stop_matcher_flush(yq_stop_matcher *m, const char **emit, size_t *emit_len) {
    release(m, m->len, emit, emit_len);
}
