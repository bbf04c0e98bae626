/* libFuzzer target for the safetensors reader (yq_safetensors_open: header length, JSON header,
 * dtypes, shapes, offsets) and the Hugging Face loader on top of it (yq_model_open of a folder
 * whose config.json is the tiny Qwen2 fixture's and whose model.safetensors is the input). */
#include <string.h>
#include <sys/stat.h>

#include "fuzz_input.h"
#include "model/safetensors.h"
#include "yuqing/model.h"

static const char CONFIG[] =
    "{\"architectures\": [\"Qwen2ForCausalLM\"], \"model_type\": \"qwen2\", \"hidden_size\": 64,"
    " \"intermediate_size\": 128, \"num_attention_heads\": 4, \"num_hidden_layers\": 2,"
    " \"num_key_value_heads\": 2, \"vocab_size\": 2048, \"max_position_embeddings\": 256,"
    " \"rms_norm_eps\": 1e-06, \"rope_theta\": 1000000.0, \"tie_word_embeddings\": true,"
    " \"bos_token_id\": 1, \"eos_token_id\": 2}";

static char folder[64], config_path[96];

static void remove_folder(void) {
    unlink(config_path);
    rmdir(folder);
}

/* A folder holding config.json, once (removed at exit); the input goes to
 * FOLDER/model.safetensors. */
static const char *make_folder(void) {
    if (folder[0]) return folder;
    snprintf(folder, sizeof folder, "/tmp/yq-fuzz-st-%d", (int)getpid());
    mkdir(folder, 0700);
    snprintf(config_path, sizeof config_path, "%s/config.json", folder);
    FILE *f = fopen(config_path, "w");
    if (!f || fputs(CONFIG, f) < 0 || fclose(f)) abort();
    atexit(remove_folder);
    return folder;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    static char link[96];
    const char *folder = make_folder();
    if (!link[0]) snprintf(link, sizeof link, "%s/model.safetensors", folder);
    const char *path = fuzz_input_path(link, data, size);
    yq_safetensors st;
    if (yq_safetensors_open(path, &st) == 0) {
        volatile size_t sink = 0;
        for (int i = 0; i < st.n_tensors; i++) {
            const yq_st_tensor *t = yq_safetensors_find(&st, st.tensors[i].name);
            if (t && t->n_bytes) sink += ((const unsigned char *)t->data)[t->n_bytes - 1];
        }
        (void)sink;
        yq_safetensors_close(&st);
        yq_model *m = NULL;
        if (yq_model_open(folder, &m) == 0) yq_model_close(m);
    }
    return 0;
}
