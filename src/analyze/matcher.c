/* Multi-pattern matching (Aho-Corasick as a full byte DFA) over folded UTF-8 text, with Latin word
 * boundaries and leftmost-longest, non-overlapping results (see yq_matcher in textproc.h). */
#include <stdlib.h>
#include <string.h>

#include "analyze/text_internal.h"
#include "yuqing/error.h"
#include "yuqing/textproc.h"

typedef struct pattern {
    char *bytes; /* folded */
    int32_t len, tag;
    unsigned char word_start, word_end; /* needs a word boundary before / after */
} pattern;

struct yq_matcher {
    pattern *patterns;
    int n_patterns;
    int32_t (*next)[256]; /* next[state][byte]: the DFA; state 0 is the root */
    int32_t *terminal;    /* pattern ending exactly at the state, or -1 */
    int32_t *dict;        /* nearest proper suffix state with a terminal, or 0 */
    int32_t *fail;
    int n_states, cap_states;
    int built;
};

yq_matcher *yq_matcher_new(void) {
    yq_matcher *m = calloc(1, sizeof *m);
    return m;
}

void yq_matcher_free(yq_matcher *m) {
    if (!m) return;
    for (int i = 0; i < m->n_patterns; i++) free(m->patterns[i].bytes);
    free(m->patterns);
    free(m->next);
    free(m->terminal);
    free(m->dict);
    free(m->fail);
    free(m);
}

static int last_char_is_word(const char *s, int32_t len) {
    int32_t i = len - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) i--;
    const char *p = s + i;
    return is_word_char(utf8_take(&p, s + len));
}

static int first_char_is_word(const char *s, const char *end) {
    return s < end && is_word_char(utf8_take(&s, end));
}

int yq_matcher_add(yq_matcher *m, const char *text, int32_t tag) {
    if (m->built) return yq_error(YQ_EINVAL, "matcher: pattern added after build");
    size_t len = strlen(text);
    char *folded = malloc(2 * len + 1);
    pattern *grown = realloc(m->patterns, (size_t)(m->n_patterns + 1) * sizeof *grown);
    if (!folded || !grown) {
        free(folded);
        if (grown) m->patterns = grown;
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    m->patterns = grown;
    size_t n = yq_fold_text(text, len, folded, NULL);
    while (n > 0 && folded[n - 1] == ' ') n--;
    if (n == 0) {
        free(folded);
        return yq_error(YQ_EINVAL, "empty pattern");
    }
    m->patterns[m->n_patterns++] = (pattern){folded, (int32_t)n, tag, (unsigned char)first_char_is_word(folded, folded + n),
                                             (unsigned char)last_char_is_word(folded, (int32_t)n)};
    return YQ_OK;
}

static int new_state(yq_matcher *m) {
    if (m->n_states == m->cap_states) {
        int cap = m->cap_states ? m->cap_states * 2 : 64;
        void *next = realloc(m->next, (size_t)cap * sizeof *m->next);
        if (next) m->next = next;
        void *terminal = realloc(m->terminal, (size_t)cap * sizeof *m->terminal);
        if (terminal) m->terminal = terminal;
        if (!next || !terminal) return yq_error(YQ_ENOMEM, "out of memory");
        m->cap_states = cap;
    }
    memset(m->next[m->n_states], 0, sizeof m->next[0]);
    m->terminal[m->n_states] = -1;
    return m->n_states++;
}

/* The trie of all patterns; transitions to 0 mean "none yet" (no pattern leads back to the root). */
static int build_trie(yq_matcher *m) {
    if (new_state(m) < 0) return YQ_ENOMEM;
    for (int i = 0; i < m->n_patterns; i++) {
        int s = 0;
        for (int32_t j = 0; j < m->patterns[i].len; j++) {
            unsigned char b = (unsigned char)m->patterns[i].bytes[j];
            if (!m->next[s][b]) {
                int t = new_state(m);
                if (t < 0) return t;
                m->next[s][b] = t;
            }
            s = m->next[s][b];
        }
        if (m->terminal[s] < 0) m->terminal[s] = i; /* a repeated pattern keeps its first tag */
    }
    return YQ_OK;
}

/* Breadth-first: failure links, dictionary links, and the missing transitions filled in. */
static int build_links(yq_matcher *m) {
    int32_t *queue = malloc((size_t)m->n_states * sizeof *queue);
    m->fail = calloc((size_t)m->n_states, sizeof *m->fail);
    m->dict = calloc((size_t)m->n_states, sizeof *m->dict);
    if (!queue || !m->fail || !m->dict) {
        free(queue);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    int head = 0, tail = 0;
    for (int b = 0; b < 256; b++)
        if (m->next[0][b]) queue[tail++] = m->next[0][b];
    while (head < tail) {
        int s = queue[head++];
        int f = m->fail[s];
        m->dict[s] = m->terminal[f] >= 0 ? f : m->dict[f];
        for (int b = 0; b < 256; b++) {
            int t = m->next[s][b];
            if (t) {
                m->fail[t] = m->next[f][b];
                queue[tail++] = t;
            } else {
                m->next[s][b] = m->next[f][b];
            }
        }
    }
    free(queue);
    return YQ_OK;
}

int yq_matcher_build(yq_matcher *m) {
    int rc = build_trie(m);
    if (!rc) rc = build_links(m);
    if (!rc) m->built = 1;
    return rc;
}

static int boundary_ok(const pattern *p, const char *text, size_t len, int32_t start, int32_t end) {
    if (p->word_start && start > 0 && last_char_is_word(text, start)) return 0;
    if (p->word_end && first_char_is_word(text + end, text + len)) return 0;
    return 1;
}

static int by_start_then_longest(const void *a, const void *b) {
    const yq_match *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return (x->end < y->end) - (x->end > y->end);
}

static int push_match(yq_match **out, int *n, int *cap, yq_match match) {
    if (*n == *cap) {
        int grown = *cap ? *cap * 2 : 16;
        yq_match *matches = realloc(*out, (size_t)grown * sizeof *matches);
        if (!matches) return yq_error(YQ_ENOMEM, "out of memory");
        *out = matches;
        *cap = grown;
    }
    (*out)[(*n)++] = match;
    return YQ_OK;
}

/* Keeps the leftmost-longest matches that do not overlap, in place. */
static int select_matches(yq_match *matches, int n) {
    if (n == 0) return 0;
    qsort(matches, (size_t)n, sizeof *matches, by_start_then_longest);
    int kept = 0;
    int32_t covered = 0;
    for (int i = 0; i < n; i++)
        if (matches[i].start >= covered) {
            matches[kept++] = matches[i];
            covered = matches[i].end;
        }
    return kept;
}

int yq_matcher_find(const yq_matcher *m, const char *text, size_t len, yq_match **out, int *n) {
    *out = NULL;
    *n = 0;
    if (!m->built || m->n_patterns == 0) return YQ_OK;
    int cap = 0, s = 0;
    for (size_t i = 0; i < len; i++) {
        s = m->next[s][(unsigned char)text[i]];
        for (int t = m->terminal[s] >= 0 ? s : m->dict[s]; t; t = m->dict[t]) {
            const pattern *p = &m->patterns[m->terminal[t]];
            int32_t end = (int32_t)i + 1, start = end - p->len;
            if (!boundary_ok(p, text, len, start, end)) continue;
            int rc = push_match(out, n, &cap, (yq_match){start, end, m->terminal[t], p->tag});
            if (rc) {
                free(*out);
                *out = NULL;
                *n = 0;
                return rc;
            }
        }
    }
    *n = select_matches(*out, *n);
    return YQ_OK;
}
