/* The tokenizer API beyond exact ids: special tokens, config values, UTF-8 errors, decoding and
 * the streaming detokenizer, counting and batch encoding, NFC, and the one-line errors for
 * missing, corrupt, truncated or unsupported tokenizer files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/threads.h"
#include "yuqing/tokenizer.h"

static char tmp_dir[64];

static const char *tmp_path(const char *name) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

static void write_file(const char *name, const char *text) {
    FILE *f = fopen(tmp_path(name), "w");
    fputs(text, f);
    fclose(f);
}

static yq_tokenizer *open_tok(const char *path) {
    yq_tokenizer *tok = NULL;
    int rc = yq_tokenizer_open(path, NULL, &tok);
    CHECKF(rc == 0, "open %s: %s", path, yq_last_error());
    return tok;
}

/* Opening `path` fails with `code` and a message holding `words`. */
static void check_open_error(const char *path, const char *encoding, int code, const char *words) {
    yq_tokenizer *tok = NULL;
    int rc = yq_tokenizer_open(path, encoding, &tok);
    CHECKF(rc == code && !tok && strstr(yq_last_error(), words), "open %s: rc %d, \"%s\" (want %d, \"%s\")",
           path, rc, yq_last_error(), code, words);
    CHECKF(!strchr(yq_last_error(), '\n'), "message is one line: %s", yq_last_error());
    yq_tokenizer_free(tok);
}

static size_t encode_n(const yq_tokenizer *tok, const char *text, int allow_special, int32_t *first) {
    int32_t *ids = NULL;
    size_t n = 0;
    CHECK(yq_tokenizer_encode(tok, text, strlen(text), allow_special, &ids, &n) == 0);
    if (first) *first = n ? ids[0] : -1;
    free(ids);
    return n;
}

static void test_invalid_utf8(const yq_tokenizer *tok) {
    static const struct {
        const char *text;
        size_t len;
        const char *offset;
    } bad[] = {
        {"ab\xed\xa0\x80"
         "cd",
         7, "offset 2"},                      /* a lone surrogate's UTF-8 form */
        {"\xc0\xaf", 2, "offset 0"},          /* overlong '/' */
        {"ok \xe7\x9a", 5, "offset 3"},       /* truncated at the end */
        {"x\xf5\x80\x80\x80", 5, "offset 1"}, /* beyond U+10FFFF */
        {"\x80", 1, "offset 0"},              /* a lone continuation byte */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t *ids = NULL;
        size_t n = 0, count = 0;
        int rc = yq_tokenizer_encode(tok, bad[i].text, bad[i].len, 0, &ids, &n);
        CHECKF(rc == YQ_EINVAL && strstr(yq_last_error(), bad[i].offset), "case %zu: %s", i, yq_last_error());
        CHECK(yq_tokenizer_count(tok, bad[i].text, bad[i].len, 0, &count) == YQ_EINVAL);
    }
    int32_t *ids = NULL;
    size_t n = 0;
    CHECK(yq_tokenizer_encode(tok, "a\0b", 3, 0, &ids, &n) == 0 && n >= 2); /* NUL is text */
    free(ids);
}

static void test_specials(const yq_tokenizer *cl100k, const yq_tokenizer *qwen3) {
    int32_t first;
    CHECK(encode_n(cl100k, "<|endoftext|>", 1, &first) == 1 && first == 100257);
    CHECK(encode_n(cl100k, "<|endoftext|>", 0, NULL) > 1);
    CHECK(encode_n(qwen3, "<|im_start|>user\nhi<|im_end|>", 1, &first) == 5 && first == 151644);
    CHECK(encode_n(qwen3, "<think>", 1, &first) == 1 && first == 151667);
    CHECK(yq_tokenizer_special_id(qwen3, "<|im_end|>") == 151645);
    CHECK(yq_tokenizer_special_id(qwen3, "<|nope|>") == -1);
    CHECK(yq_tokenizer_special_id(cl100k, "<|fim_middle|>") == 100259);
    CHECK(yq_tokenizer_eos(qwen3) == 151645 && yq_tokenizer_bos(qwen3) == -1);
    CHECK(yq_tokenizer_adds_bos(qwen3) == 0 && yq_tokenizer_adds_bos(cl100k) == 0);
    CHECK(yq_tokenizer_eos(cl100k) == 100257);
    const char *tmpl = yq_tokenizer_chat_template(qwen3);
    CHECK(tmpl && strstr(tmpl, "<|im_start|>"));
    CHECK(yq_tokenizer_chat_template(cl100k) == NULL);
    CHECK(yq_tokenizer_vocab_size(cl100k) == 100277 && yq_tokenizer_vocab_size(qwen3) == 151669);
}

