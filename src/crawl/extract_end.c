/* Where an article ends: a heading that opens the comments or the related stories ("Comments",
 * "3 Comments", "Related articles", "相关阅读") ends the content; it and what follows it go. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl/extract_internal.h"

/* 1 for the text of a heading that opens what comes after an article. */
static int is_end_label(char *t) {
    static const char *const labels[] = {
        "comments", "comment", "leave a reply", "leave a comment", "join the conversation", "related",
        "related articles", "related stories", "related posts", "related content", "you may also like",
        "you might also like", "more stories", "评论", "网友评论", "相关阅读", "相关新闻", "相关文章",
        "相关推荐"};
    while (isdigit((unsigned char)*t) || *t == ' ')
        t++; /* "3 Comments" */
    size_t n = strlen(t);
    while (n > 0 && (t[n - 1] == ':' || t[n - 1] == ' '))
        t[--n] = 0;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (!strcasecmp(t, labels[i])) return 1;
    return 0;
}

static int is_end_heading(const xmlNode *n) {
    static const char *const headings[] = {"h2", "h3", "h4", "h5", "h6", NULL};
    if (!node_is_any(n, headings)) return 0;
    char *text = node_text_dup(n);
    int end = text && is_end_label(text);
    free(text);
    return end;
}

/* The first end heading at or below `n` in document order, or NULL. */
static xmlNode *find_end(xmlNode *n) {
    if (n->type != XML_ELEMENT_NODE) return NULL;
    if (is_end_heading(n)) return n;
    for (xmlNode *c = n->children; c; c = c->next) {
        xmlNode *end = find_end(c);
        if (end) return end;
    }
    return NULL;
}

/* Drops `end` and everything after it inside `part`. */
static void drop_from(xmlNode *part, xmlNode *end) {
    for (xmlNode *n = end; n && n != part; n = n->parent)
        while (n->next)
            node_drop(n->next);
    node_drop(end);
}

/* Adds the bytes of text below `n` that come before `end` to *len; 1 once `end` is reached. */
static int text_before(const xmlNode *n, const xmlNode *end, size_t *len) {
    if (n == end) return 1;
    if (n->type == XML_TEXT_NODE && n->content) *len += strlen((const char *)n->content);
    for (const xmlNode *c = n->children; c; c = c->next)
        if (text_before(c, end, len)) return 1;
    return 0;
}

/* An article's opening before such a heading: a heading above the text (a "Related" box at the
 * top) does not end it. */
enum { MIN_ARTICLE_BYTES = 200 };

size_t cut_at_end(xmlNode **parts, size_t n) {
    size_t before = 0;
    for (size_t i = 0; i < n; i++) {
        xmlNode *end = find_end(parts[i]);
        if (!end) {
            text_before(parts[i], NULL, &before);
            continue;
        }
        text_before(parts[i], end, &before);
        if (before < MIN_ARTICLE_BYTES) return n;
        if (end == parts[i]) return i;
        drop_from(parts[i], end);
        return i + 1;
    }
    return n;
}
