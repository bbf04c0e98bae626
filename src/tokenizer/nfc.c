/* NFC normalization (UAX #15): full canonical decomposition, canonical ordering, then canonical
 * composition, over the generated tables in unicode_data.c; Hangul syllables algorithmically. */
#include <stdlib.h>

#include "tokenizer/unicode.h"
#include "yuqing/error.h"

enum {
    S_BASE = 0xAC00,
    L_BASE = 0x1100,
    V_BASE = 0x1161,
    T_BASE = 0x11A7,
    L_COUNT = 19,
    V_COUNT = 21,
    T_COUNT = 28,
    N_COUNT = V_COUNT * T_COUNT,
    S_COUNT = L_COUNT * N_COUNT
};

static uint8_t ccc(uint32_t cp) {
    size_t lo = 0, hi = yq_uc_ccc_runs_len; /* last run starting at or before cp */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (yq_uc_ccc_runs[mid] >> 8 <= cp)
            lo = mid;
        else
            hi = mid;
    }
    return (uint8_t)(yq_uc_ccc_runs[lo] & 0xFF);
}

/* The full canonical decomposition of `cp` (pointer into the pool), or NULL when it has none. */
static const uint32_t *decomposition(uint32_t cp, size_t *len) {
    size_t lo = 0, hi = yq_uc_decomp_index_len / 2;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t key = yq_uc_decomp_index[2 * mid];
        if (key == cp) {
            uint32_t v = yq_uc_decomp_index[2 * mid + 1];
            *len = v & 0xFF;
            return yq_uc_decomp_pool + (v >> 8);
        }
        if (key < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The primary composite of the pair (a, b), or 0. */
static uint32_t compose(uint32_t a, uint32_t b) {
    if (a >= L_BASE && a < L_BASE + L_COUNT && b >= V_BASE && b < V_BASE + V_COUNT)
        return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT;
    if (a >= S_BASE && a < S_BASE + S_COUNT && (a - S_BASE) % T_COUNT == 0 && b > T_BASE &&
        b < T_BASE + T_COUNT)
        return a + (b - T_BASE);
    size_t lo = 0, hi = yq_uc_compose_len / 3;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const uint32_t *e = yq_uc_compose + 3 * mid;
        if (e[0] == a && e[1] == b) return e[2];
        if (e[0] < a || (e[0] == a && e[1] < b))
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Writes the full canonical decomposition of `cp` (at most 4 code points) to cps. */
static size_t decompose_one(uint32_t cp, uint32_t *cps) {
    if (cp >= S_BASE && cp < S_BASE + S_COUNT) {
        uint32_t s = cp - S_BASE, t = s % T_COUNT;
        cps[0] = L_BASE + s / N_COUNT;
        cps[1] = V_BASE + (s % N_COUNT) / T_COUNT;
        if (t) cps[2] = T_BASE + t;
        return t ? 3 : 2;
    }
    size_t len;
    const uint32_t *d = decomposition(cp, &len);
    if (!d) {
        cps[0] = cp;
        return 1;
    }
    for (size_t i = 0; i < len; i++)
        cps[i] = d[i];
    return len;
}

/* Stable insertion sort of each run of non-starters by combining class. */
static void canonical_order(uint32_t *cps, uint8_t *cls, size_t n) {
    for (size_t i = 1; i < n; i++) {
        uint32_t c = cps[i];
        uint8_t k = cls[i];
        size_t j = i;
        for (; k && j > 0 && cls[j - 1] > k; j--) {
            cps[j] = cps[j - 1];
            cls[j] = cls[j - 1];
        }
        cps[j] = c;
        cls[j] = k;
    }
}

/* Canonical composition in place; returns the new length. */
static size_t compose_all(uint32_t *cps, const uint8_t *cls, size_t n) {
    size_t starter = 0, out = 1;
    int last = cls[0] ? 256 : 0;
    for (size_t i = 1; i < n; i++) {
        uint32_t c = compose(cps[starter], cps[i]);
        if (c && (last < cls[i] || last == 0)) {
            cps[starter] = c;
            continue;
        }
        if (cls[i] == 0) starter = out;
        last = cls[i];
        cps[out++] = cps[i];
    }
    return out;
}

int uc_may_need_nfc(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        i += uc_next(s + i, &cp);
        if (uc_props(cp) & UC_NFC_UNSTABLE) return 1;
    }
    return 0;
}

int uc_nfc(const uint8_t *s, size_t n, yq_buf *out) {
    if (n == 0) return YQ_OK;
    uint32_t *cps = malloc(n * 4 * sizeof *cps); /* a character of >= 1 byte: <= 4 code points */
    uint8_t *cls = malloc(n * 4);
    int rc = cps && cls ? YQ_OK : yq_error(YQ_ENOMEM, "NFC: out of memory");
    size_t m = 0;
    for (size_t i = 0; !rc && i < n;) {
        uint32_t cp;
        i += uc_next(s + i, &cp);
        m += decompose_one(cp, cps + m);
    }
    if (!rc) {
        for (size_t i = 0; i < m; i++)
            cls[i] = ccc(cps[i]);
        canonical_order(cps, cls, m);
        m = compose_all(cps, cls, m);
        rc = yq_buf_reserve(out, m * 4);
    }
    for (size_t i = 0; !rc && i < m; i++)
        out->len += uc_encode(cps[i], out->data + out->len);
    free(cps);
    free(cls);
    return rc;
}
