/* Whisper (encoder-decoder speech recognition) on the engine's kernels: a Hugging Face
 * WhisperForConditionalGeneration folder loaded into one model description (weights stay in the
 * mapped safetensors file), the encoder over one 30 s window of log-mel features, and a batched
 * decoder with a self-attention KV cache per sequence and cross-attention keys/values computed
 * once per window. */
#ifndef YUQING_WHISPER_H
#define YUQING_WHISPER_H

#include <stdint.h>

#include "yuqing/tensor.h"

typedef struct yq_whisper_config {
    int n_mels, d_model, vocab_size;
    int n_audio_ctx; /* encoder positions: 1500 for 3000 feature frames */
    int n_text_ctx;  /* decoder positions: 448 */
    int encoder_layers, encoder_heads, encoder_ffn;
    int decoder_layers, decoder_heads, decoder_ffn;
} yq_whisper_config;

typedef struct yq_whisper_attention {
    yq_tensor wq, wk, wv, wo; /* (d, d) each */
    float *bq, *bv, *bo;      /* (d); the key projection has no bias */
} yq_whisper_attention;

/* One pre-LayerNorm transformer block; the cross-attention part is set in decoder blocks only. */
typedef struct yq_whisper_layer {
    float *attn_ln_w, *attn_ln_b; /* (d) */
    yq_whisper_attention self_attn;
    float *cross_ln_w, *cross_ln_b; /* (d), decoder only */
    yq_whisper_attention cross_attn;
    float *ffn_ln_w, *ffn_ln_b; /* (d) */
    yq_tensor fc1, fc2;         /* (ffn, d) (d, ffn) */
    float *fc1_b, *fc2_b;       /* (ffn) (d) */
} yq_whisper_layer;

typedef struct yq_whisper_model {
    yq_whisper_config config;
    yq_tensor conv1, conv2;      /* (d, n_mels * 3) (d, d * 3): Conv1d kernels, (in, k) flattened */
    float *conv1_b, *conv2_b;    /* (d) */
    float *encoder_positions;    /* (n_audio_ctx, d) sinusoids as stored */
    yq_whisper_layer *encoder;   /* (encoder_layers) */
    float *encoder_ln_w, *encoder_ln_b;
    yq_tensor token_embedding;   /* (vocab, d); also the output projection (tied) */
    float *decoder_positions;    /* (n_text_ctx, d) learned */
    yq_whisper_layer *decoder;   /* (decoder_layers) */
    float *decoder_ln_w, *decoder_ln_b;
    char *folder;
    struct yq_whisper_files *files; /* the mapped checkpoint */
} yq_whisper_model;

/* Opens a Hugging Face Whisper folder (config.json with model_type "whisper" and
 * model.safetensors; F32, F16 or BF16 weights), or the config.json/model.safetensors inside one.
 * Errors name the file and tensor: YQ_ENOENT, YQ_EFORMAT, YQ_EUNSUPPORTED, YQ_ENOMEM. */
int yq_whisper_open(const char *path, yq_whisper_model **out);
void yq_whisper_close(yq_whisper_model *model);

/* Runs the encoder over one window of features: mel[m * mel_stride + t] for m < n_mels and
 * t < 2 * n_audio_ctx (3000 frames), giving out (n_audio_ctx, d_model). Matrix products run over
 * the thread pool. YQ_ENOMEM when scratch cannot be allocated. */
int yq_whisper_encode(const yq_whisper_model *model, const float *mel, int64_t mel_stride, float *out);

/* One decoded sequence: its self-attention keys/values for positions [0, n_tokens). */
typedef struct yq_whisper_seq {
    float *k, *v; /* (decoder_layers, decoder_heads, n_text_ctx, head_dim) */
    int n_tokens;
} yq_whisper_seq;

int yq_whisper_seq_init(const yq_whisper_model *model, yq_whisper_seq *seq);
void yq_whisper_seq_free(yq_whisper_seq *seq);
/* dst (initialised for the same model) becomes a copy of src's first src->n_tokens positions,
 * as beam search needs when a beam takes over another's history. */
void yq_whisper_seq_copy(const yq_whisper_model *model, yq_whisper_seq *dst, const yq_whisper_seq *src);

/* The decoder's state for one window: cross-attention keys/values and scratch buffers. */
typedef struct yq_whisper_decoder yq_whisper_decoder;

int yq_whisper_decoder_new(const yq_whisper_model *model, yq_whisper_decoder **out);
void yq_whisper_decoder_free(yq_whisper_decoder *dec);

/* Computes every decoder layer's cross-attention keys/values from the encoder output
 * (n_audio_ctx, d_model), once per 30 s window. */
void yq_whisper_decoder_set_audio(yq_whisper_decoder *dec, const float *encoder_out);

/* One sequence's part of a decoder batch: its new tokens at positions seq->n_tokens..., and the
 * logits of every new token (all_logits) or of the last one, (n or 1, vocab). */
typedef struct yq_whisper_step {
    const int32_t *tokens;
    int n_tokens;
    yq_whisper_seq *seq;
    int all_logits;
    float *logits;
} yq_whisper_step;

/* Runs the new tokens of every step through the decoder at once (matrix products over all
 * tokens; attention per sequence) and advances each seq->n_tokens. YQ_ERANGE past n_text_ctx,
 * YQ_EINVAL for a token outside the vocabulary (nothing changed then), YQ_ENOMEM. */
int yq_whisper_decode(yq_whisper_decoder *dec, yq_whisper_step *steps, int n_steps);

/* A Whisper shape for random-weight checkpoints (benchmarks, tests). */
typedef struct yq_whisper_shape {
    int n_mels, d_model, encoder_layers, decoder_layers, heads, ffn, vocab_size, n_text_ctx;
    yq_dtype dtype; /* F32, F16 or BF16 */
    uint64_t seed;
} yq_whisper_shape;

/* whisper-tiny (d 384, 4+4 layers, 6 heads) and whisper-base (d 512, 6+6 layers, 8 heads):
 * 80 mel bins, vocabulary 51865, 448 text positions, f16. */
yq_whisper_shape yq_whisper_shape_tiny(void);
yq_whisper_shape yq_whisper_shape_base(void);

/* Writes FOLDER/config.json and FOLDER/model.safetensors with uniform weights in +-0.05 and
 * LayerNorm weights 1 (no tokenizer), loadable by yq_whisper_open. FOLDER must exist. */
int yq_whisper_random_write(const char *folder, const yq_whisper_shape *shape);

#endif
