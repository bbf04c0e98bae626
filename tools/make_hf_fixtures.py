#!/usr/bin/env python3
"""Generate tests/data/hf/<name>/: tiny random Hugging Face checkpoints plus
reference logits computed by transformers (the oracle).

Usage (from the repo root; needs torch, transformers, safetensors, numpy):
    python tools/make_hf_fixtures.py [--out tests/data/hf] [--only llama,qwen2,qwen3]
    python tools/make_hf_fixtures.py --config-only config.transformers5.json

The committed fixtures were made with transformers 4.57.6 (whose config.json has the
`rope_theta` / `rope_scaling` keys that published Llama-3.x / Qwen2.5 / Qwen3
checkpoints have), then the second command was run under transformers 5.24.0 to add
config.transformers5.json (the same config as 5.x writes it: `rope_parameters`).
Output is deterministic: rerunning reproduces the same bytes (same versions).

For each model: build a small random-initialised *ForCausalLM with a fixed seed,
initialise with a wide spread (so greedy top-1/top-2 margins are large), cast to
the storage dtype, save_pretrained(safe_serialization=True), then load the saved
folder back, upcast to float32 (exact: every stored value is representable) and
record, with attn_implementation="eager":
  reference.json  prompts, greedy continuations, margins, row offsets
  logits.bin      little-endian float32 rows of vocab_size logits
See tests/data/hf/README.md for the format.
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import safetensors
import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, GenerationConfig

TF_MAJOR = int(transformers.__version__.split(".")[0])
VOCAB = 2048
N_DECODE = 16
PROMPT_LENS = (5, 11, 23)
FIRST_ORDINARY_ID = 4          # prompt ids drawn from [4, VOCAB)
SPECIAL_IDS = {0, 1, 2, 3}     # greedy runs must not emit these (2,3 are EOS)
MIN_MARGIN = 5e-2              # redraw a prompt whose greedy run has a smaller top1-top2 margin
MAX_DRAWS = 200

COMMON = dict(
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    intermediate_size=128,
    vocab_size=VOCAB,
    max_position_embeddings=256,
    hidden_act="silu",
)

MODELS = {
    "llama": dict(
        seed=1001,
        cls="LlamaForCausalLM",
        config_cls="LlamaConfig",
        dtype=torch.float32,
        config=dict(
            COMMON,
            rope_theta=500000.0,
            rope_scaling={
                "rope_type": "llama3",
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 64,
            },
            rms_norm_eps=1e-5,
            bos_token_id=1,
            eos_token_id=[2, 3],
            tie_word_embeddings=False,
            attention_bias=False,
            mlp_bias=False,
        ),
        max_shard_size="300KB",
        generation_config=dict(bos_token_id=1, eos_token_id=[2, 3], do_sample=True, temperature=0.6, top_p=0.9),
    ),
    "qwen2": dict(
        seed=1002,
        cls="Qwen2ForCausalLM",
        config_cls="Qwen2Config",
        dtype=torch.bfloat16,
        config=dict(
            COMMON,
            rope_theta=1000000.0,
            rms_norm_eps=1e-6,
            bos_token_id=1,
            eos_token_id=2,
            tie_word_embeddings=True,
            use_sliding_window=False,
        ),
        max_shard_size=None,
        generation_config=dict(
            bos_token_id=1, pad_token_id=1, eos_token_id=[2, 3], do_sample=True,
            temperature=0.7, top_p=0.8, top_k=20, repetition_penalty=1.05,
        ),
    ),
    "qwen3": dict(
        seed=1003,
        cls="Qwen3ForCausalLM",
        config_cls="Qwen3Config",
        dtype=torch.float16,
        config=dict(
            COMMON,
            head_dim=32,
            attention_bias=False,
            rope_theta=1000000.0,
            rms_norm_eps=1e-6,
            bos_token_id=1,
            eos_token_id=2,
            tie_word_embeddings=True,
            use_sliding_window=False,
        ),
        max_shard_size=None,
        generation_config=None,
    ),
}

WEIGHT_STD = 0.2   # 2-D weights (embeddings, projections, lm_head)
NORM_STD = 0.1     # RMSNorm weights: 1 + N(0, NORM_STD)
FINAL_NORM_SCALE = 2.0  # final norm weights: FINAL_NORM_SCALE * (1 + N(0, NORM_STD)), spreads the logits
BIAS_STD = 0.2     # biases (Qwen2 q/k/v)


def init_weights(model, gen):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "model.norm.weight":
                p.copy_(FINAL_NORM_SCALE * (1.0 + NORM_STD * torch.randn(p.shape, generator=gen)))
            elif "norm" in name:
                p.copy_(1.0 + NORM_STD * torch.randn(p.shape, generator=gen))
            elif name.endswith(".bias"):
                p.copy_(BIAS_STD * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(WEIGHT_STD * torch.randn(p.shape, generator=gen))


def load_f32(path):
    kw = dict(attn_implementation="eager")
    if TF_MAJOR >= 5:
        kw["dtype"] = torch.float32
    else:
        kw["torch_dtype"] = torch.float32
    m = AutoModelForCausalLM.from_pretrained(path, **kw)
    m = m.float().eval()
    return m


def run_case(model, prompt):
    """Prefill + N_DECODE greedy incremental steps. Returns (rows [P+N, V] f32, greedy ids, margins)."""
    ids = torch.tensor([prompt], dtype=torch.long)
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=torch.ones_like(ids), use_cache=True)
        rows = [out.logits[0].float()]
        past = out.past_key_values
        last = out.logits[0, -1].float()
        greedy, margins = [], []
        mask = torch.ones_like(ids)
        for _ in range(N_DECODE):
            top2 = torch.topk(last, 2)
            nxt = int(top2.indices[0])
            greedy.append(nxt)
            margins.append(float(top2.values[0] - top2.values[1]))
            step = torch.tensor([[nxt]], dtype=torch.long)
            mask = torch.cat([mask, torch.ones_like(step)], dim=1)
            out = model(input_ids=step, attention_mask=mask, past_key_values=past, use_cache=True)
            past = out.past_key_values
            last = out.logits[0, -1].float()
            rows.append(out.logits[0].float())
    return torch.cat(rows, 0), greedy, margins


def check_generate(model, prompt, greedy):
    ids = torch.tensor([prompt], dtype=torch.long)
    # Plain greedy. The explicit kwargs matter: transformers 4.5x fills "default-valued" fields of a
    # passed generation_config from the model's generation_config.json (do_sample=True, the Qwen2
    # repetition_penalty=1.05), while kwargs are applied last.
    gc = GenerationConfig(do_sample=False, max_new_tokens=N_DECODE, eos_token_id=[2, 3], pad_token_id=0,
                          bos_token_id=1)
    with torch.no_grad():
        out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=gc,
                             do_sample=False, repetition_penalty=1.0, max_new_tokens=N_DECODE,
                             min_new_tokens=N_DECODE)
    gen = out[0, len(prompt):].tolist()
    if gen != greedy:
        raise SystemExit("generate() disagrees with incremental greedy: %s vs %s" % (gen, greedy))


def check_full_recompute(model, prompt, greedy, rows):
    """Decode rows must match a no-cache forward over prompt+greedy (sanity of the KV-cache path)."""
    ids = torch.tensor([prompt + greedy], dtype=torch.long)
    with torch.no_grad():
        full = model(input_ids=ids, use_cache=False).logits[0].float()
    err = float((full - rows).abs().max())
    return err


def dump_json(obj):
    """JSON with one case per block and each number list on one line."""
    head = {k: v for k, v in obj.items() if k != "cases"}
    lines = ["{"]
    for k, v in head.items():
        lines.append("  %s: %s," % (json.dumps(k), json.dumps(v)))
    lines.append('  "cases": [')
    for i, c in enumerate(obj["cases"]):
        items = ["    %s: %s" % (json.dumps(k), json.dumps(v)) for k, v in c.items()]
        lines.append("   {\n" + ",\n".join(items) + "\n   }" + ("," if i + 1 < len(obj["cases"]) else ""))
    lines.append("  ]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == obj
    return text


def build(name, spec, out_root):
    out = os.path.join(out_root, name)
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):  # start clean, but keep the --config-only extras (config.transformers5.json)
        if not (f.startswith("config.transformers") and f.endswith(".json")):
            path = os.path.join(out, f)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    torch.manual_seed(spec["seed"])
    gen = torch.Generator().manual_seed(spec["seed"])
    cfg = getattr(transformers, spec["config_cls"])(**spec["config"])
    model = getattr(transformers, spec["cls"])(cfg).float()
    init_weights(model, gen)
    if cfg.tie_word_embeddings:
        assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    model = model.to(spec["dtype"])
    if TF_MAJOR >= 5:
        model.config.dtype = spec["dtype"]
    else:
        model.config.torch_dtype = spec["dtype"]
    if spec["generation_config"] is not None:
        model.generation_config = GenerationConfig(**spec["generation_config"])
    kw = dict(safe_serialization=True)
    if spec["max_shard_size"]:
        kw["max_shard_size"] = spec["max_shard_size"]
    model.save_pretrained(out, **kw)
    gpath = os.path.join(out, "generation_config.json")
    if spec["generation_config"] is None and os.path.exists(gpath):
        os.remove(gpath)
    for f in os.listdir(out):  # safetensors writes 0600 files; make them ordinary
        os.chmod(os.path.join(out, f), 0o644)
    stored = {k: v.clone() for k, v in model.state_dict().items()}
    del model

    # --- reload from disk, upcast to float32 -------------------------------------------
    m = load_f32(out)
    sd = m.state_dict()
    files = [f for f in os.listdir(out) if f.endswith(".safetensors")]
    ondisk = {}
    for f in files:
        ondisk.update(load_file(os.path.join(out, f)))
    for k, v in ondisk.items():
        assert v.dtype == spec["dtype"], (k, v.dtype)
        assert torch.equal(sd[k], v.float()), k
    for k, v in stored.items():
        assert torch.equal(sd[k], v.float()), k
    if cfg.tie_word_embeddings:
        assert "lm_head.weight" not in ondisk
        assert torch.equal(m.lm_head.weight, m.model.embed_tokens.weight)
    else:
        assert "lm_head.weight" in ondisk

    # --- reference outputs ----------------------------------------------------------------
    prng = np.random.RandomState(spec["seed"])
    cases, blobs, offset = [], [], 0
    redraws = 0
    for plen in PROMPT_LENS:
        for draw in range(MAX_DRAWS):
            prompt = prng.randint(FIRST_ORDINARY_ID, VOCAB, size=plen).tolist()
            rows, greedy, margins = run_case(m, prompt)
            if min(margins) >= MIN_MARGIN and not (set(greedy) & SPECIAL_IDS):
                break
            redraws += 1
        else:
            raise SystemExit("%s: no prompt of length %d with margins >= %g" % (name, plen, MIN_MARGIN))
        check_generate(m, prompt, greedy)
        err = check_full_recompute(m, prompt, greedy, rows)
        assert err < 1e-3, err
        assert rows.shape == (plen + N_DECODE, VOCAB)
        for j in range(N_DECODE):
            assert int(torch.argmax(rows[plen - 1 + j])) == greedy[j]
        cases.append({
            "prompt_ids": prompt,
            "greedy_ids": greedy,
            "n_rows": plen + N_DECODE,
            "row_offset": offset,
            "margins": [round(x, 6) for x in margins],
        })
        blobs.append(rows.numpy().astype("<f4"))
        offset += plen + N_DECODE
        print("%s: P=%d min margin %.4f  logit std %.3f  cache-vs-full max err %.2e  greedy %s"
              % (name, plen, min(margins), float(rows.std()), err, greedy))
    with open(os.path.join(out, "logits.bin"), "wb") as f:
        for b in blobs:
            f.write(np.ascontiguousarray(b).tobytes())
    ref = {
        "source": "transformers %s, torch %s, computed in float32 from the stored weights"
                  % (transformers.__version__, torch.__version__),
        "generator": "tools/make_hf_fixtures.py",
        "architecture": spec["cls"],
        "stored_dtype": str(spec["dtype"]).replace("torch.", ""),
        "vocab_size": VOCAB,
        "n_decode": N_DECODE,
        "logits_file": "logits.bin",
        "logits_layout": "little-endian float32, sum(n_rows) x vocab_size, row-major",
        "prompt_redraws": redraws,
        "cases": cases,
    }
    with open(os.path.join(out, "reference.json"), "w") as f:
        f.write(dump_json(ref))


def write_config_only(name, spec, out_root, filename):
    """Write just the config.json that this transformers version would save, as <filename>."""
    cfg = getattr(transformers, spec["config_cls"])(**spec["config"])
    cfg.architectures = [spec["cls"]]
    if TF_MAJOR >= 5:
        cfg.dtype = spec["dtype"]
    else:
        cfg.torch_dtype = spec["dtype"]
    d = os.path.join(out_root, name)
    os.makedirs(d, exist_ok=True)
    cfg.to_json_file(os.path.join(d, filename), use_diff=True)
    print("wrote", os.path.join(d, filename))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "hf"))
    ap.add_argument("--only", default=",".join(MODELS))
    ap.add_argument("--config-only", metavar="FILENAME",
                    help="write only each model's config (as this transformers version saves it) "
                         "to <out>/<name>/FILENAME, touching nothing else")
    args = ap.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    for name in args.only.split(","):
        if args.config_only:
            write_config_only(name, MODELS[name], os.path.abspath(args.out), args.config_only)
        else:
            build(name, MODELS[name], os.path.abspath(args.out))
    print("versions: transformers %s torch %s safetensors %s numpy %s"
          % (transformers.__version__, torch.__version__, safetensors.__version__, np.__version__))


if __name__ == "__main__":
    main()
