/* Sentiment features of a text, exactly as tools/sentiment_features.py defines them: folded
 * characters, sentences and clauses of tokens (Han characters, Latin words), lexicon matches with
 * negation, degree and contrast rules, hashed token n-grams, concept counts of clauses and
 * per-language dense rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sentiment_internal.h"
#include "yuqing/error.h"

#define FNV_OFFSET 0xCBF29CE484222325ull
#define FNV_PRIME 0x100000001B3ull
#define GOLDEN 0x9E3779B97F4A7C15ull
#define TAG_NEGATED 0x5BD1E9955BD1E995ull
#define TAG_STEM 0x27D4EB2F165667C5ull

typedef struct token {
    uint64_t hash;   /* FNV-1a of the folded token's UTF-8 */
    uint64_t stem;   /* FNV-1a of its first stem_len characters for a longer word, else 0 */
    uint32_t cp;     /* the Han character, 0 for a word */
    uint32_t clause; /* clause index within the sentence */
    uint32_t concepts; /* SENTI_UP / _DOWN / _GOOD / _BAD bits of a word */
} token;

typedef struct match {
    size_t first, last; /* token span */
    int kind;
    float value;
} match;

/* One call's working memory: the current sentence, its matches and per-token rule state. */
typedef struct scratch {
    token *tok;
    match *match;
    double *weight;
    unsigned char *negated;
    size_t n_tok, n_match, cap;
} scratch;

/* The running sums of one text. */
typedef struct accum {
    const yq_sentiment_model *m;
    double hashed[3]; /* unnormalised logits of the hashed rows */
    size_t n_hashed;  /* hashed feature occurrences */
    double pos, neg;  /* lexicon sums */
    size_t n_han, n_words;
    size_t concepts[SENTI_N_CONCEPT_ROWS]; /* clauses holding all bits of CONCEPT_ROWS[k] */
    senti_feature_list *record;
    int oom;
} accum;

/* Decodes one character of text[*i..len) and advances *i; a malformed byte is its own value. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i) {
    uint32_t c = s[*i];
    int k = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 0;
    if (k) c &= 0x3Fu >> k;
    size_t j = *i + 1;
    for (int n = 0; n < k && j < len && (s[j] & 0xC0) == 0x80; n++, j++) c = (c << 6) | (s[j] & 0x3F);
    *i = j;
    return c;
}

static uint32_t fold(uint32_t cp) {
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
    else if (cp == 0x3000) cp = 0x20;
    else if (cp == 0x2019) cp = 0x27;
    if (cp >= 'A' && cp <= 'Z') cp += 0x20;
    else if (cp >= '0' && cp <= '9') cp = '0';
    return cp;
}

static int is_han(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x2FFFF);
}

static int is_word(uint32_t cp) {
    return (cp >= 'a' && cp <= 'z') || cp == '0' || cp == '\'' || cp == '%' ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

static int is_terminator(uint32_t cp) {
    return cp == '!' || cp == '?' || cp == ';' || cp == '\n' || cp == '.' || cp == 0x3002;
}

static int is_clause_break(uint32_t cp) {
    switch (cp) {
    case ',': case ':': case '(': case ')': case '[': case ']': case '"': case '~':
    case 0x3001: case 0x2026: case 0x3010: case 0x3011: case 0x201C: case 0x201D: case 0x300C:
    case 0x300D: case 0x300A: case 0x300B: case 0x3008: case 0x3009: case 0x300E: case 0x300F:
        return 1;
    default:
        return 0;
    }
}

/* FNV-1a over the UTF-8 encoding of one code point. */
static uint64_t fnv_cp(uint64_t h, uint32_t cp) {
    unsigned char b[4];
    int n;
    if (cp < 0x80) b[0] = (unsigned char)cp, n = 1;
    else if (cp < 0x800) b[0] = (unsigned char)(0xC0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        b[0] = (unsigned char)(0xE0 | cp >> 12), b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)),
        b[2] = (unsigned char)(0x80 | (cp & 0x3F)), n = 3;
    else
        b[0] = (unsigned char)(0xF0 | cp >> 18), b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F)),
        b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)), b[3] = (unsigned char)(0x80 | (cp & 0x3F)), n = 4;
    for (int i = 0; i < n; i++) h = (h ^ b[i]) * FNV_PRIME;
    return h;
}

