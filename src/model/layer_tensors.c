/* The decoder layer's tensor list (layer_tensors.h). */
#include "layer_tensors.h"

#define MATRIX(field, hf, gguf, rows, cols, rope) \
    {hf, gguf, offsetof(yq_layer_weights, field), 1, LAYER_DIM_##rows, LAYER_DIM_##cols, LAYER_ALWAYS, rope}
#define VECTOR(field, hf, gguf, n, when, rope) \
    {hf, gguf, offsetof(yq_layer_weights, field), 0, LAYER_DIM_MODEL, LAYER_DIM_##n, when, rope}

const layer_tensor yq_layer_tensors[] = {
    VECTOR(attn_norm, "input_layernorm.weight", "attn_norm.weight", MODEL, LAYER_ALWAYS, LAYER_ROPE_NONE),
    MATRIX(wq, "self_attn.q_proj.weight", "attn_q.weight", Q, MODEL, LAYER_ROPE_Q),
    MATRIX(wk, "self_attn.k_proj.weight", "attn_k.weight", KV, MODEL, LAYER_ROPE_K),
    MATRIX(wv, "self_attn.v_proj.weight", "attn_v.weight", KV, MODEL, LAYER_ROPE_NONE),
    VECTOR(bq, "self_attn.q_proj.bias", "attn_q.bias", Q, LAYER_IF_QKV_BIAS, LAYER_ROPE_Q),
    VECTOR(bk, "self_attn.k_proj.bias", "attn_k.bias", KV, LAYER_IF_QKV_BIAS, LAYER_ROPE_K),
    VECTOR(bv, "self_attn.v_proj.bias", "attn_v.bias", KV, LAYER_IF_QKV_BIAS, LAYER_ROPE_NONE),
    VECTOR(q_norm, "self_attn.q_norm.weight", "attn_q_norm.weight", HEAD, LAYER_IF_QK_NORM, LAYER_ROPE_NONE),
    VECTOR(k_norm, "self_attn.k_norm.weight", "attn_k_norm.weight", HEAD, LAYER_IF_QK_NORM, LAYER_ROPE_NONE),
    MATRIX(wo, "self_attn.o_proj.weight", "attn_output.weight", MODEL, Q, LAYER_ROPE_NONE),
    VECTOR(ffn_norm, "post_attention_layernorm.weight", "ffn_norm.weight", MODEL, LAYER_ALWAYS, LAYER_ROPE_NONE),
    MATRIX(w_gate, "mlp.gate_proj.weight", "ffn_gate.weight", HIDDEN, MODEL, LAYER_ROPE_NONE),
    MATRIX(w_up, "mlp.up_proj.weight", "ffn_up.weight", HIDDEN, MODEL, LAYER_ROPE_NONE),
    MATRIX(w_down, "mlp.down_proj.weight", "ffn_down.weight", MODEL, HIDDEN, LAYER_ROPE_NONE),
};
const int yq_n_layer_tensors = sizeof yq_layer_tensors / sizeof yq_layer_tensors[0];

int64_t yq_layer_dim(const yq_model_config *c, layer_dim d) {
    switch (d) {
    case LAYER_DIM_Q: return (int64_t)c->n_heads * c->head_dim;
    case LAYER_DIM_KV: return (int64_t)c->n_kv_heads * c->head_dim;
    case LAYER_DIM_HIDDEN: return c->hidden_dim;
    case LAYER_DIM_HEAD: return c->head_dim;
    default: return c->dim;
    }
}

int yq_layer_tensor_present(const yq_model_config *c, const layer_tensor *t) {
    return t->when == LAYER_ALWAYS || (t->when == LAYER_IF_QKV_BIAS && c->has_qkv_bias) ||
           (t->when == LAYER_IF_QK_NORM && c->has_qk_norm);
}
