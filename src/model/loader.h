/* Internal interface between yq_model_open() and the per-format loaders. */
#ifndef YUQING_MODEL_LOADER_H
#define YUQING_MODEL_LOADER_H

#include "yuqing/model.h"

/* Llama 3 frequency scaling ("rope_scaling": {"rope_type": "llama3", ...}); factor 0 = none. */
typedef struct yq_rope_scaling {
    float factor, low_freq_factor, high_freq_factor;
    int original_max_position;
} yq_rope_scaling;

int yq_load_hf_folder(const char *folder, yq_model *m);
int yq_load_llama2c(const char *path, yq_model *m);
int yq_load_gguf(const char *path, yq_model *m);

/* llama.cpp's architecture name ("llama", "qwen2", "qwen3") for a GGUF or Hugging Face
 * architecture name, or NULL when unsupported. */
const char *yq_gguf_arch_of(const char *architecture);

/* Allocates m->layers for m->config.n_layers. */
int yq_model_alloc_layers(yq_model *m);
/* Adopts a mapped file so that it is unmapped by yq_model_close(). */
int yq_model_adopt_file(yq_model *m, yq_mapped_file *file);
/* A malloc'd f32 copy of a (small) vector tensor, or NULL when out of memory. */
float *yq_vector_to_f32(const yq_tensor *t);
/* Fills m->inv_freq from rope_theta, head_dim and the scaling. */
int yq_model_init_rope(yq_model *m, const yq_rope_scaling *scaling);
/* Checks the hyper-parameters are consistent (head counts divide, sizes positive). */
int yq_model_check_config(const yq_model_config *c, const char *source);

#endif
