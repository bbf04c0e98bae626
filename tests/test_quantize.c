/* `yq_quantize_model` and llama.cpp's type mixes: the per-tensor table for a Qwen2.5-0.5B shape
 * (896 columns: every K-quant falls back) and a Llama-3-8B shape, derived by hand from
 * llama.cpp's src/llama-quant.cpp; the types in a written file; a GGUF input re-written
 * unchanged (no second Q/K permutation, RoPE factors kept) with its tokenizer copied; a Hugging
 * Face tokenizer.json converted to GGUF's tokenizer keys. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/gguf.h"
#include "yuqing/gguf_write.h"
#include "yuqing/model.h"
#include "yuqing/quantize.h"
#include "yuqing/tokenizer.h"

static char tmp_dir[] = "/tmp/yuqing-quantize-XXXXXX";

/* tmp_dir/name into `out` (256 bytes). */
static const char *tmp_path(char *out, const char *name) {
    snprintf(out, 256, "%s/%s", tmp_dir, name);
    return out;
}

static int in_set(int layer, const int *set, int n) {
    for (int i = 0; i < n; i++)
        if (set[i] == layer) return 1;
    return 0;
}

typedef struct {
    const char *suffix;
    int64_t cols;
    yq_dtype normal, more_bits; /* more_bits: in llama.cpp's use_more_bits layers */
} layer_row;

static void check_layers(yq_quant_type type, const char *label, const layer_row *rows, int n_rows,
                         int n_layers, const int *more, int n_more, int tied) {
    char name[64];
    for (int l = 0; l < n_layers; l++)
        for (int r = 0; r < n_rows; r++) {
            snprintf(name, sizeof name, "blk.%d.%s", l, rows[r].suffix);
            int dims = strstr(name, "norm") || strstr(name, "bias") ? 1 : 2;
            yq_dtype want = in_set(l, more, n_more) ? rows[r].more_bits : rows[r].normal;
            yq_dtype got = yq_quant_tensor_dtype(type, name, dims, rows[r].cols, n_layers, tied);
            CHECKF(got == want, "%s %s: %s, expected %s", label, name, yq_dtype_name(got),
                   yq_dtype_name(want));
        }
}

/* Qwen2.5-0.5B: 24 layers, hidden 896, intermediate 4864 (= 19 x 256), tied embeddings.
 * use_more_bits(i, 24): i < 3, i >= 21, or (i - 3) % 3 == 2. */