/* The concept bits that each dense concept row asks a clause for. */
static const uint32_t CONCEPT_ROWS[SENTI_N_CONCEPT_ROWS] = {
    SENTI_UP, SENTI_DOWN, SENTI_GOOD, SENTI_BAD, SENTI_UP | SENTI_GOOD, SENTI_UP | SENTI_BAD,
    SENTI_DOWN | SENTI_GOOD, SENTI_DOWN | SENTI_BAD};

static uint32_t row_of(uint64_t h, uint32_t bits) { return (uint32_t)((h * GOLDEN) >> (64 - bits)); }

static int grow(scratch *s) {
    size_t cap = s->cap ? 2 * s->cap : 256;
    token *t = realloc(s->tok, cap * sizeof *t);
    if (t) s->tok = t;
    match *m = realloc(s->match, cap * sizeof *m);
    if (m) s->match = m;
    double *w = realloc(s->weight, cap * sizeof *w);
    if (w) s->weight = w;
    unsigned char *g = realloc(s->negated, cap);
    if (g) s->negated = g;
    if (!t || !m || !w || !g) return YQ_ENOMEM;
    s->cap = cap;
    return 0;
}

static int push_token(scratch *s, uint64_t hash, uint64_t stem, uint32_t cp, uint32_t clause, uint32_t concepts) {
    if (s->n_tok == s->cap && grow(s)) return YQ_ENOMEM;
    s->tok[s->n_tok++] = (token){hash, stem, cp, clause, concepts};
    return 0;
}

/* The concept bits of the Latin word with hash `hash` (0 for most words). */
static uint32_t word_concepts(const yq_sentiment_model *m, uint64_t hash) {
    float v;
    return senti_lex_find(m, hash ^ SENTI_TAG_CONCEPT, &v) == SENTI_CONCEPT ? (uint32_t)v : 0;
}

/* Counts the sentence's clauses per concept row; a clause's bits are those of its words. */
static void count_concepts(const scratch *s, accum *a) {
    uint32_t mask = 0;
    for (size_t i = 0; i < s->n_tok; i++) {
        mask |= s->tok[i].concepts;
        if (i + 1 < s->n_tok && s->tok[i + 1].clause == s->tok[i].clause) continue;
        for (int k = 0; k < SENTI_N_CONCEPT_ROWS; k++)
            if ((mask & CONCEPT_ROWS[k]) == CONCEPT_ROWS[k]) a->concepts[k]++;
        mask = 0;
    }
}

/* Greedy longest lexicon match from the left within each clause. */
static void match_lexicon(const yq_sentiment_model *m, scratch *s) {
    s->n_match = 0;
    for (size_t i = 0; i < s->n_tok;) {
        const token *t = &s->tok[i];
        size_t last = 0;
        int kind = 0;
        float value = 0, v;
        if (t->cp) {
            uint64_t h = FNV_OFFSET;
            for (size_t j = i; j < s->n_tok && j - i < m->max_lex_len && s->tok[j].cp && s->tok[j].clause == t->clause;
                 j++) {
                h = fnv_cp(h, s->tok[j].cp);
                int k = senti_lex_find(m, h, &v);
                if (!k) break; /* no longer entry starts with this run */
                if (k != SENTI_PREFIX) kind = k, value = v, last = j;
            }
        } else {
            kind = senti_lex_find(m, t->hash, &value);
            if (kind == SENTI_PREFIX) kind = 0;
            last = i;
        }
        if (!kind) {
            i++;
            continue;
        }
        s->match[s->n_match++] = (match){i, last, kind, value};
        i = last + 1;
    }
}

