#!/usr/bin/env python3
"""Helpers of the llama.cpp comparison scripts (tools/compare_llamacpp_*.sh): the Hugging Face
folders they convert, llama.cpp's converter run on them, and the comparisons of their outputs.

  prepare OUTDIR [--tokenizer DIR] [--qwen-layers N] [--qwen-vocab N] [--qwen-std S]
      OUTDIR/{llama,qwen2,qwen3}: the tests/data/hf fixtures, each given a byte-level BPE
      tokenizer cut from the Qwen3 tokenizer to the fixture's 2048 ids (llama.cpp needs a
      vocabulary to run a model); OUTDIR/qwen25: random Qwen2ForCausalLM with Qwen2.5-0.5B's
      widths (hidden 896, intermediate 4864, 14 heads, 2 KV heads, tied embeddings, bf16), fewer
      layers and a cut vocabulary so that the runs stay small, weights N(0, S) so that the logits
      are peaked (their standard deviation is printed); OUTDIR/prompt.txt: 64 random token ids.
  convert LLAMA_CPP_DIR HF_FOLDER OUT.gguf OUTTYPE
      llama.cpp's convert_hf_to_gguf.py, told that the cut tokenizer pre-tokenizes as Qwen2's
      does (its hash of a test string is not one llama.cpp knows). It imports `sentencepiece`:
      `pip install --target DIR sentencepiece` and put DIR on PYTHONPATH if the venv lacks it.
  quant REF_F32.gguf LLAMA.gguf YUQING.gguf
      per tensor: the type each file chose, how many blocks are byte-identical, and the RMSE of
      each file's dequantized values against the F32 file's; one summary line (stdout).
  mix OUT.gguf
      a small F32 GGUF whose tensors have the names and column counts of a Llama of 8 blocks
      (hidden 256, feed-forward 288: every branch of the Q4_K_M/Q5_K_M mixes and their
      fallbacks) but only 2-4 rows each, with values from a hash that the C test recomputes
      (tests/test_quant_llamacpp.c, see tests/data/quant/README.md); llama-quantize's outputs
      of it are the committed oracle.
  logits A.bin B.bin
      two dumps of (positions x vocabulary) float32 logits: the smallest cosine similarity over
      positions, how many positions have the same top-1 token, and the same count over the
      positions A decides (its top-1 logit above its second by more than 0.1).
  kl BASE.bin TEST.bin N [CHUNK]
      mean and largest KL divergence (nats) of TEST's distributions from BASE's and top-1
      agreement, over N positions, or with CHUNK over the positions llama-perplexity scores in
      each chunk of CHUNK (CHUNK/2 .. CHUNK-2).

gguf-py and convert_hf_to_gguf.py are imported from LLAMA_CPP_DIR (env LLAMA_CPP_DIR for
quant); torch and transformers from the calling venv (/work/venv)."""
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
DECIDED_MARGIN = 0.1  # logits; a top-1 closer than this to the second is a float-order coin toss


def cut_tokenizer(src: Path, n: int) -> tuple[dict, dict]:
    """The Qwen3 tokenizer restricted to ids < n: the first n-3 ordinary tokens (the 256 bytes
    first), the merges among them, and three specials at the top."""
    tok = json.loads((src / "tokenizer.json").read_text())
    model = tok["model"]
    keep = n - len(SPECIALS)
    vocab = {t: i for t, i in model["vocab"].items() if i < keep}
    merges = [m for m in model["merges"] if m[0] in vocab and m[1] in vocab and m[0] + m[1] in vocab]
    model["vocab"], model["merges"] = vocab, merges
    added = []
    for j, content in enumerate(SPECIALS):
        added.append({"id": keep + j, "content": content, "single_word": False, "lstrip": False,
                      "rstrip": False, "normalized": False, "special": True})
    tok["added_tokens"] = added
    config = {"add_bos_token": False, "add_prefix_space": False, "bos_token": None,
              "eos_token": SPECIALS[0], "pad_token": SPECIALS[0], "model_max_length": 32768,
              "tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": False,
              "added_tokens_decoder": {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in added}}
    return tok, config


def write_tokenizer(folder: Path, tok: dict, config: dict) -> None:
    (folder / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False))
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=1))


