#!/usr/bin/env python3
"""Writes tests/data/gguf/llama-f16.gguf: the tests/data/hf/llama fixture converted the way
llama.cpp's convert_hf_to_gguf.py converts a LlamaForCausalLM (written independently here with
gguf-py, llama.cpp's own GGUF library): Q/K rows permuted for adjacent-pair RoPE, Llama 3 RoPE
scaling as rope_freqs.weight, 2-D tensors F16, 1-D tensors F32. The loader must reproduce the HF
reference logits from it, and `yuqing quantize --type f16` must write the same tensors.

Usage: python3 -m venv venv && venv/bin/pip install gguf==0.19.0 numpy
       venv/bin/python tools/make_gguf_fixtures.py
"""
import json
import math
import os
import struct

import gguf
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HF = os.path.join(ROOT, "tests/data/hf/llama")
OUT = os.path.join(ROOT, "tests/data/gguf/llama-f16.gguf")


def read_safetensors(path):
    """All tensors of one safetensors file as float32 numpy arrays (F32/F16/BF16)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        raw = data[a:b]
        if info["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif info["dtype"] == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        else:  # BF16
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        out[name] = arr.reshape(info["shape"]).astype(np.float32)
    return out


def permute(w, n_head):
    """convert_hf_to_gguf.py's LlamaModel.permute: per head, rows (i, i + d/2) become adjacent."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def rope_factors(cfg):
    """convert_hf_to_gguf.py's Llama 3 rope_freqs: the divisor of each frequency."""
    rs = cfg["rope_scaling"]
    dim = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    freqs = 1.0 / (cfg["rope_theta"] ** (np.arange(0, dim, 2, dtype=np.float32) / dim))
    factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old = rs["original_max_position_embeddings"]
    out = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < old / high:
            out.append(1.0)
        elif wavelen > old / low:
            out.append(factor)
        else:
            smooth = (old / wavelen - low) / (high - low)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


def main():
    cfg = json.load(open(os.path.join(HF, "config.json")))
    index = json.load(open(os.path.join(HF, "model.safetensors.index.json")))
    tensors = {}
    for shard in sorted(set(index["weight_map"].values())):
        tensors.update(read_safetensors(os.path.join(HF, shard)))
    heads, kv_heads = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    head_dim = cfg["head_dim"]

    w = gguf.GGUFWriter(OUT, "llama")
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_rope_dimension_count(head_dim)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    w.add_rope_freq_base(cfg["rope_theta"])
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_vocab_size(cfg["vocab_size"])
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_bos_token_id(cfg["bos_token_id"])
    w.add_eos_token_id(cfg["eos_token_id"][0])

    def add(name, arr):
        arr = arr.astype(np.float16) if arr.ndim == 2 else arr.astype(np.float32)
        w.add_tensor(name, arr)

    add("token_embd.weight", tensors["model.embed_tokens.weight"])
    add("rope_freqs.weight", rope_factors(cfg))
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        add(f"blk.{l}.attn_norm.weight", tensors[p + "input_layernorm.weight"])
        add(f"blk.{l}.attn_q.weight", permute(tensors[p + "self_attn.q_proj.weight"], heads))
        add(f"blk.{l}.attn_k.weight", permute(tensors[p + "self_attn.k_proj.weight"], kv_heads))
        add(f"blk.{l}.attn_v.weight", tensors[p + "self_attn.v_proj.weight"])
        add(f"blk.{l}.attn_output.weight", tensors[p + "self_attn.o_proj.weight"])
        add(f"blk.{l}.ffn_norm.weight", tensors[p + "post_attention_layernorm.weight"])
        add(f"blk.{l}.ffn_gate.weight", tensors[p + "mlp.gate_proj.weight"])
        add(f"blk.{l}.ffn_up.weight", tensors[p + "mlp.up_proj.weight"])
        add(f"blk.{l}.ffn_down.weight", tensors[p + "mlp.down_proj.weight"])
    add("output_norm.weight", tensors["model.norm.weight"])
    add("output.weight", tensors["lm_head.weight"])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