/* Contrast and concession weights of the tokens (see token_weights in the Python reference). */
static void token_weights(const yq_sentiment_model *m, scratch *s) {
    double after = 1.0, concession = 1.0;
    size_t k = 0, concession_clause = (size_t)-1;
    for (size_t i = 0; i < s->n_tok; i++) {
        if (s->tok[i].clause != concession_clause) concession = 1.0;
        s->weight[i] = after * concession;
        while (k < s->n_match && s->match[k].last == i) {
            if (s->match[k].kind == SENTI_CONTRAST) after *= m->contrast_after;
            if (s->match[k].kind == SENTI_CONCESSIVE) {
                concession_clause = s->tok[i].clause;
                concession *= m->contrast_before;
            }
            k++;
        }
    }
    double before = 1.0;
    size_t j = s->n_match;
    for (size_t i = s->n_tok; i-- > 0;) {
        s->weight[i] *= before;
        while (j > 0 && s->match[j - 1].first == i) {
            if (s->match[j - 1].kind == SENTI_CONTRAST) before *= m->contrast_before;
            j--;
        }
    }
}

/* Adds the sentence's lexicon values, after negation and degree modifiers, to a->pos / a->neg. */
static void lexicon_scores(const yq_sentiment_model *m, const scratch *s, accum *a) {
    size_t mods_from = 0; /* first match index of the pending modifiers */
    uint32_t clause = UINT32_MAX;
    for (size_t k = 0; k < s->n_match; k++) {
        const match *x = &s->match[k];
        if (s->tok[x->first].clause != clause) clause = s->tok[x->first].clause, mods_from = k;
        if (x->kind != SENTI_SENTIMENT) continue;
        double v = x->value;
        for (size_t j = mods_from; j < k; j++) {
            const match *mod = &s->match[j];
            if (mod->last + m->mod_window < x->first) continue;
            if (mod->kind == SENTI_NEGATOR) v *= m->negation_factor;
            else if (mod->kind == SENTI_DEGREE) v *= mod->value;
        }
        v *= s->weight[x->first];
        if (v > 0) a->pos += v;
        else a->neg -= v;
        mods_from = k + 1;
    }
}

static void mark_negated(const yq_sentiment_model *m, scratch *s) {
    memset(s->negated, 0, s->n_tok);
    for (size_t k = 0; k < s->n_match; k++) {
        const match *x = &s->match[k];
        if (x->kind != SENTI_NEGATOR) continue;
        for (size_t i = x->last + 1; i <= x->last + m->neg_scope && i < s->n_tok; i++)
            if (s->tok[i].clause == s->tok[x->last].clause) s->negated[i] = 1;
    }
}

static void record(accum *a, uint32_t row, double value) {
    senti_feature_list *r = a->record;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        senti_feature *items = realloc(r->items, cap * sizeof *items);
        if (!items) {
            a->oom = 1;
            return;
        }
        r->items = items, r->cap = cap;
    }
    r->items[r->n++] = (senti_feature){row, value};
}

/* One hashed feature occurrence of weight `value`. */
static void emit(accum *a, uint32_t row, double value) {
    const int16_t *w = a->m->hashed + (size_t)row * 3;
    a->hashed[0] += value * w[0];
    a->hashed[1] += value * w[1];
    a->hashed[2] += value * w[2];
    a->n_hashed++;
    if (a->record) record(a, row, value);
}

/* All features of the sentence held in `s`. */
static void sentence_features(const yq_sentiment_model *m, scratch *s, accum *a) {
    match_lexicon(m, s);
    token_weights(m, s);
    lexicon_scores(m, s, a);
    count_concepts(s, a);
    mark_negated(m, s);
    for (size_t i = 0; i < s->n_tok; i++) {
        const token *t = &s->tok[i];
        if (t->cp) a->n_han++;
        else a->n_words++;
        uint64_t tag = s->negated[i] ? TAG_NEGATED : 0; /* n-grams in a negation scope are other features */
        for (size_t n = 1; n <= m->max_ngram && n <= i + 1 && s->tok[i + 1 - n].clause == t->clause; n++) {
            uint64_t h = n;
            for (size_t k = i + 1 - n; k <= i; k++) {
                h = (h ^ s->tok[k].hash) * FNV_PRIME;
                h ^= h >> 29;
            }
            emit(a, row_of(h ^ tag, m->hash_bits), s->weight[i]);
        }
        if (t->stem) emit(a, row_of(t->stem ^ TAG_STEM ^ tag, m->hash_bits), s->weight[i]);
    }
    s->n_tok = 0;
}

