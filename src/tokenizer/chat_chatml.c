/* The ChatML family (<|im_start|>role\n...<|im_end|>\n): plain ChatML, Qwen2.5 (a default system
 * message) and Qwen3 (reasoning in <think> blocks, shown only for turns after the last query). */
#include <string.h>

#include "tokenizer/chat_render.h"

static const char qwen2_5_system[] = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

static void turn(chat_out *o, const char *role, const char *content) {
    chat_puts(o, "<|im_start|>");
    chat_puts(o, role);
    chat_puts(o, "\n");
    chat_puts(o, content);
    chat_puts(o, "<|im_end|>\n");
}

/* A span of text, and Python's str.lstrip('\n') / rstrip('\n') of it. */
typedef struct span {
    const char *s;
    size_t n;
} span;

static span lstrip_nl(span t) {
    while (t.n && *t.s == '\n') {
        t.s++;
        t.n--;
    }
    return t;
}

static span rstrip_nl(span t) {
    while (t.n && t.s[t.n - 1] == '\n')
        t.n--;
    return t;
}

/* The text after the last `mark` in t (Python's t.split(mark)[-1]). */
static span after_last(span t, const char *mark) {
    size_t k = strlen(mark);
    for (const char *p; (p = memmem(t.s, t.n, mark, k));) {
        t.n -= (size_t)(p + k - t.s);
        t.s = p + k;
    }
    return t;
}

/* 1 when a user message is a wrapped tool result: Qwen3 writes those as user turns opening with
 * "<tool_response>" and closing with "</tool_response>", and does not count them as queries. */
static int is_tool_response(const char *content) {
    static const char open[] = "<tool_response>", close[] = "</tool_response>";
    size_t n = strlen(content), k = sizeof close - 1;
    return !strncmp(content, open, sizeof open - 1) && n >= k && !strcmp(content + n - k, close);
}

/* Index of the last user message that is not a tool result: the query the model answers now;
 * n - 1 when there is none. */
static size_t last_query(const yq_chat_message *m, size_t n) {
    for (size_t i = n; i-- > 0;)
        if (chat_is(&m[i], "user") && !is_tool_response(m[i].content)) return i;
    return n - 1;
}

/* A Qwen3 assistant turn. Without a reasoning_content field the template splits content at
 * "</think>": the answer is what follows the last one, the reasoning what follows the last
 * "<think>" before the first one, both stripped of newlines at their ends (which makes the
 * template's later strip('\n') a no-op). show_think: the turn comes after the last query. */
static void qwen3_assistant(chat_out *o, const char *content, int show_think, int is_last) {
    span answer = {content, strlen(content)}, reasoning = {"", 0};
    const char *end = strstr(content, "</think>");
    if (end) {
        reasoning = lstrip_nl(after_last(rstrip_nl((span){content, (size_t)(end - content)}), "<think>"));
        answer = lstrip_nl(after_last(answer, "</think>"));
    }
    chat_puts(o, "<|im_start|>assistant\n");
    if (show_think && (is_last || reasoning.n)) {
        chat_puts(o, "<think>\n");
        chat_put(o, reasoning.s, reasoning.n);
        chat_puts(o, "\n</think>\n\n");
        answer = lstrip_nl(answer);
    }
    chat_put(o, answer.s, answer.n);
    chat_puts(o, "<|im_end|>\n");
}

void chat_render_chatml(chat_out *o, yq_chat_format f, const yq_chat_message *m, size_t n,
                        const yq_chat_options *opts) {
    if (f == YQ_CHAT_QWEN2_5 && !chat_is(&m[0], "system")) turn(o, "system", qwen2_5_system);
    size_t query = last_query(m, n);
    for (size_t i = 0; i < n; i++) {
        if (f == YQ_CHAT_QWEN3 && chat_is(&m[i], "assistant"))
            qwen3_assistant(o, m[i].content, i > query, i == n - 1);
        else
            turn(o, m[i].role, m[i].content);
    }
    if (!opts->add_generation_prompt) return;
    chat_puts(o, "<|im_start|>assistant\n");
    if (f == YQ_CHAT_QWEN3 && opts->disable_thinking) chat_puts(o, "<think>\n\n</think>\n\n");
}
