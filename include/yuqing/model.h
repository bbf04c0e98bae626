/* One model description for every checkpoint format (Hugging Face safetensors folders, GGUF,
 * llama2.c .bin): hyper-parameters plus tensor views into mapped files, and the batched forward pass. */
#ifndef YUQING_MODEL_H
#define YUQING_MODEL_H

#include <stdint.h>

#include "yuqing/kv_cache.h"
#include "yuqing/sampling.h"
#include "yuqing/tensor.h"

enum { YQ_MAX_EOS = 8 };

typedef struct yq_model_config {
    char architecture[48]; /* e.g. "LlamaForCausalLM", "Qwen2ForCausalLM", "llama2.c" */
    int vocab_size, dim, n_layers, n_heads, n_kv_heads, head_dim, hidden_dim;
    int max_context;
    float norm_eps, rope_theta;
    int rope_interleaved; /* pairs (2i, 2i+1) as llama2.c; else rotate_half as HF */
    int has_qkv_bias, has_qk_norm, tied_embeddings;
    int32_t bos_id; /* -1 when unknown */
    int32_t eos_ids[YQ_MAX_EOS];
    int n_eos;
} yq_model_config;

typedef struct yq_layer_weights {
    yq_tensor wq, wk, wv, wo;          /* (n_heads*head_dim, dim) (kv_dim, dim) x2 (dim, n_heads*head_dim) */
    yq_tensor w_gate, w_up, w_down;    /* (hidden, dim) (hidden, dim) (dim, hidden) */
    float *attn_norm, *ffn_norm;       /* (dim) */
    float *bq, *bk, *bv;               /* (n_heads*head_dim) (kv_dim) (kv_dim), or NULL */
    float *q_norm, *k_norm;            /* (head_dim), or NULL */
} yq_layer_weights;

typedef struct yq_mapped_file yq_mapped_file;

typedef struct yq_model {
    yq_model_config config;
    yq_sampling_params generation_defaults; /* from generation_config.json, else HF defaults */
    int has_generation_config;              /* 1 when generation_config.json was read */
    yq_tensor token_embedding;              /* (vocab, dim) */
    yq_tensor lm_head;                      /* (vocab, dim); the embedding when tied */
    float *output_norm;                     /* (dim) */
    float *inv_freq;                        /* (head_dim/2) RoPE frequencies, scaling applied */
    yq_layer_weights *layers;               /* (n_layers) */
    yq_mapped_file *files;
    int n_files;
    void *packed_weights;                   /* the packed copies of the weight matrices, or NULL */
    char *path;                             /* the checkpoint as given */
    char *folder;                           /* where tokenizer files may be found */
} yq_model;

/* Opens a checkpoint: a Hugging Face folder (config.json + safetensors), a `.safetensors` file
 * inside one, a `.gguf` file (llama, qwen2, qwen3; folder = the file, which holds the tokenizer),
 * or a llama2.c `.bin`. Weights stay in the mapped files, except that the matrices the AVX-512
 * kernels take are copied into their packed layout (yq_tensor_pack) and their mapped pages let
 * go. Errors name the file and field: YQ_ENOENT, YQ_EFORMAT, YQ_EUNSUPPORTED. */
int yq_model_open(const char *path, yq_model **out);
/* The same without the packed copies, for reading the tensors rather than running the model
 * (yuqing quantize): no time or memory spent on a copy that would not be used. */
int yq_model_open_for_reading(const char *path, yq_model **out);
/* Lets the mapped pages of t's weights leave this process's memory (a matrix of m read for the
 * last time, or packed); a later read maps them again from the file. */
void yq_model_release_pages(const yq_model *m, const yq_tensor *t);
void yq_model_close(yq_model *model);

/* One sequence's part of a forward batch. */
typedef enum yq_logits_mode { YQ_LOGITS_NONE = 0, YQ_LOGITS_LAST, YQ_LOGITS_ALL } yq_logits_mode;

typedef struct yq_seq_step {
    const int32_t *tokens; /* the new tokens, at positions kv->n_tokens ... */
    int n_tokens;
    yq_kv_seq *kv;             /* the sequence's block table; n_tokens advances on success */
    yq_logits_mode logits_mode;
    float *logits;             /* (1 or n_tokens, vocab) when logits_mode is not NONE */
} yq_seq_step;

typedef struct yq_forward_ctx yq_forward_ctx;

/* Scratch buffers of the forward pass, grown as batches need; one per thread of control. */
int yq_forward_ctx_new(const yq_model *model, yq_forward_ctx **out);
void yq_forward_ctx_free(yq_forward_ctx *ctx);

/* Runs the new tokens of every step through the model at once (matrix products over all tokens
 * of the batch; attention per sequence through its block table), appends their keys/values to
 * the cache and writes the requested logits. Blocks are reserved first: YQ_ENOMEM when the pool
 * is full, YQ_ERANGE past max_context, YQ_EINVAL for a token outside the vocabulary; nothing
 * is changed then. A sequence's logits do not depend on what else is in the batch. */
int yq_forward(const yq_model *model, yq_kv_cache *kv, yq_seq_step *steps, int n_steps,
               yq_forward_ctx *ctx);

/* A KV cache sized for `n_positions` positions of one sequence of this model. */
int yq_model_kv_cache_new(const yq_model *model, int block_size, int n_blocks, yq_kv_cache **out);

#endif
