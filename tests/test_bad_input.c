/* Bad checkpoints and requests: each must fail with the right code and a message naming the
 * file, tensor or field, never crash (this test also runs under ASan+UBSan). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/safetensors.h"
#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/generate.h"
#include "yuqing/mapfile.h"

static char dir[] = "/tmp/yuqing-test-XXXXXX";

static const char *config_llama =
    "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 8, \"num_hidden_layers\": 1,"
    " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"intermediate_size\": 16,"
    " \"vocab_size\": 10, \"max_position_embeddings\": 4, \"tie_word_embeddings\": true}";

static void write_text(const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, strlen(text), f);
    fclose(f);
}

/* A valid tiny Llama; `skip` names a tensor to leave out, `bad_shape` one to give a wrong shape. */
static void write_model(const char *skip, const char *bad_shape) {
    static const struct { const char *name; int64_t rows, cols; } shapes[] = {
        {"model.embed_tokens.weight", 10, 8}, {"model.norm.weight", 0, 8},
        {"model.layers.0.input_layernorm.weight", 0, 8}, {"model.layers.0.post_attention_layernorm.weight", 0, 8},
        {"model.layers.0.self_attn.q_proj.weight", 8, 8}, {"model.layers.0.self_attn.k_proj.weight", 4, 8},
        {"model.layers.0.self_attn.v_proj.weight", 4, 8}, {"model.layers.0.self_attn.o_proj.weight", 8, 8},
        {"model.layers.0.mlp.gate_proj.weight", 16, 8}, {"model.layers.0.mlp.up_proj.weight", 16, 8},
        {"model.layers.0.mlp.down_proj.weight", 8, 16}};
    yq_st_tensor tensors[16];
    const void *data[16];
    static float zeros[256];
    int n = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (skip && !strcmp(skip, shapes[i].name)) continue;
        yq_st_tensor *t = &tensors[n];
        memset(t, 0, sizeof *t);
        t->name = (char *)shapes[i].name;
        t->dtype = YQ_DTYPE_F32;
        t->n_dims = shapes[i].rows ? 2 : 1;
        t->shape[0] = shapes[i].rows ? shapes[i].rows : shapes[i].cols;
        t->shape[1] = shapes[i].cols;
        if (bad_shape && !strcmp(bad_shape, shapes[i].name)) t->shape[0]--;
        t->n_bytes = (size_t)(t->n_dims == 2 ? t->shape[0] * t->shape[1] : t->shape[0]) * sizeof(float);
        data[n++] = zeros;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    CHECK(yq_safetensors_write(path, tensors, data, n) == 0);
    write_text("config.json", config_llama);
}

static void expect_open_error(int code, const char *needle, const char *what) {
    yq_model *m = NULL;
    int rc = yq_model_open(dir, &m);
    CHECKF(rc == code, "%s: got %d, expected %d (%s)", what, rc, code, yq_last_error());
    CHECKF(strstr(yq_last_error(), needle) != NULL, "%s: message '%s' lacks '%s'", what, yq_last_error(), needle);
    CHECKF(strchr(yq_last_error(), '\n') == NULL, "%s: message is not one line", what);
    yq_model_close(m);
}

/* Rewrites model.safetensors with `keep` bytes (negative: all but the last -keep), after
 * replacing the first occurrence of `from` (if given) by `to`, of the same length. */
static void rewrite(long keep, const char *from, const char *to) {
    char path[512], *text;
    size_t len;
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    CHECK(yq_read_file(path, &text, &len) == 0);
    if (from) {
        char *hit = memmem(text, len, from, strlen(from));
        CHECK(hit != NULL);
        if (hit) memcpy(hit, to, strlen(to));
    }
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, keep >= 0 ? (size_t)keep : len - (size_t)-keep, f);
    fclose(f);
    free(text);
}

static void truncate_model(long keep) { rewrite(keep, NULL, NULL); }
static void patch_model(const char *from, const char *to) {
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    stat(path, &st);
    rewrite((long)st.st_size, from, to);
}