def make_qwen25(folder: Path, layers: int, vocab: int, std: float, prompt: list[int]) -> None:
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(1234)
    cfg = Qwen2Config(hidden_size=896, intermediate_size=4864, num_attention_heads=14,
                      num_key_value_heads=2, num_hidden_layers=layers, vocab_size=vocab,
                      max_position_embeddings=4096, rope_theta=1000000.0, rms_norm_eps=1e-6,
                      tie_word_embeddings=True, initializer_range=std, bos_token_id=vocab - 3,
                      eos_token_id=vocab - 3)
    model = Qwen2ForCausalLM(cfg).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(std * torch.randn_like(p))
        model = model.to(torch.bfloat16)
        logits = model.float()(torch.tensor([prompt])).logits[0]
    model.to(torch.bfloat16).save_pretrained(folder, safe_serialization=True)
    print(f"prepare: {folder}: logits std {logits.std(dim=-1).mean():.2f} (mean over positions)",
          file=sys.stderr)


def prepare(args: list[str]) -> None:
    import argparse

    ap = argparse.ArgumentParser(prog="compare_llamacpp_models.py prepare")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--tokenizer", type=Path, default=ROOT.parent / "shared/data/tokenizers/qwen3")
    ap.add_argument("--qwen-layers", type=int, default=4)
    ap.add_argument("--qwen-vocab", type=int, default=4096)
    ap.add_argument("--qwen-std", type=float, default=0.08)
    a = ap.parse_args(args)
    a.outdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(64)
    prompt = [int(x) for x in rng.integers(0, 2048 - len(SPECIALS), 64)]
    (a.outdir / "prompt.txt").write_text(" ".join(map(str, prompt)) + "\n")
    small = cut_tokenizer(a.tokenizer, 2048)
    for name in ("llama", "qwen2", "qwen3"):
        dst = a.outdir / name
        if dst.exists():
            shutil.rmtree(dst)
        dst.mkdir()
        for f in (ROOT / "tests/data/hf" / name).iterdir():
            if f.name.startswith(("config", "generation_config", "model")):
                shutil.copy(f, dst / f.name)
        write_tokenizer(dst, *small)
    dst = a.outdir / "qwen25"
    if not (dst / "model.safetensors").exists():
        dst.mkdir(exist_ok=True)
        make_qwen25(dst, a.qwen_layers, a.qwen_vocab, a.qwen_std, prompt)
        write_tokenizer(dst, *cut_tokenizer(a.tokenizer, a.qwen_vocab))


def convert(args: list[str]) -> None:
    llama_dir, hf, out, outtype = args
    sys.path.insert(0, llama_dir)
    sys.argv = ["convert_hf_to_gguf.py", hf, "--outfile", out, "--outtype", outtype]
    import conversion.base as base

    base.TextModel.get_vocab_base_pre = lambda self, tokenizer: "qwen2"
    import convert_hf_to_gguf

    convert_hf_to_gguf.main()


def gguf_module():
    sys.path.insert(0, str(Path(os.environ["LLAMA_CPP_DIR"]) / "gguf-py"))
    import gguf

    return gguf


def tensors(path: str) -> dict:
    gguf = gguf_module()
    return {t.name: t for t in gguf.GGUFReader(path).tensors}


def dequant(t) -> np.ndarray:
    gguf = gguf_module()
    return gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float64).reshape(-1)


def quant(args: list[str]) -> None:
    gguf = gguf_module()
    ref, a, b = (tensors(p) for p in args)
    same_type = identical = blocks = 0
    rmse_a = rmse_b = n_elem = 0.0
    for name, r in ref.items():
        ta, tb = a[name], b[name]
        x = dequant(r)
        ea = float(np.mean((dequant(ta) - x) ** 2))
        eb = float(np.mean((dequant(tb) - x) ** 2))
        rmse_a += ea * x.size
        rmse_b += eb * x.size
        n_elem += x.size
        if ta.tensor_type != tb.tensor_type:
            print(f"  {name}: type llama.cpp {ta.tensor_type.name} yuqing {tb.tensor_type.name}")
            continue
        same_type += 1
        size, nbytes = gguf.GGML_QUANT_SIZES[ta.tensor_type]
        da = np.asarray(ta.data).view(np.uint8).reshape(-1, nbytes)
        db = np.asarray(tb.data).view(np.uint8).reshape(-1, nbytes)
        eq = int(np.all(da == db, axis=1).sum())
        identical += eq
        blocks += da.shape[0]
        if eq != da.shape[0]:
            print(f"  {name} ({ta.tensor_type.name}): {da.shape[0] - eq}/{da.shape[0]} blocks differ, "
                  f"RMSE llama.cpp {ea ** 0.5:.4g} yuqing {eb ** 0.5:.4g}")
    print(f"tensors {len(ref)} same-type {same_type} blocks {blocks} identical {identical} "
          f"rmse_llama {(rmse_a / n_elem) ** 0.5:.6g} rmse_yuqing {(rmse_b / n_elem) ** 0.5:.6g}")


