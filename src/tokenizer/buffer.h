/* Growable byte and token-id arrays used across the tokenizer's files. */
#ifndef YUQING_TOKENIZER_BUFFER_H
#define YUQING_TOKENIZER_BUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct yq_buf {
    uint8_t *data;
    size_t len, cap;
} yq_buf;

typedef struct yq_ids {
    int32_t *data;
    size_t len, cap;
} yq_ids;

/* Make room for `extra` more elements; 0 or YQ_ENOMEM (with a message). */
int yq_buf_reserve(yq_buf *b, size_t extra);
int yq_ids_reserve(yq_ids *v, size_t extra);

/* Append bytes / one id; 0 or YQ_ENOMEM. */
int yq_buf_append(yq_buf *b, const void *data, size_t len);
int yq_ids_push(yq_ids *v, int32_t id);

#endif
