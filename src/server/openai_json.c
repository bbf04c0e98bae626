/* JSON shapes of OpenAI responses: completion objects, stream chunks, usage, logprobs. */
#include <stdlib.h>
#include <string.h>

#include "openai_json.h"

/* The token's bytes as a JSON-safe UTF-8 string (invalid bytes become U+FFFD). */
static char *token_text(const yq_tokenizer *tok, int32_t id) {
    const char *bytes;
    size_t len;
    if (yq_tokenizer_token_bytes(tok, id, &bytes, &len)) len = 0;
    char *out = malloc(len * 3 + 1), *w = out;
    if (!out) return NULL;
    for (size_t i = 0; i < len;) {
        int n = yq_utf8_char_len(bytes + i, len - i);
        if (n > 0) {
            memcpy(w, bytes + i, (size_t)n);
            w += n;
            i += (size_t)n;
        } else {
            memcpy(w, "\xef\xbf\xbd", 3);
            w += 3;
            i++;
        }
    }
    *w = '\0';
    return out;
}

static cJSON *bytes_array(const yq_tokenizer *tok, int32_t id) {
    const char *bytes;
    size_t len;
    cJSON *a = cJSON_CreateArray();
    if (!yq_tokenizer_token_bytes(tok, id, &bytes, &len))
        for (size_t i = 0; i < len; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber((unsigned char)bytes[i]));
    return a;
}

static cJSON *logprob_item(const yq_tokenizer *tok, int32_t id, float logprob) {
    cJSON *item = cJSON_CreateObject();
    char *text = token_text(tok, id);
    cJSON_AddStringToObject(item, "token", text ? text : "");
    free(text);
    cJSON_AddNumberToObject(item, "logprob", logprob);
    cJSON_AddItemToObject(item, "bytes", bytes_array(tok, id));
    return item;
}

void openai_chat_logprob(const yq_tokenizer *tok, const yq_token_event *ev, cJSON *content) {
    cJSON *item = logprob_item(tok, ev->token, ev->logprob);
    cJSON *top = cJSON_AddArrayToObject(item, "top_logprobs");
    for (int i = 0; i < ev->n_top; i++) cJSON_AddItemToArray(top, logprob_item(tok, ev->top_ids[i], ev->top_logprobs[i]));
    cJSON_AddItemToArray(content, item);
}

void openai_completion_logprob(const yq_tokenizer *tok, const yq_token_event *ev, size_t text_offset, cJSON *lp) {
    char *text = token_text(tok, ev->token);
    cJSON_AddItemToArray(cJSON_GetObjectItem(lp, "tokens"), cJSON_CreateString(text ? text : ""));
    free(text);
    cJSON_AddItemToArray(cJSON_GetObjectItem(lp, "token_logprobs"), cJSON_CreateNumber(ev->logprob));
    cJSON_AddItemToArray(cJSON_GetObjectItem(lp, "text_offset"), cJSON_CreateNumber((double)text_offset));
    cJSON *top = cJSON_CreateObject();
    for (int i = 0; i < ev->n_top; i++) {
        char *t = token_text(tok, ev->top_ids[i]);
        if (t && !cJSON_HasObjectItem(top, t)) cJSON_AddNumberToObject(top, t, ev->top_logprobs[i]);
        free(t);
    }
    cJSON_AddItemToArray(cJSON_GetObjectItem(lp, "top_logprobs"), top);
}

cJSON *openai_logprobs_new(bool is_chat) {
    cJSON *lp = cJSON_CreateObject();
    if (is_chat) {
        cJSON_AddArrayToObject(lp, "content");
    } else {
        cJSON_AddArrayToObject(lp, "tokens");
        cJSON_AddArrayToObject(lp, "token_logprobs");
        cJSON_AddArrayToObject(lp, "top_logprobs");
        cJSON_AddArrayToObject(lp, "text_offset");
    }
    return lp;
}

cJSON *openai_envelope(bool is_chat, bool chunk, const char *id, long created, const char *model) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "id", id);
    cJSON_AddStringToObject(root, "object", !is_chat ? "text_completion" : chunk ? "chat.completion.chunk" : "chat.completion");
    cJSON_AddNumberToObject(root, "created", (double)created);
    cJSON_AddStringToObject(root, "model", model);
    cJSON_AddArrayToObject(root, "choices");
    return root;
}

cJSON *openai_choice(bool is_chat, bool chunk, int index, const char *text, bool with_role, const char *finish,
                     cJSON *logprobs) {
    cJSON *c = cJSON_CreateObject();
    cJSON_AddNumberToObject(c, "index", index);
    if (!is_chat) {
        cJSON_AddStringToObject(c, "text", text ? text : "");
    } else {
        cJSON *msg = cJSON_AddObjectToObject(c, chunk ? "delta" : "message");
        if (with_role || !chunk) cJSON_AddStringToObject(msg, "role", "assistant");
        if (text || !chunk) cJSON_AddStringToObject(msg, "content", text ? text : "");
    }
    if (logprobs) cJSON_AddItemToObject(c, "logprobs", logprobs);
    else cJSON_AddNullToObject(c, "logprobs");
    if (finish) cJSON_AddStringToObject(c, "finish_reason", finish);
    else cJSON_AddNullToObject(c, "finish_reason");
    return c;
}

cJSON *openai_usage(int prompt_tokens, int completion_tokens, int cached_tokens) {
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "prompt_tokens", prompt_tokens);
    cJSON_AddNumberToObject(u, "completion_tokens", completion_tokens);
    cJSON_AddNumberToObject(u, "total_tokens", prompt_tokens + completion_tokens);
    cJSON *details = cJSON_AddObjectToObject(u, "prompt_tokens_details");
    cJSON_AddNumberToObject(details, "cached_tokens", cached_tokens);
    return u;
}
