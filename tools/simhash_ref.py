#!/usr/bin/env python3
"""Independent reference for yuqing's SimHash (docs/ANALYZE.md, src/analyze/simhash.c), written
from the documented algorithm only. Writes tests/data/analyze/simhash_vectors.json: texts (already
Simplified Chinese, so folding is only ASCII lower case) with their 64-bit fingerprints as decimal
strings. Usage: tools/simhash_ref.py [OUT.json]"""
import json
import sys

MASK = (1 << 64) - 1


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x2FFFF or 0x3040 <= cp <= 0x30FF or 0xAC00 <= cp <= 0xD7AF)


def is_word(cp):
    if cp < 0x80:
        return chr(cp).isascii() and chr(cp).isalnum()
    return 0xC0 <= cp <= 0x24F and cp not in (0xD7, 0xF7)


def units(text):
    text = "".join(c.lower() if "A" <= c <= "Z" else c for c in text)
    out, word = [], ""
    for c in text:
        cp = ord(c)
        if is_word(cp):
            word += c
            continue
        if word:
            out.append(word)
            word = ""
        if is_cjk(cp):
            out.append(c)
    if word:
        out.append(word)
    return out


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def fmix64(k):
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & MASK
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & MASK
    k ^= k >> 33
    return k


def simhash(text):
    u = units(text)
    if not u:
        return 0
    shingles = [u[i:i + 2] for i in range(len(u) - 1)] or [u]
    ones = [0] * 64
    for s in shingles:
        h = fmix64(fnv1a64(" ".join(s).encode("utf-8")))
        for b in range(64):
            ones[b] += (h >> b) & 1
    return sum(1 << b for b in range(64) if 2 * ones[b] > len(shingles))


TEXTS = [
    "",
    "。，！？",
    "好",
    "你好",
    "hello",
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
    "阿里巴巴集团今天公布了第四季度财报，营收同比增长百分之八，净利润超出市场预期。",
    "阿里巴巴集团今天公布了第四季度财报，营收同比增长百分之九，净利润超出市场预期。",
    "阿里巴巴发布了新款云服务器产品 Cloud Box 2024，售价 3999 元。",
    "Café crème brûlée, naïve façade — déjà vu!",
    "Shares of ACME Corp fell 5% on Monday after regulators opened an investigation into its accounting.",
    "ACME Corp shares fell 5% on Monday, after regulators opened an investigation into its accounting practices.",
    "腾讯 Tencent 与 Alibaba 在云计算市场竞争激烈，双方都在扩大数据中心的规模。",
    "ひらがなのテキストとカタカナもたんいになります。",
    "한국어 문장도 처리합니다",
    "x1 y2 z3 2024 年 5 月",
    "𠀀𠀁𠀂 extension B characters",
    "a  b\tc\nd",
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/analyze/simhash_vectors.json"
    vectors = [{"text": t, "simhash": str(simhash(t))} for t in TEXTS]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"generator": "tools/simhash_ref.py", "vectors": vectors}, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
