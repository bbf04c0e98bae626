/* The OpenAI-compatible API over the serving engine: /v1/chat/completions, /v1/completions,
 * /v1/models, /health and /metrics, as routes for the shared HTTP layer. */
#ifndef YUQING_OPENAI_H
#define YUQING_OPENAI_H

#include "yuqing/engine.h"
#include "yuqing/http.h"
#include "yuqing/tokenizer.h"

typedef struct yq_openai yq_openai;

typedef struct yq_openai_config {
    const yq_model *model;         /* borrowed */
    const yq_tokenizer *tokenizer; /* borrowed */
    yq_engine *engine;             /* borrowed */
    const char *model_name;        /* listed by /v1/models; requests may name any model */
    int max_n;                     /* largest `n` accepted */
} yq_openai_config;

int yq_openai_new(const yq_openai_config *config, yq_openai **out);
void yq_openai_free(yq_openai *api);

/* Fills routes[0..5) with the API's routes; returns how many. */
int yq_openai_routes(yq_openai *api, yq_http_route *routes);

#endif
