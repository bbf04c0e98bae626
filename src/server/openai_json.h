/* Builders for the JSON objects of OpenAI responses (internal to the OpenAI API). */
#ifndef YUQING_SERVER_OPENAI_JSON_H
#define YUQING_SERVER_OPENAI_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "yuqing/engine.h"
#include "yuqing/tokenizer.h"

/* {"id","object","created","model","choices":[]} for a completion or a stream chunk. */
cJSON *openai_envelope(bool is_chat, bool chunk, const char *id, long created, const char *model);
/* One choice: chat message/delta or completion text, logprobs (taken) and finish_reason. */
cJSON *openai_choice(bool is_chat, bool chunk, int index, const char *text, bool with_role, const char *finish,
                     cJSON *logprobs);
cJSON *openai_usage(int prompt_tokens, int completion_tokens, int cached_tokens);
/* An empty logprobs object: chat {"content": []} or completions {"tokens", ...}. */
cJSON *openai_logprobs_new(bool is_chat);
/* Appends one token's logprobs entry. */
void openai_chat_logprob(const yq_tokenizer *tok, const yq_token_event *ev, cJSON *content);
void openai_completion_logprob(const yq_tokenizer *tok, const yq_token_event *ev, size_t text_offset, cJSON *lp);

#endif
