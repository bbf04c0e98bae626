/* What the chat renderers share: an output buffer whose first error sticks, and one render
 * function per template family (chat_chatml.c, chat_llama3.c, chat_deepseek.c). */
#ifndef YUQING_TOKENIZER_CHAT_RENDER_H
#define YUQING_TOKENIZER_CHAT_RENDER_H

#include <stddef.h>

#include "tokenizer/buffer.h"
#include "yuqing/chat.h"

/* Rendered text so far; rc keeps the first failure so renderers append without checking. */
typedef struct chat_out {
    yq_buf buf;
    int rc;
} chat_out;

/* Appends n bytes / a NUL-terminated string. */
void chat_put(chat_out *o, const char *s, size_t n);
void chat_puts(chat_out *o, const char *s);

/* 1 when the message's role is `role`. */
int chat_is(const yq_chat_message *m, const char *role);

/* Renderers: messages are validated (n >= 1, known roles, UTF-8) and opts is never NULL. */
void chat_render_chatml(chat_out *o, yq_chat_format f, const yq_chat_message *m, size_t n,
                        const yq_chat_options *opts);
void chat_render_llama3(chat_out *o, const yq_chat_message *m, size_t n, const yq_chat_options *opts);
void chat_render_deepseek(chat_out *o, const yq_chat_message *m, size_t n, const yq_chat_options *opts);

#endif
