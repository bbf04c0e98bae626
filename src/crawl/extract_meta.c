/* Metadata of a page: title (og:title, <h1>, <title> without the site-name suffix), publication
 * time (JSON-LD, meta tags, <time>, dates in the text) and author. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl/extract_internal.h"

/* What a walk over the document collects. */
enum { MAX_H1 = 8 };

typedef struct meta {
    char *og_title, *title_tag, *h1[MAX_H1], *h2;
    int n_h1;
    char *ld_date, *meta_date, *time_date; /* raw publication dates, best source first */
    char *ld_modified, *meta_modified;      /* raw modification dates */
    char *ld_author, *meta_author, *ld_headline;
} meta;

static void keep(char **slot, char *value) {
    if (value && *value && !*slot) *slot = value;
    else xmlFree(value);
}

/* Meta names/properties that carry the publication time, most specific first. */
static int date_meta_rank(const char *key) {
    static const char *const keys[] = {
        "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
        "pubdate", "publishdate", "publish_date", "publication_date", "dc.date.issued", "dc.date",
        "date", "sailthru.date", "parsely-pub-date", "og:release_date", "article.published",
        "publishedtime", "pdate", "weibo:article:create_at", "bytedance:published_time"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcasecmp(key, keys[i])) return (int)i;
    return -1;
}

/* 1 for meta names/properties that carry the time of the last change. */
static int is_modified_meta(const char *key) {
    static const char *const keys[] = {"article:modified_time", "og:updated_time", "datemodified",
                                       "dateupdate", "last-modified", "dc.date.modified"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcasecmp(key, keys[i])) return 1;
    return 0;
}

static void on_meta(const xmlNode *n, meta *m, int *best_rank) {
    char *key = node_attr(n, "property");
    if (!key) key = node_attr(n, "name");
    if (!key) key = node_attr(n, "itemprop");
    if (!key) return;
    char *content = node_attr(n, "content");
    if (!content) content = node_attr(n, "datetime");
    int rank = date_meta_rank(key);
    if (content && rank >= 0 && rank < *best_rank) {
        xmlFree(m->meta_date);
        m->meta_date = content, *best_rank = rank, content = NULL;
    } else if (is_modified_meta(key)) {
        keep(&m->meta_modified, content), content = NULL;
    } else if (!strcasecmp(key, "og:title")) {
        keep(&m->og_title, content), content = NULL;
    } else if (!strcasecmp(key, "author") || !strcasecmp(key, "article:author") || !strcasecmp(key, "byl")) {
        if (content && strncmp(content, "http", 4) != 0) keep(&m->meta_author, content), content = NULL;
    }
    xmlFree(content);
    xmlFree(key);
}

/* A JSON-LD author: a string, {"name":...} or an array of them. */
static const char *ld_author_name(const cJSON *a) {
    if (cJSON_IsArray(a)) a = cJSON_GetArrayItem(a, 0);
    if (cJSON_IsString(a)) return a->valuestring;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(a, "name");
    return cJSON_IsString(name) ? name->valuestring : NULL;
}

static char *dup_or_null(const char *s) { return s && *s ? (char *)xmlStrdup((const xmlChar *)s) : NULL; }

/* Looks through a JSON-LD value (objects, arrays, @graph) for the article's fields. */
static void scan_ld(const cJSON *v, meta *m, int depth) {
    if (!v || depth > 8) return;
    if (cJSON_IsArray(v) || (cJSON_IsObject(v) && !cJSON_GetObjectItemCaseSensitive(v, "datePublished"))) {
        for (const cJSON *c = v->child; c; c = c->next) scan_ld(c, m, depth + 1);
        if (!cJSON_IsObject(v)) return;
    }
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(v, "datePublished");
    if (!cJSON_IsString(date)) return;
    keep(&m->ld_date, dup_or_null(date->valuestring));
    const cJSON *modified = cJSON_GetObjectItemCaseSensitive(v, "dateModified");
    if (cJSON_IsString(modified)) keep(&m->ld_modified, dup_or_null(modified->valuestring));
    keep(&m->ld_author, dup_or_null(ld_author_name(cJSON_GetObjectItemCaseSensitive(v, "author"))));
    const cJSON *headline = cJSON_GetObjectItemCaseSensitive(v, "headline");
    if (cJSON_IsString(headline)) keep(&m->ld_headline, dup_or_null(headline->valuestring));
}

