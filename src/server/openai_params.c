/* Parsing and validation of OpenAI request bodies into prompt ids and sampling parameters.
 * Sampling fields left out take the model's generation_config.json, else OpenAI's defaults. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "openai_internal.h"
#include "yuqing/error.h"

#define BAD(param, ...) yq_http_error(400, "invalid_request_error", param, __VA_ARGS__)

/* A number field in [min, max]; absent leaves *out. Returns an error response or NULL. */
static yq_http_response *number_field(const cJSON *root, const char *name, double min, double max, double *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, name);
    if (!item || cJSON_IsNull(item)) return NULL;
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || item->valuedouble < min || item->valuedouble > max)
        return BAD(name, "'%s' must be a number between %g and %g", name, min, max);
    *out = item->valuedouble;
    return NULL;
}

static yq_http_response *int_field(const cJSON *root, const char *name, double min, double max, int *out) {
    double v = *out;
    yq_http_response *err = number_field(root, name, min, max, &v);
    if (err) return err;
    if (v != floor(v)) return BAD(name, "'%s' must be an integer", name);
    *out = (int)v;
    return NULL;
}

static yq_http_response *bool_field(const cJSON *root, const char *name, bool *out) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, name);
    if (!item || cJSON_IsNull(item)) return NULL;
    if (!cJSON_IsBool(item)) return BAD(name, "'%s' must be true or false", name);
    *out = cJSON_IsTrue(item);
    return NULL;
}

static yq_http_response *parse_sampling(yq_openai *api, const cJSON *root, openai_request *r) {
    const yq_model *m = api->config.model;
    yq_sampling_params *p = &r->sampling;
    *p = m->generation_defaults;
    if (!m->has_generation_config) { /* OpenAI's defaults */
        p->temperature = 1.0f;
        p->top_p = 1.0f;
        p->top_k = 0;
    }
    p->max_tokens = m->config.max_context - r->n_prompt;
    double t = p->temperature, tp = p->top_p, mp = p->min_p, rp = p->repetition_penalty, pp = 0, fp = 0, seed = 0;
    int max_tokens = p->max_tokens, top_k = p->top_k;
    yq_http_response *err = number_field(root, "temperature", 0, 2, &t);
    if (!err) err = number_field(root, "top_p", 0, 1, &tp);
    if (!err) err = number_field(root, "min_p", 0, 1, &mp);
    if (!err) err = number_field(root, "repetition_penalty", 0.01, 10, &rp);
    if (!err) err = number_field(root, "presence_penalty", -2, 2, &pp);
    if (!err) err = number_field(root, "frequency_penalty", -2, 2, &fp);
    if (!err) err = int_field(root, "top_k", 0, 1e9, &top_k);
    if (!err) err = number_field(root, "seed", -9.2e18, 9.2e18, &seed);
    if (!err) err = int_field(root, r->is_chat && cJSON_HasObjectItem(root, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens",
                              1, 1e9, &max_tokens);
    if (err) return err;
    if (r->n_prompt + max_tokens > m->config.max_context)
        return BAD("max_tokens", "max_tokens %d plus the prompt's %d tokens exceed the context of %d", max_tokens,
                   r->n_prompt, m->config.max_context);
    *p = (yq_sampling_params){(float)t, top_k, (float)tp, (float)mp, (float)rp, (float)pp, (float)fp, (uint64_t)(int64_t)seed, max_tokens};
    if (!cJSON_HasObjectItem(root, "seed")) p->seed = (uint64_t)api->next_id * 0x9e3779b97f4a7c15ull;
    return NULL;
}

static yq_http_response *parse_stops(const cJSON *root, openai_request *r) {
    const cJSON *stop = cJSON_GetObjectItemCaseSensitive(root, "stop");
    if (!stop || cJSON_IsNull(stop)) return NULL;
    if (cJSON_IsString(stop)) {
        r->stops[r->n_stops++] = stop->valuestring;
        return NULL;
    }
    if (!cJSON_IsArray(stop) || cJSON_GetArraySize(stop) > OPENAI_MAX_STOPS)
        return BAD("stop", "'stop' must be a string or a list of at most %d strings", OPENAI_MAX_STOPS);
    const cJSON *s;
    cJSON_ArrayForEach(s, stop) {
        if (!cJSON_IsString(s)) return BAD("stop", "'stop' must hold strings");
        r->stops[r->n_stops++] = s->valuestring;
    }
    return NULL;
}

/* response_format: "text", "json_object" (any JSON object) or "json_schema" (its schema, in the
 * subset docs/JSON_SCHEMA.md describes), enforced by constrained decoding. */
static yq_http_response *parse_response_format(yq_openai *api, const cJSON *root, openai_request *r) {
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "response_format");
    if (!format || cJSON_IsNull(format)) return NULL;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(format, "type");
    if (!cJSON_IsString(type)) return BAD("response_format", "response_format needs a string 'type'");
    if (!strcmp(type->valuestring, "text")) return NULL;
    char *schema = NULL;
    if (!strcmp(type->valuestring, "json_schema")) {
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(format, "json_schema"), "schema");
        if (!cJSON_IsObject(spec)) return BAD("response_format", "json_schema needs a 'schema' object");
        schema = cJSON_PrintUnformatted(spec);
    } else if (strcmp(type->valuestring, "json_object") != 0) {
        return BAD("response_format", "response_format type '%s' is not one of text, json_object, json_schema", type->valuestring);
    }
    if (!api->json_vocab) {
        free(schema);
        return BAD("response_format", "this model's tokenizer cannot be constrained to JSON");
    }
    int rc = yq_json_constraint_new(schema, schema ? strlen(schema) : 0, &r->constraint);
    free(schema);
    return rc ? BAD("response_format", "%s", yq_last_error()) : NULL;
}

