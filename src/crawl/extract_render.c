/* Renders extracted content as plain text: inline text joined, block elements and <br> as
 * paragraph breaks, paragraphs separated by blank lines. */
#include <stdlib.h>
#include <string.h>

#include "crawl/extract_internal.h"

/* Raw text with '\n' between blocks; whitespace collapsed later, per line. */
static void walk(const xmlNode *n, xbuf *b) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (!n->content) return;
        for (const char *p = (const char *)n->content; *p; p++) xbuf_put(b, *p == '\n' || *p == '\r' ? " " : p, 1);
        return;
    }
    if (n->type != XML_ELEMENT_NODE) return;
    if (node_is(n, "br")) {
        xbuf_put(b, "\n", 1);
        return;
    }
    int block = !is_inline(n);
    if (block) xbuf_put(b, "\n", 1);
    for (const xmlNode *c = n->children; c; c = c->next) walk(c, b);
    if (block) xbuf_put(b, "\n", 1);
}

/* Squeezes each line and joins the non-empty ones with blank lines. */
static char *join_lines(char *raw) {
    xbuf out = {0};
    for (char *line = raw, *end; line && *line; line = end ? end + 1 : NULL) {
        end = strchr(line, '\n');
        if (end) *end = 0;
        text_squeeze(line);
        if (!*line) continue;
        if (out.len) xbuf_put(&out, "\n\n", 2);
        xbuf_puts(&out, line);
        if (!end) break;
    }
    return xbuf_take(&out);
}

char *render_paragraphs(xmlNode *const *nodes, size_t n) {
    xbuf raw = {0};
    for (size_t i = 0; i < n; i++) walk(nodes[i], &raw);
    char *s = xbuf_take(&raw);
    if (!s) return NULL;
    char *text = join_lines(s);
    free(s);
    return text;
}
