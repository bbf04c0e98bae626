/* The main text of a page: prune what is never content, score paragraphs by length and
 * punctuation into their ancestors (weighted by class/id hints and link density), take the best
 * block with its related siblings, drop boilerplate inside it, render paragraphs. */
#include <stdlib.h>
#include <string.h>

#include "crawl/extract_stats.h"

enum { MAX_SIBLINGS = 256 };

static const char *const never_content[] = {"script", "style", "noscript", "template", "iframe", "svg", "canvas",
                                            "nav", "aside", "footer", "button", "select", "textarea", "input",
                                            "object", "embed", "map", "head", NULL};
static const char *const block_tags[] = {"p", "div", "section", "article", "main", "header", "ul", "ol", "li",
                                         "dl", "dt", "dd", "table", "tr", "td", "th", "h1", "h2", "h3", "h4",
                                         "h5", "h6", "pre", "blockquote", "figure", "figcaption", "address",
                                         "hr", "form", "fieldset", "center", "tbody", "thead", "body", NULL};

static int hidden(const xmlNode *n) {
    char *style = node_attr(n, "style"), *h = node_attr(n, "hidden"), *aria = node_attr(n, "aria-hidden");
    int r = h || (aria && !strcmp(aria, "true")) ||
            (style && (strstr(style, "display:none") || strstr(style, "display: none")));
    xmlFree(style), xmlFree(h), xmlFree(aria);
    return r;
}

/* Removes comments, never-content elements and hidden ones. */
static void prune(xmlNode *n) {
    for (xmlNode *c = n->children, *next; c; c = next) {
        next = c->next;
        if (c->type == XML_COMMENT_NODE || (c->type == XML_ELEMENT_NODE && (node_is_any(c, never_content) || hidden(c))))
            node_drop(c);
        else if (c->type == XML_ELEMENT_NODE)
            prune(c);
    }
}

static double unlinked_text(const nstat *s) { return s->chars - s->link_chars; }

/* Removes elements whose class/id/role say boilerplate, unless they wrap most of the page's
 * text (a layout "sidebar-right" wrapper around the article). */
static void prune_unlikely(xmlNode *n, double page_text) {
    static const char *const keep[] = {"body", "article", "main", "a", NULL};
    for (xmlNode *c = n->children, *next; c; c = next) {
        next = c->next;
        if (c->type != XML_ELEMENT_NODE) continue;
        if (!node_is_any(c, keep) && unlikely_candidate(c) && unlinked_text(stats_of(c)) < 0.5 * page_text) node_drop(c);
        else prune_unlikely(c, page_text);
    }
}

static int has_block_child(const xmlNode *n) {
    for (const xmlNode *c = n->children; c; c = c->next)
        if (node_is_any(c, block_tags)) return 1;
    return 0;
}

/* Elements that hold an article or a part of one. */
static const char *const sections[] = {"div", "section", "article", "main", "td", "body", "center", NULL};

static int is_paragraph(const xmlNode *n) {
    static const char *const para[] = {"p", "pre", "td", "blockquote", NULL};
    static const char *const leafy[] = {"div", "section", "article", "span", "font", "center", NULL};
    return node_is_any(n, para) || (node_is_any(n, leafy) && !has_block_child(n));
}

static double tag_base(const xmlNode *n) {
    static const char *const minus3[] = {"address", "ol", "ul", "dl", "dd", "dt", "li", "form", NULL};
    static const char *const minus5[] = {"h1", "h2", "h3", "h4", "h5", "h6", "th", NULL};
    if (node_is(n, "div") || node_is(n, "article")) return 5;
    if (node_is(n, "pre") || node_is(n, "td") || node_is(n, "blockquote")) return 3;
    return node_is_any(n, minus3) ? -3 : node_is_any(n, minus5) ? -5 : 0;
}

/* The score of a paragraph: one, its punctuation, a point per 100 characters up to three.
 * Punctuation marks prose, unless dense (lists of names) or in short <br>-separated lines. */
static double paragraph_score(double chars, double punct, int breaks) {
    if (punct > chars / 30) punct = chars / 30;
    if (breaks >= 4 && chars / (breaks + 1) < 50) punct = 0;
    return 1 + punct + (chars / 100 < 3 ? chars / 100 : 3);
}

/* Adds `score` to `n` and its ancestors: all to the first, half to the next, a third of the
 * level to those above, five levels up. */
static void give(xmlNode *n, double score) {
    int level = 0;
    for (xmlNode *a = n; a && a->type == XML_ELEMENT_NODE && level < 5; a = a->parent, level++) {
        nstat *as = stats_of(a);
        if (!as->candidate) as->candidate = 1, as->score = tag_base(a) + as->weight;
        as->score += score / (level == 0 ? 1 : level == 1 ? 2 : level * 3);
    }
}

/* Scores every paragraph (25 characters and 3 words at least: not a lone address or number)
 * into its ancestors; loose text beside blocks (text and <br> straight in a <div>) counts as a
 * paragraph of that element. */
static void score_paragraphs(xmlNode *n) {
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        score_paragraphs(c);
        nstat *s = stats_of(c);
        if (is_paragraph(c)) {
            if (s->chars >= 25 && s->words >= 3)
                give(c->parent, paragraph_score(s->chars, s->punct, s->breaks));
        } else if (!is_inline(c) && tag_base(c) > -5 && s->own_chars >= 25) {
            give(c, paragraph_score(s->own_chars, s->own_punct, s->breaks));
        }
    }
}

