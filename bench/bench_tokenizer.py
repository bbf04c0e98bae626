#!/usr/bin/env python3
"""The reference side of bench/bench_tokenizer.sh: single-thread encode throughput of PyPI's
tiktoken (cl100k_base, o200k_base, built from the rank files and patterns in the data folder)
and Hugging Face tokenizers (Qwen3 tokenizer.json) on the same documents as bench_tokenizer.c
(the corpus cut into ~4 KB pieces after a newline), in CPU time as there. Prints
"NAME MB_per_s tokens_per_s"; with --long, the cost of ever longer pre-tokens as there (one
run each, as "NAME_long_KIND_SIZE_us_per_KB VALUE").

Usage: python bench/bench_tokenizer.py DATA_DIR CORPUS|--long  (DATA_DIR holds cl100k_base.tiktoken ...)
"""
import base64
import json
import os
import random
import string
import sys
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import tiktoken  # noqa: E402
import tokenizers  # noqa: E402

CHUNK = 4096


def split_chunks(data):
    docs, pos = [], 0
    while pos < len(data):
        end = min(pos + CHUNK, len(data))
        nl = data.find(b"\n", end) if end < len(data) else -1
        end = nl + 1 if nl >= 0 else len(data)
        docs.append(data[pos:end].decode("utf-8"))
        pos = end
    return docs


def tiktoken_encoding(data_dir, name):
    with open(os.path.join(data_dir, name + ".tiktoken"), "rb") as f:
        ranks = {base64.b64decode(tok): int(rank) for tok, rank in (l.split() for l in f if l.strip())}
    with open(os.path.join(data_dir, name + ".json")) as f:
        spec = json.load(f)
    return tiktoken.Encoding(name=name, pat_str=spec["pat_str"], mergeable_ranks=ranks,
                             special_tokens=spec["special_tokens"])


def measure(encode, docs, n_bytes, reps=3):
    best, tokens = 1e30, 0
    for _ in range(reps):
        t0 = time.process_time()
        tokens = sum(len(encode(d)) for d in docs)
        best = min(best, time.process_time() - t0)
    return n_bytes / best / 1e6, tokens / best, tokens


def long_pieces(name, encode):
    """1 MB of pre-tokens of each size: a repeated CJK character, or random letters (new ones in
    every piece), as bench_tokenizer.c --long makes them."""
    rng = random.Random(1)
    for size in (1024, 10240, 102400, 1 << 20):
        count, piece = max(1, (1 << 20) // size), size - size % 3
        for kind in ("cjk", "letters"):
            if kind == "cjk":
                texts = ["\u7684" * (piece // 3)] * count
            else:
                texts = ["".join(rng.choices(string.ascii_lowercase, k=piece)) for _ in range(count)]
            t0 = time.process_time()
            for text in texts:
                encode(text)
            seconds = time.process_time() - t0
            print(f"{name}_long_{kind}_{size}_us_per_KB {seconds * 1e6 / (count * piece / 1024):.2f}")


def main():
    data_dir, corpus = sys.argv[1], sys.argv[2]
    encoders = {name: tiktoken_encoding(data_dir, name).encode_ordinary for name in ("cl100k_base", "o200k_base")}
    hf = tokenizers.Tokenizer.from_file(os.path.join(data_dir, "qwen3", "tokenizer.json"))
    encoders["qwen3"] = lambda d: hf.encode(d, add_special_tokens=False).ids
    if corpus == "--long":
        for name, encode in encoders.items():
            long_pieces(name, encode)
        return
    with open(corpus, "rb") as f:
        data = f.read()
    docs = split_chunks(data)
    for name, encode in encoders.items():
        mb, tps, n = measure(encode, docs, len(data))
        print(f"{'hf' if name == 'qwen3' else 'tiktoken'}_{name} {mb:.2f} {tps:.0f} {n}")


if __name__ == "__main__":
    main()
