/* The LLM analyzer's answer: the JSON Schema it is constrained to, and its reading into a
 * yq_analysis (validation, entity names mapped to the watch list, keywords from TextRank). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/llm_internal.h"
#include "yuqing/error.h"
#include "yuqing/json.h"
#include "yuqing/tokenizer.h"

enum { N_KEYWORDS = 8, MAX_ENTITIES = 16 };

#define SENTIMENTS "[\"positive\",\"neutral\",\"negative\"]"
const char llm_answer_schema[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"sentiment\":{\"type\":\"string\",\"enum\":" SENTIMENTS "},"
    "\"entities\":{\"type\":\"array\",\"maxItems\":16,\"items\":{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"sentiment\":{\"type\":\"string\",\"enum\":" SENTIMENTS "},"
    "\"reason\":{\"type\":\"string\"}},\"required\":[\"name\",\"sentiment\",\"reason\"]}},"
    "\"summary\":{\"type\":\"string\"},"
    "\"event_type\":{\"type\":\"string\",\"enum\":[\"earnings\",\"legal_regulatory\",\"product\",\"personnel\","
    "\"mergers_acquisitions\",\"accident_recall\",\"other\"]}},"
    "\"required\":[\"sentiment\",\"entities\",\"summary\",\"event_type\"]}";

int llm_excerpt_len(const char *s) {
    size_t n = strnlen(s, 121), at = 0;
    while (at < n) {
        int step = yq_utf8_char_len(s + at, n - at);
        if (step <= 0 || at + (size_t)step > 120) break;
        at += (size_t)step;
    }
    return (int)at;
}

int llm_mark_failed(yq_analysis *a, const char *fmt, ...) {
    yq_analysis_clear(a);
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    a->failed = 1;
    a->error = strdup(reason);
    return a->error ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

/* -1, 0 or 1 for a sentiment name; 2 when it is none. */
static int label_of(const cJSON *item) {
    const char *s = cJSON_IsString(item) ? item->valuestring : "";
    return !strcmp(s, "positive") ? 1 : !strcmp(s, "neutral") ? 0 : !strcmp(s, "negative") ? -1 : 2;
}

static int names_entity(const yq_watch_entity *e, const char *name) {
    if (!strcasecmp(name, e->name) || strcasestr(name, e->name)) return 1;
    for (int i = 0; i < e->n_aliases; i++)
        if (!strcasecmp(name, e->aliases[i])) return 1;
    return 0;
}

/* The label the answer gives entity `e` (the first item naming it), or `fallback`. */
static int entity_label(const yq_watch_entity *e, const cJSON *entities, int fallback) {
    const cJSON *item;
    cJSON_ArrayForEach(item, entities) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
        if (cJSON_IsString(name) && names_entity(e, name->valuestring))
            return label_of(cJSON_GetObjectItemCaseSensitive(item, "sentiment"));
    }
    return fallback;
}

/* One yq_entity_sentiment per entity the article mentions, in order of first mention; an entity
 * the answer leaves out takes the article's label. */
static int map_entities(const yq_watch *w, const yq_doc *d, const cJSON *entities, yq_analysis *a) {
    a->entities = calloc((size_t)d->n_mentions + 1, sizeof *a->entities);
    if (!a->entities) return yq_error(YQ_ENOMEM, "out of memory");
    for (int i = 0; w && i < d->n_mentions; i++) {
        int e = d->mentions[i].entity, k = 0;
        if (e < 0 || e >= w->n_entities) continue;
        while (k < a->n_entities && a->entities[k].entity != e)
            k++;
        if (k == a->n_entities) {
            int label = entity_label(&w->entities[e], entities, a->label);
            a->entities[a->n_entities++] =
                (yq_entity_sentiment){.entity = e, .label = (yq_sentiment_label)label, .score = (float)label};
        }
        a->entities[k].n_mentions++;
    }
    return YQ_OK;
}

/* The first thing wrong with the answer against the schema, or NULL. */
static const char *invalid(const cJSON *root) {
    if (!cJSON_IsObject(root)) return "not a JSON object";
    if (label_of(cJSON_GetObjectItemCaseSensitive(root, "sentiment")) == 2) return "no valid \"sentiment\"";
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "summary"))) return "no string \"summary\"";
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "event_type"))) return "no string \"event_type\"";
    const cJSON *entities = cJSON_GetObjectItemCaseSensitive(root, "entities"), *item;
    if (!cJSON_IsArray(entities)) return "no \"entities\" list";
    if (cJSON_GetArraySize(entities) > MAX_ENTITIES) return "more than 16 \"entities\"";
    cJSON_ArrayForEach(item, entities) {
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(item, "name")))
            return "an entity without a string \"name\"";
        if (label_of(cJSON_GetObjectItemCaseSensitive(item, "sentiment")) == 2)
            return "an entity without a valid \"sentiment\"";
    }
    return NULL;
}

static const char *event_type_of(const cJSON *item) {
    for (int i = 0; yq_event_types[i]; i++)
        if (!strcmp(item->valuestring, yq_event_types[i])) return yq_event_types[i];
    return "other";
}

static int keywords(const yq_doc *d, yq_analysis *a) {
    size_t len = d->title_len + d->body_len + 1;
    char *text = malloc(len + 1);
    if (!text) return yq_error(YQ_ENOMEM, "out of memory");
    snprintf(text, len + 1, "%s\n%s", d->title, d->body);
    int rc = yq_keywords(text, len, N_KEYWORDS, &a->keywords, &a->n_keywords);
    free(text);
    return rc;
}

int llm_answer_read(const yq_watch *watch, const yq_doc *doc, const char *text, size_t len, yq_analysis *a) {
    memset(a, 0, sizeof *a);
    cJSON *root = cJSON_ParseWithLength(text, len);
    const char *why = root ? invalid(root) : "not JSON";
    if (why) {
        cJSON_Delete(root);
        return llm_mark_failed(a, "the answer is invalid (%s): %.*s%s", why, llm_excerpt_len(text), text,
                               len > 120 ? "..." : "");
    }
    a->label = (yq_sentiment_label)label_of(cJSON_GetObjectItemCaseSensitive(root, "sentiment"));
    a->score = (float)a->label;
    a->event_type = event_type_of(cJSON_GetObjectItemCaseSensitive(root, "event_type"));
    a->summary = strdup(cJSON_GetObjectItemCaseSensitive(root, "summary")->valuestring);
    int rc = a->summary ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    if (!rc) rc = map_entities(watch, doc, cJSON_GetObjectItemCaseSensitive(root, "entities"), a);
    if (!rc) rc = keywords(doc, a);
    cJSON_Delete(root);
    if (rc) yq_analysis_clear(a);
    return rc;
}
