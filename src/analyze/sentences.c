/* Sentence splitting for summaries and per-entity sentiment (see yq_split_sentences). */
#include <stdlib.h>

#include "analyze/text_internal.h"
#include "yuqing/error.h"
#include "yuqing/textproc.h"

static int is_terminator(unsigned cp) {
    return cp == 0x3002 || cp == '!' || cp == '?' || cp == ';' || cp == 0xFF01 || cp == 0xFF1F ||
           cp == 0xFF1B || cp == '\n';
}

/* Closing quotes and brackets that stay with the sentence they end. */
static int is_closer(unsigned cp) {
    return cp == '"' || cp == '\'' || cp == ')' || cp == 0x201D || cp == 0x2019 || cp == 0x300D ||
           cp == 0x300F || cp == 0xFF09;
}

static int push_span(const char *text, int32_t start, int32_t end, yq_span **out, int *n, int *cap) {
    while (start < end && (text[start] == ' ' || text[start] == '\n'))
        start++;
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\n'))
        end--;
    if (start == end) return YQ_OK;
    if (*n == *cap) {
        int grown = *cap ? *cap * 2 : 16;
        yq_span *spans = realloc(*out, (size_t)grown * sizeof *spans);
        if (!spans) return yq_error(YQ_ENOMEM, "out of memory");
        *out = spans;
        *cap = grown;
    }
    (*out)[(*n)++] = (yq_span){start, end};
    return YQ_OK;
}

int yq_split_sentences(const char *text, size_t len, yq_span **out, int *n) {
    const char *p = text, *end = text + len;
    int cap = 0, rc = YQ_OK;
    int32_t start = 0;
    *out = NULL;
    *n = 0;
    while (p < end && !rc) {
        unsigned cp = utf8_take(&p, end);
        int stop = is_terminator(cp) || (cp == '.' && (p == end || *p == ' ' || *p == '\n'));
        if (!stop) continue;
        while (p < end) {
            const char *q = p;
            if (!is_closer(utf8_take(&q, end))) break;
            p = q;
        }
        rc = push_span(text, start, (int32_t)(p - text), out, n, &cap);
        start = (int32_t)(p - text);
    }
    if (!rc) rc = push_span(text, start, (int32_t)len, out, n, &cap);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
