/* Reading Hugging Face config.json / generation_config.json (internal to src/model). */
#ifndef YUQING_MODEL_HF_CONFIG_H
#define YUQING_MODEL_HF_CONFIG_H

#include "loader.h"

/* Parses FOLDER/config.json: architecture, sizes, RoPE and its scaling, special ids. */
int yq_hf_read_config(const char *folder, yq_model_config *c, yq_rope_scaling *scaling);

/* Applies FOLDER/generation_config.json, when present, to the sampling defaults and EOS ids. */
int yq_hf_read_generation_config(const char *folder, yq_sampling_params *p, yq_model_config *c, int *found);

#endif
