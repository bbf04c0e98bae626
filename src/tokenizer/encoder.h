/* The encoder behind every encoding call (encode.c): a pooled, per-thread state that turns a
 * text into ids for one tokenizer. */
#ifndef YUQING_TOKENIZER_ENCODER_H
#define YUQING_TOKENIZER_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "tokenizer/tokenizer_internal.h"

typedef struct encoder encoder;

/* An idle encoder of `tok` (or a new one), for one thread until encoder_put; NULL when out of
 * memory (with a message). */
encoder *encoder_get(const yq_tokenizer *tok, int allow_special);
void encoder_put(encoder *e);

/* Encodes text[0..len); the ids stay in the encoder (encoder_ids) until its next run. 0, or
 * YQ_EINVAL for invalid UTF-8 (naming the byte offset), YQ_ENOMEM. */
int encoder_run(encoder *e, const char *text, size_t len);

/* The ids of the last run (borrowed) and their number. */
const int32_t *encoder_ids(const encoder *e, size_t *n);

#endif