static double final_score(const xmlNode *n) {
    nstat *s = stats_of(n);
    return s && s->candidate ? s->score * (1 - link_density(s)) : -1e9;
}

static xmlNode *best_candidate(xmlNode *n, xmlNode *best) {
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (final_score(c) > final_score(best)) best = c;
        best = best_candidate(c, best);
    }
    return best;
}

/* Moves up from the best block to an ancestor that scores higher than the path below it (the
 * article split into several scored parts), stopping where scores fall under a third. */
static xmlNode *climb(xmlNode *best) {
    double last = final_score(best), threshold = last / 3;
    for (xmlNode *p = best->parent; p && p->type == XML_ELEMENT_NODE && !node_is(p, "body"); p = p->parent) {
        nstat *s = stats_of(p);
        if (!s->candidate) continue;
        double score = final_score(p);
        if (score < threshold) break;
        if (score > last) return p;
        last = score;
    }
    return best;
}

enum { TOP = 5, PART_LEVELS = 4 };
static const double PART_SHARE = 0.4;

/* Keeps the TOP best-scoring candidates below `n` in top[] (best first). */
static void top_candidates(xmlNode *n, xmlNode **top) {
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        double score = final_score(c);
        for (int i = 0; i < TOP; i++) {
            if (top[i] && final_score(top[i]) >= score) continue;
            memmove(top + i + 1, top + i, (size_t)(TOP - 1 - i) * sizeof *top);
            top[i] = c;
            break;
        }
        top_candidates(c, top);
    }
}

static int contains(const xmlNode *ancestor, const xmlNode *n) {
    for (; n; n = n->parent)
        if (n == ancestor) return 1;
    return 0;
}

/* When other good candidates (article parts) sit beside the best one, the nearest ancestor
 * holding one of them (not nested in another) is the article, up to four levels up (a Q&A
 * page: post body, cell, layout, answer, list of answers). */
static xmlNode *gather_parts(xmlNode *root, xmlNode *best) {
    xmlNode *top[TOP] = {0};
    top_candidates(root, top);
    double best_score = final_score(best);
    int level = 0;
    for (xmlNode *a = best->parent; a && a->type == XML_ELEMENT_NODE && !node_is(a, "body") && level < PART_LEVELS;
         a = a->parent, level++) {
        for (int i = 0; i < TOP; i++) {
            if (!top[i] || !node_is_any(top[i], sections) || final_score(top[i]) < PART_SHARE * best_score ||
                !contains(a, top[i]) || top[i] == a)
                continue;
            if (!contains(top[i], best) && !contains(best, top[i])) return a;
        }
    }
    return best;
}

static int same_class(const xmlNode *a, const xmlNode *b) {
    char *ca = node_attr(a, "class"), *cb = node_attr(b, "class");
    int same = ca && cb && *ca && !strcmp(ca, cb);
    xmlFree(ca), xmlFree(cb);
    return same;
}

/* Whether a sibling of the best block belongs to the article too. */
static int related_sibling(const xmlNode *sib, const xmlNode *best, double best_score) {
    nstat *s = stats_of(sib);
    if (!s) return 0;
    double threshold = best_score * 0.2 > 10 ? best_score * 0.2 : 10;
    double bonus = same_class(sib, best) ? best_score * 0.2 : 0;
    if (final_score(sib) + bonus >= threshold) return 1;
    if (!node_is(sib, "p")) return 0;
    double ld = link_density(s);
    return (s->chars > 80 && ld < 0.25) || (s->chars > 0 && ld == 0 && s->punct > 0);
}

/* The best block and its related siblings, in document order, into parts[] (at most
 * MAX_SIBLINGS, the best one always among them). */
static size_t select_parts(xmlNode *best, xmlNode **parts) {
    size_t n = 0;
    int have_best = 0;
    double best_score = final_score(best);
    for (xmlNode *c = best->parent ? best->parent->children : best; c && n < MAX_SIBLINGS; c = c->next) {
        int room = n + !have_best < MAX_SIBLINGS;
        if (c == best || (room && c->type == XML_ELEMENT_NODE && related_sibling(c, best, best_score))) {
            parts[n++] = c;
            have_best |= c == best;
        }
    }
    return n;
}

char *extract_body(htmlDocPtr doc) {
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root) return NULL;
    prune(root);
    nstat_pool pool = {0};
    char *text = NULL;
    if (stats_compute(root, &pool) == 0) prune_unlikely(root, unlinked_text(stats_of(root)));
    stats_release(&pool);
    if (stats_compute(root, &pool) == 0) {
        score_paragraphs(root);
        xmlNode *best = best_candidate(root, root);
        best = stats_of(best)->candidate ? climb(gather_parts(root, best)) : root;
        xmlNode *parts[MAX_SIBLINGS];
        size_t n = select_parts(best, parts);
        for (size_t i = 0; i < n; i++) clean_content(parts[i]);
        n = cut_at_end(parts, n);
        text = render_paragraphs(parts, n);
        drop_footer(text);
    }
    stats_release(&pool);
    return text;
}
