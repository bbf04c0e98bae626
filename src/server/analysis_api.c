/* The analysis store over HTTP: the live dashboard and the read-only JSON API (routes listed in
 * include/yuqing/analysis_api.h). One store connection, used under a mutex. */
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "yuqing/analysis_api.h"
#include "yuqing/error.h"
#include "yuqing/report.h"
#include "yuqing/store.h"

struct yq_analysis_api {
    yq_store *store;
    yq_report_range range; /* the whole store, in its time zone */
    pthread_mutex_t lock;
};

/* The report's data under the lock, or an error response in *error. */
static cJSON *report_data(yq_analysis_api *api, yq_http_response **error) {
    cJSON *data = NULL;
    pthread_mutex_lock(&api->lock);
    int rc = yq_report_data(yq_store_db(api->store), &api->range, &data);
    pthread_mutex_unlock(&api->lock);
    if (rc) *error = yq_http_error(500, "server_error", NULL, "%s", yq_last_error());
    return data;
}

/* {"NAME": data[NAME]} from the report's data. */
static yq_http_response *report_part(yq_analysis_api *api, const char *name) {
    yq_http_response *error = NULL;
    cJSON *data = report_data(api, &error);
    if (!data) return error;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, name, cJSON_DetachItemFromObject(data, name));
    cJSON_Delete(data);
    return yq_http_json(200, out);
}

static yq_http_response *get_entities(void *ctx, const yq_http_request *req) {
    return report_part(ctx, "entities");
}

static yq_http_response *get_alerts(void *ctx, const yq_http_request *req) {
    return report_part(ctx, "alerts");
}

static yq_http_response *get_page(void *ctx, const yq_http_request *req) {
    yq_http_response *error = NULL;
    cJSON *data = report_data(ctx, &error);
    if (!data) return error;
    char *page = NULL;
    int rc = yq_report_render_page(data, &page);
    cJSON_Delete(data);
    if (rc) return yq_http_error(500, "server_error", NULL, "%s", yq_last_error());
    yq_http_response *r = yq_http_text(200, "text/html; charset=utf-8", page, strlen(page));
    free(page);
    return r;
}

static yq_http_response *asset(const char *name, const char *content_type) {
    char *bytes;
    size_t len;
    if (yq_report_asset(name, &bytes, &len)) return yq_http_error(404, "not_found", NULL, "%s", yq_last_error());
    yq_http_response *r = yq_http_text(200, content_type, bytes, len);
    free(bytes);
    return r;
}

static yq_http_response *get_script(void *ctx, const yq_http_request *req) {
    return asset("report.js", "text/javascript; charset=utf-8");
}

static yq_http_response *get_style(void *ctx, const yq_http_request *req) {
    return asset("report.css", "text/css; charset=utf-8");
}

static yq_http_response *get_chartjs(void *ctx, const yq_http_request *req) {
    return asset("chart.min.js", "text/javascript; charset=utf-8");
}

static int add_row(void *ctx, const yq_search_row *r) {
    cJSON *row = cJSON_CreateObject();
    char local[32];
    const struct { const char *name, *value; } text[] = {
        {"id", r->id}, {"time", yq_utc_to_local(r->time, local)}, {"source", r->source}, {"url", r->url}, {"title", r->title},
        {"lang", r->lang}, {"sentiment", r->sentiment}, {"summary", r->summary}, {"event_type", r->event_type}};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        cJSON_AddItemToObject(row, text[i].name, text[i].value ? cJSON_CreateString(text[i].value) : cJSON_CreateNull());
    cJSON_AddNumberToObject(row, "score", r->score);
    cJSON *keywords = r->keywords ? cJSON_Parse(r->keywords) : NULL, *entities = r->entities ? cJSON_Parse(r->entities) : NULL;
    cJSON_AddItemToObject(row, "keywords", keywords ? keywords : cJSON_CreateArray());
    cJSON_AddItemToObject(row, "entities", entities ? entities : cJSON_CreateArray());
    cJSON_AddNumberToObject(row, "group", (double)r->group);
    cJSON_AddNumberToObject(row, "group_articles", (double)r->group_articles);
    cJSON_AddItemToArray(ctx, row);
    return 0;
}

