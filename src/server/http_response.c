/* Complete HTTP responses: text, JSON, and OpenAI-style error objects. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

yq_http_response *yq_http_text(int status, const char *content_type, const char *body, size_t len) {
    yq_http_response *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->status = status;
    snprintf(r->content_type, sizeof r->content_type, "%s", content_type);
    r->body = malloc(len + 1);
    if (!r->body) {
        free(r);
        return NULL;
    }
    memcpy(r->body, body, len);
    r->len = len;
    return r;
}

yq_http_response *yq_http_json(int status, cJSON *json) {
    char *text = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    if (!text) return NULL;
    yq_http_response *r = yq_http_text(status, "application/json", text, strlen(text));
    free(text);
    return r;
}

yq_http_response *yq_http_error(int status, const char *type, const char *param, const char *fmt, ...) {
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    cJSON *root = cJSON_CreateObject(), *error = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(error, "message", message);
    cJSON_AddStringToObject(error, "type", type);
    if (param) cJSON_AddStringToObject(error, "param", param);
    else cJSON_AddNullToObject(error, "param");
    cJSON_AddNullToObject(error, "code");
    return yq_http_json(status, root);
}

int yq_http_response_status(const yq_http_response *r) { return r ? r->status : 500; }
