/* Text helpers of the extractor: a growable buffer, UTF-8 decoding, and the collapsed text of
 * libxml2 nodes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl/extract_internal.h"

void xbuf_put(xbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->data = p, b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void xbuf_puts(xbuf *b, const char *s) { xbuf_put(b, s, strlen(s)); }

char *xbuf_take(xbuf *b) {
    if (b->oom) {
        free(b->data);
        *b = (xbuf){0};
        return NULL;
    }
    char *s = b->data ? b->data : calloc(1, 1);
    *b = (xbuf){0};
    return s;
}


const char *node_tag(const xmlNode *n) {
    return n && n->type == XML_ELEMENT_NODE && n->name ? (const char *)n->name : "";
}

int node_is(const xmlNode *n, const char *tag) { return !strcmp(node_tag(n), tag); }

int is_inline(const xmlNode *n) {
    static const char *const tags[] = {"a", "abbr", "b", "big", "bdi", "bdo", "cite", "code", "data", "dfn", "em",
                                       "font", "i", "kbd", "mark", "q", "s", "samp", "small", "span", "strong",
                                       "sub", "sup", "time", "u", "var", "wbr", "del", "ins", "label", "nobr", NULL};
    for (const char *const *t = tags; *t; t++)
        if (node_is(n, *t)) return 1;
    return 0;
}

int node_is_any(const xmlNode *n, const char *const *tags) {
    for (; *tags; tags++)
        if (node_is(n, *tags)) return 1;
    return 0;
}

void node_drop(xmlNode *n) {
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

char *node_attr(const xmlNode *n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE ? (char *)xmlGetProp(n, (const xmlChar *)name) : NULL;
}

/* Appends `s` collapsing whitespace runs (ASCII and U+3000/U+00A0) to one space. */
static void put_collapsed(xbuf *b, const char *s) {
    while (*s) {
        const char *start = s;
        unsigned c = yq_utf8_next(&s);
        int space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0xA0 || c == 0x3000;
        if (!space) {
            xbuf_put(b, start, (size_t)(s - start));
        } else if (b->len > 0 && b->data[b->len - 1] != ' ') {
            xbuf_put(b, " ", 1);
        }
    }
}

void node_text(const xmlNode *n, xbuf *b) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content) put_collapsed(b, (const char *)n->content);
        return;
    }
    if (n->type != XML_ELEMENT_NODE) return;
    if (node_is(n, "script") || node_is(n, "style")) return;
    if (node_is(n, "br")) put_collapsed(b, " ");
    for (const xmlNode *c = n->children; c; c = c->next) node_text(c, b);
}

char *text_squeeze(char *s) {
    if (!s) return NULL;
    xbuf b = {0};
    put_collapsed(&b, s);
    char *t = xbuf_take(&b);
    if (!t) return s;
    size_t n = strlen(t);
    while (n > 0 && t[n - 1] == ' ') t[--n] = 0;
    size_t skip = t[0] == ' ';
    memmove(s, t + skip, n - skip + 1);
    free(t);
    return s;
}

char *node_text_dup(const xmlNode *n) {
    xbuf b = {0};
    node_text(n, &b);
    return text_squeeze(xbuf_take(&b));
}

const char *detect_lang(const char *text) {
    if (!text) return NULL;
    long cjk = 0, latin = 0, words = 0, function_words = 0;
    static const char *const common[] = {"the", "and", "of", "to", "is", "in", "that", "for", "it", "was", "with", "on"};
    for (const char *s = text; *s;) {
        if (isalpha((unsigned char)*s)) {
            const char *w = s;
            while (isalpha((unsigned char)*s)) s++;
            size_t n = (size_t)(s - w);
            latin += (long)n, words++;
            for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
                if (strlen(common[i]) == n && !strncasecmp(w, common[i], n)) function_words++;
            continue;
        }
        unsigned c = yq_utf8_next(&s);
        if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)) cjk++;
    }
    if (cjk > 0 && cjk * 3 >= latin / 2) return "zh";
    if (words >= 5 && function_words * 100 >= words * 8) return "en";
    return NULL;
}