static void on_script(const xmlNode *n, meta *m) {
    char *type = node_attr(n, "type");
    int ld = type && !strcasecmp(type, "application/ld+json");
    xmlFree(type);
    if (!ld) return;
    xmlChar *text = xmlNodeGetContent(n);
    cJSON *json = text ? cJSON_Parse((const char *)text) : NULL;
    scan_ld(json, m, 0);
    cJSON_Delete(json);
    xmlFree(text);
}

/* A site logo written as a heading: an <h1> whose class or id names a logo or brand, or that
 * holds an image. Not a candidate for the article's title. */
static int is_logo_heading(const xmlNode *h1) {
    static const char *const attrs[] = {"class", "id"};
    for (size_t i = 0; i < 2; i++) {
        char *v = node_attr(h1, attrs[i]);
        int logo = v && (strcasestr(v, "logo") || strcasestr(v, "brand"));
        xmlFree(v);
        if (logo) return 1;
    }
    for (const xmlNode *c = h1->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && (node_is(c, "img") || (node_is(c, "a") && is_logo_heading(c)))) return 1;
    return 0;
}

/* Inside a share or social-links widget, which repeats the page's title for sharing (Daily Mail
 * puts its one <h1> there, at the foot of the page, and the headline in an <h2> above the
 * article): not the headline either. */
static int in_share_widget(const xmlNode *n) {
    static const char *const attrs[] = {"class", "id"};
    for (const xmlNode *p = n->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
        for (size_t i = 0; i < 2; i++) {
            char *v = node_attr(p, attrs[i]);
            int share = v && (strcasestr(v, "share") || strcasestr(v, "social"));
            xmlFree(v);
            if (share) return 1;
        }
    return 0;
}

static int is_headline_candidate(const xmlNode *h1) { return !is_logo_heading(h1) && !in_share_widget(h1); }

static void walk(const xmlNode *n, meta *m, int *best_rank) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (node_is(n, "meta")) on_meta(n, m, best_rank);
        else if (node_is(n, "script")) on_script(n, m);
        else if (node_is(n, "title") && !m->title_tag) m->title_tag = node_text_dup(n);
        else if (node_is(n, "h1") && m->n_h1 < MAX_H1 && is_headline_candidate(n)) m->h1[m->n_h1++] = node_text_dup(n);
        else if (node_is(n, "h2") && !m->h2) m->h2 = node_text_dup(n);
        else if (node_is(n, "time") && !m->time_date) m->time_date = node_attr(n, "datetime");
        if (!node_is(n, "script")) walk(n->children, m, best_rank);
    }
}

/* Frees a field that may come from libxml2 (xmlFree) or from malloc (text helpers): both are
 * malloc here, as libxml2 is built with the system allocator. */
static void meta_free(meta *m) {
    char **all[] = {&m->og_title,    &m->title_tag,   &m->ld_date,     &m->meta_date,
                    &m->time_date,   &m->ld_author,   &m->meta_author, &m->ld_headline,
                    &m->ld_modified, &m->meta_modified, &m->h2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(*all[i]);
    for (int i = 0; i < m->n_h1; i++) free(m->h1[i]);
}

void extract_meta(htmlDocPtr doc, yq_article *a) {
    meta m = {0};
    int best_rank = 1000;
    walk(xmlDocGetRootElement(doc), &m, &best_rank);
    text_squeeze(m.og_title);
    text_squeeze(m.ld_headline);
    title_sources titles = {m.og_title, m.ld_headline, m.title_tag, m.h1, m.n_h1, m.h2};
    a->title = extract_title(&titles);
    date_sources dates = {{m.ld_date, m.meta_date, m.time_date}, {m.ld_modified, m.meta_modified}};
    a->published_at = extract_date(doc, &dates, a->title);
    const char *author = m.ld_author ? m.ld_author : m.meta_author;
    if (author) a->author = text_squeeze(strdup(author));
    meta_free(&m);
}
