/* The item record of DESIGN §3 for one extracted article: id, url, canonical_url, source,
 * fetched_at (UTC), http_status, charset, title, published_at, author, body, lang, content_hash,
 * media, links, transcript (null until `yuqing transcribe`). */
#include <stdlib.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "crawl/crawler.h"

static cJSON *string_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static cJSON *string_array(char *const *items, int n) {
    cJSON *array = cJSON_CreateArray();
    for (int i = 0; array && i < n; i++) cJSON_AddItemToArray(array, cJSON_CreateString(items[i]));
    return array;
}

char *crawl_item_json(const crawl_item_meta *m, const yq_article *a) {
    char fetched[32];
    struct tm tm;
    gmtime_r(&m->fetched_at, &tm);
    strftime(fetched, sizeof fetched, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddItemToObject(o, "id", cJSON_CreateString(m->id));
    cJSON_AddItemToObject(o, "url", cJSON_CreateString(m->url));
    cJSON_AddItemToObject(o, "canonical_url", cJSON_CreateString(m->canonical_url));
    cJSON_AddItemToObject(o, "source", cJSON_CreateString(m->source));
    cJSON_AddItemToObject(o, "fetched_at", cJSON_CreateString(fetched));
    cJSON_AddItemToObject(o, "http_status", cJSON_CreateNumber((double)m->http_status));
    cJSON_AddItemToObject(o, "charset", string_or_null(m->charset));
    cJSON_AddItemToObject(o, "title", string_or_null(a->title));
    cJSON_AddItemToObject(o, "published_at", string_or_null(a->published_at));
    cJSON_AddItemToObject(o, "author", string_or_null(a->author));
    cJSON_AddItemToObject(o, "body", string_or_null(a->body));
    cJSON_AddItemToObject(o, "lang", string_or_null(a->lang));
    cJSON_AddItemToObject(o, "content_hash", cJSON_CreateString(m->content_hash));
    cJSON_AddItemToObject(o, "media", string_array(a->media, a->n_media));
    cJSON_AddItemToObject(o, "links", string_array(a->links, a->n_links));
    cJSON_AddItemToObject(o, "transcript", cJSON_CreateNull());
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return json;
}
