#!/usr/bin/env python3
"""The reference side of bench/bench_tokenizer.sh: single-thread encode throughput of PyPI's
tiktoken (cl100k_base, o200k_base, built from the rank files and patterns in the data folder)
and Hugging Face tokenizers (Qwen3 tokenizer.json) on the same documents as bench_tokenizer.c
(the corpus cut into ~4 KB pieces after a newline), in CPU time as there. Prints
"NAME MB_per_s tokens_per_s".

Usage: python bench/bench_tokenizer.py DATA_DIR CORPUS  (DATA_DIR holds cl100k_base.tiktoken ...)
"""
import base64
import json
import os
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


def main():
    data_dir, corpus = sys.argv[1], sys.argv[2]
    with open(corpus, "rb") as f:
        data = f.read()
    docs = split_chunks(data)
    for name in ("cl100k_base", "o200k_base"):
        enc = tiktoken_encoding(data_dir, name)
        mb, tps, n = measure(enc.encode_ordinary, docs, len(data))
        print(f"tiktoken_{name} {mb:.2f} {tps:.0f} {n}")
    hf = tokenizers.Tokenizer.from_file(os.path.join(data_dir, "qwen3", "tokenizer.json"))
    mb, tps, n = measure(lambda d: hf.encode(d, add_special_tokens=False).ids, docs, len(data))
    print(f"hf_qwen3 {mb:.2f} {tps:.0f} {n}")


if __name__ == "__main__":
    main()
