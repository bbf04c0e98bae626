/* Model conversion to GGUF: from a Hugging Face folder or a GGUF file, with llama.cpp's per-tensor
 * type mixes (F16, BF16, Q8_0, Q4_0, Q4_K_M, Q5_K_M), streamed to PATH.tmp and renamed. */
#ifndef YUQING_QUANTIZE_H
#define YUQING_QUANTIZE_H

#include <stdint.h>

#include "yuqing/tensor.h"

typedef enum yq_quant_type {
    YQ_QUANT_F16,
    YQ_QUANT_BF16,
    YQ_QUANT_Q8_0,
    YQ_QUANT_Q4_0,
    YQ_QUANT_Q4_K_M,
    YQ_QUANT_Q5_K_M,
} yq_quant_type;

/* "f16", "bf16", "q8_0", "q4_0", "q4_k_m", "q5_k_m" (any case) to the type; YQ_EINVAL naming
 * the choices otherwise. */
int yq_quant_type_parse(const char *name, yq_quant_type *out);

/* llama.cpp's llama_ftype number, written as general.file_type (F16 1, Q4_0 2, Q8_0 7,
 * Q4_K_M 15, Q5_K_M 17, BF16 32). */
uint32_t yq_quant_file_type(yq_quant_type type);

/* The dtype the mix gives GGUF tensor `name` (llama.cpp's names, "blk.N.attn_v.weight") with
 * `n_dims` dimensions and `cols` columns (ne[0]) in a model of `n_layers` blocks whose output
 * matrix is the embedding when `tied`. As llama.cpp's llama_tensor_get_type: 1-D tensors F32;
 * output.weight (or the tied token_embd.weight) Q6_K, Q8_0 when cols is not a multiple of 256;
 * for Q4_K_M/Q5_K_M attn_v and ffn_down Q6_K in the layers that "use more bits"; then K-quants
 * whose rows are not whole super-blocks fall back (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0),
 * and F16 where even that does not fit. */
yq_dtype yq_quant_tensor_dtype(yq_quant_type type, const char *name, int n_dims, int64_t cols, int n_layers,
                               int tied);

/* Called after each tensor with the weights written so far and in all, and the tensor's name. */
typedef void (*yq_quant_progress_fn)(void *user, int64_t done, int64_t total, const char *tensor);

/* Converts the model at `in` (what yq_model_open accepts; llama, qwen2, qwen3) into a GGUF file
 * at `out` with the llama.cpp metadata ({arch}.*, general.file_type) and, from a GGUF input,
 * its tokenizer.* keys. Llama Q/K rows from Hugging Face are permuted as convert_hf_to_gguf.py
 * does; Llama 3 RoPE scaling becomes rope_freqs.weight. Rows are quantized over the thread pool.
 * `progress` may be NULL. Nothing is left at `out` on failure. Errors: those of
 * yq_model_open, YQ_EUNSUPPORTED (architecture), YQ_EIO. */
int yq_quantize_model(const char *in, const char *out, yq_quant_type type, yq_quant_progress_fn progress,
                      void *user);

#endif
