/* Internals of the OpenAI API: the parsed request and the per-request job that turns engine
 * events into JSON or server-sent events. */
#ifndef YUQING_SERVER_OPENAI_INTERNAL_H
#define YUQING_SERVER_OPENAI_INTERNAL_H

#include <stdbool.h>

#include "metrics.h"
#include "yuqing/chat.h"
#include "yuqing/generate.h"
#include "yuqing/openai.h"

enum { OPENAI_MAX_STOPS = 16, OPENAI_MAX_N = 16 };

struct yq_openai {
    yq_openai_config config;
    yq_chat_format chat_format;
    int32_t end_of_turn; /* the chat format's end-of-turn token, or -1 */
    yq_metrics *metrics;
    yq_json_vocab *json_vocab; /* for response_format; NULL when the tokenizer cannot spell JSON */
    unsigned long long next_id;
};

typedef struct openai_request {
    bool is_chat, stream, include_usage;
    bool return_tokens; /* llama-server's extension: the generated ids in each choice */
    int32_t *prompt;
    int n_prompt;
    yq_sampling_params sampling;
    int n, logprobs, top_logprobs;
    yq_json_constraint *constraint; /* response_format json_object / json_schema, or NULL */
    const char *stops[OPENAI_MAX_STOPS]; /* point into `json` */
    int n_stops;
    cJSON *json;
} openai_request;

/* Parses and validates a request body; on failure returns the 400 response to send. */
yq_http_response *openai_parse(yq_openai *api, bool is_chat, const char *body, size_t len, openai_request *out);
void openai_request_free(openai_request *r);

/* Submits a parsed request to the engine and returns the (streamed) response; takes the request. */
yq_http_response *openai_run(yq_openai *api, openai_request *r);

#endif
