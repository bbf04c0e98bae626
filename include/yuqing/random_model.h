/* Writes Hugging Face model folders with random weights, for benchmarks and tests: a real
 * config.json and model.safetensors of any Qwen2/Llama shape, loadable by yq_model_open. */
#ifndef YUQING_RANDOM_MODEL_H
#define YUQING_RANDOM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/tensor.h"

typedef struct yq_random_model_shape {
    const char *architecture; /* "Qwen2ForCausalLM" (q/k/v biases) or "LlamaForCausalLM" */
    int dim, n_layers, n_heads, n_kv_heads, hidden_dim, vocab_size, max_context;
    int tied_embeddings;
    yq_dtype dtype; /* F32, F16 or BF16 */
    uint64_t seed;
} yq_random_model_shape;

/* The Qwen2.5-0.5B shape (hidden 896, 24 layers, 14 heads, 2 KV heads, intermediate 4864,
 * vocabulary 151936, tied embeddings) in bf16. */
yq_random_model_shape yq_random_model_qwen25_05b(void);
/* The Qwen2.5-1.5B shape (hidden 1536, 28 layers, 12 heads, 2 KV heads, intermediate 8960,
 * vocabulary 151936, tied embeddings) in bf16. */
yq_random_model_shape yq_random_model_qwen25_15b(void);
/* The Qwen2.5-7B shape (hidden 3584, 28 layers, 28 heads, 4 KV heads, intermediate 18944,
 * vocabulary 152064, separate LM head) in bf16: 15 GB. */
yq_random_model_shape yq_random_model_qwen25_7b(void);

/* Writes FOLDER/config.json and FOLDER/model.safetensors (uniform weights in +-0.05, norms 1).
 * *weight_bytes (optional) receives the bytes of all weight matrices read per decode step
 * (the embedding counted once, as the LM head when tied). */
int yq_random_model_write(const char *folder, const yq_random_model_shape *shape, size_t *weight_bytes);

/* Removes the two files and the folder. */
void yq_random_model_remove(const char *folder);

#endif