static void test_qwen25_05b_table(void) {
    static const int more[] = {0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23};
    int n_more = sizeof more / sizeof more[0];
    const yq_dtype F32 = YQ_DTYPE_F32, Q4K = YQ_DTYPE_Q4_K, Q5K = YQ_DTYPE_Q5_K, Q6K = YQ_DTYPE_Q6_K,
                   Q50 = YQ_DTYPE_Q5_0, Q51 = YQ_DTYPE_Q5_1, Q80 = YQ_DTYPE_Q8_0, Q40 = YQ_DTYPE_Q4_0;
    /* Q4_K_M: Q4_K -> Q5_0 at 896 columns; attn_v Q6_K -> Q8_0; ffn_down (4864 columns) keeps
     * Q4_K / Q6_K. */
    const layer_row q4km[] = {{"attn_norm.weight", 896, F32, F32}, {"attn_q.weight", 896, Q50, Q50},
                              {"attn_q.bias", 896, F32, F32},      {"attn_k.weight", 896, Q50, Q50},
                              {"attn_v.weight", 896, Q50, Q80},    {"attn_output.weight", 896, Q50, Q50},
                              {"ffn_norm.weight", 896, F32, F32},  {"ffn_gate.weight", 896, Q50, Q50},
                              {"ffn_up.weight", 896, Q50, Q50},    {"ffn_down.weight", 4864, Q4K, Q6K}};
    const layer_row q5km[] = {{"attn_q.weight", 896, Q51, Q51},   {"attn_k.weight", 896, Q51, Q51},
                              {"attn_v.weight", 896, Q51, Q80},   {"attn_output.weight", 896, Q51, Q51},
                              {"ffn_gate.weight", 896, Q51, Q51}, {"ffn_up.weight", 896, Q51, Q51},
                              {"ffn_down.weight", 4864, Q5K, Q6K}};
    const layer_row q40[] = {{"attn_v.weight", 896, Q40, Q40}, {"ffn_down.weight", 4864, Q40, Q40}};
    const layer_row q80[] = {{"attn_v.weight", 896, Q80, Q80}, {"ffn_down.weight", 4864, Q80, Q80}};
    const layer_row f16[] = {{"attn_v.weight", 896, YQ_DTYPE_F16, YQ_DTYPE_F16},
                             {"attn_q.bias", 896, F32, F32}};
    check_layers(YQ_QUANT_Q4_K_M, "q4_k_m", q4km, 10, 24, more, n_more, 1);
    check_layers(YQ_QUANT_Q5_K_M, "q5_k_m", q5km, 7, 24, more, n_more, 1);
    check_layers(YQ_QUANT_Q4_0, "q4_0", q40, 2, 24, more, n_more, 1);
    check_layers(YQ_QUANT_Q8_0, "q8_0", q80, 2, 24, more, n_more, 1);
    check_layers(YQ_QUANT_F16, "f16", f16, 2, 24, more, n_more, 1);
    /* The tied embedding is quantized as the output: Q6_K does not fit 896 columns -> Q8_0. */
    yq_quant_type all[] = {YQ_QUANT_Q4_K_M, YQ_QUANT_Q5_K_M, YQ_QUANT_Q4_0, YQ_QUANT_Q8_0};
    for (int i = 0; i < 4; i++)
        CHECK(yq_quant_tensor_dtype(all[i], "token_embd.weight", 2, 896, 24, 1) == Q80);
    CHECK(yq_quant_tensor_dtype(YQ_QUANT_Q4_K_M, "output_norm.weight", 1, 896, 24, 1) == F32);
    CHECK(yq_quant_tensor_dtype(YQ_QUANT_BF16, "token_embd.weight", 2, 896, 24, 1) == YQ_DTYPE_BF16);
}

/* Llama-3-8B: 32 layers, hidden 4096, intermediate 14336 (= 56 x 256), untied.
 * use_more_bits(i, 32): i < 4, i >= 28, or (i - 4) % 3 == 2. */
static void test_llama3_8b_table(void) {
    static const int more[] = {0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31};
    const layer_row q4km[] = {{"attn_q.weight", 4096, YQ_DTYPE_Q4_K, YQ_DTYPE_Q4_K},
                              {"attn_v.weight", 4096, YQ_DTYPE_Q4_K, YQ_DTYPE_Q6_K},
                              {"ffn_up.weight", 4096, YQ_DTYPE_Q4_K, YQ_DTYPE_Q4_K},
                              {"ffn_down.weight", 14336, YQ_DTYPE_Q4_K, YQ_DTYPE_Q6_K}};
    check_layers(YQ_QUANT_Q4_K_M, "llama3 q4_k_m", q4km, 4, 32, more, sizeof more / sizeof more[0], 0);
    CHECK(yq_quant_tensor_dtype(YQ_QUANT_Q4_K_M, "output.weight", 2, 4096, 32, 0) == YQ_DTYPE_Q6_K);
    CHECK(yq_quant_tensor_dtype(YQ_QUANT_Q4_K_M, "token_embd.weight", 2, 4096, 32, 0) == YQ_DTYPE_Q4_K);
    CHECK(yq_quant_tensor_dtype(YQ_QUANT_Q8_0, "output.weight", 2, 4096, 32, 0) == YQ_DTYPE_Q8_0);
    CHECK(yq_quant_tensor_dtype(YQ_QUANT_Q4_0, "output.weight", 2, 4096, 32, 0) == YQ_DTYPE_Q6_K);
    /* 100 columns fit no 32-block: F16, as llama.cpp's last resort. */
    CHECK(yq_quant_tensor_dtype(YQ_QUANT_Q4_K_M, "blk.0.attn_q.weight", 2, 100, 32, 0) == YQ_DTYPE_F16);
}

