/* Links and media of a page: <a href>, <audio>/<video>/<source> src and og:video/og:audio, made
 * absolute against <base href> or the page URL, deduplicated in page order. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "crawl/extract_internal.h"
#include "yuqing/error.h"

typedef struct url_list {
    char ***items;
    int *n;
    int cap;
    int oom;
} url_list;

/* Adds `href` resolved against `base` when it is an http(s) URL not yet listed. */
static void add_url(url_list *l, const char *href, const char *base) {
    if (!href || !*href || l->oom) return;
    xmlChar *abs = xmlBuildURI((const xmlChar *)href, (const xmlChar *)base);
    if (!abs) return;
    const char *s = (const char *)abs;
    int ok = !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
    for (int i = 0; ok && i < *l->n; i++)
        if (!strcmp((*l->items)[i], s)) ok = 0;
    if (ok && *l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(*l->items, (size_t)cap * sizeof *p);
        if (!p) l->oom = 1, ok = 0;
        else *l->items = p, l->cap = cap;
    }
    if (ok) {
        char *copy = strdup(s);
        if (copy) (*l->items)[(*l->n)++] = copy;
        else l->oom = 1;
    }
    xmlFree(abs);
}

/* The <base href> (resolved against `url`) or `url`; malloc'd or NULL. */
static char *base_of(const xmlNode *n, const char *url) {
    for (; n; n = n->next) {
        if (node_is(n, "base")) {
            char *href = node_attr(n, "href");
            xmlChar *abs = href ? xmlBuildURI((const xmlChar *)href, (const xmlChar *)url) : NULL;
            xmlFree(href);
            if (abs) return (char *)abs;
        }
        char *b = n->type == XML_ELEMENT_NODE ? base_of(n->children, url) : NULL;
        if (b) return b;
    }
    return url ? strdup(url) : NULL;
}

static int is_media_meta(const char *key) {
    static const char *const keys[] = {"og:video", "og:video:url", "og:video:secure_url", "og:audio",
                                       "og:audio:url", "og:audio:secure_url", "twitter:player:stream"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (key && !strcasecmp(key, keys[i])) return 1;
    return 0;
}

static void collect(const xmlNode *n, const char *base, url_list *links, url_list *media) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        const char *attr = node_is(n, "a") ? "href"
                           : node_is(n, "audio") || node_is(n, "video") || node_is(n, "source") ? "src"
                           : node_is(n, "meta") ? "content"
                                                : NULL;
        if (attr) {
            char *value = node_attr(n, attr);
            char *key = node_is(n, "meta") ? node_attr(n, "property") : NULL;
            if (node_is(n, "a")) add_url(links, value, base);
            else if (!node_is(n, "meta") || is_media_meta(key)) add_url(media, value, base);
            xmlFree(key);
            xmlFree(value);
        }
        collect(n->children, base, links, media);
    }
}

int extract_links(htmlDocPtr doc, const char *url, yq_article *a) {
    xmlNode *root = xmlDocGetRootElement(doc);
    char *base = base_of(root, url);
    url_list links = {&a->links, &a->n_links, 0, 0}, media = {&a->media, &a->n_media, 0, 0};
    collect(root, base ? base : "", &links, &media);
    free(base);
    return links.oom || media.oom ? yq_error(YQ_ENOMEM, "out of memory collecting links") : 0;
}
