/* Hugging Face tokenizer.json to GGUF's tokenizer.ggml.* keys, the way convert_hf_to_gguf.py
 * writes byte-level BPE vocabularies (tokenizer model "gpt2"). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf_tokenizer.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/tokenizer.h"

/* llama.cpp's token types. */
enum { TOKEN_NORMAL = 1, TOKEN_CONTROL = 3, TOKEN_USER_DEFINED = 4, TOKEN_UNUSED = 5 };

/* Pre-tokenizer regexes as tokenizer.json spells them, and llama.cpp's names for them. */
static const struct {
    const char *regex, *name;
} known_pre[] = {
    {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
     "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
     "\\s+(?!\\S)|\\s+",
     "qwen2"},
    {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
     "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
     "\\s+(?!\\S)|\\s+",
     "llama-bpe"},
};

/* The first Split regex anywhere in the pre-tokenizer, or NULL. */
static const char *find_regex(const cJSON *node) {
    const cJSON *regex = cJSON_GetObjectItemCaseSensitive(node, "Regex");
    if (cJSON_IsString(regex)) return regex->valuestring;
    const cJSON *child;
    cJSON_ArrayForEach(child, node) {
        const char *r = cJSON_IsObject(child) || cJSON_IsArray(child) ? find_regex(child) : NULL;
        if (r) return r;
    }
    return NULL;
}

/* llama.cpp's tokenizer.ggml.pre for this pre-tokenizer, or NULL. */
static const char *pre_name(const cJSON *pre) {
    const char *regex = find_regex(pre);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(pre, "type");
    const cJSON *use_regex = cJSON_GetObjectItemCaseSensitive(pre, "use_regex");
    if (!regex && cJSON_IsString(type) && !strcmp(type->valuestring, "ByteLevel") &&
        !cJSON_IsFalse(use_regex))
        return "gpt-2";
    for (size_t i = 0; regex && i < sizeof known_pre / sizeof known_pre[0]; i++)
        if (!strcmp(regex, known_pre[i].regex)) return known_pre[i].name;
    return NULL;
}

/* An added token that llama.cpp treats as control although not marked special. */
static int looks_special(const char *text) {
    size_t n = strlen(text);
    return n >= 4 && !strncmp(text, "<|", 2) && !strcmp(text + n - 2, "|>");
}

typedef struct vocab {
    int n;
    yq_gguf_string *tokens;
    int32_t *types;
    char *pads; /* "[PADn]" texts of the ids no token has */
    yq_gguf_string *merges;
    char *merge_text;
    int n_merges;
} vocab;

static void vocab_free(vocab *v) {
    free(v->tokens);
    free(v->types);
    free(v->pads);
    free(v->merges);
    free(v->merge_text);
}

static int set_token(vocab *v, const cJSON *id, const char *text, int type) {
    if (!cJSON_IsNumber(id) || id->valueint < 0 || id->valueint >= v->n || !text)
        return yq_error(YQ_EFORMAT, "tokenizer.json: token '%s' has a bad id", text ? text : "?");
    v->tokens[id->valueint] = (yq_gguf_string){text, strlen(text)};
    v->types[id->valueint] = type;
    return YQ_OK;
}

/* The number of ids: the larger of the highest id + 1 and `vocab_size` (the embedding's rows). */
static int count_ids(const cJSON *model_vocab, const cJSON *added, int vocab_size) {
    int n = vocab_size;
    const cJSON *e;
    cJSON_ArrayForEach(e, model_vocab) {
        if (cJSON_IsNumber(e) && e->valueint >= n) n = e->valueint + 1;
    }
    cJSON_ArrayForEach(e, added) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (cJSON_IsNumber(id) && id->valueint >= n) n = id->valueint + 1;
    }
    return n;
}

/* added_tokens: control when special (or spelled <|...|>), else user-defined. */
static int set_added(vocab *v, const cJSON *added) {
    const cJSON *e;
    cJSON_ArrayForEach(e, added) {
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(e, "content");
        const char *text = cJSON_IsString(content) ? content->valuestring : NULL;
        int special =
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "special")) || (text && looks_special(text));
        int rc = set_token(v, cJSON_GetObjectItemCaseSensitive(e, "id"), text,
                           special ? TOKEN_CONTROL : TOKEN_USER_DEFINED);
        if (rc) return rc;
    }
    return YQ_OK;
}

/* Every id's text and type; ids no token has become "[PADn]", unused, as in convert_hf_to_gguf. */
static int read_tokens(vocab *v, const cJSON *root, const cJSON *model_vocab, int vocab_size) {
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), *e;
    v->n = count_ids(model_vocab, added, vocab_size);
    v->tokens = calloc((size_t)v->n, sizeof *v->tokens);
    v->types = malloc((size_t)v->n * sizeof *v->types);
    v->pads = malloc((size_t)v->n * 24);
    if (!v->tokens || !v->types || !v->pads) return yq_error(YQ_ENOMEM, "out of memory");
    cJSON_ArrayForEach(e, model_vocab) {
        int rc = set_token(v, e, e->string, TOKEN_NORMAL);
        if (rc) return rc;
    }
    int rc = set_added(v, added);
    for (int i = 0; i < v->n && !rc; i++) {
        if (v->tokens[i].data) continue;
        char *pad = v->pads + (size_t)i * 24;
        v->tokens[i] = (yq_gguf_string){pad, (uint64_t)snprintf(pad, 24, "[PAD%d]", i)};
        v->types[i] = TOKEN_UNUSED;
    }
    return rc;
}