static void test_decode(const yq_tokenizer *cl100k) {
    const char *bytes;
    size_t len;
    CHECK(yq_tokenizer_token_bytes(cl100k, 100261, &bytes, &len) == YQ_ERANGE); /* unused id */
    CHECK(yq_tokenizer_token_bytes(cl100k, -1, &bytes, &len) == YQ_ERANGE);
    CHECK(yq_tokenizer_token_bytes(cl100k, 100277, &bytes, &len) == YQ_ERANGE);
    CHECK(yq_tokenizer_token_bytes(cl100k, 100257, &bytes, &len) == 0 && len == 13);
    int32_t ids[2] = {100257, 100261};
    char *text = NULL;
    CHECK(yq_tokenizer_decode(cl100k, ids, 2, &text, &len) == YQ_ERANGE && !text);
    CHECK(yq_tokenizer_decode(cl100k, ids, 1, &text, &len) == 0 && !strcmp(text, "<|endoftext|>"));
    free(text);
}

/* Streams `text`'s ids through a detokenizer: every piece must be whole UTF-8 characters and
 * all of them together the text. */
static void test_detokenizer(const yq_tokenizer *tok, const char *text) {
    int32_t *ids = NULL;
    size_t n = 0, got_len = 0, len;
    CHECK(yq_tokenizer_encode(tok, text, strlen(text), 0, &ids, &n) == 0);
    yq_detokenizer *d = NULL;
    CHECK(yq_detokenizer_new(tok, &d) == 0);
    char got[1024];
    const char *piece;
    int split_seen = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(yq_detokenizer_push(d, ids[i], &piece, &len) == 0);
        split_seen |= len == 0;
        for (size_t k = 0; k < len; k += (size_t)yq_utf8_char_len(piece + k, len - k))
            if (!yq_utf8_char_len(piece + k, len - k)) {
                CHECKF(0, "detokenizer emitted part of a character");
                break;
            }
        memcpy(got + got_len, piece, len);
        got_len += len;
    }
    CHECK(yq_detokenizer_flush(d, &piece, &len) == 0 && len == 0);
    CHECK(got_len == strlen(text) && !memcmp(got, text, got_len));
    CHECKF(split_seen, "no token of \"%s\" ended inside a character: the test proves nothing", text);
    yq_detokenizer_free(d);
    free(ids);
}

static void test_detokenizer_bad_bytes(const yq_tokenizer *tok) {
    int32_t cont = -1, lead = -1;
    for (int32_t id = 0; id < 256; id++) { /* the single-byte tokens 0x80 and 0xE4 */
        const char *b;
        size_t len;
        if (yq_tokenizer_token_bytes(tok, id, &b, &len) == 0 && len == 1) {
            if ((unsigned char)b[0] == 0x80) cont = id;
            if ((unsigned char)b[0] == 0xE4) lead = id;
        }
    }
    yq_detokenizer *d = NULL;
    const char *piece;
    size_t len;
    CHECK(yq_detokenizer_new(tok, &d) == 0);
    CHECK(yq_detokenizer_push(d, cont, &piece, &len) == 0 && len == 3 && !memcmp(piece, "\xef\xbf\xbd", 3));
    CHECK(yq_detokenizer_push(d, lead, &piece, &len) == 0 && len == 0);
    CHECK(yq_detokenizer_flush(d, &piece, &len) == 0 && len == 3 && !memcmp(piece, "\xef\xbf\xbd", 3));
    CHECK(yq_detokenizer_push(d, 100261, &piece, &len) == YQ_ERANGE);
    yq_detokenizer_free(d);
}

