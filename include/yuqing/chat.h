/* Chat formatting: turns a conversation into the prompt text a model was trained on, byte for byte
 * as Hugging Face apply_chat_template(..., tokenize=False) renders the model's own Jinja template. */
#ifndef YUQING_CHAT_H
#define YUQING_CHAT_H

#include <stddef.h>

/* The template families rendered natively (no Jinja interpreter). */
typedef enum yq_chat_format {
    YQ_CHAT_CHATML,      /* plain ChatML, no default system message: the fallback */
    YQ_CHAT_QWEN2_5,     /* ChatML with Qwen2.5's default system message */
    YQ_CHAT_QWEN3,       /* ChatML with Qwen3's <think> handling */
    YQ_CHAT_DEEPSEEK_R1, /* DeepSeek-R1 (and its Qwen/Llama distills) */
    YQ_CHAT_LLAMA3,      /* Llama 3.1 / 3.2 / 3.3 headers with the date system block */
} yq_chat_format;

/* One turn. role is "system", "user" or "assistant"; content is UTF-8 text. Both borrowed. */
typedef struct yq_chat_message {
    const char *role;
    const char *content;
} yq_chat_message;

/* Rendering options; a zeroed struct (or NULL) gives each template's defaults. */
typedef struct yq_chat_options {
    int add_generation_prompt; /* 1: end with the header that opens the assistant's reply */
    int disable_thinking;      /* Qwen3: 1 renders as enable_thinking=false (an empty <think>) */
    const char *date_string;   /* Llama 3: "Today Date"; NULL = "26 Jul 2024" */
    const char *bos_token;     /* Llama 3, DeepSeek: BOS text; NULL = the model's, "" = none */
} yq_chat_options;

/* Recognises the family of a Jinja chat template from distinctive substrings and stores it in
 * *out. Returns 1 when recognised, 0 when it is not (or template_text is NULL) and *out was set
 * to YQ_CHAT_CHATML as a fallback, which the caller should warn about. */
int yq_chat_format_detect(const char *template_text, yq_chat_format *out);

/* A short name of the family ("chatml", "qwen2.5", "qwen3", "deepseek-r1", "llama3"); static. */
const char *yq_chat_format_name(yq_chat_format f);

/* Renders the conversation into a malloc'd NUL-terminated string (*out; the caller frees it).
 * The text already holds the BOS token where the template emits one (Llama 3, DeepSeek), so encode
 * it with special tokens recognised and without adding another BOS. Errors (YQ_EINVAL with a
 * message naming the message index): no messages, a NULL role or content, a role other than
 * system/user/assistant (tool calls and tool results are not supported), invalid UTF-8;
 * YQ_ENOMEM. On error *out is NULL. */
int yq_chat_render(yq_chat_format f, const yq_chat_message *messages, size_t n_messages,
                   const yq_chat_options *opts, char **out);

/* The token text that ends an assistant turn in this format ("<|im_end|>", "<|eot_id|>",
 * "<｜end▁of▁sentence｜>"), for use as a stop marker; static. */
const char *yq_chat_end_of_turn(yq_chat_format f);

#endif
