#!/usr/bin/env python3
"""Generate tests/data/hf/qwen3-chat/: a tiny random Qwen3ForCausalLM with the real Qwen3
vocabulary (151936 rows), plus a transformers-computed reference for a 2-turn `yuqing chat`
conversation through the real Qwen3 tokenizer and chat template (the oracle).

Usage (from the repo root; needs torch, transformers, safetensors, numpy, jinja2):
    python tools/make_chat_model_fixture.py [--out tests/data/hf/qwen3-chat]
                                            [--tokenizer /work/shared/data/tokenizers/qwen3]
    python tools/make_chat_model_fixture.py --verify [--out ...] [--tokenizer ...]

The committed fixture was made with transformers 4.57.6 (its config.json has top-level
`rope_theta`, like published Qwen3 checkpoints). The tokenizer files are NOT copied into the
fixture folder: the test passes `--tokenizer` (tokenizer.json + tokenizer_config.json of Qwen3,
whose chat_template is Qwen3's); reference.json records their SHA-256.

Procedure: for seed = BASE_SEED, BASE_SEED+1, ...: build the model, draw its weights (wide spread
so greedy margins are large), round them to bfloat16, upcast to float32 (exact) and run the
conversation with attn_implementation="eager":
  turn 1: messages = [user: USER_1]; prompt = apply_chat_template(messages, tokenize=False,
          add_generation_prompt=True); ids = tokenizer(prompt, add_special_tokens=False);
          greedy generate(max_new_tokens=12, do_sample=False, repetition_penalty=1.0) stopping at
          eos [151645, 151643]; reply_text = decode(new ids minus a trailing eos,
          skip_special_tokens=False)
  turn 2: messages += [assistant: reply_text, user: USER_2]; the same.
The seed is rejected (next seed) when a greedy step's top1-top2 logit margin is < MIN_MARGIN, a
reply holds an id >= 151643 (special/added/unused) other than a final eos or fewer than 3
distinct ids (one token repeated is a weak test), or a reply text is
empty, has a control character (newline, CR, ...), U+FFFD (invalid UTF-8), leading/trailing
whitespace, or the text of an added token. The accepted model is saved in bfloat16
(save_pretrained, safetensors), reloaded from disk and the conversation re-run; reference.json is
written from the reloaded model. --verify re-runs the conversation from the saved folder and
compares with reference.json (run it in a fresh process).
"""
import argparse
import hashlib
import json
import os
import shutil
import unicodedata

import numpy as np
import safetensors
import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

TF_MAJOR = int(transformers.__version__.split(".")[0])
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "tests", "data", "hf", "qwen3-chat")
DEFAULT_TOKENIZER = "/work/shared/data/tokenizers/qwen3"
FIXTURE_PATH = "tests/data/hf/qwen3-chat"  # as the C test names it (run from the repo root)

VOCAB = 151936                 # Qwen3's config.vocab_size (tokenizer has 151669 ids; the rest are padding rows)
FIRST_SPECIAL_ID = 151643      # <|endoftext|>; every id >= this is an added/special token or unused
EOS_IDS = [151645, 151643]     # <|im_end|>, <|endoftext|>
BOS_ID = 151643
MAX_NEW_TOKENS = 12
MIN_MARGIN = 0.02
MIN_DISTINCT = 3               # a reply must have >= 3 distinct ids (not one token repeated 12 times)
BASE_SEED = 3001
MAX_SEEDS = 500
USER_1 = "你好，请介绍一下阿里巴巴。"
USER_2 = "Thanks! And its stock ticker?"

CONFIG = dict(
    vocab_size=VOCAB,
    hidden_size=16,
    num_hidden_layers=1,
    num_attention_heads=2,
    num_key_value_heads=1,
    head_dim=8,
    intermediate_size=32,
    max_position_embeddings=1024,
    hidden_act="silu",
    rope_theta=1000000.0,
    rms_norm_eps=1e-6,
    attention_bias=False,
    tie_word_embeddings=True,
    use_sliding_window=False,
    bos_token_id=BOS_ID,
    eos_token_id=151645,
)
GENERATION_CONFIG = dict(bos_token_id=BOS_ID, eos_token_id=EOS_IDS, pad_token_id=BOS_ID, do_sample=False)
DTYPE = torch.bfloat16