static void test_batch(const yq_tokenizer *tok) {
    const char *texts[40];
    size_t lens[40], n_ids[40];
    int32_t *ids[40];
    int status[40];
    char buf[40][64];
    for (int i = 0; i < 40; i++) {
        snprintf(buf[i], sizeof buf[i], "text %d: 新闻 %d, it's %s", i, i * 7919, i % 3 ? "ok" : "fine");
        texts[i] = buf[i];
        lens[i] = strlen(buf[i]);
    }
    texts[17] = "bad \xff";
    lens[17] = 5;
    CHECK(yq_threads_init(3) == 0);
    yq_token_batch batch = {40, texts, lens, ids, n_ids, status};
    CHECK(yq_tokenizer_encode_batch(tok, &batch, 0) == YQ_EINVAL);
    for (int i = 0; i < 40; i++) {
        int32_t *one = NULL;
        size_t n = 0, count = 0;
        int rc = yq_tokenizer_encode(tok, texts[i], lens[i], 0, &one, &n);
        CHECK(status[i] == rc && (i == 17) == (rc != 0));
        CHECK(rc || (n == n_ids[i] && !memcmp(one, ids[i], n * sizeof *one)));
        CHECK(rc || (yq_tokenizer_count(tok, texts[i], lens[i], 0, &count) == 0 && count == n));
        free(one);
        free(ids[i]);
    }
    yq_threads_shutdown();
}

static void test_nfc(const yq_tokenizer *qwen3, const yq_tokenizer *qwen1) {
    int32_t *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    CHECK(yq_tokenizer_encode(qwen3, "cafe\xcc\x81", 6, 0, &a, &na) == 0);
    CHECK(yq_tokenizer_encode(qwen3, "caf\xc3\xa9", 5, 0, &b, &nb) == 0);
    CHECK(na == nb && !memcmp(a, b, na * sizeof *a)); /* Qwen3 normalizes to NFC */
    free(a);
    free(b);
    CHECK(yq_tokenizer_encode(qwen1, "cafe\xcc\x81", 6, 0, &a, &na) == 0);
    CHECK(yq_tokenizer_encode(qwen1, "caf\xc3\xa9", 5, 0, &b, &nb) == 0);
    CHECK(na != nb || memcmp(a, b, na * sizeof *a)); /* tiktoken does not */
    free(a);
    free(b);
}

/* A tiny .tiktoken: the 256 bytes (rank = byte) plus `extra` lines. */
static void write_tiny_tiktoken(const char *name, const char *extra, int skip_byte) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    FILE *f = fopen(tmp_path(name), "w");
    for (int b = 0; b < 256; b++)
        if (b != skip_byte) fprintf(f, "%c%c== %d\n", b64[b >> 2], b64[(b & 3) << 4], b);
    fputs(extra, f);
    fclose(f);
}

