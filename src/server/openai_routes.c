/* The OpenAI API's routes: chat and text completions, the model list, health and metrics. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "openai_internal.h"
#include "yuqing/error.h"
#include "yuqing/log.h"

int yq_openai_new(const yq_openai_config *config, yq_openai **out) {
    yq_openai *api = calloc(1, sizeof *api);
    if (!api) return yq_error(YQ_ENOMEM, "out of memory");
    api->config = *config;
    if (api->config.max_n > OPENAI_MAX_N) api->config.max_n = OPENAI_MAX_N;
    if (!yq_chat_format_detect(yq_tokenizer_chat_template(config->tokenizer), &api->chat_format))
        yq_warn("no recognised chat template; chat requests use ChatML");
    api->end_of_turn = yq_tokenizer_special_id(config->tokenizer, yq_chat_end_of_turn(api->chat_format));
    if (yq_json_vocab_new(config->tokenizer, &api->json_vocab) != YQ_OK)
        yq_warn("response_format unavailable: %s", yq_last_error());
    int rc = yq_metrics_new(&api->metrics);
    if (rc) {
        free(api);
        return rc;
    }
    *out = api;
    return YQ_OK;
}

void yq_openai_free(yq_openai *api) {
    if (!api) return;
    yq_metrics_free(api->metrics);
    yq_json_vocab_free(api->json_vocab);
    free(api);
}

static yq_http_response *counted(yq_openai *api, yq_http_response *r, int status) {
    yq_metrics_count_request(api->metrics, status);
    return r;
}

static yq_http_response *completion(yq_openai *api, const yq_http_request *req, bool is_chat) {
    size_t len;
    const char *body = yq_http_body(req, &len);
    openai_request parsed;
    yq_http_response *error = openai_parse(api, is_chat, body, len, &parsed);
    if (error) {
        openai_request_free(&parsed);
        return counted(api, error, 400);
    }
    yq_http_response *r = openai_run(api, &parsed);
    return counted(api, r, yq_http_response_status(r));
}

static yq_http_response *chat_handler(void *ctx, const yq_http_request *req) { return completion(ctx, req, true); }
static yq_http_response *completions_handler(void *ctx, const yq_http_request *req) { return completion(ctx, req, false); }

static yq_http_response *models_handler(void *ctx, const yq_http_request *req) {
    (void)req;
    yq_openai *api = ctx;
    cJSON *root = cJSON_CreateObject(), *data;
    cJSON_AddStringToObject(root, "object", "list");
    data = cJSON_AddArrayToObject(root, "data");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", api->config.model_name);
    cJSON_AddStringToObject(m, "object", "model");
    cJSON_AddNumberToObject(m, "created", (double)time(NULL));
    cJSON_AddStringToObject(m, "owned_by", "yuqing");
    cJSON_AddNumberToObject(m, "context_length", api->config.model->config.max_context);
    cJSON_AddItemToArray(data, m);
    return counted(api, yq_http_json(200, root), 200);
}

static yq_http_response *health_handler(void *ctx, const yq_http_request *req) {
    (void)req;
    return counted(ctx, yq_http_text(200, "application/json", "{\"status\":\"ok\"}", 15), 200);
}

static yq_http_response *metrics_handler(void *ctx, const yq_http_request *req) {
    (void)req;
    yq_openai *api = ctx;
    yq_engine_stats stats;
    yq_engine_get_stats(api->config.engine, &stats);
    char *text = yq_metrics_render(api->metrics, &stats);
    yq_http_response *r = text ? yq_http_text(200, "text/plain; version=0.0.4", text, strlen(text))
                               : yq_http_error(500, "server_error", NULL, "out of memory");
    free(text);
    return r;
}

int yq_openai_routes(yq_openai *api, yq_http_route *routes) {
    const yq_http_route list[] = {
        {"POST", "/v1/chat/completions", chat_handler, api},
        {"POST", "/v1/completions", completions_handler, api},
        {"GET", "/v1/models", models_handler, api},
        {"GET", "/health", health_handler, api},
        {"GET", "/metrics", metrics_handler, api},
    };
    memcpy(routes, list, sizeof list);
    return (int)(sizeof list / sizeof list[0]);
}
