/* Per-tensor types of llama.cpp's quantization mixes (llama-quant.cpp's llama_tensor_get_type
 * and its shape fallbacks), for the file types yuqing writes. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "yuqing/error.h"
#include "yuqing/quantize.h"

static const struct {
    const char *name;
    yq_dtype base;      /* the type of most 2-D tensors */
    uint32_t file_type; /* llama_ftype */
} types[] = {
    [YQ_QUANT_F16] = {"f16", YQ_DTYPE_F16, 1},         [YQ_QUANT_BF16] = {"bf16", YQ_DTYPE_BF16, 32},
    [YQ_QUANT_Q8_0] = {"q8_0", YQ_DTYPE_Q8_0, 7},      [YQ_QUANT_Q4_0] = {"q4_0", YQ_DTYPE_Q4_0, 2},
    [YQ_QUANT_Q4_K_M] = {"q4_k_m", YQ_DTYPE_Q4_K, 15}, [YQ_QUANT_Q5_K_M] = {"q5_k_m", YQ_DTYPE_Q5_K, 17},
};

int yq_quant_type_parse(const char *name, yq_quant_type *out) {
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(name, types[i].name)) {
            *out = (yq_quant_type)i;
            return YQ_OK;
        }
    return yq_error(YQ_EINVAL, "unknown type '%s' (f16, bf16, q8_0, q4_0, q4_k_m, q5_k_m)", name);
}

uint32_t yq_quant_file_type(yq_quant_type type) {
    return types[type].file_type;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* llama.cpp's use_more_bits: the first and last eighth of the layers and every third between. */
static int use_more_bits(int layer, int n_layers) {
    return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

static int fits(yq_dtype t, int64_t cols) {
    return cols % yq_dtype_block_size(t) == 0;
}

/* The mix's choice before the shape check. */
static yq_dtype mixed_type(yq_quant_type type, const char *name, int64_t cols, int n_layers, int tied) {
    yq_dtype t = types[type].base;
    int k_mix = type == YQ_QUANT_Q4_K_M || type == YQ_QUANT_Q5_K_M, layer = -1;
    sscanf(name, "blk.%d.", &layer);
    if (!strcmp(name, "output.weight") || (tied && !strcmp(name, "token_embd.weight")))
        return !fits(t, cols) || t == YQ_DTYPE_Q8_0 ? YQ_DTYPE_Q8_0 : YQ_DTYPE_Q6_K;
    if (k_mix && (ends_with(name, "attn_v.weight") || strstr(name, "ffn_down")) &&
        use_more_bits(layer, n_layers))
        return YQ_DTYPE_Q6_K;
    return t;
}

yq_dtype yq_quant_tensor_dtype(yq_quant_type type, const char *name, int n_dims, int64_t cols, int n_layers,
                               int tied) {
    if (n_dims < 2 || !ends_with(name, "weight") || strstr(name, "_norm.weight")) return YQ_DTYPE_F32;
    if (!yq_dtype_is_quantized(types[type].base)) return types[type].base;
    yq_dtype t = mixed_type(type, name, cols, n_layers, tied);
    if (!fits(t, cols)) {
        t = t == YQ_DTYPE_Q4_K   ? YQ_DTYPE_Q5_0
            : t == YQ_DTYPE_Q5_K ? YQ_DTYPE_Q5_1
            : t == YQ_DTYPE_Q6_K ? YQ_DTYPE_Q8_0
                                 : t;
        if (!fits(t, cols)) t = YQ_DTYPE_F16;
    }
    return t;
}
