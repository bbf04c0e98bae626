/* Cleaning of the chosen content: boilerplate blocks inside it (by class/id hints, link density,
 * lists, images and form controls) and copyright or reprint notices at the end of its text. */
#include <string.h>

#include "crawl/extract_stats.h"

/* 1 when an element has an element child that is not inline (a <span> used as a block). */
static int holds_block(const xmlNode *n) {
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !is_inline(c)) return 1;
    return 0;
}

/* Readability-style conditional cleaning of a container inside the content; a <span> counts as
 * one only when it holds blocks (a short <span> in a sentence or in highlighted code is text). */
static int boilerplate(const xmlNode *n) {
    nstat *s = stats_of(n);
    if (!s) return 0;
    if (s->weight < 0) return 1;
    if (node_is(n, "span") && !holds_block(n)) return 0;
    static const char *const h[] = {"h1", "h2", "h3", "h4", "h5", "h6", NULL};
    if (node_is(n, "h1")) return 1;
    if (node_is_any(n, h)) return link_density(s) > 0.33;
    static const char *const containers[] = {"div", "section", "ul", "ol", "table", "form", "dl", "header",
                                             "figure", "span", "center", NULL};
    if (!node_is_any(n, containers)) return 0;
    double ld = link_density(s);
    if (s->punct >= 10) return ld > 0.5;
    int list = node_is(n, "ul") || node_is(n, "ol");
    return (s->images > 1 && s->paras * 2 < s->images) || (!list && s->items > s->paras + 1 && s->punct < 3) ||
           s->inputs * 3 > s->paras || (s->chars < 25 && s->images == 0) || (s->weight < 25 && ld > 0.2) ||
           ld > 0.5;
}

void clean_content(xmlNode *n) {
    for (xmlNode *c = n->children, *next; c; c = next) {
        next = c->next;
        if (c->type != XML_ELEMENT_NODE) continue;
        if (boilerplate(c)) node_drop(c);
        else clean_content(c);
    }
}

/* 1 for a short paragraph that is a copyright or reprint notice. */
static int footer_paragraph(const char *p) {
    static const char *const marks[] = {"©", "Copyright", "copyright", "All rights reserved", "all rights reserved",
                                        "版权所有", "未经授权", "不得转载", "禁止转载", "not responsible for",
                                        "permission must be obtained"};
    if (strlen(p) > 300) return 0;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(p, marks[i])) return 1;
    return 0;
}

void drop_footer(char *text) {
    for (int i = 0; i < 3 && text && *text; i++) {
        char *last = text, *p;
        for (p = text; (p = strstr(p, "\n\n")) != NULL; p += 2) last = p + 2;
        if (!footer_paragraph(last)) return;
        last[last == text ? 0 : -2] = 0;
    }
}