/* The search query from ?q=&entity=&sentiment=&since=&limit=, or a 400 response in *error. */
static int article_query(const yq_http_request *req, yq_search_query *q, char since[21], yq_http_response **error) {
    const char *sentiment = yq_http_query(req, "sentiment"), *since_text = yq_http_query(req, "since");
    const char *limit = yq_http_query(req, "limit");
    *q = (yq_search_query){yq_http_query(req, "q"), yq_http_query(req, "entity"), sentiment, NULL, 100};
    if (sentiment && strcmp(sentiment, "positive") && strcmp(sentiment, "neutral") && strcmp(sentiment, "negative")) {
        *error = yq_http_error(400, "invalid_request_error", "sentiment", "sentiment must be positive, neutral or negative");
        return -1;
    }
    if (since_text && yq_iso_to_utc(since_text, since)) {
        *error = yq_http_error(400, "invalid_request_error", "since", "since: '%s' is not an ISO 8601 date", since_text);
        return -1;
    }
    q->since = since_text ? since : NULL;
    char *end = NULL;
    long long n = limit ? strtoll(limit, &end, 10) : 100;
    if (limit && (*end || n < 1 || n > 10000)) {
        *error = yq_http_error(400, "invalid_request_error", "limit", "limit must be an integer in [1, 10000]");
        return -1;
    }
    q->limit = n;
    return 0;
}

static yq_http_response *get_articles(void *ctx, const yq_http_request *req) {
    yq_analysis_api *api = ctx;
    yq_search_query q;
    char since[21];
    yq_http_response *error = NULL;
    if (article_query(req, &q, since, &error)) return error;
    cJSON *articles = cJSON_CreateArray();
    pthread_mutex_lock(&api->lock);
    int rc = yq_store_search(api->store, &q, add_row, articles);
    pthread_mutex_unlock(&api->lock);
    if (rc) {
        cJSON_Delete(articles);
        return yq_http_error(yq_error_is_bad_input(rc) ? 400 : 500, "invalid_request_error", "q", "%s", yq_last_error());
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "articles", articles);
    return yq_http_json(200, out);
}

int yq_analysis_api_routes(yq_analysis_api *api, yq_http_route *routes) {
    const yq_http_route list[YQ_ANALYSIS_ROUTES] = {
        {"GET", "/", get_page, api},
        {"GET", "/report.js", get_script, api},
        {"GET", "/report.css", get_style, api},
        {"GET", "/chart.min.js", get_chartjs, api},
        {"GET", "/api/entities", get_entities, api},
        {"GET", "/api/articles", get_articles, api},
        {"GET", "/api/alerts", get_alerts, api},
    };
    memcpy(routes, list, sizeof list);
    return YQ_ANALYSIS_ROUTES;
}

int yq_analysis_api_new(const char *db_path, yq_analysis_api **out) {
    if (access(db_path, R_OK) != 0) return yq_error(YQ_ENOENT, "%s: no such analysis store", db_path);
    yq_analysis_api *api = calloc(1, sizeof *api);
    if (!api) return yq_error(YQ_ENOMEM, "out of memory");
    int rc = yq_store_open(db_path, &api->store);
    char *tz = rc ? NULL : yq_report_store_timezone(yq_store_db(api->store));
    if (!rc) rc = yq_report_range_init(&api->range, tz, NULL, NULL);
    free(tz);
    if (rc) {
        yq_store_close(api->store);
        free(api);
        return rc;
    }
    pthread_mutex_init(&api->lock, NULL);
    *out = api;
    return YQ_OK;
}

void yq_analysis_api_free(yq_analysis_api *api) {
    if (!api) return;
    yq_store_close(api->store);
    pthread_mutex_destroy(&api->lock);
    free(api);
}
