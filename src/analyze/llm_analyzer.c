/* The LLM analyzer's entry point: picks the back end (local engine or OpenAI-compatible URL)
 * and sets up what both share. */
#include <stdio.h>
#include <string.h>

#include "analyze/llm_internal.h"
#include "yuqing/error.h"

int llm_common_init(llm_common *c, const yq_llm_config *config, const char *model_name) {
    c->base.name = c->name;
    c->watch = config->watch;
    snprintf(c->name, sizeof c->name, "llm:%s", model_name);
    int rc = llm_prompt_load(config->prompt_path, &c->prompt);
    c->max_tokens = config->max_tokens > 0 ? config->max_tokens : c->prompt.max_tokens;
    return rc;
}

int yq_llm_analyzer_new(const yq_llm_config *config, yq_analyzer **out) {
    if (!config->model_path == !config->url)
        return yq_error(YQ_EINVAL, "the LLM analyzer needs exactly one of a model (--model) and a URL (--llm-url)");
    return config->model_path ? llm_engine_new(config, out) : llm_remote_new(config, out);
}
