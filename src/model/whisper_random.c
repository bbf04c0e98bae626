/* Random-weight Hugging Face Whisper checkpoints of any shape (see whisper.h), for benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "random_tensors.h"
#include "yuqing/error.h"
#include "yuqing/whisper.h"

yq_whisper_shape yq_whisper_shape_tiny(void) { return (yq_whisper_shape){80, 384, 4, 4, 6, 1536, 51865, 448, YQ_DTYPE_F16, 1}; }
yq_whisper_shape yq_whisper_shape_base(void) { return (yq_whisper_shape){80, 512, 6, 6, 8, 2048, 51865, 448, YQ_DTYPE_F16, 2}; }

static int add_block(random_tensors *l, const char prefix[64], int64_t d, int64_t ffn, int cross) {
    static const char *const attn[] = {"self_attn", "encoder_attn"};
    char name[320];
    int64_t dd[2] = {d, d}, fd[2] = {ffn, d}, df[2] = {d, ffn};
    int rc = 0;
#define T(suffix, n, dims, one) \
    if (!rc) { snprintf(name, sizeof name, "%s.%s", prefix, suffix); rc = random_tensors_add(l, name, n, dims, one); }
    for (int a = 0; a <= cross; a++) {
        char part[160], ln[64];
        snprintf(ln, sizeof ln, "%s_layer_norm", attn[a]);
        const char *projections[] = {"q_proj.weight", "k_proj.weight", "v_proj.weight", "out_proj.weight"};
        for (int i = 0; i < 4; i++) {
            snprintf(part, sizeof part, "%s.%s", attn[a], projections[i]);
            T(part, 2, dd, 0)
        }
        const char *biases[] = {"q_proj.bias", "v_proj.bias", "out_proj.bias"};
        for (int i = 0; i < 3; i++) {
            snprintf(part, sizeof part, "%s.%s", attn[a], biases[i]);
            T(part, 1, &d, 0)
        }
        snprintf(part, sizeof part, "%s.weight", ln);
        T(part, 1, &d, 1)
        snprintf(part, sizeof part, "%s.bias", ln);
        T(part, 1, &d, 0)
    }
    T("fc1.weight", 2, fd, 0) T("fc1.bias", 1, &ffn, 0) T("fc2.weight", 2, df, 0) T("fc2.bias", 1, &d, 0)
    T("final_layer_norm.weight", 1, &d, 1) T("final_layer_norm.bias", 1, &d, 0)
#undef T
    return rc;
}

static int add_all(random_tensors *l, const yq_whisper_shape *s) {
    int64_t d = s->d_model, conv1[3] = {d, s->n_mels, 3}, conv2[3] = {d, d, 3};
    int64_t enc_pos[2] = {1500, d}, dec_pos[2] = {s->n_text_ctx, d}, emb[2] = {s->vocab_size, d};
    int rc = random_tensors_add(l, "model.encoder.conv1.weight", 3, conv1, 0);
    if (!rc) rc = random_tensors_add(l, "model.encoder.conv1.bias", 1, &d, 0);
    if (!rc) rc = random_tensors_add(l, "model.encoder.conv2.weight", 3, conv2, 0);
    if (!rc) rc = random_tensors_add(l, "model.encoder.conv2.bias", 1, &d, 0);
    if (!rc) rc = random_tensors_add(l, "model.encoder.embed_positions.weight", 2, enc_pos, 0);
    if (!rc) rc = random_tensors_add(l, "model.encoder.layer_norm.weight", 1, &d, 1);
    if (!rc) rc = random_tensors_add(l, "model.encoder.layer_norm.bias", 1, &d, 0);
    if (!rc) rc = random_tensors_add(l, "model.decoder.embed_tokens.weight", 2, emb, 0);
    if (!rc) rc = random_tensors_add(l, "model.decoder.embed_positions.weight", 2, dec_pos, 0);
    if (!rc) rc = random_tensors_add(l, "model.decoder.layer_norm.weight", 1, &d, 1);
    if (!rc) rc = random_tensors_add(l, "model.decoder.layer_norm.bias", 1, &d, 0);
    char prefix[64];
    for (int i = 0; i < s->encoder_layers && !rc; i++) {
        snprintf(prefix, sizeof prefix, "model.encoder.layers.%d", i);
        rc = add_block(l, prefix, d, s->ffn, 0);
    }
    for (int i = 0; i < s->decoder_layers && !rc; i++) {
        snprintf(prefix, sizeof prefix, "model.decoder.layers.%d", i);
        rc = add_block(l, prefix, d, s->ffn, 1);
    }
    return rc;
}

static int write_config(const char *folder, const yq_whisper_shape *s) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", folder);
    FILE *f = fopen(path, "w");
    if (!f) return yq_error(YQ_EIO, "%s: cannot create", path);
    fprintf(f, "{\"architectures\": [\"WhisperForConditionalGeneration\"], \"model_type\": \"whisper\","
               " \"num_mel_bins\": %d, \"d_model\": %d, \"vocab_size\": %d, \"max_source_positions\": 1500,"
               " \"max_target_positions\": %d, \"encoder_layers\": %d, \"decoder_layers\": %d,"
               " \"encoder_attention_heads\": %d, \"decoder_attention_heads\": %d, \"encoder_ffn_dim\": %d,"
               " \"decoder_ffn_dim\": %d, \"activation_function\": \"gelu\", \"scale_embedding\": false}\n",
            s->n_mels, s->d_model, s->vocab_size, s->n_text_ctx, s->encoder_layers, s->decoder_layers, s->heads,
            s->heads, s->ffn, s->ffn);
    return fclose(f) == 0 ? YQ_OK : yq_error(YQ_EIO, "%s: write failed", path);
}

int yq_whisper_random_write(const char *folder, const yq_whisper_shape *s) {
    random_tensors l;
    int rc = random_tensors_init(&l, 16 + 16 * s->encoder_layers + 26 * s->decoder_layers, s->seed, s->dtype);
    if (!rc) rc = add_all(&l, s);
    if (!rc) rc = random_tensors_write(&l, folder);
    if (!rc) rc = write_config(folder, s);
    random_tensors_free(&l);
    return rc;
}
