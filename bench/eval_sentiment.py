#!/usr/bin/env python3
"""Sentiment quality of `yuqing sentiment` on a labelled set (default ../shared/data/sentiment),
scored per source and label scheme as that set's README says, beside the majority-class and
published baselines and the bars of issue 7.

usage: bench/eval_sentiment.py [YUQING] [DATA_DIR]     (python3, standard library only)
  YUQING    the yuqing binary (default build/yuqing)
  DATA_DIR  folder with zh.jsonl and en.jsonl (default ../shared/data/sentiment)
Scoring: FinFE and Financial PhraseBank 3-class accuracy and macro-F1; FinNSP (binary_negative)
precision/recall/F1 of the negative class, positive and neutral predictions both counting as
"not negative"; ChnSentiCorp (binary_polarity) accuracy, a neutral prediction being wrong.
"""

import json
import subprocess
import sys
import time

CLASSES = ("negative", "neutral", "positive")

# Published figures (full source datasets, other splits: indicative only), from the set's README.
PUBLISHED = {
    "FPB": "FinBERT acc 0.86 / F1 0.84; FLANG acc 0.848",
    "FinFE": "CFLEB paper (arXiv 2302.09432), accuracy",
    "FinNSP": "CFLEB paper (arXiv 2302.09432), F1",
    "ChnSentiCorp": "BERT/ERNIE ~0.94-0.95 on the common split",
}
BARS = {("ChnSentiCorp", "accuracy"): 0.85, ("FinNSP", "negative F1"): 0.80, ("FinFE", "accuracy"): 0.65,
        ("FinFE", "macro-F1"): 0.55, ("FPB", "accuracy"): 0.75, ("FPB", "macro-F1"): 0.65}


def source_key(source):
    for key in ("FinFE", "FinNSP", "ChnSentiCorp"):
        if key in source:
            return key
    return "FPB"


def f1(pred, gold, cls):
    tp = sum(p == cls and g == cls for p, g in zip(pred, gold))
    fp = sum(p == cls and g != cls for p, g in zip(pred, gold))
    fn = sum(p != cls and g == cls for p, g in zip(pred, gold))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def accuracy(pred, gold):
    return sum(p == g for p, g in zip(pred, gold)) / len(gold)


def macro_f1(pred, gold):
    return sum(f1(pred, gold, c)[2] for c in CLASSES) / len(CLASSES)


def majority(gold):
    top = max(set(gold), key=gold.count)
    return [top] * len(gold)


def metrics(src, pred, gold):
    """[(name, ours, majority-class baseline)] for one source."""
    base = majority(gold)
    if src == "FinNSP":
        p, r, f = f1(pred, gold, "negative")
        all_neg = f1(["negative"] * len(gold), gold, "negative")[2]
        return [("negative precision", p, None), ("negative recall", r, None), ("negative F1", f, all_neg)]
    if src == "ChnSentiCorp":
        return [("accuracy", accuracy(pred, gold), accuracy(base, gold))]
    return [("accuracy", accuracy(pred, gold), accuracy(base, gold)),
            ("macro-F1", macro_f1(pred, gold), macro_f1(base, gold))]


def run_yuqing(yuqing, items):
    stdin = "".join(json.dumps({"text": it["text"]}, ensure_ascii=False) + "\n" for it in items)
    t0 = time.time()
    out = subprocess.run([yuqing, "sentiment"], input=stdin.encode(), capture_output=True, check=True).stdout
    seconds = time.time() - t0
    lines = out.decode().splitlines()
    if len(lines) != len(items):
        sys.exit(f"eval_sentiment: {len(items)} lines in, {len(lines)} out")
    return [json.loads(l).get("label", "error") for l in lines], seconds


def main():
    yuqing = sys.argv[1] if len(sys.argv) > 1 else "build/yuqing"
    data = sys.argv[2] if len(sys.argv) > 2 else "../shared/data/sentiment"
    rows, all_ok = [], True
    for lang in ("zh", "en"):
        with open(f"{data}/{lang}.jsonl", encoding="utf-8") as f:
            items = [json.loads(l) for l in f]
        labels, seconds = run_yuqing(yuqing, items)
        print(f"{lang}.jsonl: {len(items)} items in {seconds:.2f} s", file=sys.stderr)
        by = {}
        for it, lab in zip(items, labels):
            by.setdefault(source_key(it["source"]), ([], []))
            by[source_key(it["source"])][0].append(lab)
            by[source_key(it["source"])][1].append(it["label"])
        for src, (pred, gold) in by.items():
            for name, ours, base in metrics(src, pred, gold):
                bar = BARS.get((src, name))
                ok = "" if bar is None else ("pass" if ours >= bar else "FAIL")
                all_ok &= ok != "FAIL"
                rows.append((f"{src} (n={len(gold)})", name, ours, base, bar, ok, PUBLISHED[src]))
    print(f"{'source':<22} {'metric':<19} {'yuqing':>6} {'majority':>8} {'bar':>5}       published")
    for src, name, ours, base, bar, ok, pub in rows:
        b = f"{base:.3f}" if base is not None else "-"
        r = f"{bar:.2f}" if bar is not None else "-"
        print(f"{src:<22} {name:<19} {ours:6.3f} {b:>8} {r:>5} {ok:>5} {pub if name != 'negative precision' and name != 'negative recall' else ''}")
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