static yq_http_response *parse_output_options(yq_openai *api, const cJSON *root, openai_request *r) {
    r->n = 1;
    yq_http_response *err = int_field(root, "n", 1, api->config.max_n, &r->n);
    if (!err) err = bool_field(root, "stream", &r->stream);
    const cJSON *options = cJSON_GetObjectItemCaseSensitive(root, "stream_options");
    if (!err && cJSON_IsObject(options)) err = bool_field(options, "include_usage", &r->include_usage);
    if (!err) err = bool_field(root, "return_tokens", &r->return_tokens);
    if (!err && r->is_chat) {
        bool logprobs = false;
        err = bool_field(root, "logprobs", &logprobs);
        r->logprobs = logprobs;
        if (!err) err = int_field(root, "top_logprobs", 0, YQ_MAX_TOP_LOGPROBS, &r->top_logprobs);
    } else if (!err) {
        r->top_logprobs = -1;
        err = int_field(root, "logprobs", 0, 5, &r->top_logprobs);
        r->logprobs = r->top_logprobs >= 0;
        if (r->top_logprobs < 0) r->top_logprobs = 0;
    }
    return err ? err : parse_response_format(api, root, r);
}

/* Chat: messages [{role, content}] rendered with the model's chat template, then encoded with
 * special tokens recognised (the template's markers). */
