/* The built-in tiktoken encodings (patterns and specials as tiktoken and Qwen-1's
 * tokenization_qwen.py define them) and the reader of a sibling NAME.json. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/pretok.h"
#include "tokenizer/tiktoken_encodings.h"
#include "yuqing/error.h"
#include "yuqing/json.h"
#include "yuqing/mapfile.h"

typedef struct builtin_special {
    const char *text;
    int32_t id;
} builtin_special;

static const builtin_special cl100k_specials[] = {{"<|endoftext|>", 100257},   {"<|fim_prefix|>", 100258},
                                                  {"<|fim_middle|>", 100259},  {"<|fim_suffix|>", 100260},
                                                  {"<|endofprompt|>", 100276}, {NULL, 0}};
static const builtin_special o200k_specials[] = {
    {"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}, {NULL, 0}};
static const builtin_special qwen_specials[] = {
    {"<|endoftext|>", 151643}, {"<|im_start|>", 151644}, {"<|im_end|>", 151645}, {NULL, 0}};
enum { QWEN_EXTRA_FIRST = 151646, QWEN_N_EXTRA = 205 }; /* <|extra_0|> .. <|extra_204|> */

static const struct {
    const char *name, *pattern;
    const builtin_special *specials;
    int64_t n_ordinary;
    int qwen_extras;
} builtins[] = {
    {"cl100k_base", pretok_cl100k_pattern, cl100k_specials, 100256, 0},
    {"o200k_base", pretok_o200k_pattern, o200k_specials, 199998, 0},
    {"qwen", pretok_qwen_pattern, qwen_specials, 151643, 1},
};

static int add_special(tiktoken_encoding *enc, const char *text, int32_t id) {
    tiktoken_special *s = realloc(enc->specials, (enc->n_specials + 1) * sizeof *s);
    if (!s) return yq_error(YQ_ENOMEM, "tokenizer: out of memory");
    enc->specials = s;
    s[enc->n_specials].text = strdup(text);
    s[enc->n_specials].id = id;
    if (!s[enc->n_specials++].text) return yq_error(YQ_ENOMEM, "tokenizer: out of memory");
    return YQ_OK;
}

int tiktoken_builtin(const char *name, tiktoken_encoding *enc) {
    memset(enc, 0, sizeof *enc);
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        if (strcmp(name, builtins[i].name)) continue;
        enc->pattern = strdup(builtins[i].pattern);
        enc->eos = strdup("<|endoftext|>");
        enc->n_ordinary = builtins[i].n_ordinary;
        int rc = enc->pattern && enc->eos ? YQ_OK : yq_error(YQ_ENOMEM, "tokenizer: out of memory");
        for (const builtin_special *s = builtins[i].specials; !rc && s->text; s++)
            rc = add_special(enc, s->text, s->id);
        for (int k = 0; !rc && builtins[i].qwen_extras && k < QWEN_N_EXTRA; k++) {
            char text[32];
            snprintf(text, sizeof text, "<|extra_%d|>", k);
            rc = add_special(enc, text, QWEN_EXTRA_FIRST + k);
        }
        return rc;
    }
    return yq_error(YQ_EINVAL, "unknown tiktoken encoding '%s' (known: cl100k_base, o200k_base, qwen)", name);
}

static int read_specials(const cJSON *obj, tiktoken_encoding *enc, const char *path) {
    if (!obj) return YQ_OK;
    if (!cJSON_IsObject(obj)) return yq_error(YQ_EFORMAT, "%s: special_tokens is not an object", path);
    for (const cJSON *it = obj->child; it; it = it->next) {
        if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > INT32_MAX ||
            it->valuedouble != (int32_t)it->valuedouble)
            return yq_error(YQ_EFORMAT, "%s: special_tokens[\"%s\"] is not a token id", path, it->string);
        int rc = add_special(enc, it->string, (int32_t)it->valuedouble);
        if (rc) return rc;
    }
    return YQ_OK;
}

int tiktoken_read_json(const char *path, tiktoken_encoding *enc) {
    memset(enc, 0, sizeof *enc);
    enc->n_ordinary = -1;
    cJSON *root;
    int rc = yq_json_load(path, &root);
    if (rc) return rc;
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(root, "pat_str");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "n_vocab_ordinary");
    if (!cJSON_IsString(pat))
        rc = yq_error(YQ_EFORMAT, "%s: no string field pat_str", path);
    else if (n && (!cJSON_IsNumber(n) || n->valuedouble < 0))
        rc = yq_error(YQ_EFORMAT, "%s: n_vocab_ordinary is not a count", path);
    if (!rc) {
        enc->pattern = strdup(pat->valuestring);
        enc->eos = strdup("<|endoftext|>");
        if (n) enc->n_ordinary = (int64_t)n->valuedouble;
        rc = enc->pattern && enc->eos ? YQ_OK : yq_error(YQ_ENOMEM, "tokenizer: out of memory");
    }
    if (!rc) rc = read_specials(cJSON_GetObjectItemCaseSensitive(root, "special_tokens"), enc, path);
    cJSON_Delete(root);
    return rc;
}

void tiktoken_encoding_free(tiktoken_encoding *enc) {
    for (size_t i = 0; i < enc->n_specials; i++)
        free(enc->specials[i].text);
    free(enc->specials);
    free(enc->pattern);
    free(enc->eos);
    memset(enc, 0, sizeof *enc);
}
