/* The tensors of one decoder layer (Llama, Qwen2, Qwen3): where each lives in yq_layer_weights,
 * its name in Hugging Face checkpoints and in GGUF files, its shape and when it is present. The
 * two loaders, the GGUF writer (quantize.c) and the random-model writer walk this one list, in
 * llama.cpp's order. */
#ifndef YUQING_MODEL_LAYER_TENSORS_H
#define YUQING_MODEL_LAYER_TENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/model.h"

typedef enum { LAYER_DIM_MODEL, LAYER_DIM_Q, LAYER_DIM_KV, LAYER_DIM_HIDDEN, LAYER_DIM_HEAD } layer_dim;
typedef enum { LAYER_ALWAYS, LAYER_IF_QKV_BIAS, LAYER_IF_QK_NORM } layer_condition;
typedef enum { LAYER_ROPE_NONE, LAYER_ROPE_Q, LAYER_ROPE_K } layer_rope; /* heads rotated, if any */

typedef struct {
    const char *hf, *gguf; /* after "model.layers.N." and "blk.N." */
    size_t offset;         /* in yq_layer_weights: a yq_tensor for a matrix, a float * for a vector */
    int is_matrix;
    layer_dim rows, cols;  /* a vector has `cols` elements */
    layer_condition when;
    layer_rope rope;
} layer_tensor;

extern const layer_tensor yq_layer_tensors[];
extern const int yq_n_layer_tensors;

/* The size a layer_dim stands for in this model. */
int64_t yq_layer_dim(const yq_model_config *c, layer_dim d);

/* Whether the model has this tensor in every layer. */
int yq_layer_tensor_present(const yq_model_config *c, const layer_tensor *t);

/* The tensor's field in w: a matrix's yq_tensor, or where a vector's pointer is kept. */
static inline yq_tensor *yq_layer_matrix(yq_layer_weights *w, const layer_tensor *t) {
    return (yq_tensor *)((char *)w + t->offset);
}

static inline float **yq_layer_vector(yq_layer_weights *w, const layer_tensor *t) {
    return (float **)((char *)w + t->offset);
}

static inline const yq_tensor *yq_layer_matrix_of(const yq_layer_weights *w, const layer_tensor *t) {
    return (const yq_tensor *)((const char *)w + t->offset);
}

static inline const float *yq_layer_vector_of(const yq_layer_weights *w, const layer_tensor *t) {
    return *(float *const *)((const char *)w + t->offset);
}

#endif