static void test_parse(void) {
    yq_quant_type t;
    CHECK(yq_quant_type_parse("Q4_K_M", &t) == 0 && t == YQ_QUANT_Q4_K_M && yq_quant_file_type(t) == 15);
    CHECK(yq_quant_type_parse("q5_k_m", &t) == 0 && yq_quant_file_type(t) == 17);
    CHECK(yq_quant_type_parse("bf16", &t) == 0 && yq_quant_file_type(t) == 32);
    CHECK(yq_quant_type_parse("q3_k", &t) == YQ_EINVAL && strstr(yq_last_error(), "q4_k_m"));
}

static uint32_t file_type_of(const yq_gguf *g, const char *name) {
    const yq_gguf_tensor *t = yq_gguf_find_tensor(g, name);
    CHECKF(t != NULL, "%s missing", name);
    return t ? t->type : 999;
}

/* The qwen2 fixture (2 layers; 64 and 128 columns) as q4_k_m: layer 1 "uses more bits". */
static void test_written_types(void) {
    char out[256], tmp[256];
    tmp_path(out, "qwen2-q4_k_m.gguf");
    int rc = yq_quantize_model(test_data_path("hf/qwen2"), out, YQ_QUANT_Q4_K_M, NULL, NULL);
    CHECKF(rc == 0, "%s", yq_last_error());
    yq_gguf *g;
    if (rc || yq_gguf_open(out, &g)) return;
    CHECK(file_type_of(g, "token_embd.weight") == 8);     /* Q8_0 */
    CHECK(file_type_of(g, "blk.0.attn_q.weight") == 6);   /* Q5_0 */
    CHECK(file_type_of(g, "blk.0.attn_v.weight") == 6);   /* Q5_0 */
    CHECK(file_type_of(g, "blk.1.attn_v.weight") == 8);   /* Q6_K -> Q8_0 */
    CHECK(file_type_of(g, "blk.0.ffn_down.weight") == 6); /* Q4_K -> Q5_0 (128 columns) */
    CHECK(file_type_of(g, "blk.1.ffn_down.weight") == 8);
    CHECK(file_type_of(g, "blk.0.attn_q.bias") == 0 && file_type_of(g, "output_norm.weight") == 0);
    CHECK(!yq_gguf_find_tensor(g, "output.weight"));
    uint64_t v;
    yq_gguf_string s;
    CHECK(yq_gguf_get_string(g, "general.architecture", &s) == 0 && s.len == 5 &&
          !memcmp(s.data, "qwen2", 5));
    CHECK(yq_gguf_get_uint(g, "general.file_type", &v) == 0 && v == 15);
    CHECK(yq_gguf_get_uint(g, "qwen2.block_count", &v) == 0 && v == 2);
    CHECK(yq_gguf_get_uint(g, "qwen2.attention.head_count_kv", &v) == 0 && v == 2);
    CHECK(yq_gguf_get_uint(g, "tokenizer.ggml.eos_token_id", &v) == 0 && v == 2);
    yq_gguf_close(g);
    CHECK(access(tmp_path(tmp, "qwen2-q4_k_m.gguf.tmp"), F_OK) != 0);
}

static float *last_logits(const yq_model *m, const int32_t *tokens, int n) {
    float *logits = malloc((size_t)m->config.vocab_size * sizeof *logits);
    yq_kv_cache *kv;
    yq_forward_ctx *ctx;
    yq_kv_seq seq = {0};
    CHECK(yq_model_kv_cache_new(m, 16, 4, &kv) == 0 && yq_forward_ctx_new(m, &ctx) == 0);
    yq_seq_step step = {tokens, n, &seq, YQ_LOGITS_LAST, logits};
    CHECKF(yq_forward(m, kv, &step, 1, ctx) == 0, "%s", yq_last_error());
    yq_kv_seq_release(kv, &seq);
    yq_kv_cache_free(kv);
    yq_forward_ctx_free(ctx);
    return logits;
}

