/* The GGUF reader (metadata of every type, arrays, tensor infos, alignment, bounds checks) and
 * the tokenizers it carries: BaiChuan's SentencePiece vocabulary round trip, BOS/EOS, and
 * one-line errors for truncated or foreign files. (Exact ids for Llama-2 and GPT-2 vocabularies
 * are in test_tokenizer_vectors.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/gguf.h"
#include "yuqing/mapfile.h"
#include "yuqing/tokenizer.h"

static char tmp_dir[64];

static const char *tmp_path(const char *name) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

static void put(FILE *f, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++)
        fputc((int)(v >> (8 * i) & 0xFF), f);
}

static void put_str(FILE *f, const char *s) {
    put(f, strlen(s), 8);
    fputs(s, f);
}

/* A GGUF v3 file with one key of each kind and two tensors, data aligned to 64. */
static void write_synthetic(const char *name) {
    FILE *f = fopen(tmp_path(name), "wb");
    put(f, 0x46554747u, 4);
    put(f, 3, 4);
    put(f, 2, 8); /* tensors */
    put(f, 5, 8); /* keys */
    put_str(f, "general.alignment");
    put(f, 4, 4), put(f, 64, 4);
    put_str(f, "test.i8");
    put(f, 1, 4), put(f, 0xFE, 1);
    put_str(f, "test.f64");
    put(f, 12, 4), put(f, 0x400C000000000000ull, 8); /* 3.5 */
    put_str(f, "test.names");
    put(f, 9, 4), put(f, 8, 4), put(f, 2, 8), put_str(f, "alpha"), put_str(f, "");
    put_str(f, "test.nested");
    put(f, 9, 4), put(f, 9, 4), put(f, 2, 8);
    put(f, 4, 4), put(f, 1, 8), put(f, 7, 4);    /* [7] */
    put(f, 8, 4), put(f, 1, 8), put_str(f, "x"); /* ["x"] */
    put_str(f, "w");
    put(f, 2, 4), put(f, 3, 8), put(f, 2, 8), put(f, 0, 4), put(f, 0, 8); /* F32 3x2 at 0 */
    put_str(f, "b");
    put(f, 1, 4), put(f, 5, 8), put(f, 0, 4), put(f, 64, 8); /* F32 5 at 64 */
    long pos = ftell(f);
    while (pos++ % 64)
        fputc(0, f);
    for (int i = 0; i < 6 + 16 + 5; i++)
        put(f, 0x3F800000u, 4); /* 1.0f */
    fclose(f);
}

static void test_synthetic(void) {
    write_synthetic("synthetic.gguf");
    yq_gguf *g = NULL;
    int rc = yq_gguf_open(tmp_path("synthetic.gguf"), &g);
    CHECKF(rc == 0, "%s", yq_last_error());
    if (rc) return;
    uint64_t u;
    const yq_gguf_value *v = yq_gguf_get(g, "test.i8");
    CHECK(g->version == 3 && g->n_kv == 5 && g->n_tensors == 2 && g->alignment == 64);
    CHECK(v && v->type == YQ_GGUF_INT8 && v->i64 == -2);
    CHECK(yq_gguf_get_uint(g, "test.i8", &u) == YQ_EFORMAT); /* negative */
    CHECK(yq_gguf_get_uint(g, "general.alignment", &u) == 0 && u == 64);
    CHECK(yq_gguf_get_uint(g, "test.missing", &u) == YQ_ENOENT);
    v = yq_gguf_get(g, "test.f64");
    CHECK(v && v->type == YQ_GGUF_FLOAT64 && v->f64 == 3.5);
    CHECK(yq_gguf_get_array(g, "test.names", YQ_GGUF_STRING, &v) == 0 && v->arr.n == 2 &&
          v->arr.strings[0].len == 5 && !memcmp(v->arr.strings[0].data, "alpha", 5) &&
          v->arr.strings[1].len == 0);
    CHECK(yq_gguf_get_array(g, "test.names", YQ_GGUF_INT32, &v) == YQ_EFORMAT);
    CHECK(yq_gguf_get_array(g, "test.nested", YQ_GGUF_ARRAY, &v) == 0 && v->arr.n == 2);
    const yq_gguf_tensor *w = yq_gguf_find_tensor(g, "w"), *b = yq_gguf_find_tensor(g, "b");
    CHECK(w && w->n_dims == 2 && w->dims[0] == 3 && w->dims[1] == 2 && w->type == 0);
    CHECK(b && b->n_dims == 1 && b->dims[0] == 5 && b->offset == 64);
    CHECK(w && b && g->data_offset % 64 == 0 && (const char *)b->data - (const char *)w->data == 64);
    CHECK(w && *(const float *)w->data == 1.0f);
    CHECK(!yq_gguf_find_tensor(g, "nope"));
    yq_gguf_close(g);
}