static yq_http_response *parse_messages(yq_openai *api, const cJSON *root, openai_request *r) {
    const cJSON *messages = cJSON_GetObjectItemCaseSensitive(root, "messages");
    int n = cJSON_GetArraySize(messages);
    if (!cJSON_IsArray(messages) || n == 0) return BAD("messages", "'messages' must be a non-empty list");
    yq_chat_message *list = calloc((size_t)n, sizeof *list);
    if (!list) return yq_http_error(500, "server_error", NULL, "out of memory");
    int i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, messages) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        if (!cJSON_IsString(role) || !cJSON_IsString(content)) {
            free(list);
            return BAD("messages", "messages[%d] needs a string 'role' and a string 'content'", i);
        }
        list[i++] = (yq_chat_message){role->valuestring, content->valuestring};
    }
    char *text = NULL;
    yq_chat_options opts = {.add_generation_prompt = 1};
    int rc = yq_chat_render(api->chat_format, list, (size_t)n, &opts, &text);
    free(list);
    if (rc) return BAD("messages", "%s", yq_last_error());
    size_t n_ids;
    rc = yq_tokenizer_encode(api->config.tokenizer, text, strlen(text), 1, &r->prompt, &n_ids);
    free(text);
    if (rc) return BAD("messages", "%s", yq_last_error());
    r->n_prompt = (int)n_ids;
    return NULL;
}

/* Completions: `prompt` as a string (special tokens recognised, BOS where the tokenizer adds
 * one) or as a list of token ids. */
static yq_http_response *parse_prompt(yq_openai *api, const cJSON *root, openai_request *r) {
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(root, "prompt");
    if (cJSON_IsArray(prompt) && cJSON_GetArraySize(prompt) == 1 && cJSON_IsString(prompt->child)) prompt = prompt->child;
    if (cJSON_IsString(prompt)) {
        const yq_tokenizer *tok = api->config.tokenizer;
        int32_t *ids;
        size_t n;
        if (yq_tokenizer_encode(tok, prompt->valuestring, strlen(prompt->valuestring), 1, &ids, &n))
            return BAD("prompt", "%s", yq_last_error());
        int bos = yq_tokenizer_adds_bos(tok) ? yq_tokenizer_bos(tok) : -1;
        r->prompt = malloc((n + 1) * sizeof *r->prompt);
        if (r->prompt && bos >= 0) r->prompt[r->n_prompt++] = bos;
        if (r->prompt) memcpy(r->prompt + r->n_prompt, ids, n * sizeof *ids);
        r->n_prompt += (int)n;
        free(ids);
        return r->prompt ? NULL : yq_http_error(500, "server_error", NULL, "out of memory");
    }
    int n = cJSON_GetArraySize(prompt);
    if (!cJSON_IsArray(prompt) || n == 0) return BAD("prompt", "'prompt' must be a string or a list of token ids");
    r->prompt = malloc((size_t)n * sizeof *r->prompt);
    const cJSON *id;
    cJSON_ArrayForEach(id, prompt) {
        if (!cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble >= api->config.model->config.vocab_size)
            return BAD("prompt", "prompt[%d] is not a token id of this model", r->n_prompt);
        r->prompt[r->n_prompt++] = (int32_t)id->valuedouble;
    }
    return NULL;
}

yq_http_response *openai_parse(yq_openai *api, bool is_chat, const char *body, size_t len, openai_request *r) {
    memset(r, 0, sizeof *r);
    r->is_chat = is_chat;
    r->json = cJSON_ParseWithLength(body, len);
    if (!cJSON_IsObject(r->json)) return BAD(NULL, "the body is not a JSON object");
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(r->json, "model");
    if (model && !cJSON_IsString(model) && !cJSON_IsNull(model)) return BAD("model", "'model' must be a string");
    yq_http_response *err = is_chat ? parse_messages(api, r->json, r) : parse_prompt(api, r->json, r);
    if (!err && r->n_prompt >= api->config.model->config.max_context)
        err = BAD(is_chat ? "messages" : "prompt", "the prompt has %d tokens; the context is %d", r->n_prompt,
                  api->config.model->config.max_context);
    if (!err) err = parse_sampling(api, r->json, r);
    if (!err) err = parse_stops(r->json, r);
    if (!err) err = parse_output_options(api, r->json, r);
    return err;
}

void openai_request_free(openai_request *r) {
    free(r->prompt);
    yq_json_constraint_free(r->constraint);
    cJSON_Delete(r->json);
    memset(r, 0, sizeof *r);
}