static void test_tiktoken_errors(void) {
    check_open_error(tmp_path("missing.tiktoken"), NULL, YQ_ENOENT, "missing.tiktoken");
    write_file("tiny.json", "{\"pat_str\": \"\\\\S+|\\\\s+\", \"special_tokens\": {\"<|end|>\": 300}}");
    write_tiny_tiktoken("tiny.tiktoken", "YWI= 256\n", -1);
    yq_tokenizer *tok = open_tok(tmp_path("tiny.tiktoken"));
    int32_t first;
    CHECK(tok && encode_n(tok, "ab", 0, &first) == 1 && first == 256);
    CHECK(tok && encode_n(tok, "x<|end|>", 1, &first) == 2 && yq_tokenizer_eos(tok) == -1);
    yq_tokenizer_free(tok);
    write_file("tiny.json", "{\"pat_str\": \"\\\\S+|\\\\s+\"}");
    write_tiny_tiktoken("tiny.tiktoken", "YWI= 255\n", -1);
    check_open_error(tmp_path("tiny.tiktoken"), NULL, YQ_EFORMAT, "appears twice");
    write_tiny_tiktoken("tiny.tiktoken", "YQ== 300\n", -1);
    check_open_error(tmp_path("tiny.tiktoken"), NULL, YQ_EFORMAT, "same bytes");
    write_tiny_tiktoken("tiny.tiktoken", "Y!I= 256\n", -1);
    check_open_error(tmp_path("tiny.tiktoken"), NULL, YQ_EFORMAT, "tiny.tiktoken:257: bad base64");
    write_tiny_tiktoken("tiny.tiktoken", "YWI= x\n", -1);
    check_open_error(tmp_path("tiny.tiktoken"), NULL, YQ_EFORMAT, ":257: bad rank");
    write_tiny_tiktoken("tiny.tiktoken", "YWI=\n", -1);
    check_open_error(tmp_path("tiny.tiktoken"), NULL, YQ_EFORMAT, ":257: expected");
    write_tiny_tiktoken("tiny.tiktoken", "", 0xFF);
    check_open_error(tmp_path("tiny.tiktoken"), NULL, YQ_EFORMAT, "no token for byte 0xff");
    write_file("tiny.json", "{\"pat_str\": \"(\"}");
    write_tiny_tiktoken("tiny.tiktoken", "", -1);
    check_open_error(tmp_path("tiny.tiktoken"), NULL, YQ_EFORMAT, "does not compile");
    write_file("tiny.json", "{\"pat_str\": ");
    check_open_error(tmp_path("tiny.tiktoken"), NULL, YQ_EFORMAT, "not a JSON object");
    write_tiny_tiktoken("other.tiktoken", "", -1);
    check_open_error(tmp_path("other.tiktoken"), NULL, YQ_EINVAL, "name the encoding");
    check_open_error(tmp_path("other.tiktoken"), "bogus", YQ_EINVAL, "unknown tiktoken encoding 'bogus'");
    check_open_error(tmp_path("other.tiktoken"), "cl100k_base", YQ_EFORMAT,
                     "256 ranks where the encoding has 100256");
    write_file("empty.tiktoken", "");
    check_open_error(tmp_path("empty.tiktoken"), "qwen", YQ_EFORMAT, "no ranks");
}