/* The halves of merge `e`: "a b" (a is the whole text, b NULL) or ["a", "b"]; 0 when neither. */
static int merge_parts(const cJSON *e, const char **a, const char **b) {
    const cJSON *x = cJSON_GetArrayItem(e, 0), *y = cJSON_GetArrayItem(e, 1);
    *a = cJSON_IsString(e) ? e->valuestring : cJSON_IsString(x) ? x->valuestring : NULL;
    *b = cJSON_IsString(e) ? NULL : cJSON_IsString(y) ? y->valuestring : NULL;
    return cJSON_IsString(e) || (cJSON_GetArraySize(e) == 2 && *a && *b);
}

/* model.merges as "a b" strings (newer tokenizers store [a, b] pairs). */
static int read_merges(vocab *v, const cJSON *merges) {
    size_t total = 1;
    const char *a, *b;
    const cJSON *e;
    int i = 0;
    cJSON_ArrayForEach(e, merges) {
        if (!merge_parts(e, &a, &b)) return yq_error(YQ_EFORMAT, "tokenizer.json: merge %d is not a pair", i);
        total += strlen(a) + (b ? strlen(b) + 1 : 0) + 1;
        i++;
    }
    v->merges = malloc(((size_t)i + 1) * sizeof *v->merges);
    v->merge_text = malloc(total);
    if (!v->merges || !v->merge_text) return yq_error(YQ_ENOMEM, "out of memory");
    char *at = v->merge_text;
    cJSON_ArrayForEach(e, merges) {
        merge_parts(e, &a, &b);
        int n = b ? sprintf(at, "%s %s", a, b) : sprintf(at, "%s", a);
        v->merges[v->n_merges++] = (yq_gguf_string){at, (uint64_t)n};
        at += n + 1;
    }
    return YQ_OK;
}

static int write_arrays(yq_gguf_writer *w, const vocab *v, const char *pre) {
    yq_gguf_value tokens = {.type = YQ_GGUF_ARRAY, .arr = {YQ_GGUF_STRING, (uint64_t)v->n, NULL, v->tokens}};
    yq_gguf_value types = {.type = YQ_GGUF_ARRAY,
                           .arr = {YQ_GGUF_INT32, (uint64_t)v->n, (const unsigned char *)v->types, NULL}};
    yq_gguf_value merges = {.type = YQ_GGUF_ARRAY,
                            .arr = {YQ_GGUF_STRING, (uint64_t)v->n_merges, NULL, v->merges}};
    int rc = yq_gguf_writer_set_string(w, "tokenizer.ggml.model", "gpt2");
    if (!rc) rc = yq_gguf_writer_set_string(w, "tokenizer.ggml.pre", pre);
    if (!rc) rc = yq_gguf_writer_set(w, "tokenizer.ggml.tokens", &tokens);
    if (!rc) rc = yq_gguf_writer_set(w, "tokenizer.ggml.token_type", &types);
    if (!rc) rc = yq_gguf_writer_set(w, "tokenizer.ggml.merges", &merges);
    return rc;
}

/* add_bos_token and the chat template, as the tokenizer module reads tokenizer_config.json. */
static int write_config(yq_gguf_writer *w, const char *folder) {
    yq_tokenizer *tok;
    int rc = yq_tokenizer_open(folder, NULL, &tok);
    if (rc) return rc;
    yq_gguf_value add_bos = {.type = YQ_GGUF_BOOL, .u64 = (uint64_t)yq_tokenizer_adds_bos(tok)};
    rc = yq_gguf_writer_set(w, "tokenizer.ggml.add_bos_token", &add_bos);
    const char *tmpl = yq_tokenizer_chat_template(tok);
    if (!rc && tmpl) rc = yq_gguf_writer_set_string(w, "tokenizer.chat_template", tmpl);
    yq_tokenizer_free(tok);
    return rc;
}

/* The tokenizer.json's kind: NULL when it converts, else why not. */
static const char *unsupported(const cJSON *root, const char **pre) {
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(model, "type");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "BPE") != 0)
        return "tokenizer.json is not a BPE model";
    if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(model, "vocab")) ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(model, "merges")))
        return "tokenizer.json has no vocab or merges";
    *pre = pre_name(cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer"));
    return *pre ? NULL
                : "tokenizer.json's pre-tokenizer is not one llama.cpp names (qwen2, llama-bpe, gpt-2)";
}

int yq_gguf_write_hf_tokenizer(yq_gguf_writer *w, const char *folder, int vocab_size, int *written,
                               const char **reason) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tokenizer.json", folder);
    char *text;
    size_t len;
    *written = 0;
    *reason = "no tokenizer.json";
    if (yq_read_file(path, &text, &len)) return YQ_OK;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) return yq_error(YQ_EFORMAT, "%s: not valid JSON", path);
    const char *pre = NULL;
    vocab v = {0};
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    int rc = YQ_OK;
    if (!(*reason = unsupported(root, &pre))) {
        rc = read_tokens(&v, root, cJSON_GetObjectItemCaseSensitive(model, "vocab"), vocab_size);
        if (!rc) rc = read_merges(&v, cJSON_GetObjectItemCaseSensitive(model, "merges"));
        if (!rc) rc = write_arrays(w, &v, pre);
        if (!rc) rc = write_config(w, folder);
        *written = !rc;
    }
    vocab_free(&v);
    cJSON_Delete(root);
    return rc;
}
