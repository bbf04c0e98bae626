/* Loading the built-in sentiment model file (data/sentiment/model.bin, written by
 * tools/train_sentiment.py) and finding it next to the executable or in the install prefix. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sentiment_internal.h"
#include "yuqing/datadir.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"

#define MAGIC "YQSENT04"
#define HEADER_BYTES (8 + 7 * 4 + 3 * 4 + 2 * 4 + 3 * 4)
#define LEX_ENTRY_BYTES 16

/* Little-endian readers over the file bytes. */
static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p) { return get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }

static float get_f32(const unsigned char *p) {
    uint32_t u = get_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

int senti_lex_find(const yq_sentiment_model *m, uint64_t key, float *value) {
    uint64_t bit = key >> (64 - SENTI_FILTER_BITS);
    if (!(m->lex_filter[bit / 64] >> (bit % 64) & 1)) return 0;
    for (uint64_t i = key & m->lex_mask;; i = (i + 1) & m->lex_mask) {
        const senti_lex_slot *s = &m->lex[i];
        if (s->key == key) {
            *value = s->value;
            return (int)s->kind;
        }
        if (!s->key) return 0;
    }
}

static int build_lexicon(yq_sentiment_model *m, const unsigned char *p, uint32_t n, const char *path) {
    uint64_t slots = 16;
    while (slots < 2 * (uint64_t)n) slots *= 2;
    m->lex_mask = slots - 1;
    m->lex = calloc(slots, sizeof *m->lex);
    m->lex_filter = calloc((1u << SENTI_FILTER_BITS) / 64, sizeof *m->lex_filter);
    if (!m->lex || !m->lex_filter) return yq_error(YQ_ENOMEM, "sentiment lexicon: out of memory");
    for (uint32_t k = 0; k < n; k++, p += LEX_ENTRY_BYTES) {
        uint64_t key = get_u64(p);
        uint32_t kind = get_u32(p + 8);
        if (!key || kind < SENTI_SENTIMENT || kind > SENTI_CONCEPT)
            return yq_error(YQ_EFORMAT, "%s: bad lexicon entry %u", path, k);
        uint64_t i = key & m->lex_mask;
        while (m->lex[i].key && m->lex[i].key != key) i = (i + 1) & m->lex_mask;
        m->lex[i] = (senti_lex_slot){key, get_f32(p + 12), kind};
        uint64_t bit = key >> (64 - SENTI_FILTER_BITS);
        m->lex_filter[bit / 64] |= 1ull << (bit % 64);
    }
    return 0;
}

/* Checks the header's rule constants and sizes, then copies weights and lexicon. */
static int parse_model(yq_sentiment_model *m, const unsigned char *d, size_t size, const char *path) {
    if (size < HEADER_BYTES || memcmp(d, MAGIC, 8) != 0)
        return yq_error(YQ_EFORMAT, "%s: not a yuqing sentiment model (version %s)", path, MAGIC);
    const unsigned char *p = d + 8;
    m->hash_bits = get_u32(p), m->max_ngram = get_u32(p + 4), m->neg_scope = get_u32(p + 8);
    m->mod_window = get_u32(p + 12), m->max_lex_len = get_u32(p + 16), m->dense_per_lang = get_u32(p + 20);
    m->stem_len = get_u32(p + 24);
    m->negation_factor = get_f32(p + 28), m->contrast_before = get_f32(p + 32), m->contrast_after = get_f32(p + 36);
    uint32_t n_rows = get_u32(p + 40), n_lex = get_u32(p + 44);
    if (m->hash_bits < 8 || m->hash_bits > 24 || m->max_ngram < 1 || m->max_ngram > 5 || m->max_lex_len > 16 || m->stem_len > 64 ||
        m->dense_per_lang != SENTI_DENSE_PER_LANG || n_rows != (1u << m->hash_bits) + 2 * m->dense_per_lang)
        return yq_error(YQ_EFORMAT, "%s: inconsistent sentiment model header", path);
    for (int c = 0; c < 3; c++) m->scale[c] = get_f32(p + 48 + 4 * c);
    size_t n_hashed = (size_t)3 << m->hash_bits, n_dense = 3 * 2 * (size_t)m->dense_per_lang;
    if (size != HEADER_BYTES + 2 * n_hashed + 4 * n_dense + (size_t)n_lex * LEX_ENTRY_BYTES)
        return yq_error(YQ_EFORMAT, "%s: sentiment model is %zu bytes, header says otherwise", path, size);
    m->hashed = malloc(2 * n_hashed);
    m->dense = malloc(4 * n_dense);
    if (!m->hashed || !m->dense) return yq_error(YQ_ENOMEM, "sentiment model: out of memory");
    const unsigned char *w = d + HEADER_BYTES;
    for (size_t i = 0; i < n_hashed; i++, w += 2) m->hashed[i] = (int16_t)(uint16_t)(w[0] | w[1] << 8);
    for (size_t i = 0; i < n_dense; i++, w += 4) m->dense[i] = get_f32(w);
    return build_lexicon(m, w, n_lex, path);
}

int yq_sentiment_open(const char *path, yq_sentiment_model **out) {
    char found[PATH_MAX + 64];
    if (!out) return yq_error(YQ_EINVAL, "yq_sentiment_open: out is NULL");
    *out = NULL;
    if (!path) {
        int rc = yq_data_path("sentiment/model.bin", found, sizeof found);
        if (rc) return rc;
        path = found;
    }
    yq_mapped_file f;
    int rc = yq_map_file(path, &f);
    if (rc) return rc;
    yq_sentiment_model *m = calloc(1, sizeof *m);
    if (!m) rc = yq_error(YQ_ENOMEM, "sentiment model: out of memory");
    else rc = parse_model(m, f.data, f.size, path);
    yq_unmap_file(&f);
    if (rc) {
        yq_sentiment_close(m);
        return rc;
    }
    *out = m;
    return 0;
}

void yq_sentiment_close(yq_sentiment_model *m) {
    if (!m) return;
    free(m->hashed);
    free(m->dense);
    free(m->lex);
    free(m->lex_filter);
    free(m);
}
