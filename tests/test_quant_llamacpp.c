/* yuqing's quantization against llama-quantize's own output (tests/data/quant/llamacpp-mix-*.gguf):
 * for each mix (Q8_0, Q4_0, Q4_K_M, Q5_K_M), every tensor gets the type llama.cpp chose and
 * the same bytes, from inputs recomputed here by the hash tools/compare_llamacpp_models.py used. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/gguf.h"
#include "yuqing/quantize.h"

/* Element i of the mix file's tensor number k (see mix_value in the generator). */
static float mix_value(uint32_t k, uint32_t i) {
    uint32_t h = i * 0x9E3779B1u + k * 0x85EBCA77u;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    int sum = (int)(h & 255) + (int)(h >> 8 & 255) + (int)(h >> 16 & 255) + (int)(h >> 24) - 510;
    float v = (float)sum / (float)(1 << (7 + (h >> 10 & 3)));
    return (h & 1023) == 0 ? v * 64 : v;
}

/* The generator's tensor order (token_embd, 8 blocks of 9, output_norm, output): the number k
 * that seeded `name`, or -1. */
static int mix_index(const char *name) {
    static const char *const block[] = {"attn_norm", "attn_q", "attn_k",   "attn_v",  "attn_output",
                                        "ffn_gate",  "ffn_up", "ffn_down", "ffn_norm"};
    int layer, used = 0;
    char part[32];
    if (!strcmp(name, "token_embd.weight")) return 0;
    if (!strcmp(name, "output_norm.weight")) return 1 + 8 * 9;
    if (!strcmp(name, "output.weight")) return 2 + 8 * 9;
    if (sscanf(name, "blk.%d.%31[a-z_].weight%n", &layer, part, &used) != 2 || name[used]) return -1;
    for (int j = 0; j < 9; j++)
        if (!strcmp(part, block[j])) return 1 + layer * 9 + j;
    return -1;
}

static void check_tensor(const char *file, yq_quant_type type, const yq_gguf_tensor *t, int n_layers,
                         int tied) {
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)t->name.len, t->name.data);
    int k = mix_index(name);
    int64_t cols = (int64_t)t->dims[0], rows = t->n_dims > 1 ? (int64_t)t->dims[1] : 1;
    yq_dtype want;
    CHECKF(k >= 0 && yq_dtype_from_ggml(t->type, &want) == 0, "%s: %s", file, name);
    if (k < 0) return;
    yq_dtype got = yq_quant_tensor_dtype(type, name, (int)t->n_dims, cols, n_layers, tied);
    CHECKF(got == want, "%s: %s: llama.cpp chose %s, yuqing %s", file, name, yq_dtype_name(want),
           yq_dtype_name(got));
    if (got != want) return;
    size_t row_bytes;
    CHECK(yq_dtype_row_bytes(got, cols, &row_bytes) == 0);
    float *row = malloc((size_t)cols * sizeof *row);
    unsigned char *out = malloc(row_bytes);
    int64_t differing = 0;
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t c = 0; c < cols; c++)
            row[c] = mix_value((uint32_t)k, (uint32_t)(r * cols + c));
        yq_quantize_row(got, row, out, cols);
        differing += memcmp(out, (const unsigned char *)t->data + r * (int64_t)row_bytes, row_bytes) != 0;
    }
    CHECKF(differing == 0, "%s: %s (%s): %lld of %lld rows differ from llama-quantize's", file, name,
           yq_dtype_name(got), (long long)differing, (long long)rows);
    free(row);
    free(out);
}

static void test_mix(const char *type_name) {
    char rel[64];
    snprintf(rel, sizeof rel, "quant/llamacpp-mix-%s.gguf", type_name);
    const char *path = test_data_path(rel);
    yq_quant_type type;
    yq_gguf *g = NULL;
    uint64_t n_layers = 0;
    CHECK(yq_quant_type_parse(type_name, &type) == 0);
    CHECKF(yq_gguf_open(path, &g) == 0, "%s", yq_last_error());
    if (!g) return;
    CHECK(yq_gguf_get_uint(g, "llama.block_count", &n_layers) == 0 && n_layers == 8);
    int tied = yq_gguf_find_tensor(g, "output.weight") == NULL, quantized = 0;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        check_tensor(rel, type, &g->tensors[i], (int)n_layers, tied);
        quantized += g->tensors[i].type != 0;
    }
    CHECKF(g->n_tensors == 75 && quantized == 58, "%s: %llu tensors, %d quantized", rel,
           (unsigned long long)g->n_tensors, quantized);
    yq_gguf_close(g);
}

int main(void) {
    test_mix("q8_0");
    test_mix("q4_0");
    test_mix("q4_k_m");
    test_mix("q5_k_m");
    return test_summary("test_quant_llamacpp");
}