/* A copy of `src` (a model GGUF) with the tokenizer.* keys of `vocab` added. */
static void add_tokenizer(const char *src, const char *vocab, const char *out) {
    yq_gguf *g, *v;
    yq_gguf_writer *w;
    if (yq_gguf_open(src, &g)) return;
    CHECK(yq_gguf_open(vocab, &v) == 0 && yq_gguf_writer_new(&w) == 0);
    char key[256];
    const yq_gguf *sources[] = {g, v};
    for (int s = 0; s < 2; s++)
        for (uint64_t i = 0; i < sources[s]->n_kv; i++) {
            const yq_gguf_kv *kv = &sources[s]->kv[i];
            snprintf(key, sizeof key, "%.*s", (int)kv->key.len, kv->key.data);
            int is_tokenizer = !strncmp(key, "tokenizer.", 10);
            if (is_tokenizer == (s == 1)) /* the model's own keys, the vocabulary's tokenizer keys */
                CHECKF(yq_gguf_writer_set(w, key, &kv->value) == 0, "%s: %s", key, yq_last_error());
        }
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        const yq_gguf_tensor *t = &g->tensors[i];
        uint64_t end = i + 1 < g->n_tensors ? g->tensors[i + 1].offset : g->file.size - g->data_offset;
        snprintf(key, sizeof key, "%.*s", (int)t->name.len, t->name.data);
        CHECK(yq_gguf_writer_add_tensor(w, key, (int)t->n_dims, t->dims, t->type, end - t->offset) == 0);
    }
    CHECK(yq_gguf_writer_begin(w, out) == 0);
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        uint64_t end = i + 1 < g->n_tensors ? g->tensors[i + 1].offset : g->file.size - g->data_offset;
        CHECK(yq_gguf_writer_write(w, g->tensors[i].data, end - g->tensors[i].offset) == 0);
    }
    CHECK(yq_gguf_writer_finish(w) == 0);
    yq_gguf_writer_free(w);
    yq_gguf_close(g);
    yq_gguf_close(v);
}

/* Llama from HF (Q/K permuted, llama3 RoPE as rope_freqs.weight) to f16, then that GGUF (with
 * a tokenizer added) to f16 again: identical logits, tokenizer keys carried over. */
static void test_gguf_input(void) {
    char first[256], with_vocab[256], second[256];
    tmp_path(first, "llama-f16.gguf");
    tmp_path(with_vocab, "llama-vocab.gguf");
    tmp_path(second, "llama-again.gguf");
    CHECKF(yq_quantize_model(test_data_path("hf/llama"), first, YQ_QUANT_F16, NULL, NULL) == 0, "%s",
           yq_last_error());
    add_tokenizer(first, test_data_path("tokenizers/gguf-vocab/ggml-vocab-gpt-2.gguf"), with_vocab);
    CHECKF(yq_quantize_model(with_vocab, second, YQ_QUANT_F16, NULL, NULL) == 0, "%s", yq_last_error());
    yq_model *a = NULL, *b = NULL;
    CHECK(yq_model_open(first, &a) == 0 && yq_model_open(second, &b) == 0);
    if (!a || !b) goto done;
    const int32_t tokens[] = {821, 236, 440, 1565, 1554, 1026, 1349, 2041, 973};
    float *la = last_logits(a, tokens, 9), *lb = last_logits(b, tokens, 9);
    CHECK(!memcmp(la, lb, (size_t)a->config.vocab_size * sizeof *la));
    CHECK(b->config.rope_interleaved == 1 && a->config.n_eos == 2 && a->config.eos_ids[1] == 3);
    CHECK(b->config.n_eos == 1 && b->config.eos_ids[0] == 50256); /* GPT-2's, from the copied keys */
    free(la);
    free(lb);
    yq_tokenizer *tok;
    int32_t *ids;
    size_t n;
    CHECKF(yq_tokenizer_open(b->folder, NULL, &tok) == 0, "%s", yq_last_error());
    if (tok && yq_tokenizer_encode(tok, "Hello world", 11, 0, &ids, &n) == 0) {
        CHECK(n == 2 && ids[0] == 15496 && ids[1] == 995); /* GPT-2's ids */
        free(ids);
    }
    yq_tokenizer_free(tok);
done:
    yq_model_close(a);
    yq_model_close(b);
}