/* Opening fails with `code` and one line holding `words`. */
static void check_error(const char *path, int code, const char *words) {
    yq_gguf *g = NULL;
    int rc = yq_gguf_open(path, &g);
    CHECKF(rc == code && !g && strstr(yq_last_error(), words) && !strchr(yq_last_error(), '\n'),
           "%s: rc %d \"%s\", want %d \"%s\"", path, rc, yq_last_error(), code, words);
    yq_gguf_close(g);
}

static void write_prefix(const char *from, const char *name, size_t n, int patch_at, int patch) {
    yq_mapped_file f;
    CHECK(yq_map_file(from, &f) == 0);
    FILE *out = fopen(tmp_path(name), "wb");
    fwrite(f.data, 1, n < f.size ? n : f.size, out);
    if (patch_at >= 0) {
        fseek(out, patch_at, SEEK_SET);
        fputc(patch, out);
    }
    fclose(out);
    yq_unmap_file(&f);
}

static void test_errors(void) {
    char spm[512];
    snprintf(spm, sizeof spm, "%s", test_data_path("tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf"));
    write_prefix(spm, "truncated.gguf", 100000, -1, 0);
    check_error(tmp_path("truncated.gguf"), YQ_EFORMAT, "truncated or corrupt at byte");
    write_prefix(spm, "magic.gguf", 1000, 0, 'X');
    check_error(tmp_path("magic.gguf"), YQ_EFORMAT, "bad magic");
    write_prefix(spm, "v1.gguf", 1000, 4, 1);
    check_error(tmp_path("v1.gguf"), YQ_EUNSUPPORTED, "version 1");
    write_prefix(spm, "short.gguf", 10, -1, 0);
    check_error(tmp_path("short.gguf"), YQ_EFORMAT, "truncated");
    check_error(tmp_path("missing.gguf"), YQ_ENOENT, "missing.gguf");
    yq_tokenizer *tok = NULL;
    CHECK(yq_tokenizer_open(tmp_path("truncated.gguf"), NULL, &tok) == YQ_EFORMAT && !tok);
    write_synthetic("notok.gguf"); /* a GGUF without tokenizer metadata */
    CHECK(yq_tokenizer_open(tmp_path("notok.gguf"), NULL, &tok) == YQ_EFORMAT &&
          strstr(yq_last_error(), "no tokenizer"));
}

static void round_trip(const yq_tokenizer *tok, const char *text) {
    int32_t *ids = NULL;
    size_t n = 0, len = 0;
    char *back = NULL;
    CHECK(yq_tokenizer_encode(tok, text, strlen(text), 0, &ids, &n) == 0 && n > 0);
    CHECK(yq_tokenizer_decode(tok, ids, n, &back, &len) == 0);
    CHECKF(back && len == strlen(text) && !memcmp(back, text, len), "round trip of \"%s\": \"%s\"", text,
           back ? back : "");
    free(ids);
    free(back);
}

static void test_tokenizers(void) {
    yq_tokenizer *baichuan = NULL, *spm = NULL;
    CHECK(yq_tokenizer_open(test_data_path("tokenizers/gguf-vocab/ggml-vocab-baichuan.gguf"), NULL,
                            &baichuan) == 0);
    CHECK(yq_tokenizer_open(test_data_path("tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf"), NULL, &spm) ==
          0);
    if (!baichuan || !spm) return;
    round_trip(baichuan, "今天天气很好，股价上涨了 3.5%！We're going.");
    round_trip(baichuan, "  leading spaces, emoji 😀 and a rare 𠀀 character");
    round_trip(spm, "Hello 世界 😀\n\ttabs");
    CHECK(yq_tokenizer_bos(spm) == 1 && yq_tokenizer_eos(spm) == 2 && yq_tokenizer_adds_bos(spm) == 1);
    CHECK(yq_tokenizer_vocab_size(baichuan) == 64000 && yq_tokenizer_special_id(spm, "</s>") == 2);
    int32_t *ids = NULL;
    size_t n = 0;
    CHECK(yq_tokenizer_encode(spm, "a</s>", 5, 1, &ids, &n) == 0 && n >= 2 && ids[n - 1] == 2);
    free(ids);
    yq_tokenizer_free(baichuan);
    yq_tokenizer_free(spm);
}

int main(void) {
    strcpy(tmp_dir, "/tmp/yq_gguf_XXXXXX");
    CHECK(mkdtemp(tmp_dir) != NULL);
    test_synthetic();
    test_errors();
    test_tokenizers();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    CHECK(system(cmd) == 0);
    return test_summary("test_tokenizer_gguf");
}