MIX_LAYERS, MIX_DIM, MIX_FF = 8, 256, 288


def mix_value(k: np.ndarray, i: np.ndarray) -> np.ndarray:
    """Element i of tensor number k: a sum of four hashed bytes (-510..510) times 2^-(7 + row
    scale), times 64 for one element in 1024; exact in float32."""
    m = np.uint64(0xFFFFFFFF)
    h = (i.astype(np.uint64) * np.uint64(0x9E3779B1) + np.uint64(k) * np.uint64(0x85EBCA77)) & m
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x2C1B3C6D)) & m
    h ^= h >> np.uint64(12)
    h = (h * np.uint64(0x297A2D39)) & m
    h ^= h >> np.uint64(15)
    b = [(h >> np.uint64(s)) & np.uint64(255) for s in (0, 8, 16, 24)]
    v = (sum(x.astype(np.int64) for x in b) - 510).astype(np.float32)
    v *= np.float32(2.0) ** -(7 + ((h >> np.uint64(10)) & np.uint64(3)).astype(np.float32))
    v[(h & np.uint64(1023)) == 0] *= np.float32(64)
    return v


def mix_tensors() -> list[tuple[str, int, int]]:
    """(name, rows, cols) in file order; rows 1 means a 1-D tensor."""
    t = [("token_embd.weight", 4, MIX_DIM)]
    for layer in range(MIX_LAYERS):
        t.append((f"blk.{layer}.attn_norm.weight", 1, MIX_DIM))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up"):
            t.append((f"blk.{layer}.{name}.weight", 2, MIX_DIM))
        t.append((f"blk.{layer}.ffn_down.weight", 2, MIX_FF))
        t.append((f"blk.{layer}.ffn_norm.weight", 1, MIX_DIM))
    t += [("output_norm.weight", 1, MIX_DIM), ("output.weight", 4, MIX_DIM)]
    return t


def mix(args: list[str]) -> None:
    gguf = gguf_module()
    w = gguf.GGUFWriter(args[0], "llama")
    w.add_context_length(256)
    w.add_embedding_length(MIX_DIM)
    w.add_block_count(MIX_LAYERS)
    w.add_feed_forward_length(MIX_FF)
    w.add_head_count(4)
    w.add_head_count_kv(2)
    w.add_rope_dimension_count(64)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(4)
    w.add_file_type(0)
    for k, (name, rows, cols) in enumerate(mix_tensors()):
        v = mix_value(k, np.arange(rows * cols))
        w.add_tensor(name, v if rows == 1 else v.reshape(rows, cols))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def load_logits(path: str, n: int) -> np.ndarray:
    x = np.fromfile(path, dtype=np.float32)
    return x.reshape(n, -1).astype(np.float64)


def logits(args: list[str]) -> None:
    n = int(args[2]) if len(args) > 2 else 64
    a, b = load_logits(args[0], n), load_logits(args[1], n)
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    same = a.argmax(1) == b.argmax(1)
    top2 = np.sort(a, axis=1)[:, -2:]
    decided = top2[:, 1] - top2[:, 0] > DECIDED_MARGIN
    print(f"min_cos {cos.min():.6f} top1 {int(same.sum())}/{n} "
          f"decided {int(same[decided].sum())}/{int(decided.sum())}")


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=1, keepdims=True))


def kl(args: list[str]) -> None:
    n = int(args[2])
    p, q = log_softmax(load_logits(args[0], n)), log_softmax(load_logits(args[1], n))
    if len(args) > 3:
        chunk = int(args[3])
        rows = [c + j for c in range(0, n, chunk) for j in range(chunk // 2, chunk - 1)]
        p, q = p[rows], q[rows]
    d = np.sum(np.exp(p) * (p - q), axis=1)
    top1 = int(np.sum(p.argmax(1) == q.argmax(1)))
    print(f"kl_mean {d.mean():.6g} kl_max {d.max():.6g} top1 {top1}/{len(d)} ({100 * top1 / len(d):.2f}%)")


if __name__ == "__main__":
    commands = {"prepare": prepare, "convert": convert, "quant": quant, "mix": mix, "logits": logits, "kl": kl}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])
