/* Chat formatting against Hugging Face apply_chat_template renderings (tests/data/chat): family
 * detection of each template file, byte-exact rendering, the ChatML fallback, rejected input. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/chat.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"

/* The family each template file must be recognised as. */
static const struct {
    const char *file;
    yq_chat_format format;
} families[] = {
    {"Qwen-Qwen2.5-7B-Instruct.jinja", YQ_CHAT_QWEN2_5},
    {"Qwen-Qwen3.jinja", YQ_CHAT_QWEN3},
    {"deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", YQ_CHAT_DEEPSEEK_R1},
    {"meta-llama-Llama-3.1-8B-Instruct.jinja", YQ_CHAT_LLAMA3},
    {"meta-llama-Llama-3.2-3B-Instruct.jinja", YQ_CHAT_LLAMA3},
};

/* Detects the family of tests/data/chat/templates/<file>; the detect result, or -1 if unreadable. */
static int detect_file(const char *file, yq_chat_format *f) {
    char rel[512], *text;
    size_t len;
    snprintf(rel, sizeof rel, "chat/templates/%s", file);
    if (yq_read_file(test_data_path(rel), &text, &len)) {
        fprintf(stderr, "cannot read %s\n", test_data_path(rel));
        return -1;
    }
    int rc = yq_chat_format_detect(text, f);
    free(text);
    return rc;
}

static void check_detect_files(void) {
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        yq_chat_format f = YQ_CHAT_CHATML;
        int rc = detect_file(families[i].file, &f);
        CHECKF(rc == 1 && f == families[i].format, "%s: detect gave %d, %s", families[i].file, rc,
               yq_chat_format_name(f));
    }
}

/* Byte-exact comparison; on mismatch prints where the texts part and what follows there. */
static void check_same(const char *what, const char *got, const char *want) {
    size_t i = 0;
    while (got[i] && got[i] == want[i])
        i++;
    CHECKF(got[i] == want[i],
           "%s: differs at byte %zu of %zu (got %zu)\n  got:  \"%.60s\"\n  want: \"%.60s\"", what, i,
           strlen(want), strlen(got), got + i, want + i);
}

/* Renders a conversation and compares the text with `want`. */
static void check_render(const char *what, yq_chat_format f, const yq_chat_message *m, size_t n,
                         const yq_chat_options *opts, const char *want) {
    char *got;
    int rc = yq_chat_render(f, m, n, opts, &got);
    CHECKF(rc == 0, "%s: %s", what, yq_last_error());
    if (rc) return;
    check_same(what, got, want);
    free(got);
}

static const char *json_string(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Renders one case of renderings.json and compares it; also with the options' own defaults for
 * BOS and date (which must equal the fixtures' values), and checks the end-of-turn marker. */
static void check_case(const cJSON *c, int index) {
    const char *file = json_string(c, "template"), *want = json_string(c, "rendered");
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(c, "messages");
    const cJSON *kwargs = cJSON_GetObjectItemCaseSensitive(c, "template_kwargs");
    yq_chat_message m[8];
    size_t n = (size_t)cJSON_GetArraySize(msgs);
    yq_chat_format f;
    if (!file || !want || n > 8 || detect_file(file, &f) != 1) {
        CHECKF(0, "case %d: bad fixture or unrecognised template", index);
        return;
    }
    int has_assistant = 0;
    for (size_t i = 0; i < n; i++) {
        const cJSON *mi = cJSON_GetArrayItem(msgs, (int)i);
        m[i] = (yq_chat_message){json_string(mi, "role"), json_string(mi, "content")};
        has_assistant |= m[i].role && !strcmp(m[i].role, "assistant");
    }
    yq_chat_options opts = {
        .add_generation_prompt = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "add_generation_prompt")),
        .disable_thinking = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(kwargs, "enable_thinking")),
        .date_string = json_string(kwargs, "date_string"),
        .bos_token = json_string(cJSON_GetObjectItemCaseSensitive(c, "special_tokens"), "bos_token"),
    };
    char what[256], what_defaults[300];
    snprintf(what, sizeof what, "case %d (%s, %s, generation prompt %d)", index, file,
             json_string(c, "conversation"), opts.add_generation_prompt);
    check_render(what, f, m, n, &opts, want);
    opts.bos_token = opts.date_string = NULL;
    snprintf(what_defaults, sizeof what_defaults, "%s with default BOS and date", what);
    check_render(what_defaults, f, m, n, &opts, want);
    if (has_assistant) CHECKF(strstr(want, yq_chat_end_of_turn(f)), "%s: no end-of-turn marker", what);
}

static int check_renderings(void) {
    cJSON *root = test_load_json("chat/renderings.json");
    CHECK(root != NULL);
    if (!root) return 0;
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases"), *c;
    int n = 0;
    cJSON_ArrayForEach(c, cases) check_case(c, n++);
    cJSON_Delete(root);
    return n;
}

/* Cases beyond the fixtures, for template branches they do not reach; the expected texts are
 * jinja2 3.1.6 renderings of the template files (which equal transformers', see README.md). */
