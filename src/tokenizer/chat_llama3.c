/* The Llama 3.1-3.3 chat format: header-delimited turns, each content trimmed, after a system
 * block that always carries the knowledge cut-off and today's date. */
#include <stdint.h>
#include <string.h>

#include "tokenizer/chat_render.h"
#include "tokenizer/unicode.h"

/* Python's str.isspace, which Jinja's trim strips: White_Space plus U+001C..U+001F. */
static int py_space(uint32_t cp) {
    return (uc_props(cp) & UC_WS) || (cp >= 0x1C && cp <= 0x1F);
}

/* Appends valid UTF-8 text without its leading and trailing whitespace (Jinja's `| trim`). */
static void put_trimmed(chat_out *o, const char *text) {
    const uint8_t *s = (const uint8_t *)text, *e = s + strlen(text);
    uint32_t cp;
    while (s < e) {
        size_t k = uc_next(s, &cp);
        if (!py_space(cp)) break;
        s += k;
    }
    while (e > s) {
        const uint8_t *p = e - 1;
        while ((*p & 0xC0) == 0x80)
            p--;
        uc_next(p, &cp);
        if (!py_space(cp)) break;
        e = p;
    }
    chat_put(o, (const char *)s, (size_t)(e - s));
}

static void header(chat_out *o, const char *role) {
    chat_puts(o, "<|start_header_id|>");
    chat_puts(o, role);
    chat_puts(o, "<|end_header_id|>\n\n");
}

void chat_render_llama3(chat_out *o, const yq_chat_message *m, size_t n, const yq_chat_options *opts) {
    chat_puts(o, opts->bos_token ? opts->bos_token : "<|begin_of_text|>");
    header(o, "system");
    chat_puts(o, "Cutting Knowledge Date: December 2023\nToday Date: ");
    chat_puts(o, opts->date_string ? opts->date_string : "26 Jul 2024");
    chat_puts(o, "\n\n");
    size_t first = 0;
    if (chat_is(&m[0], "system")) put_trimmed(o, m[first++].content);
    chat_puts(o, "<|eot_id|>");
    for (size_t i = first; i < n; i++) {
        header(o, m[i].role);
        put_trimmed(o, m[i].content);
        chat_puts(o, "<|eot_id|>");
    }
    if (opts->add_generation_prompt) header(o, "assistant");
}