/* Encodes `text` with `tok` (NULL on failure). */
static int32_t *encode(const yq_tokenizer *tok, const char *text, int allow_special, size_t *n) {
    int32_t *ids = NULL;
    return yq_tokenizer_encode(tok, text, strlen(text), allow_special, &ids, n) == 0 ? ids : NULL;
}

/* A Hugging Face folder with a byte-level BPE tokenizer.json (Qwen3's, with the qwen3-chat
 * model): the GGUF file's own tokenizer encodes as the tokenizer.json does. */
static void test_hf_tokenizer(void) {
    char folder[256], out[256], cmd[1024];
    tmp_path(folder, "qwen3-hf");
    tmp_path(out, "qwen3.gguf");
    const char *data = test_data_path("");
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && cp '%s/hf/qwen3-chat/config.json' '%s/hf/qwen3-chat/model.safetensors' "
             "'%s/tokenizers/qwen3/tokenizer_config.json' '%s/' && gzip -dc "
             "'%s/tokenizers/qwen3/tokenizer.json.gz' "
             "> '%s/tokenizer.json'",
             folder, data, data, data, folder, data, folder);
    CHECK(system(cmd) == 0);
    int rc = yq_quantize_model(folder, out, YQ_QUANT_Q8_0, NULL, NULL);
    CHECKF(rc == 0, "%s", yq_last_error());
    yq_tokenizer *hf = NULL, *gguf = NULL;
    CHECK(yq_tokenizer_open(folder, NULL, &hf) == 0);
    CHECKF(yq_tokenizer_open(out, NULL, &gguf) == 0, "%s", yq_last_error());
    if (rc || !hf || !gguf) goto done;
    const char *texts[] = {"Hello, 世界! 12345 <|im_end|>\n\n  x", "It's 2024-05-01 😀\r\n\tindented   ",
                           "<think>ok</think><|im_start|>user", "舆情监测 report: naïve café"};
    for (int i = 0; i < 4; i++)
        for (int special = 0; special <= 1; special++) {
            size_t na, nb;
            int32_t *a = encode(hf, texts[i], special, &na), *b = encode(gguf, texts[i], special, &nb);
            CHECKF(a && b && na == nb && !memcmp(a, b, na * sizeof *a),
                   "text %d (special %d) encodes differently", i, special);
            free(a);
            free(b);
        }
    CHECK(yq_tokenizer_vocab_size(gguf) == 151936 && yq_tokenizer_adds_bos(gguf) == 0);
    CHECK(yq_tokenizer_special_id(gguf, "<|im_end|>") == 151645);
    CHECK(yq_tokenizer_chat_template(gguf) && yq_tokenizer_chat_template(hf) &&
          !strcmp(yq_tokenizer_chat_template(gguf), yq_tokenizer_chat_template(hf)));
done:
    yq_tokenizer_free(hf);
    yq_tokenizer_free(gguf);
}

int main(void) {
    if (!mkdtemp(tmp_dir)) return 1;
    test_parse();
    test_qwen25_05b_table();
    test_llama3_8b_table();
    test_written_types();
    test_gguf_input();
    test_hf_tokenizer();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_dir);
    return test_summary("quantize");
}
