#!/usr/bin/env python3
"""Builds near-duplicate evaluation pairs from real articles for bench/eval_neardup.c.

Articles: the ground-truth bodies of ../shared/data/extraction/pages.jsonl (news pages, zh and en)
and ~2 KB chunks of ../shared/data/corpus/zh_en_mixed.txt (technical prose; chunks of one source
file share a topic, which makes hard negatives). For each article, four altered copies that a
reader would call the same story (duplicate: true):
  edit         ~5% of the words (English) or characters (Chinese) replaced, deleted or inserted
  truncate     the last 20% of the text cut off (as by a "read more" cut)
  reorder      two paragraphs swapped
  boilerplate  a different site header and footer added (bylines, share/copyright lines)
and pairs of two different articles (duplicate: false): unrelated (random) and neighbours (the next
chunk of the same corpus file, or the next page of the same source and language).
Output: JSON lines {"kind", "duplicate", "a", "b"} on stdout (or OUT). Seeded, so reproducible.
Usage: tools/neardup_pairs.py [--shared ../shared/data] [--chunks 300] [OUT.jsonl]"""
import argparse
import json
import random
import re
import sys

HEADERS = ["来源：新浪财经 2024年05月01日 08:30", "Share this article: Facebook Twitter Email",
           "【环球网报道 记者 李明】", "By Staff Reporter | Updated 3 hours ago", "原标题：今日要闻"]
FOOTERS = ["责任编辑：王五 SN225\n扫描二维码关注我们", "© 2024 Example Media. All rights reserved.\nSign up for our newsletter",
           "（本文来源：经济日报 作者：张三）\n相关阅读：更多新闻", "Advertisement\nRead more: related articles",
           "版权所有 未经授权不得转载\n分享到：微信 微博"]


def is_zh(text):
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff") > len(text) * 0.2


def edit(text, rng):
    units = list(text) if is_zh(text) else text.split(" ")
    for _ in range(max(1, len(units) // 20)):
        i = rng.randrange(len(units))
        op = rng.randrange(3)
        if op == 0:
            units[i] = rng.choice(units)
        elif op == 1 and len(units) > 1:
            del units[i]
        else:
            units.insert(i, rng.choice(units))
    return ("" if is_zh(text) else " ").join(units)


def truncate(text, rng):
    return text[: int(len(text) * 0.8)]


def reorder(text, rng):
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    if len(paragraphs) < 2:
        return None
    i, j = rng.sample(range(len(paragraphs)), 2)
    paragraphs[i], paragraphs[j] = paragraphs[j], paragraphs[i]
    return "\n\n".join(paragraphs)


def boilerplate(text, rng):
    return rng.choice(HEADERS) + "\n\n" + text + "\n\n" + rng.choice(FOOTERS)


def load_articles(shared, n_chunks, rng):
    articles = []  # (group key, text)
    for line in open(f"{shared}/extraction/pages.jsonl", encoding="utf-8"):
        page = json.loads(line)
        body = page.get("body") or ""
        if len(body) >= 400:
            articles.append((page["source"] + ":" + page["lang"], body))
    corpus = open(f"{shared}/corpus/zh_en_mixed.txt", encoding="utf-8").read()
    paragraphs = corpus.split("\n\n")
    chunks, current, file_no = [], "", 0
    for p in paragraphs:
        if p.startswith("---\n") or p.startswith("# "):
            file_no += 1  # front matter or a top heading starts a new source file, near enough
        current += p + "\n\n"
        if len(current.encode("utf-8")) >= 2048:
            chunks.append((f"corpus:{file_no}", current.strip()))
            current = ""
    start = rng.randrange(max(1, len(chunks) - n_chunks))
    return articles + chunks[start:start + n_chunks]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared/data")
    ap.add_argument("--chunks", type=int, default=300)
    ap.add_argument("out", nargs="?")
    args = ap.parse_args()
    rng = random.Random(20241129)
    articles = load_articles(args.shared, args.chunks, rng)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    for i, (group, text) in enumerate(articles):
        for kind, fn in (("edit", edit), ("truncate", truncate), ("reorder", reorder), ("boilerplate", boilerplate)):
            altered = fn(text, rng)
            if altered:
                out.write(json.dumps({"kind": kind, "duplicate": True, "a": text, "b": altered}, ensure_ascii=False) + "\n")
        other = articles[rng.randrange(len(articles))]
        if other[1] != text:
            out.write(json.dumps({"kind": "unrelated", "duplicate": False, "a": text, "b": other[1]}, ensure_ascii=False) + "\n")
        if i + 1 < len(articles) and articles[i + 1][0] == group:
            out.write(json.dumps({"kind": "neighbour", "duplicate": False, "a": text, "b": articles[i + 1][1]},
                                 ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
