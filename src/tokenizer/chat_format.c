/* Chat formats: recognising a template's family from its text, per-family facts (name, end of
 * turn), and yq_chat_render, which checks the conversation and hands it to the family's renderer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/chat_render.h"
#include "tokenizer/unicode.h"
#include "yuqing/error.h"

static const struct {
    const char *name, *end_of_turn;
} family[] = {
    [YQ_CHAT_CHATML] = {"chatml", "<|im_end|>"},
    [YQ_CHAT_QWEN2_5] = {"qwen2.5", "<|im_end|>"},
    [YQ_CHAT_QWEN3] = {"qwen3", "<|im_end|>"},
    [YQ_CHAT_DEEPSEEK_R1] = {"deepseek-r1", "<｜end▁of▁sentence｜>"},
    [YQ_CHAT_LLAMA3] = {"llama3", "<|eot_id|>"},
};
#define N_FAMILIES (sizeof family / sizeof family[0])

/* Substrings that must all occur in a template of each family, tried in this order. Each set
 * also tells the family from its near relatives: DeepSeek-V3 opens the reply without <think>;
 * Llama 3.0 has no date block; QwQ and Qwen3-2507 have no enable_thinking switch; Qwen2 and
 * Qwen2.5-Math have other default system messages. */
static const struct {
    yq_chat_format format;
    const char *marks[3];
} signatures[] = {
    {YQ_CHAT_DEEPSEEK_R1, {"<｜User｜>", "<｜Assistant｜><think>\\n"}},
    {YQ_CHAT_LLAMA3, {"<|start_header_id|>", "<|eot_id|>", "Cutting Knowledge Date: "}},
    {YQ_CHAT_QWEN3, {"<|im_start|>", "</think>", "enable_thinking"}},
    {YQ_CHAT_QWEN2_5,
     {"<|im_start|>", "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."}},
};

int yq_chat_format_detect(const char *template_text, yq_chat_format *out) {
    *out = YQ_CHAT_CHATML;
    if (!template_text) return 0;
    for (size_t i = 0; i < sizeof signatures / sizeof signatures[0]; i++) {
        int all = 1;
        for (size_t k = 0; k < 3 && signatures[i].marks[k] && all; k++)
            all = strstr(template_text, signatures[i].marks[k]) != NULL;
        if (all) {
            *out = signatures[i].format;
            return 1;
        }
    }
    return 0;
}

const char *yq_chat_format_name(yq_chat_format f) {
    return (size_t)f < N_FAMILIES ? family[f].name : NULL;
}

const char *yq_chat_end_of_turn(yq_chat_format f) {
    return (size_t)f < N_FAMILIES ? family[f].end_of_turn : NULL;
}

void chat_put(chat_out *o, const char *s, size_t n) {
    if (!o->rc) o->rc = yq_buf_append(&o->buf, s, n);
}

void chat_puts(chat_out *o, const char *s) {
    chat_put(o, s, strlen(s));
}

int chat_is(const yq_chat_message *m, const char *role) {
    return strcmp(m->role, role) == 0;
}

/* Each message has a supported role and UTF-8 content; 0 or YQ_EINVAL naming the message. */
static int check_messages(const yq_chat_message *m, size_t n) {
    if (!m || !n) return yq_error(YQ_EINVAL, "chat: no messages to render");
    for (size_t i = 0; i < n; i++) {
        if (!m[i].role || !m[i].content)
            return yq_error(YQ_EINVAL, "chat: message %zu has no %s", i, m[i].role ? "content" : "role");
        if (!chat_is(&m[i], "system") && !chat_is(&m[i], "user") && !chat_is(&m[i], "assistant"))
            return yq_error(YQ_EINVAL,
                            "chat: message %zu: role \"%s\" is not supported (only system, user and "
                            "assistant; tool calls and tool results are not)",
                            i, m[i].role);
        size_t len = strlen(m[i].content), bad = uc_validate((const uint8_t *)m[i].content, len);
        if (bad < len) return yq_error(YQ_EINVAL, "chat: message %zu: invalid UTF-8 at byte %zu", i, bad);
    }
    return YQ_OK;
}

int yq_chat_render(yq_chat_format f, const yq_chat_message *messages, size_t n_messages,
                   const yq_chat_options *opts, char **out) {
    static const yq_chat_options defaults;
    *out = NULL;
    if ((size_t)f >= N_FAMILIES) return yq_error(YQ_EINVAL, "chat: unknown format %d", (int)f);
    int rc = check_messages(messages, n_messages);
    if (rc) return rc;
    if (!opts) opts = &defaults;
    chat_out o = {0};
    if (f == YQ_CHAT_LLAMA3)
        chat_render_llama3(&o, messages, n_messages, opts);
    else if (f == YQ_CHAT_DEEPSEEK_R1)
        chat_render_deepseek(&o, messages, n_messages, opts);
    else
        chat_render_chatml(&o, f, messages, n_messages, opts);
    chat_put(&o, "", 1);
    if (o.rc) {
        free(o.buf.data);
        return o.rc;
    }
    *out = (char *)o.buf.data;
    return YQ_OK;
}
