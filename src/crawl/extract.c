/* yq_extract_html: one page's bytes to an article (charset, libxml2 parse, metadata, body,
 * language, links), and the article's JSON form. */
#include "yuqing/extract.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "crawl/extract_internal.h"
#include "yuqing/charset.h"
#include "yuqing/error.h"

void yq_article_free(yq_article *a) {
    char *fields[] = {a->url, a->title, a->published_at, a->author, a->body, a->lang};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) free(fields[i]);
    for (int i = 0; i < a->n_media; i++) free(a->media[i]);
    for (int i = 0; i < a->n_links; i++) free(a->links[i]);
    free(a->media);
    free(a->links);
    memset(a, 0, sizeof *a);
}

static htmlDocPtr parse(const char *utf8, size_t len, const char *url) {
    int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
    return htmlReadMemory(utf8, (int)len, url, "UTF-8", options);
}

int yq_extract_html(const char *bytes, size_t len, const char *url, const char *charset_hint, yq_article *out) {
    memset(out, 0, sizeof *out);
    if (len > 0x7fffffff) return yq_error(YQ_ERANGE, "page too large (%zu bytes)", len);
    char *utf8;
    size_t utf8_len;
    int rc = yq_charset_to_utf8(bytes, len, charset_hint, &utf8, &utf8_len, NULL);
    if (rc != 0) return rc;
    htmlDocPtr doc = parse(utf8, utf8_len, url);
    free(utf8);
    if (!doc || !xmlDocGetRootElement(doc)) {
        if (doc) xmlFreeDoc(doc);
        return yq_error(YQ_EFORMAT, "not parseable as HTML");
    }
    out->url = url ? strdup(url) : NULL;
    extract_meta(doc, out);
    rc = extract_links(doc, url, out);
    if (rc == 0) {
        out->body = extract_body(doc); /* prunes the tree: last */
        if (out->body && !*out->body) free(out->body), out->body = NULL;
        const char *lang = detect_lang(out->body ? out->body : out->title);
        out->lang = lang ? strdup(lang) : NULL;
    }
    xmlFreeDoc(doc);
    if (rc != 0) yq_article_free(out);
    return rc;
}

static cJSON *string_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static cJSON *string_array(char *const *items, int n) {
    cJSON *array = cJSON_CreateArray();
    for (int i = 0; array && i < n; i++) cJSON_AddItemToArray(array, cJSON_CreateString(items[i]));
    return array;
}

char *yq_article_to_json(const yq_article *a) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    const char *names[] = {"url", "title", "published_at", "author", "body", "lang"};
    const char *values[] = {a->url, a->title, a->published_at, a->author, a->body, a->lang};
    for (size_t i = 0; i < 6; i++) cJSON_AddItemToObject(o, names[i], string_or_null(values[i]));
    cJSON_AddItemToObject(o, "media", string_array(a->media, a->n_media));
    cJSON_AddItemToObject(o, "links", string_array(a->links, a->n_links));
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}