WEIGHT_STD = 0.2        # 2-D weights (embedding = tied lm_head, projections)
NORM_STD = 0.1          # RMSNorm weights: 1 + N(0, NORM_STD)
FINAL_NORM_SCALE = 4.0  # final norm: FINAL_NORM_SCALE * (1 + N(0, NORM_STD)), spreads the logits


def init_weights(model, gen):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "model.norm.weight":
                p.copy_(FINAL_NORM_SCALE * (1.0 + NORM_STD * torch.randn(p.shape, generator=gen)))
            elif "norm" in name:
                p.copy_(1.0 + NORM_STD * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(WEIGHT_STD * torch.randn(p.shape, generator=gen))


def build_model(seed):
    """float32 model whose parameters are already rounded to bfloat16 (so .to(bfloat16) is exact).

    It stays in float32 for the search: casting the module to bfloat16 and back would also round
    the RoPE inv_freq buffer, which a model loaded from disk recomputes in float32."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    cfg = transformers.Qwen3Config(**CONFIG)
    cfg._attn_implementation = "eager"
    model = transformers.Qwen3ForCausalLM(cfg).float()
    init_weights(model, gen)
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(DTYPE).float())
    model.generation_config = GenerationConfig(**GENERATION_CONFIG)
    return model.eval()


def load_f32(path):
    m = AutoModelForCausalLM.from_pretrained(path, attn_implementation="eager", dtype=torch.float32)
    return m.float().eval()


def greedy_generate(model, ids):
    """HF generate (the oracle); returns (new ids, per-step top1-top2 margins of the raw logits)."""
    x = torch.tensor([ids], dtype=torch.long)
    gc = GenerationConfig(do_sample=False, max_new_tokens=MAX_NEW_TOKENS, eos_token_id=EOS_IDS,
                          pad_token_id=BOS_ID, bos_token_id=BOS_ID)
    with torch.no_grad():
        out = model.generate(x, attention_mask=torch.ones_like(x), generation_config=gc, do_sample=False,
                             repetition_penalty=1.0, max_new_tokens=MAX_NEW_TOKENS,
                             output_logits=True, return_dict_in_generate=True)
    new = out.sequences[0, len(ids):].tolist()
    margins = []
    for step, logits in enumerate(out.logits):
        top2 = torch.topk(logits[0].float(), 2)
        assert int(top2.indices[0]) == new[step]
        margins.append(float(top2.values[0] - top2.values[1]))
    assert len(margins) == len(new)
    return new, margins


def manual_greedy(model, ids):
    """Independent incremental greedy loop (KV cache) and a no-cache recompute: both must agree."""
    x = torch.tensor([ids], dtype=torch.long)
    new = []
    with torch.no_grad():
        out = model(input_ids=x, use_cache=True)
        past, last = out.past_key_values, out.logits[0, -1]
        for _ in range(MAX_NEW_TOKENS):
            nxt = int(torch.argmax(last))
            new.append(nxt)
            if nxt in EOS_IDS:
                break
            out = model(input_ids=torch.tensor([[nxt]]), past_key_values=past, use_cache=True)
            past, last = out.past_key_values, out.logits[0, -1]
        full = model(input_ids=torch.tensor([ids + new]), use_cache=False).logits[0]
    recomputed = torch.argmax(full[len(ids) - 1:len(ids) - 1 + len(new)], dim=-1).tolist()
    return new, recomputed


def bad_text(text, added_contents):
    if not text:
        return "empty"
    if "\ufffd" in text:
        return "U+FFFD (invalid UTF-8)"
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\u2028\u2029\x85":
            return "control character %r" % ch
    if text != text.strip():
        return "leading/trailing whitespace"
    for a in added_contents:
        if a in text:
            return "contains added-token text %r" % a
    return None


def run_conversation(model, tok, added_contents):
    """Returns (turns, why-rejected-or-None)."""
    messages, turns = [], []
    for user in (USER_1, USER_2):
        messages.append({"role": "user", "content": user})
        prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        ids = tok(prompt, add_special_tokens=False)["input_ids"]
        reply_ids, margins = greedy_generate(model, ids)
        stopped = bool(reply_ids) and reply_ids[-1] in EOS_IDS
        body = reply_ids[:-1] if stopped else reply_ids
        text = tok.decode(body, skip_special_tokens=False)
        turns.append({
            "messages": [dict(m) for m in messages],
            "prompt": prompt,
            "prompt_ids": ids,
            "reply_ids": reply_ids,
            "reply_text": text,
            "stopped_on_eos": stopped,
            "margins": margins,
        })
        why = None
        if min(margins) < MIN_MARGIN:
            why = "turn %d: margin %.4f" % (len(turns), min(margins))
        elif len(set(body)) < MIN_DISTINCT:
            why = "turn %d: only %d distinct ids %s" % (len(turns), len(set(body)), body)
        elif any(t >= FIRST_SPECIAL_ID for t in body):
            why = "turn %d: special id in reply %s" % (len(turns), body)
        else:
            w = bad_text(text, added_contents)
            if w:
                why = "turn %d: %s: %r" % (len(turns), w, text)
        if why:
            return turns, why
        messages.append({"role": "assistant", "content": text})
    return turns, None


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_tokenizer(path):
    tok = AutoTokenizer.from_pretrained(path)
    added = sorted({t.content for t in tok.added_tokens_decoder.values()})
    assert tok.convert_tokens_to_ids("<|im_end|>") == 151645
    assert tok.convert_tokens_to_ids("<|endoftext|>") == 151643
    return tok, added


def dump_json(obj):
    """Readable JSON: top-level keys one per line, each turn's fields one per line, UTF-8 text."""
    def d(v):
        return json.dumps(v, ensure_ascii=False)
    lines = ["{"]
    keys = list(obj)
    for i, k in enumerate(keys):
        comma = "," if i + 1 < len(keys) else ""
        if k == "turns":
            lines.append('  "turns": [')
            for j, t in enumerate(obj[k]):
                items = ["    %s: %s" % (d(kk), d(vv)) for kk, vv in t.items()]
                lines.append("   {\n" + ",\n".join(items) + "\n   }" + ("," if j + 1 < len(obj[k]) else ""))
            lines.append("  ]" + comma)
        else:
            lines.append("  %s: %s%s" % (d(k), d(obj[k]), comma))
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == obj
    return text


def compare(ref_turns, turns, tol=1e-4):
    for i, (r, t) in enumerate(zip(ref_turns, turns)):
        for k in ("messages", "prompt", "prompt_ids", "reply_ids", "reply_text", "stopped_on_eos"):
            if r[k] != t[k]:
                raise SystemExit("turn %d: %s differs:\n  ref %r\n  now %r" % (i + 1, k, r[k], t[k]))
        err = max(abs(a - b) for a, b in zip(r["margins"], t["margins"]))
        if err > tol:
            raise SystemExit("turn %d: margins differ by %g" % (i + 1, err))
    assert len(ref_turns) == len(turns)


def build(out, tok_dir):
    tok, added = load_tokenizer(tok_dir)
    rejected = []
    for seed in range(BASE_SEED, BASE_SEED + MAX_SEEDS):
        model = build_model(seed)
        turns, why = run_conversation(model, tok, added)
        if why is None:
            break
        rejected.append(seed)
        print("seed %d rejected: %s" % (seed, why), flush=True)
        del model
    else:
        raise SystemExit("no acceptable seed in [%d, %d)" % (BASE_SEED, BASE_SEED + MAX_SEEDS))
    print("seed %d accepted after %d rejections" % (seed, len(rejected)))

    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    model = model.to(DTYPE)
    model.config.dtype = DTYPE
    model.save_pretrained(out, safe_serialization=True)
    for f in os.listdir(out):  # safetensors writes 0600 files; make them ordinary
        os.chmod(os.path.join(out, f), 0o644)
    stored = {k: v.clone() for k, v in model.state_dict().items()}
    del model

    # --- reload from disk, upcast to float32, re-run -------------------------------------
    m = load_f32(out)
    sd = m.state_dict()
    ondisk = load_file(os.path.join(out, "model.safetensors"))
    assert "lm_head.weight" not in ondisk
    for k, v in ondisk.items():
        assert v.dtype == DTYPE, (k, v.dtype)
        assert torch.equal(sd[k], v.float()), k
    for k, v in stored.items():
        assert torch.equal(sd[k], v.float()), k
    assert torch.equal(m.lm_head.weight, m.model.embed_tokens.weight)
    turns2, why = run_conversation(m, tok, added)
    assert why is None, why
    compare(turns, turns2, tol=0.0)
    for t in turns2:
        new, recomputed = manual_greedy(m, t["prompt_ids"])
        assert new == t["reply_ids"] == recomputed, (new, t["reply_ids"], recomputed)

    for t in turns2:
        t["margins"] = [round(x, 6) for x in t["margins"]]
    replies = [t["reply_text"] for t in turns2]
    # Turn 2's prompt re-renders turn 1's reply as text; note whether re-encoding that text gives
    # back exactly the generated ids (it need not: BPE of a decoded random sequence may merge).
    p1, p2, r1 = turns2[0]["prompt_ids"], turns2[1]["prompt_ids"], turns2[0]["reply_ids"]
    body1 = r1[:-1] if turns2[0]["stopped_on_eos"] else r1
    history_ids_match = p2[:len(p1) + len(body1)] == p1 + body1
    ref = {
        "source": "transformers %s, torch %s, tokenizers %s; computed in float32 from the stored bfloat16 "
                  "weights, attn_implementation=eager" % (transformers.__version__, torch.__version__,
                                                          __import__("tokenizers").__version__),
        "generator": "tools/make_chat_model_fixture.py",
        "architecture": "Qwen3ForCausalLM",
        "stored_dtype": "bfloat16",
        "vocab_size": VOCAB,
        "seed": seed,
        "rejected_seeds": len(rejected),
        "tokenizer": "Qwen3 tokenizer.json + tokenizer_config.json (not in this folder; pass --tokenizer)",
        "tokenizer_sha256": {f: sha256(os.path.join(tok_dir, f)) for f in ("tokenizer.json", "tokenizer_config.json")},
        "eos_token_ids": EOS_IDS,
        "max_new_tokens": MAX_NEW_TOKENS,
        "min_margin": round(min(min(t["margins"]) for t in turns2), 6),
        "history_ids_match": history_ids_match,
        "command": "yuqing chat --model %s --tokenizer <qwen3 tokenizer dir> --temperature 0 --max-tokens %d"
                   % (FIXTURE_PATH, MAX_NEW_TOKENS),
        "argv": ["chat", "--model", FIXTURE_PATH, "--tokenizer", "<qwen3 tokenizer dir>",
                 "--temperature", "0", "--max-tokens", str(MAX_NEW_TOKENS)],
        "stdin": USER_1 + "\n" + USER_2 + "\n",
        "expected_stdout": "".join(r + "\n" for r in replies),
        "turns": turns2,
    }
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        f.write(dump_json(ref))
    os.chmod(os.path.join(out, "reference.json"), 0o644)
    for t in turns2:
        print("reply ids %s  text %r  min margin %.4f  stopped_on_eos %s"
              % (t["reply_ids"], t["reply_text"], min(t["margins"]), t["stopped_on_eos"]))
    print("history_ids_match", history_ids_match)


def verify(out, tok_dir):
    with open(os.path.join(out, "reference.json"), encoding="utf-8") as f:
        ref = json.load(f)
    for name, h in ref["tokenizer_sha256"].items():
        assert sha256(os.path.join(tok_dir, name)) == h, name
    tok, added = load_tokenizer(tok_dir)
    m = load_f32(out)
    turns, why = run_conversation(m, tok, added)
    assert why is None, why
    compare(ref["turns"], turns)
    for t in turns:
        new, recomputed = manual_greedy(m, t["prompt_ids"])
        assert new == t["reply_ids"] == recomputed
    assert ref["expected_stdout"] == "".join(t["reply_text"] + "\n" for t in turns)
    print("verify OK (transformers %s): %s" % (transformers.__version__,
                                               [(t["reply_ids"], t["reply_text"]) for t in turns]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--tokenizer", default=DEFAULT_TOKENIZER)
    ap.add_argument("--verify", action="store_true", help="re-run from the saved folder and compare")
    args = ap.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if args.verify:
        verify(os.path.abspath(args.out), args.tokenizer)
    else:
        build(os.path.abspath(args.out), args.tokenizer)
    print("versions: transformers %s torch %s safetensors %s numpy %s"
          % (transformers.__version__, torch.__version__, safetensors.__version__, np.__version__))


if __name__ == "__main__":
    main()
