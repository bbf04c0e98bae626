/* The LLM analyzer's command-line flags, shared by analyze and sentiment. */
#include <string.h>

#include "cli/llm_flags.h"
#include "yuqing/error.h"
#include "yuqing/llm_analyzer.h"

void cli_llm_options(cli_llm_flags *f, cli_option *options) {
    memset(f, 0, sizeof *f);
    cli_option table[CLI_LLM_N_OPTIONS] = {
        {"--model", CLI_STRING, &f->model},           {"--tokenizer", CLI_STRING, &f->tokenizer},
        {"--llm-url", CLI_STRING, &f->url},           {"--llm-model", CLI_STRING, &f->llm_model},
        {"--llm-key", CLI_STRING, &f->key},           {"--prompt", CLI_STRING, &f->prompt},
        {"--max-tokens", CLI_STRING, &f->max_tokens}, {"--concurrency", CLI_STRING, &f->concurrency},
        {"--llm-retries", CLI_STRING, &f->retries},   {"--llm-timeout", CLI_STRING, &f->timeout}};
    memcpy(options, table, sizeof table);
}

int cli_llm_wanted(const cli_llm_flags *f) { return f->model || f->url; }

static int int_flag(const char *flag, const char *value, long long min, long long max, long long fallback,
                    long long *out) {
    *out = fallback;
    return value ? cli_parse_int(flag, value, min, max, out) : YQ_OK;
}

int cli_llm_open(const cli_llm_flags *f, const yq_watch *watch, yq_analyzer **out) {
    if (f->model && f->url) return yq_error(YQ_EINVAL, "give --model or --llm-url, not both");
    if (!f->url && (f->llm_model || f->key)) return yq_error(YQ_EINVAL, "--llm-model and --llm-key need --llm-url");
    if (!f->model && f->tokenizer) return yq_error(YQ_EINVAL, "--tokenizer needs --model");
    long long max_tokens, concurrency, retries, timeout;
    int rc = int_flag("--max-tokens", f->max_tokens, 1, 1 << 20, 0, &max_tokens);
    if (!rc) rc = int_flag("--concurrency", f->concurrency, 1, 256, 0, &concurrency);
    if (!rc) rc = int_flag("--llm-retries", f->retries, 0, 100, -1, &retries);
    if (!rc) rc = int_flag("--llm-timeout", f->timeout, 1, 86400, 120, &timeout);
    if (rc) return rc;
    yq_llm_config c = {.watch = watch,
                       .prompt_path = f->prompt,
                       .max_tokens = (int)max_tokens,
                       .model_path = f->model,
                       .tokenizer_path = f->tokenizer,
                       .max_batch = (int)concurrency,
                       .url = f->url,
                       .model_name = f->llm_model,
                       .api_key = f->key,
                       .concurrency = (int)concurrency,
                       .retries = (int)retries,
                       .timeout_ms = timeout * 1000};
    return yq_llm_analyzer_new(&c, out);
}

void cli_llm_usage(FILE *out) {
    fprintf(out, "LLM analyzer (docs/ANALYZE.md, \"The LLM analyzer\"):\n"
                 "  --model PATH        a local model (HF folder or GGUF) run on the engine\n"
                 "  --tokenizer PATH    its tokenizer, when not in the model's folder\n"
                 "  --llm-url URL       an OpenAI-compatible server (base URL or .../v1/chat/completions)\n"
                 "  --llm-model NAME    the \"model\" of its requests (default \"default\")\n"
                 "  --llm-key KEY       its Bearer key\n"
                 "  --prompt FILE       the prompt template (default data/analyze/llm_prompt.yaml)\n"
                 "  --max-tokens N      tokens per answer (default: the template's, 512)\n"
                 "  --concurrency N     articles decoded together / requests in flight (16 / 4)\n"
                 "  --llm-retries N     retries after 429, 5xx, timeouts (default 3)\n"
                 "  --llm-timeout S     seconds per request (default 120)\n");
}
