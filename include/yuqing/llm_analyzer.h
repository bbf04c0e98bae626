/* The LLM analyzer: the yq_analyzer interface (analyze.h) answered by a language model, either the
 * local engine (a model folder or GGUF file) or any OpenAI-compatible endpoint. Each article goes
 * into a ChatML prompt template; the answer is JSON constrained to the schema of docs/ANALYZE.md
 * ("The LLM analyzer"), then validated; an answer that fails either way marks the article failed
 * with the reason. */
#ifndef YUQING_LLM_ANALYZER_H
#define YUQING_LLM_ANALYZER_H

#include "yuqing/analyze.h"

typedef struct yq_llm_config {
    const yq_watch *watch;      /* borrowed, outlives the analyzer; its names go into the prompt
                                   and the answer's entities are mapped back to it (NULL: none) */
    const char *prompt_path;    /* the prompt template (YAML); NULL: data/analyze/llm_prompt.yaml */
    int max_tokens;             /* per answer; 0: the template's, else 512 */
    /* the local back end (model_path set) */
    const char *model_path;     /* HF folder or GGUF file */
    const char *tokenizer_path; /* NULL: the model's own */
    int max_batch;              /* articles decoded together; 0: 16 */
    /* the remote back end (url set): an OpenAI-compatible server */
    const char *url;        /* base ("http://host:8000" or ".../v1") or the full chat completions URL */
    const char *model_name; /* the request's "model"; NULL: "default" */
    const char *api_key;    /* Bearer key, or NULL */
    int concurrency;        /* requests in flight; 0: 4 */
    int retries;            /* extra tries after 429, 5xx, timeouts, network errors; <0: 3 */
    long timeout_ms;        /* per request; 0: 120000 */
} yq_llm_config;

/* Opens the analyzer for exactly one of model_path and url. Errors: YQ_EINVAL (neither or both,
 * a bad template: "PATH:LINE: ..."), what loading the model or tokenizer gives, YQ_ENOMEM.
 * Free with analyzer->free. Its name is "llm:" and the model's name. */
int yq_llm_analyzer_new(const yq_llm_config *config, yq_analyzer **out);

#endif
