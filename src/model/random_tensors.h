/* A list of random-weight tensors written as one safetensors file: what the random Llama/Qwen and
 * Whisper checkpoint generators share (uniform values in +-0.05 from a xorshift stream, or a
 * constant, in the list's dtype). */
#ifndef YUQING_MODEL_RANDOM_TENSORS_H
#define YUQING_MODEL_RANDOM_TENSORS_H

#include <stdint.h>

#include "safetensors.h"

typedef struct random_tensors {
    yq_st_tensor *tensors;
    void **data;
    int n, cap;
    uint64_t rng;
    yq_dtype dtype;
} random_tensors;

/* Room for `cap` tensors; values from `seed` (made odd). 0 or YQ_ENOMEM. */
int random_tensors_init(random_tensors *l, int cap, uint64_t seed, yq_dtype dtype);
/* Adds tensor `name` of shape dims[0..n_dims), every value `fill` when not 0, else random. */
int random_tensors_add(random_tensors *l, const char *name, int n_dims, const int64_t *dims, float fill);
/* Writes FOLDER/model.safetensors. */
int random_tensors_write(const random_tensors *l, const char *folder);
void random_tensors_free(random_tensors *l);

#endif
