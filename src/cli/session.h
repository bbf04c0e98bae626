/* What generate and chat share: a model with its tokenizer, and streaming of generated tokens
 * as text through the incremental detokenizer and the stop-string matcher. */
#ifndef YUQING_CLI_SESSION_H
#define YUQING_CLI_SESSION_H

#include <stdio.h>

#include "yuqing/generate.h"
#include "yuqing/model.h"
#include "yuqing/tokenizer.h"

typedef struct cli_session {
    yq_model *model;
    yq_tokenizer *tokenizer; /* NULL when the model has none and none was needed */
    yq_detokenizer *detok;
    yq_stop_matcher *stops;
    int stopped;
    char *captured; /* text streamed since the last set_stops (NUL-terminated) */
    size_t captured_len, captured_cap;
} cli_session;

/* Opens the model and its tokenizer (tokenizer_path, else the model's folder). Without one,
 * need_tokenizer makes it an error naming --tokenizer / --prompt-ids. */
int cli_session_open(cli_session *s, const char *model_path, const char *tokenizer_path, int need_tokenizer);
void cli_session_close(cli_session *s);

/* Encodes prompt text (special tokens recognised), with a BOS where the tokenizer adds one. */
int cli_session_encode_prompt(cli_session *s, const char *text, int32_t **ids, int *n_ids);

/* Installs the stop strings (replacing earlier ones) and starts a fresh stream. */
int cli_session_set_stops(cli_session *s, const char *const *stops, int n_stops);

/* Streams one token's text to `out` (NULL: only watch for stop strings). Returns 1 when a stop
 * string completed. */
int cli_session_stream(cli_session *s, int32_t token, FILE *out);
/* Writes what the detokenizer and stop matcher still hold (nothing after a stop string). */
void cli_session_finish_stream(cli_session *s, FILE *out);

#endif
