#!/usr/bin/env python3
"""Generates tests/data/tokenizers/vectors/adversarial.jsonl: token ids from the reference
tokenizers for hand-picked hard cases (digit runs, mixed scripts, whitespace before letters,
'S vs 's and the long s, NUL and other control bytes, combining marks and non-NFC text, number
characters of other scripts, case changes inside words, long runs without spaces).

References (PyPI, see requirements in the usage line):
- tiktoken's Rust core, built from the rank files and each NAME.json's pattern and specials in
  the data folder: cl100k_base, o200k_base, qwen1 (qwen.tiktoken); encode_ordinary, and for
  qwen1_special encode(allowed_special="all").
- Hugging Face tokenizers with the Qwen3 tokenizer.json: qwen3 with its added_tokens removed
  (pure BPE, as dev.jsonl defines it), qwen3_special as it is.
Each line: {"text": ..., "hex": UTF-8 bytes of text in hex (for readers whose JSON strings stop
at NUL), "cl100k_base": [...], ..., "qwen3_special": [...]}.

Usage: /work/venv-tok/bin/python tools/tokenizer_make_vectors.py \
           [--data /work/shared/data/tokenizers] [--out tests/data/tokenizers/vectors/adversarial.jsonl]
(pip install -r tools/tokenizer_requirements.txt)
"""
import argparse
import base64
import json
import os
import random
import tempfile

import tiktoken
import tokenizers


def tiktoken_encoding(path, spec_path, name):
    with open(path, "rb") as f:
        ranks = {base64.b64decode(t): int(r) for t, r in (l.split() for l in f if l.strip())}
    with open(spec_path) as f:
        spec = json.load(f)
    return tiktoken.Encoding(name=name, pat_str=spec["pat_str"], mergeable_ranks=ranks,
                             special_tokens=spec["special_tokens"])


def hf_tokenizers(path):
    with open(path) as f:
        spec = json.load(f)
    spec["added_tokens"] = []
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    plain = tokenizers.Tokenizer.from_file(f.name)
    os.unlink(f.name)
    return plain, tokenizers.Tokenizer.from_file(path)


def texts():
    rnd = random.Random(20240601)
    letters = "abcdefghijklmnopqrstuvwxyz"
    cases = [
        "1234567890" * 5, "0" * 37, "3.14159265358979323846", "1,234,567.89", "+86 138 0013 8000",
        "2024年5月1日", "v1.2.3-rc4", "x" + "9" * 101,
        "Hello世界123мир", "Ω≈ç√∫˜µ≤≥÷", "日本語のテキストとカタカナ", "한국어 텍스트입니다",
        "Ελληνικά και English", "עברית ועוד", "اَلْعَرَبِيَّةُ", "हिन्दी भाषा", "ไทยภาษา",
        "   hello", "\t\t x", "  \n  word", "\u3000\u3000文字", "a  b   c    d", "x \n\n\n y",
        "trailing   ", "\r\n\r\n  \r\n", "  \r\n\tindent", " \u00a0\u00a0nbsp", "\n\n\n", " " * 40,
        "IT'S", "it's", "It'S", "'S'", "'ſ", "we'LL", "they'Re", "I'VE", "she'D", "'M",
        "don't DON'T Don'T", "'''", "''s", "rock'n'roll", "O'Neil's", "x'sy", "ſ's ſ",
        "a\x00b", "\x00\x00\x00", "tab\there", "bell\x07", "\x7f\x1b[0m", "\x1c\x1d\x1e\x1f",
        "\u0085next line", "line\u2028sep", "para\u2029sep",
        "e\u0301", "cafe\u0301 na\u0308ive", "a\u0308\u0301", "\u212b", "\u1100\u1161\u11a8",
        "\u0041\u030a\u0301", "q\u0307\u0323", "\u1e9b\u0323", "Å", "\uf900", "\u0958",
        "HelloWorld", "ABCdef", "camelCaseXMLParser", "ǅungla", "ʰʲʷ", "ÀÉÎÕÜ", "ΣΑΣ σας",
        "٣٤٥", "①②③", "Ⅻ Ⅳ", "x²³", "¼ ½", "𝟘𝟙𝟚", "١٢٣٤٥٦٧",
        "///path//to///", "a/b/c\n", "...\r\n", "?!?!\n\n", "-->\r\n", "<|endoftext|>",
        "<|im_start|>user\nhi<|im_end|>", "<|im_start", "im_end|>", "<think>\n</think>",
        "<|endoftext|><|endoftext|>", "x<|extra_5|>y", "<|fim_prefix|>a<|fim_suffix|>",
        "👨‍👩‍👧‍👦", "🇨🇳🇺🇸", "👍🏽", "a😀b", "\U0001f600" * 5,
        "".join(rnd.choice(letters) for _ in range(500)),
        "的" * 300, "中文" * 150, "Ab" * 200, "ﬀ" * 20, "\u0301" * 12,
    ]
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data/tokenizers")
    ap.add_argument("--out", default="tests/data/tokenizers/vectors/adversarial.jsonl")
    a = ap.parse_args()
    encs = {
        "cl100k_base": tiktoken_encoding(f"{a.data}/cl100k_base.tiktoken", f"{a.data}/cl100k_base.json", "cl100k_base"),
        "o200k_base": tiktoken_encoding(f"{a.data}/o200k_base.tiktoken", f"{a.data}/o200k_base.json", "o200k_base"),
        "qwen1": tiktoken_encoding(f"{a.data}/qwen1/qwen.tiktoken", f"{a.data}/qwen1/qwen.json", "qwen"),
    }
    plain, special = hf_tokenizers(f"{a.data}/qwen3/tokenizer.json")
    with open(a.out, "w", encoding="utf-8") as out:
        for text in texts():
            row = {"text": text, "hex": text.encode("utf-8").hex()}
            for name, enc in encs.items():
                row[name] = enc.encode_ordinary(text)
            row["qwen1_special"] = encs["qwen1"].encode(text, allowed_special="all")
            row["qwen3"] = plain.encode(text, add_special_tokens=False).ids
            row["qwen3_special"] = special.encode(text, add_special_tokens=False).ids
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
