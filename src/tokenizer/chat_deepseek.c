/* The DeepSeek-R1 chat format: BOS, the last system message, then <｜User｜>/<｜Assistant｜> turns;
 * a past answer keeps only what follows its reasoning, and the reply opens with <think>. */
#include <string.h>

#include "tokenizer/chat_render.h"

/* The part of an answer after its last "</think>" (all of it when there is none). */
static const char *after_reasoning(const char *content) {
    for (const char *p; (p = strstr(content, "</think>"));)
        content = p + strlen("</think>");
    return content;
}

void chat_render_deepseek(chat_out *o, const yq_chat_message *m, size_t n, const yq_chat_options *opts) {
    chat_puts(o, opts->bos_token ? opts->bos_token : "<｜begin▁of▁sentence｜>");
    const char *system = "";
    for (size_t i = 0; i < n; i++)
        if (chat_is(&m[i], "system")) system = m[i].content;
    chat_puts(o, system);
    for (size_t i = 0; i < n; i++) {
        if (chat_is(&m[i], "user")) {
            chat_puts(o, "<｜User｜>");
            chat_puts(o, m[i].content);
        } else if (chat_is(&m[i], "assistant")) {
            chat_puts(o, "<｜Assistant｜>");
            chat_puts(o, after_reasoning(m[i].content));
            chat_puts(o, "<｜end▁of▁sentence｜>");
        }
    }
    if (opts->add_generation_prompt) chat_puts(o, "<｜Assistant｜><think>\n");
}
