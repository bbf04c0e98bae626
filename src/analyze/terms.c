/* Content terms (for keywords and summaries) and the TextRank iteration (see terms.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/terms.h"
#include "analyze/text_internal.h"
#include "yuqing/error.h"
#include "yuqing/textproc.h"

/* Function characters: a CJK bigram holding one of these is not a content term. */
static const char stop_chars_utf8[] =
    "的了是在和与及等也都就而被把这那有为对于中上下不一个我你他她它们说将已其或之以并从到年月日时"
    "会要可能让所着过还又很更最没该此各每些者给向由则即但因如若自来去做地得么吗呢吧啊";

static const char *const stopwords[] = {
    "the",   "of",    "and",   "to",    "a",     "in",    "is",      "that", "for",   "it",
    "on",    "was",   "with",  "as",    "are",   "be",    "by",      "this", "at",    "from",
    "or",    "have",  "an",    "has",   "not",   "but",   "its",     "he",   "she",   "they",
    "we",    "will",  "which", "were",  "their", "been",  "his",     "her",  "said",  "than",
    "would", "there", "can",   "after", "about", "into",  "who",     "our",  "you",   "had",
    "also",  "more",  "one",   "all",   "new",   "when",  "what",    "some", "them",  "other",
    "could", "out",   "up",    "so",    "if",    "no",    "do",      "does", "did",   "may",
    "just",  "over",  "says",  "like",  "any",   "most",  "such",    "only", "these", "those",
    "then",  "how",   "why",   "where", "while", "being", "because", "very", "s",     NULL};

/* Bitmap of the BMP code points in stop_chars_utf8, made once. */
static uint8_t stop_bits[0x10000 / 8];
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static void make_stop_bits(void) {
    const char *p = stop_chars_utf8, *end = p + sizeof stop_chars_utf8 - 1;
    while (p < end) {
        unsigned cp = utf8_take(&p, end);
        stop_bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
    }
}

static int is_stop_char(unsigned cp) {
    return cp < 0x10000 && (stop_bits[cp >> 3] >> (cp & 7)) & 1;
}

static uint64_t lower_hash(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 0x100000001b3ull;
    }
    return fmix64(h);
}

/* Open-addressing set of the stopwords' hashes, made once. */
enum { STOP_SLOTS = 512 };
static uint64_t stop_hashes[STOP_SLOTS];
static pthread_once_t stopwords_once = PTHREAD_ONCE_INIT;

static void make_stop_hashes(void) {
    for (const char *const *w = stopwords; *w; w++) {
        uint64_t h = lower_hash(*w, strlen(*w));
        size_t slot = h & (STOP_SLOTS - 1);
        while (stop_hashes[slot])
            slot = (slot + 1) & (STOP_SLOTS - 1);
        stop_hashes[slot] = h;
    }
}

int is_english_stopword(const char *w, size_t n) {
    if (n > 8) return 0;
    pthread_once(&stopwords_once, make_stop_hashes);
    uint64_t h = lower_hash(w, n);
    for (size_t slot = h & (STOP_SLOTS - 1); stop_hashes[slot]; slot = (slot + 1) & (STOP_SLOTS - 1))
        if (stop_hashes[slot] == h) return 1;
    return 0;
}

void terms_each(const char *text, size_t len, term_fn fn, void *ctx) {
    pthread_once(&stop_once, make_stop_bits);
    const char *p = text, *end = text + len;
    int32_t position = 0;
    const char *prev_start = NULL; /* the previous unit when it was a content CJK character */
    while (p < end) {
        const char *start = p;
        unsigned cp = utf8_take(&p, end);
        if (is_cjk(cp)) {
            int content = cp >= 0x3400 && !(cp >= 0xAC00 && cp <= 0xD7AF) && !is_stop_char(cp);
            if (content && prev_start) {
                term t = {lower_hash(prev_start, (size_t)(p - prev_start)), (int32_t)(prev_start - text),
                          (int32_t)(p - text), position};
                fn(ctx, &t);
            }
            prev_start = content ? start : NULL;
            position++;
        } else if (is_word_char(cp)) {
            while (p < end) {
                const char *next = p;
                if (!is_word_char(utf8_take(&next, end))) break;
                p = next;
            }
            size_t n = (size_t)(p - start);
            int digits = 1;
            for (size_t i = 0; i < n && digits; i++)
                digits = start[i] >= '0' && start[i] <= '9';
            if (n >= 2 && !digits && !is_english_stopword(start, n)) {
                term t = {lower_hash(start, n), (int32_t)(start - text), (int32_t)(p - text), position};
                fn(ctx, &t);
            }
            prev_start = NULL;
            position++;
        } else if (cp != ' ') {
            prev_start = NULL; /* punctuation breaks bigrams; a space inside CJK text does not */
        }
    }
}

typedef struct term_list {
    term *items;
    int n, cap;
} term_list;

static void append_term(void *ctx, const term *t) {
    term_list *list = ctx;
    if (list->n < list->cap) list->items[list->n++] = *t;
}

int terms_collect(const char *text, size_t len, term **out, int *n) {
    term_list list = {malloc((len / 2 + 1) * sizeof *list.items), 0, (int)(len / 2 + 1)};
    if (!list.items) return yq_error(YQ_ENOMEM, "out of memory");
    terms_each(text, len, append_term, &list);
    *out = list.items;
    *n = list.n;
    return YQ_OK;
}

void textrank(int n, const tr_edge *edges, int n_edges, int max_iterations, float *score, float *scratch) {
    const float damping = 0.85f, tolerance = 1e-3f;
    float *out_weight = scratch, *next = scratch + n;
    for (int i = 0; i < n; i++) {
        score[i] = 1.0f;
        out_weight[i] = 0.0f;
    }
    for (int e = 0; e < n_edges; e++) {
        out_weight[edges[e].a] += edges[e].weight;
        out_weight[edges[e].b] += edges[e].weight;
    }
    for (int i = 0; i < n; i++)
        out_weight[i] = out_weight[i] > 0 ? damping / out_weight[i] : 0.0f;
    for (int iteration = 0; iteration < max_iterations; iteration++) {
        for (int i = 0; i < n; i++)
            next[i] = 1.0f - damping;
        for (int e = 0; e < n_edges; e++) {
            const tr_edge *x = &edges[e];
            next[x->b] += x->weight * score[x->a] * out_weight[x->a];
            next[x->a] += x->weight * score[x->b] * out_weight[x->b];
        }
        float change = 0.0f;
        for (int i = 0; i < n; i++) {
            float d = next[i] > score[i] ? next[i] - score[i] : score[i] - next[i];
            change = d > change ? d : change;
            score[i] = next[i];
        }
        if (change < tolerance) break;
    }
}