/* A minimal byte-level tokenizer.json; `normalizer`, `pre`, `model_type` and `added` vary. */
static void write_hf(const char *normalizer, const char *pre, const char *model_type, const char *added) {
    FILE *f = fopen(tmp_path("tokenizer.json"), "w");
    fprintf(f,
            "{\"normalizer\": %s, \"pre_tokenizer\": %s, \"decoder\": {\"type\": \"ByteLevel\"},\n"
            "\"added_tokens\": [%s], \"model\": {\"type\": \"%s\", \"merges\": [\"a b\"], \"vocab\": {",
            normalizer, pre, added, model_type);
    for (unsigned b = 0; b < 256; b++) { /* GPT-2's bytes_to_unicode */
        int printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        unsigned k = 0;
        for (unsigned c = 0; c < b; c++)
            k += !((c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || c >= 0xAE);
        unsigned cp = printable ? b : 256 + k;
        if (cp == '"' || cp == '\\')
            fprintf(f, "\"\\%c\": %u, ", cp, b);
        else if (cp < 0x80)
            fprintf(f, "\"%c\": %u, ", cp, b);
        else
            fprintf(f, "\"%c%c\": %u, ", 0xC0 | cp >> 6, 0x80 | (cp & 0x3F), b);
    }
    fputs("\"ab\": 256}}}\n", f);
    fclose(f);
}

static void test_hf_errors(void) {
    const char *split = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false}";
    write_hf("null", split, "BPE", "");
    yq_tokenizer *tok = open_tok(tmp_dir); /* a folder with tokenizer.json */
    int32_t first;
    CHECK(tok && encode_n(tok, "ab", 0, &first) == 1 && first == 256);
    yq_tokenizer_free(tok);
    write_hf("{\"type\": \"NFKC\"}", split, "BPE", "");
    check_open_error(tmp_path("tokenizer.json"), NULL, YQ_EUNSUPPORTED, "normalizer type NFKC");
    write_hf("null", "{\"type\": \"Whitespace\"}", "BPE", "");
    check_open_error(tmp_path("tokenizer.json"), NULL, YQ_EUNSUPPORTED, "pre_tokenizer type Whitespace");
    write_hf("null", split, "WordPiece", "");
    check_open_error(tmp_path("tokenizer.json"), NULL, YQ_EUNSUPPORTED, "model type WordPiece");
    write_hf("null", split, "BPE", "{\"id\": 300, \"content\": \"<m>\", \"lstrip\": true}");
    check_open_error(tmp_path("tokenizer.json"), NULL, YQ_EUNSUPPORTED, "lstrip");
    write_hf("null", "null", "BPE", "");
    check_open_error(tmp_path("tokenizer.json"), NULL, YQ_EUNSUPPORTED, "no ByteLevel");
    write_file("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0");
    check_open_error(tmp_path("tokenizer.json"), NULL, YQ_EFORMAT, "not a JSON object");
    write_file("tokenizer.json",
               "{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"decoder\": "
               "{\"type\": \"ByteLevel\"}, \"model\": {\"vocab\": {\"a\": 0}, \"merges\": []}}");
    check_open_error(tmp_path("tokenizer.json"), NULL, YQ_EFORMAT, "no token for byte 0x00");
    unlink(tmp_path("tokenizer.json"));
    check_open_error(tmp_dir, NULL, YQ_ENOENT, "no tokenizer.json");
}

int main(void) {
    strcpy(tmp_dir, "/tmp/yq_tok_XXXXXX");
    CHECK(mkdtemp(tmp_dir) != NULL);
    char cmd[2048], gz[512]; /* test_data_path's buffer is static: one call at a time */
    snprintf(gz, sizeof gz, "%s", test_data_path("tokenizers/qwen3/tokenizer.json.gz"));
    snprintf(cmd, sizeof cmd, "gzip -dc '%s' > '%s/qwen3.json' && cp '%s' '%s/tokenizer_config.json'", gz,
             tmp_dir, test_data_path("tokenizers/qwen3/tokenizer_config.json"), tmp_dir);
    CHECK(system(cmd) == 0);
    yq_tokenizer *cl100k = open_tok(test_data_path("tokenizers/cl100k_base.tiktoken"));
    yq_tokenizer *qwen1 = open_tok(test_data_path("tokenizers/qwen1/qwen.tiktoken"));
    yq_tokenizer *qwen3 = open_tok(tmp_path("qwen3.json"));
    if (cl100k && qwen1 && qwen3) {
        test_invalid_utf8(cl100k);
        test_specials(cl100k, qwen3);
        test_decode(cl100k);
        test_detokenizer(cl100k, "新闻舆情监测：公司股价下跌 ñ 😀!");
        test_detokenizer_bad_bytes(cl100k);
        test_batch(qwen3);
        test_nfc(qwen3, qwen1);
    }
    yq_tokenizer_free(cl100k);
    yq_tokenizer_free(qwen1);
    yq_tokenizer_free(qwen3);
    unlink(tmp_path("qwen3.json"));
    unlink(tmp_path("tokenizer_config.json"));
    test_tiktoken_errors();
    snprintf(cmd, sizeof cmd, "rm -f '%s'/*", tmp_dir); /* a folder of just tokenizer.json */
    CHECK(system(cmd) == 0);
    test_hf_errors();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    CHECK(system(cmd) == 0);
    return test_summary("test_tokenizer");
}