static const struct {
    const char *what, *file;
    yq_chat_message m[5];
    int add_generation_prompt;
    const char *want;
} extra[] = {
    {"qwen3: a past answer loses its reasoning",
     "Qwen-Qwen3.jinja",
     {{"user", "Hi"}, {"assistant", "<think>\nI should greet.\n</think>\n\nHello!"}, {"user", "Bye"}},
     1,
     "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
     "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n"},
    {"qwen3: an answer after the last query keeps its reasoning",
     "Qwen-Qwen3.jinja",
     {{"user", "Hi"}, {"assistant", "\n<think>\n\nplan\n\n</think>\n\n\nHello!"}},
     0,
     "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\nplan\n</think>\n\nHello!<|im_end|>\n"},
    {"qwen3: a last answer without reasoning gets an empty think block",
     "Qwen-Qwen3.jinja",
     {{"system", "S"}, {"user", "Q"}, {"assistant", "\n\nanswer"}},
     0,
     "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n"
     "<|im_start|>assistant\n<think>\n\n</think>\n\nanswer<|im_end|>\n"},
    {"qwen3: a user turn holding a tool result is not a query",
     "Qwen-Qwen3.jinja",
     {{"user", "Q"}, {"assistant", "<think>r</think>A"}, {"user", "<tool_response>\n42\n</tool_response>"}},
     1,
     "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\nr\n</think>\n\nA<|im_end|>\n"
     "<|im_start|>user\n<tool_response>\n42\n</tool_response><|im_end|>\n<|im_start|>assistant\n"},
    {"deepseek: the last system message wins; answers lose their reasoning",
     "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja",
     {{"system", "A"},
      {"user", "Hi"},
      {"assistant", "<think>r</think>x</think>\nans"},
      {"system", "B"},
      {"user", "Again"}},
     1,
     "<｜begin▁of▁sentence｜>B<｜User｜>Hi<｜Assistant｜>\nans<｜end▁of▁sentence｜><｜User｜>Again"
     "<｜Assistant｜><think>\n"},
    {"llama3: trim strips Python's whitespace (not U+200B)",
     "meta-llama-Llama-3.1-8B-Instruct.jinja",
     {{"system", " \u3000sys\x1f\n"}, {"user", "\u2003 hi \u00a0\u200b"}, {"assistant", "ok\xc2\x85"}},
     1,
     "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December "
     "2023\nToday Date: 26 Jul 2024\n\nsys<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
     "hi \u00a0\u200b<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nok<|eot_id|>"
     "<|start_header_id|>assistant<|end_header_id|>\n\n"},
    {"qwen2.5: a later system message is an ordinary turn",
     "Qwen-Qwen2.5-7B-Instruct.jinja",
     {{"user", "Hi"}, {"system", "Be brief."}},
     1,
     "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
     "<|im_start|>user\nHi<|im_end|>\n<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>assistant\n"},
};

static void check_extra(void) {
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        size_t n = 0;
        while (n < 5 && extra[i].m[n].role)
            n++;
        yq_chat_format f = YQ_CHAT_CHATML;
        yq_chat_options opts = {.add_generation_prompt = extra[i].add_generation_prompt};
        CHECKF(detect_file(extra[i].file, &f) == 1, "%s: template not recognised", extra[i].what);
        check_render(extra[i].what, f, extra[i].m, n, &opts, extra[i].want);
    }
}

/* An unknown template, or none, falls back to plain ChatML without a default system message. */
static void check_fallback(void) {
    yq_chat_format f = YQ_CHAT_LLAMA3;
    const char *unknown = "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}";
    CHECK(yq_chat_format_detect(unknown, &f) == 0);
    CHECK(f == YQ_CHAT_CHATML);
    f = YQ_CHAT_LLAMA3;
    CHECK(yq_chat_format_detect(NULL, &f) == 0 && f == YQ_CHAT_CHATML);
    CHECK(!strcmp(yq_chat_format_name(f), "chatml") && !strcmp(yq_chat_end_of_turn(f), "<|im_end|>"));
    const yq_chat_message m[] = {{"user", "Hi"}, {"assistant", "<think>x</think>Hello"}, {"user", "2+2?"}};
    check_render("chatml fallback", f, m, 3, &(yq_chat_options){.add_generation_prompt = 1},
                 "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>x</think>Hello<|im_end|>\n"
                 "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n");
    check_render("chatml without options", f, m, 1, NULL, "<|im_start|>user\nHi<|im_end|>\n");
}

/* Renders one bad conversation in every family: YQ_EINVAL, no output, a message containing `hint`. */
static void check_rejected(const yq_chat_message *m, size_t n, const char *hint) {
    for (int f = YQ_CHAT_CHATML; f <= YQ_CHAT_LLAMA3; f++) {
        char *got = (char *)"unchanged";
        int rc = yq_chat_render((yq_chat_format)f, m, n, NULL, &got);
        CHECKF(rc == YQ_EINVAL && got == NULL && strstr(yq_last_error(), hint),
               "%s: rc %d, message \"%s\", expected one with \"%s\"", yq_chat_format_name((yq_chat_format)f),
               rc, yq_last_error(), hint);
    }
}

static void check_bad_input(void) {
    const yq_chat_message tool[] = {{"user", "Weather?"}, {"tool", "{\"temp\": 20}"}};
    const yq_chat_message no_content[] = {{"user", NULL}};
    const yq_chat_message bad_utf8[] = {{"user", "ok"}, {"assistant", "ab\xff"}};
    check_rejected(tool, 2, "message 1: role \"tool\" is not supported");
    check_rejected(no_content, 1, "message 0 has no content");
    check_rejected(bad_utf8, 2, "message 1: invalid UTF-8 at byte 2");
    check_rejected(tool, 0, "no messages");
    char *got;
    CHECK(yq_chat_render((yq_chat_format)99, tool, 1, NULL, &got) == YQ_EINVAL && got == NULL);
}

int main(void) {
    check_detect_files();
    int n = check_renderings();
    printf("rendered %d reference cases\n", n);
    CHECK(n == 48);
    check_extra();
    check_fallback();
    check_bad_input();
    return test_summary("test_chat_template");
}