static void test_checkpoints(void) {
    expect_open_error(YQ_ENOENT, "config.json", "empty folder");
    write_model(NULL, NULL);
    yq_model *m = NULL;
    CHECKF(yq_model_open(dir, &m) == 0, "valid model: %s", yq_last_error());
    yq_model_close(m);
    truncate_model(4);
    expect_open_error(YQ_EFORMAT, "truncated", "4-byte file");
    write_model(NULL, NULL);
    truncate_model(0);
    expect_open_error(YQ_EFORMAT, "truncated", "empty file");
    write_model(NULL, NULL);
    patch_model("{\"model", "[\"model");
    expect_open_error(YQ_EFORMAT, "corrupt safetensors header", "JSON header broken");
    write_model(NULL, NULL);
    truncate_model(200);
    expect_open_error(YQ_EFORMAT, "header length", "file cut inside the header");
    write_model(NULL, NULL);
    truncate_model(-100);
    expect_open_error(YQ_EFORMAT, "truncated file", "file cut inside the data");
    write_model("model.norm.weight", NULL);
    expect_open_error(YQ_EFORMAT, "'model.norm.weight' is missing", "tensor missing");
    write_model(NULL, "model.layers.0.mlp.up_proj.weight");
    expect_open_error(YQ_EFORMAT, "'model.layers.0.mlp.up_proj.weight' has the wrong shape", "wrong shape");
    write_model(NULL, NULL);
    patch_model("\"F32\",\"shape\":[10,8]", "\"I32\",\"shape\":[10,8]");
    expect_open_error(YQ_EUNSUPPORTED, "dtype I32", "wrong dtype");
}

static void test_configs(void) {
    write_model(NULL, NULL);
    write_text("config.json", "{\"architectures\": [\"GPT2LMHeadModel\"]}");
    expect_open_error(YQ_EUNSUPPORTED, "architecture 'GPT2LMHeadModel'", "unknown architecture");
    write_text("config.json", "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 8}");
    expect_open_error(YQ_EFORMAT, "'num_hidden_layers' is missing", "field missing");
    write_text("config.json", "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 8, \"num_hidden_layers\": 1,"
                              " \"num_attention_heads\": 2, \"intermediate_size\": 16, \"vocab_size\": 10,"
                              " \"max_position_embeddings\": 4, \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}}");
    expect_open_error(YQ_EUNSUPPORTED, "rope_scaling type 'yarn'", "unsupported rope scaling");
    write_text("config.json", "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 8, \"num_hidden_layers\": 1,"
                              " \"num_attention_heads\": 3, \"num_key_value_heads\": 2, \"intermediate_size\": 16,"
                              " \"vocab_size\": 10, \"max_position_embeddings\": 4}");
    expect_open_error(YQ_EFORMAT, "not a multiple", "heads vs kv heads");
    write_text("config.json", "not json");
    expect_open_error(YQ_EFORMAT, "config.json: not a JSON object", "config not JSON");
}

static void test_requests(void) {
    write_model(NULL, NULL);
    yq_model *m = NULL;
    CHECK(yq_model_open(dir, &m) == 0);
    if (!m) return;
    int32_t prompt[5] = {1, 2, 3, 4, 5}, bad[2] = {1, 10};
    yq_generate_request req = {prompt, 5, yq_sampling_defaults(), NULL, NULL};
    yq_generate_stats stats;
    CHECK(yq_generate(m, &req, &stats) == YQ_ERANGE && strstr(yq_last_error(), "context is 4"));
    req.prompt = bad;
    req.n_prompt = 2;
    CHECK(yq_generate(m, &req, &stats) == YQ_EINVAL && strstr(yq_last_error(), "token id 10"));
    req.n_prompt = 0;
    CHECK(yq_generate(m, &req, &stats) == YQ_EINVAL);
    req.prompt = prompt;
    req.n_prompt = 3;
    req.params.max_tokens = 100;
    CHECK(yq_generate(m, &req, &stats) == 0 && stats.stop_reason == YQ_STOP_CONTEXT && stats.n_generated == 2);
    yq_model_close(m);
}

static void test_llama2c(void) {
    char path[512];
    snprintf(path, sizeof path, "%s/model.bin", dir);
    int32_t header[7] = {64, 172, 5, 8, 4, 512, 512};
    FILE *f = fopen(path, "wb");
    fwrite(header, sizeof header, 1, f);
    fwrite(header, sizeof header, 1, f);
    fclose(f);
    yq_model *m = NULL;
    CHECK(yq_model_open(path, &m) == YQ_EFORMAT && strstr(yq_last_error(), "truncated"));
    yq_model_close(m);
    header[3] = 7;
    f = fopen(path, "wb");
    fwrite(header, sizeof header, 1, f);
    fclose(f);
    CHECK(yq_model_open(path, &m) == YQ_EFORMAT);
    CHECK(yq_model_open("/nonexistent/model.bin", &m) == YQ_ENOENT && strstr(yq_last_error(), "/nonexistent/model.bin"));
    unlink(path);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    test_checkpoints();
    test_configs();
    test_requests();
    test_llama2c();
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/config.json", dir);
    unlink(path);
    rmdir(dir);
    return test_summary("bad_input");
}
