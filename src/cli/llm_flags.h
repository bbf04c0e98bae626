/* The flags that select the LLM analyzer, shared by analyze and sentiment:
 * --model PATH [--tokenizer PATH] | --llm-url URL [--llm-model NAME] [--llm-key KEY], with
 * --prompt FILE, --max-tokens N, --concurrency N, --llm-retries N, --llm-timeout SECONDS. */
#ifndef YUQING_CLI_LLM_FLAGS_H
#define YUQING_CLI_LLM_FLAGS_H

#include <stdio.h>

#include "cli/commands.h"
#include "yuqing/analyze.h"

typedef struct cli_llm_flags {
    const char *model, *tokenizer, *url, *llm_model, *key, *prompt, *max_tokens, *concurrency, *retries, *timeout;
} cli_llm_flags;

enum { CLI_LLM_N_OPTIONS = 10 };

/* Writes the option table entries for `f` into options[0 .. CLI_LLM_N_OPTIONS). */
void cli_llm_options(cli_llm_flags *f, cli_option *options);

/* 1 when the flags ask for the LLM analyzer. */
int cli_llm_wanted(const cli_llm_flags *f);

/* Checks the flags and opens the analyzer (watch borrowed, may be NULL). Bad values give
 * YQ_EINVAL naming the flag. */
int cli_llm_open(const cli_llm_flags *f, const yq_watch *watch, yq_analyzer **out);

void cli_llm_usage(FILE *out);

/* `yuqing sentiment` with an LLM analyzer (sentiment_llm.c): JSONL in to JSONL out, in chunks.
 * Returns the number of error lines, or -1 when out of memory. */
long cli_sentiment_llm(yq_analyzer *analyzer, FILE *in, FILE *out);

#endif
