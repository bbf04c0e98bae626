/* Exactness against the reference tokenizers: every string of tokenizer-vectors/dev.jsonl must
 * encode id for id as tiktoken (cl100k_base, o200k_base, Qwen-1) and Hugging Face (Qwen3) do,
 * with and without special tokens, and decode back to itself; likewise llama.cpp's Qwen2 and
 * DeepSeek-R1-Qwen vectors with the Qwen3 tokenizer.json. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tokenizer/unicode.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/tokenizer.h"


static yq_tokenizer *open_tok(const char *path) {
    yq_tokenizer *tok = NULL;
    int rc = yq_tokenizer_open(path, NULL, &tok);
    CHECKF(rc == 0, "open %s: %s", path, yq_last_error());
    return tok;
}

/* Encodes `text`, compares with `expect` and decodes back (to the NFC form of text where the
 * tokenizer normalizes); returns 1 on an exact match. */
static int check_one(const yq_tokenizer *tok, const char *name, const char *text, size_t len,
                     const int32_t *expect, size_t n_expect, int allow_special) {
    yq_buf nfc = {0};
    const char *expect_text = text;
    size_t expect_len = len;
    if (strstr(name, "qwen3") && uc_nfc((const uint8_t *)text, len, &nfc) == 0) {
        expect_text = (const char *)nfc.data;
        expect_len = nfc.len;
    }
    int32_t *ids = NULL;
    size_t n = 0;
    int rc = yq_tokenizer_encode(tok, text, len, allow_special, &ids, &n);
    int same = rc == 0 && n == n_expect && (n == 0 || !memcmp(ids, expect, n * sizeof *ids));
    CHECKF(same, "%s: ids differ for \"%.60s\" (%zu ids, expected %zu)", name, text, n, n_expect);
    char *back = NULL;
    size_t back_len = 0;
    rc = yq_tokenizer_decode(tok, expect, n_expect, &back, &back_len);
    CHECKF(rc == 0 && back_len == expect_len && !memcmp(back, expect_text, expect_len),
           "%s: decode differs for \"%.60s\"", name, text);
    free(ids);
    free(back);
    free(nfc.data);
    return same;
}

static int32_t *json_ids(const cJSON *arr, size_t *n) {
    *n = (size_t)cJSON_GetArraySize(arr);
    int32_t *ids = malloc((*n + 1) * sizeof *ids);
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) ids[i++] = (int32_t)it->valuedouble;
    return ids;
}

/* The text of a vectors row: from "hex" where present (it keeps NUL bytes), else "text". */
static char *row_text(const cJSON *row, size_t *len) {
    const cJSON *hex = cJSON_GetObjectItemCaseSensitive(row, "hex");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(row, "text");
    if (!cJSON_IsString(hex)) {
        *len = strlen(text->valuestring);
        return strdup(text->valuestring);
    }
    *len = strlen(hex->valuestring) / 2;
    char *out = malloc(*len + 1);
    for (size_t i = 0; i < *len; i++) {
        unsigned v;
        sscanf(hex->valuestring + 2 * i, "%2x", &v);
        out[i] = (char)v;
    }
    out[*len] = '\0';
    return out;
}

/* Checks every row of a vectors file for each tokenizer field. */
static void vectors_file(const char *file, int expect_rows) {
    struct {
        const char *field;
        yq_tokenizer *tok;
        int allow_special, matches;
    } cases[] = {
        {"cl100k_base", open_tok(test_data_path("tokenizers/cl100k_base.tiktoken")), 0, 0},
        {"o200k_base", open_tok(test_data_path("tokenizers/o200k_base.tiktoken")), 0, 0},
        {"qwen1", open_tok(test_data_path("tokenizers/qwen1/qwen.tiktoken")), 0, 0},
        {"qwen1_special", NULL, 1, 0},
        {"qwen3", open_tok(test_qwen3_tokenizer_dir()), 0, 0},
        {"qwen3_special", NULL, 1, 0},
    };
    cases[3].tok = cases[2].tok;
    cases[5].tok = cases[4].tok;
    FILE *f = fopen(test_data_path(file), "r");
    CHECK(f != NULL);
    char *line = NULL;
    size_t cap = 0;
    int n_rows = 0;
    while (f && getline(&line, &cap, f) > 0) {
        cJSON *row = cJSON_Parse(line);
        size_t len;
        char *text = row_text(row, &len);
        n_rows++;
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            size_t n;
            int32_t *expect = json_ids(cJSON_GetObjectItemCaseSensitive(row, cases[c].field), &n);
            if (cases[c].tok)
                cases[c].matches +=
                    check_one(cases[c].tok, cases[c].field, text, len, expect, n, cases[c].allow_special);
            free(expect);
        }
        free(text);
        cJSON_Delete(row);
    }
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        printf("%s %-14s %d/%d exact\n", file, cases[c].field, cases[c].matches, n_rows);
    CHECK(n_rows == expect_rows);
    free(line);
    if (f) fclose(f);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c += 1 + (c >= 2))
        yq_tokenizer_free(cases[c].tok);
}

/* llama.cpp's NAME.gguf.inp (strings separated by "\n__ggml_vocab_test__\n") and .out (one line
 * of ids per string). */
static void llama_cpp_vectors(const yq_tokenizer *tok, const char *name) {
    char path[256];
    snprintf(path, sizeof path, "tokenizers/gguf-vocab/%s.gguf.inp", name);
    char *inp, *out;
    size_t inp_len, out_len;
    CHECK(yq_read_file(test_data_path(path), &inp, &inp_len) == 0);
    snprintf(path, sizeof path, "tokenizers/gguf-vocab/%s.gguf.out", name);
    CHECK(yq_read_file(test_data_path(path), &out, &out_len) == 0);
    const char *sep = "\n__ggml_vocab_test__\n";
    char *s = inp, *o = out;
    int total = 0, matches = 0;
    for (char *end; (end = strstr(s, sep)); s = end + strlen(sep)) {
        char *eol = strchr(o, '\n');
        *eol = '\0';
        int32_t expect[1024];
        size_t n = 0;
        for (char *p = o, *q; n < 1024 && (expect[n] = (int32_t)strtol(p, &q, 10), q != p); p = q)
            n++;
        matches += check_one(tok, name, s, (size_t)(end - s), expect, n, 0);
        total++;
        o = eol + 1;
    }
    printf("llama.cpp %-18s %d/%d exact\n", name, matches, total);
    CHECK(total == 46);
    free(inp);
    free(out);
}

int main(void) {
    CHECK(test_qwen3_tokenizer_dir() != NULL);
    vectors_file("tokenizers/vectors/dev.jsonl", 326);
    vectors_file("tokenizers/vectors/adversarial.jsonl", 104);
    yq_tokenizer *qwen3 = open_tok(test_qwen3_tokenizer_dir());
    if (qwen3) {
        llama_cpp_vectors(qwen3, "ggml-vocab-qwen2");
        llama_cpp_vectors(qwen3, "ggml-vocab-deepseek-r1-qwen");
    }
    yq_tokenizer_free(qwen3);
    static const char *const gguf[] = {"ggml-vocab-llama-spm", "ggml-vocab-gpt-2"};
    for (int i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "tokenizers/gguf-vocab/%s.gguf", gguf[i]);
        yq_tokenizer *tok = open_tok(test_data_path(path));
        if (tok) llama_cpp_vectors(tok, gguf[i]);
        yq_tokenizer_free(tok);
    }
    return test_summary("test_tokenizer_vectors");
}