/* Tokenises the text sentence by sentence, handing each sentence to sentence_features. */
static int walk_text(const yq_sentiment_model *m, const unsigned char *text, size_t len, scratch *s, accum *a) {
    uint64_t word_hash = FNV_OFFSET, stem_hash = 0;
    uint32_t word_last = 0, word_len = 0, clause = 0; /* word_last: last folded char of the open word, 0 if none */
    for (size_t i = 0; i < len;) {
        uint32_t cp = fold(next_cp(text, len, &i));
        int in_word;
        if (cp == '.' && word_last == '0' && i < len) {
            size_t j = i;
            in_word = fold(next_cp(text, len, &j)) == '0';
        } else {
            in_word = is_word(cp);
        }
        if (in_word) {
            word_hash = fnv_cp(word_hash, cp), word_last = cp;
            if (++word_len == m->stem_len) stem_hash = word_hash;
            continue;
        }
        if (word_last) {
            if (push_token(s, word_hash, word_len > m->stem_len ? stem_hash : 0, 0, clause, word_concepts(m, word_hash)))
                return YQ_ENOMEM;
            word_hash = FNV_OFFSET, word_last = 0, word_len = 0;
        }
        if (is_han(cp)) {
            if (push_token(s, fnv_cp(FNV_OFFSET, cp), 0, cp, clause, 0)) return YQ_ENOMEM;
        } else if (is_terminator(cp)) {
            if (s->n_tok) sentence_features(m, s, a);
            clause = 0;
        } else if (is_clause_break(cp)) {
            if (s->n_tok && s->tok[s->n_tok - 1].clause == clause) clause++;
        }
    }
    if (word_last &&
        push_token(s, word_hash, word_len > m->stem_len ? stem_hash : 0, 0, clause, word_concepts(m, word_hash)))
        return YQ_ENOMEM;
    if (s->n_tok) sentence_features(m, s, a);
    return 0;
}

/* Scales the hashed rows by 1/sqrt(occurrences) and adds the language's dense rows. */
static void dense_features(const yq_sentiment_model *m, int lang, accum *a, double logits[3]) {
    double scale = a->n_hashed ? 1.0 / sqrt((double)a->n_hashed) : 0.0;
    for (int c = 0; c < 3; c++) logits[c] = a->hashed[c] * m->scale[c] * scale;
    if (a->record)
        for (size_t i = 0; i < a->record->n; i++) a->record->items[i].value *= scale;
    double values[SENTI_DENSE_PER_LANG] = {1.0, log1p(a->pos), log1p(a->neg), (a->pos - a->neg) / (a->pos + a->neg + 1.0)};
    for (int k = 0; k < SENTI_N_CONCEPT_ROWS; k++) values[4 + k] = log1p((double)a->concepts[k]);
    uint32_t base = (uint32_t)lang * m->dense_per_lang;
    for (uint32_t k = 0; k < SENTI_DENSE_PER_LANG; k++) {
        const float *w = m->dense + (size_t)(base + k) * 3;
        for (int c = 0; c < 3; c++) logits[c] += values[k] * w[c];
        if (a->record) record(a, (1u << m->hash_bits) + base + k, values[k]);
    }
}

int senti_logits(const yq_sentiment_model *m, const char *text, size_t len, int lang, double logits[3],
                 senti_feature_list *record) {
    scratch s = {0};
    accum a = {.m = m, .record = record};
    int rc = grow(&s);
    if (!rc) rc = walk_text(m, (const unsigned char *)text, len, &s, &a);
    free(s.tok);
    free(s.match);
    free(s.weight);
    free(s.negated);
    if (rc) return rc;
    if (lang < 0) lang = a.n_han > a.n_words ? SENTI_LANG_ZH : SENTI_LANG_EN;
    dense_features(m, lang, &a, logits);
    return a.oom ? YQ_ENOMEM : 0;
}
