#!/usr/bin/env python3
"""Trains the built-in sentiment analyzer and writes data/sentiment/model.bin plus the parity
fixture tests/data/sentiment/parity.jsonl.

The model is a 3-class (negative, neutral, positive) softmax regression over the features of
tools/sentiment_features.py: hashed character/word n-grams and per-language lexicon scores.
Training data: ../shared/data/sentiment-train only (never the evaluation set ../sentiment).
FinNSP's "neutral" means "not negative", so its items are trained with a partial label
(probability of neutral + positive); ChnSentiCorp has positive/negative only.

usage: train_sentiment.py [--data DIR] [--lexicons DIR] [--dev | --cv-en K] [--out model.bin]
       [--fixture parity.jsonl] [--sources vader,lm,jiang,hownet] [--l2 X] [--en-weight X]
       [--lexicon-weight X] [--lexicon-min X] [--bits N] [--ngram N] [--stem N] [--iters N] [--fixture-only]
  --fixture-only  rewrite only the parity fixture from the model file at --out.
  --cv-en K  K-fold cross-validation of the English items alone (see cross_validate_en), for
           tuning the English settings; writes nothing.
  --dev    hold out a random 10% of the training items (fixed seed), train on the rest and print
           the metrics of ../shared/data/sentiment/README.md on that dev split (for tuning);
           writes nothing.
The defaults are the shipped model's settings.
Needs numpy and scipy (e.g. the venv /work/venv-senti).
"""

import argparse
import json
import math
import os
import random
import struct
import sys

import numpy as np
import scipy.optimize
import scipy.sparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sentiment_features as sf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLASSES = ["negative", "neutral", "positive"]
MAGIC = b"YQSENT04"

# Function words, written for this project (not taken from any lexicon).
NEGATORS_ZH = ("不 没 没有 无 未 非 别 莫 勿 毋 不是 并非 并不 并没有 从不 从未 从没 毫无 毫不 绝不 决不 "
               "不会 不能 不要 不用 不必 未必 难以 无法 尚未 不再 不太 不够 不怎么 没什么 谈不上").split()
NEGATORS_EN = ("not no never neither nor none nothing nobody nowhere without cannot n't don't doesn't "
               "didn't isn't aren't wasn't weren't won't wouldn't can't couldn't shouldn't hasn't "
               "haven't hadn't hardly barely lack lacks lacked").split()
DEGREE_ZH = {2.0: "最 极 极其 极度 非常 十分 特别 太 超 超级 万分 无比 相当 格外 分外 异常 尤其 实在".split(),
             1.5: "很 挺 蛮 颇 更 更加 越来越 大大 真 好不".split(),
             1.2: "比较 较 还 还算 较为 算是".split(),
             0.6: "稍 稍微 略 略微 有点 有些 一点 一些 些许".split()}
DEGREE_EN = {2.0: "extremely most exceptionally incredibly hugely absolutely totally completely utterly "
                  "highly enormously tremendously".split(),
             1.5: "very really so too particularly especially significantly substantially "
                  "considerably sharply strongly greatly deeply truly".split(),
             1.2: "quite rather fairly more pretty".split(),
             0.6: "slightly somewhat marginally little less partly mildly".split()}
CONTRAST_ZH = "但 但是 可是 然而 不过 只是 却 可惜".split()
CONTRAST_EN = "but however yet nevertheless nonetheless".split()
CONCESSIVE_ZH = "虽然 虽 尽管 虽说".split()
CONCESSIVE_EN = "although though despite".split()
# Financial direction words and what they move (sentiment_features.CONCEPT_*), written for this
# project: a clause with an UP word and a GOOD word ("operating profit rose") is good news.
CONCEPTS_EN = {
    sf.CONCEPT_UP: "rise rises rose risen rising increase increased increases increasing grew grow grows growing "
                   "grown growth up higher improve improved improves improving improvement gain gained gains "
                   "gaining climb climbed climbs climbing jump jumped jumping surge surged surging soar soared "
                   "soaring rebound rebounded boost boosted boosting expand expanded expanding expansion "
                   "strengthen strengthened strengthening advance advanced advances doubled tripled exceed "
                   "exceeded exceeds beat raise raised raises widen widened record positive outperform "
                   "outperformed outperforms upgrade upgraded accelerated accelerating strong stronger "
                   "recovered recovery".split(),
    sf.CONCEPT_DOWN: "fall fell falls falling fallen decrease decreased decreases decreasing decline declined "
                     "declines declining drop dropped drops down lower lowered lowering reduce reduced reduces "
                     "reducing reduction cut cuts cutting slump slumped plunge plunged plunges plunging "
                     "plummeted sink sank sinking shrink shrank shrinking contracted contraction weak weaken "
                     "weakened weakening weaker narrow narrowed narrowing slid slide sliding slipped slipping "
                     "dip dipped tumble tumbled tumbling deteriorate deteriorated halved below negative "
                     "downgrade downgraded slowed slowdown slowing worsened worse fewer less".split(),
    sf.CONCEPT_GOOD: "profit profits sales sale revenue revenues income earnings eps ebit ebita ebitda ebt pretax "
                     "margin margins turnover orders order result results dividend price stock share market "
                     "demand volume volumes operating net value cash profitability occupancy traffic "
                     "passengers deliveries production output capacity rating forecast guidance outlook "
                     "estimates backlog returns".split(),
    sf.CONCEPT_BAD: "loss losses cost costs expense expenses debt deficit unemployment layoffs provisions "
                    "impairment charges liabilities writedown writedowns overheads".split(),
}


def f32(x):
    """The value as the model file stores it (the reference computes with what C reads)."""
    return float(np.float32(x))


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            yield cols[0], cols[1], cols[2]


def folded(word):
    return "".join(chr(sf.fold(ord(c))) for c in word)


def add_words(lexicon, words, kind, value):
    for w in words:
        lexicon[sf.fnv_str(folded(w))] = (kind, value)


def sentiment_entries(lexdir, sources):
    """word -> mean polarity value over the chosen sources (values in [-1, 1])."""
    values = {}

    def put(word, v):
        values.setdefault(folded(word), []).append(v)

    for name in sources:
        if name == "vader":
            for w, pol, score in read_tsv(os.path.join(lexdir, "en/vader/vader.tsv")):
                put(w.lower(), max(-1.0, min(1.0, float(score) / 3.0)))
        elif name == "lm":
            for w, pol, _ in read_tsv(os.path.join(lexdir, "en/loughran_mcdonald_2014/loughran_mcdonald_2014.tsv")):
                if pol in ("positive", "negative"):
                    put(w, 0.5 if pol == "positive" else -0.5)
        else:
            path = {"jiang": "zh/jiang2020_finance/jiang2020_finance.tsv", "hownet": "zh/hownet/hownet_sentiment_zh.tsv",
                    "ntusd": "zh/ntusd/ntusd.tsv", "tsinghua": "zh/tsinghua_lijun/tsinghua_lijun.tsv"}[name]
            for w, pol, _ in read_tsv(os.path.join(lexdir, path)):
                if pol in ("positive", "negative"):
                    put(w, 1.0 if pol == "positive" else -1.0)
    return {w: sum(v) / len(v) for w, v in values.items()}


def is_lexicon_key(word, params):
    """A Han word of at most max_lex_len characters, or one word token of Latin script."""
    cps = [ord(c) for c in word]
    if cps and all(sf.is_han(c) for c in cps):
        return len(cps) <= params.max_lex_len
    return bool(cps) and all(sf.is_word(c) for c in cps)


def add_prefixes(lexicon, words):
    """Marks every proper prefix of a Han entry that is not an entry itself."""
    for w in words:
        if sf.is_han(ord(w[0])):
            for k in range(1, len(w)):
                lexicon.setdefault(sf.fnv_str(w[:k]), (sf.KIND_PREFIX, 0.0))


def build_lexicon(lexdir, sources, params):
    """hash -> (kind, value); function words override sentiment entries."""
    lexicon = {}
    words = [folded(w) for w in NEGATORS_ZH + CONTRAST_ZH + CONCESSIVE_ZH]
    words += [folded(w) for table in (DEGREE_ZH,) for ws in table.values() for w in ws]
    for w, v in sentiment_entries(lexdir, sources).items():
        if v != 0 and is_lexicon_key(w, params):
            lexicon[sf.fnv_str(w)] = (sf.KIND_SENTIMENT, v)
            words.append(w)
    add_words(lexicon, NEGATORS_ZH + NEGATORS_EN, sf.KIND_NEGATOR, -1.0)
    for table in (DEGREE_ZH, DEGREE_EN):
        for mult, degree_words in table.items():
            add_words(lexicon, degree_words, sf.KIND_DEGREE, mult)
    add_words(lexicon, CONTRAST_ZH + CONTRAST_EN, sf.KIND_CONTRAST, 0.0)
    add_words(lexicon, CONCESSIVE_ZH + CONCESSIVE_EN, sf.KIND_CONCESSIVE, 0.0)
    add_prefixes(lexicon, words)
    for bit, concept_words in CONCEPTS_EN.items():
        for w in concept_words:
            key = sf.fnv_str(folded(w)) ^ sf.TAG_CONCEPT
            lexicon[key] = (sf.KIND_CONCEPT, int(lexicon.get(key, (0, 0))[1]) | bit)
    return {h: (kind, f32(v)) for h, (kind, v) in lexicon.items()}


def load_items(datadir):
    items = []
    for name, lang in (("zh.jsonl", "zh"), ("en.jsonl", "en")):
        with open(os.path.join(datadir, name), encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                d["lang"] = lang
                items.append(d)
    return items


def source_key(item):
    s = item["source"]
    for key in ("FinFE", "FinNSP", "ChnSentiCorp", "PhraseBank", "lexicon"):
        if key in s:
            return key
    raise ValueError("unknown source " + s)


def allowed_mask(item):
    """Which classes the gold label allows: FinNSP's neutral allows neutral or positive."""
    m = [0.0, 0.0, 0.0]
    m[CLASSES.index(item["label"])] = 1.0
    if source_key(item) == "FinNSP" and item["label"] == "neutral":
        m[2] = 1.0
    return m


def design_matrix(items, lexicon, params):
    rows, cols, vals = [], [], []
    for i, it in enumerate(items):
        if i % 2000 == 0:
            print(f"features {i}/{len(items)}", file=sys.stderr)
        for r, v in sf.features(it["text"], lexicon, params):
            rows.append(i)
            cols.append(r)
            vals.append(v)
    n_rows = (1 << params.hash_bits) + 2 * sf.DENSE_PER_LANG
    return scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(len(items), n_rows))


def train(X, masks, sample_w, l2, iters):
    """Minimises sum_i w_i * -log(sum of allowed p_ic) + l2/2 * |W|^2 (bias rows unpenalised),
    over the rows that some item uses (the others stay 0)."""
    d_all = X.shape[1]
    used = np.flatnonzero(np.diff(X.tocsc().indptr) > 0)
    X = X[:, used].tocsr()
    XT = X.T.tocsr()
    d = len(used)
    penalty = np.ones((d, 1))
    for lang in (sf.LANG_ZH, sf.LANG_EN):
        penalty[used == d_all - (2 - lang) * sf.DENSE_PER_LANG] = 0.0  # the language's bias row

    def objective(flat):
        W = flat.reshape(d, 3)
        Z = X @ W
        Z -= Z.max(axis=1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(axis=1, keepdims=True)
        allowed = (P * masks).sum(axis=1)
        loss = -(sample_w * np.log(allowed + 1e-300)).sum() + 0.5 * l2 * (penalty * W * W).sum()
        Q = P * masks / allowed[:, None]
        G = XT @ ((P - Q) * sample_w[:, None]) + l2 * penalty * W
        return loss, G.ravel()

    res = scipy.optimize.minimize(objective, np.zeros(d * 3), jac=True, method="L-BFGS-B",
                                  options={"maxiter": iters})
    print(f"train: loss {res.fun:.2f} after {res.nit} iterations", file=sys.stderr)
    W = np.zeros((d_all, 3), dtype=np.float32)
    W[used] = res.x.reshape(d, 3)
    return W


def predict(X, W):
    Z = X @ W
    Z -= Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    return P / P.sum(axis=1, keepdims=True)


def f1(pred, gold, cls):
    tp = sum(1 for p, g in zip(pred, gold) if p == cls and g == cls)
    fp = sum(1 for p, g in zip(pred, gold) if p == cls and g != cls)
    fn = sum(1 for p, g in zip(pred, gold) if p != cls and g == cls)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def report(items, P):
    """Metrics per source and label scheme as ../shared/data/sentiment/README.md says."""
    by = {}
    for it, p in zip(items, P):
        by.setdefault(source_key(it), []).append((CLASSES[int(np.argmax(p))], it["label"]))
    out = {}
    for src, pairs in sorted(by.items()):
        pred, gold = [p for p, _ in pairs], [g for _, g in pairs]
        acc = sum(p == g for p, g in pairs) / len(pairs)
        if src == "FinNSP":
            out[src] = {"neg_f1": f1(pred, gold, "negative")}
        elif src == "ChnSentiCorp":
            out[src] = {"acc": acc}
        else:
            out[src] = {"acc": acc, "macro_f1": sum(f1(pred, gold, c) for c in CLASSES) / 3}
    return out


def lexicon_items(lexdir, sources, min_strength):
    """One-word training items from the English lexicons among `sources` (VADER, Loughran-McDonald):
    they give sentiment words that the 1.8k PhraseBank sentences never show a weight of their own,
    so that general news wording ("plunged", "warned") is not left neutral."""
    words = sentiment_entries(lexdir, [s for s in sources if s in ("vader", "lm")])
    return [{"text": w, "label": "positive" if v > 0 else "negative", "source": "lexicon", "lang": "en"}
            for w, v in sorted(words.items()) if abs(v) >= min_strength and w.isalpha()]


def sample_weights(items, en_weight, lexicon_weight):
    """English items weigh more: there are 1.8k of them against 20k Chinese; lexicon items weigh
    little (both tuned by cross-validation on the training data)."""
    return np.array([en_weight * lexicon_weight if it["source"] == "lexicon" else en_weight if it["lang"] == "en"
                     else 1.0 for it in items])


class Weights:
    """The weights as the model file stores them: hashed rows as int16 times a per-class scale
    (half the size of float32, so the table stays in cache), dense rows as float32."""

    def __init__(self, W, hash_rows):
        hashed = W[:hash_rows].astype(np.float64)
        self.scale = (np.abs(hashed).max(axis=0) / 32767.0).astype(np.float32)
        self.scale[self.scale == 0] = 1.0
        self.q = np.round(hashed / self.scale.astype(np.float64)).astype(np.int16)
        self.dense = W[hash_rows:].astype(np.float32)

    def effective(self):
        """float64 (rows, 3) weights exactly as the C side computes with them."""
        hashed = self.q.astype(np.float64) * self.scale.astype(np.float64)
        return np.vstack([hashed, self.dense.astype(np.float64)])


def cross_validate_en(items, lexicon, params, args):
    """args.cv_en-fold cross-validation of the English training items, each fold trained on the
    other English items and the lexicon items: English and Chinese texts share almost no feature
    rows, so this tunes the English settings without retraining on the 20k Chinese items.
    Prints the PhraseBank metrics of the pooled out-of-fold predictions."""
    sources = args.sources.split(",")
    en = [it for it in items if it["lang"] == "en"]
    lex = lexicon_items(args.lexicons, sources, args.lexicon_min)
    X = design_matrix(en + lex, lexicon, params)
    masks = np.array([allowed_mask(it) for it in en + lex])
    sample_w = sample_weights(en + lex, args.en_weight, args.lexicon_weight)
    order = list(range(len(en)))
    random.Random(7).shuffle(order)
    P = np.zeros((len(en), 3))
    for k in range(args.cv_en):
        held = np.array(sorted(order[k::args.cv_en]))
        keep = np.setdiff1d(np.arange(len(en) + len(lex)), held)
        W = Weights(train(X[keep], masks[keep], sample_w[keep], args.l2, args.iters), 1 << params.hash_bits)
        P[held] = predict(X[held], W.effective())
    print(json.dumps(report(en, P)))


def write_model(path, weights, lexicon, params):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<7I", params.hash_bits, params.max_ngram, params.neg_scope, params.mod_window,
                            params.max_lex_len, sf.DENSE_PER_LANG, params.stem_len))
        f.write(struct.pack("<3f", params.negation_factor, params.contrast_before, params.contrast_after))
        f.write(struct.pack("<2I", weights.q.shape[0] + weights.dense.shape[0], len(lexicon)))
        f.write(weights.scale.astype("<f4").tobytes())
        f.write(weights.q.astype("<i2").tobytes())
        f.write(weights.dense.astype("<f4").tobytes())
        for h in sorted(lexicon):
            kind, value = lexicon[h]
            f.write(struct.pack("<QIf", h, kind, value))
    os.replace(tmp, path)


def read_model(path):
    """(effective weights, lexicon, params) of a model file written by write_model."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        sys.exit(f"{path}: not a {MAGIC.decode()} model")
    fields = struct.unpack_from("<7I3f2I3f", data, 8)
    params = sf.Params(hash_bits=fields[0], max_ngram=fields[1], neg_scope=fields[2], mod_window=fields[3],
                       max_lex_len=fields[4], stem_len=fields[6], negation_factor=fields[7],
                       contrast_before=fields[8], contrast_after=fields[9])
    n_rows, n_lex, scale = fields[10], fields[11], np.array(fields[12:15])
    at = 8 + struct.calcsize("<7I3f2I3f")
    n_hashed = 1 << params.hash_bits
    q = np.frombuffer(data, "<i2", n_hashed * 3, at).reshape(n_hashed, 3)
    at += q.nbytes
    dense = np.frombuffer(data, "<f4", (n_rows - n_hashed) * 3, at).reshape(-1, 3)
    at += dense.nbytes
    lexicon = {}
    for _ in range(n_lex):
        h, kind, value = struct.unpack_from("<QIf", data, at)
        lexicon[h] = (kind, value)
        at += 16
    W = np.vstack([q.astype(np.float64) * scale, dense.astype(np.float64)])
    return W, lexicon, params


PARITY_TEXTS = [
    ("这家酒店的服务非常好，房间也很干净。", None),
    ("房间不干净，服务也不好。", None),
    ("虽然价格有点贵，但是服务很好！", "zh"),
    ("价格便宜，可是服务太差了", None),
    ("公司股价今日大涨5.3%，市场信心明显恢复。", None),
    ("涉嫌非法集资，多名高管被警方带走调查", None),
    ("The company's operating profit rose sharply to EUR 13.1 mn.", None),
    ("Sales did not improve, but the outlook is very good.", "en"),
    ("The results were not bad at all.", None),
    ("Although costs increased, net profit was extremely disappointing", None),
    ("ＡＢＣ公司Ｑ３营收同比增长１２％", None),
    ("", None),
    ("!!! ... ，，，", "zh"),
    ("We don’t think it’s bad; it isn't great either.", None),
    ("虽然房间小，但是干净，不过早餐一般，可惜没有停车场。", None),
    ("尽管业绩下滑，公司并非没有希望", None),
    ("Tesla (TSLA) 股价周五下跌3.5%，但分析师仍然看好", None),
    ("Profits declined.But revenue grew 1.5x;margins improved\nOutlook: not very positive", None),
    ("ＮＯＴ　ＧＯＯＤ！非常ＯＫ", None),
    ("Operating profit rose to EUR 13.1 mn from EUR 8.7 mn, but the net loss widened.", None),
    ("Net sales DECREASED (costs fell); EBIT up 5%, dividend cut", "en"),
    ("营收增长，但 net profit fell 3%", None),
]


def write_fixture(path, W, lexicon, params):
    """Per text: the merged, sorted feature list and the three probabilities, computed here in
    float64 from the weights as written to the model file."""
    with open(path, "w", encoding="utf-8") as f:
        for text, lang in PARITY_TEXTS:
            code = None if lang is None else (sf.LANG_ZH if lang == "zh" else sf.LANG_EN)
            merged = {}
            for r, v in sf.features(text, lexicon, params, code):
                merged[r] = merged.get(r, 0.0) + v
            z = np.zeros(3)
            for r, v in merged.items():
                z += v * W[r]
            p = np.exp(z - z.max())
            p /= p.sum()
            f.write(json.dumps({"text": text, "lang": lang, "features": sorted([r, v] for r, v in merged.items()),
                                "prob": list(p)}, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "../shared/data/sentiment-train"))
    ap.add_argument("--lexicons", default=os.path.join(ROOT, "../shared/data/lexicons"))
    ap.add_argument("--dev", action="store_true")
    ap.add_argument("--cv-en", type=int, default=0)
    ap.add_argument("--sources", default="vader,lm,jiang,hownet")
    ap.add_argument("--lexicon-weight", type=float, default=0.01)
    ap.add_argument("--lexicon-min", type=float, default=0.5)
    ap.add_argument("--l2", type=float, default=0.1)
    ap.add_argument("--en-weight", type=float, default=3.0)
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--bits", type=int, default=17)
    ap.add_argument("--ngram", type=int, default=3)
    ap.add_argument("--stem", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "data/sentiment/model.bin"))
    ap.add_argument("--fixture", default=os.path.join(ROOT, "tests/data/sentiment/parity.jsonl"))
    ap.add_argument("--fixture-only", action="store_true")
    args = ap.parse_args()
    if args.fixture_only:
        write_fixture(args.fixture, *read_model(args.out))
        return
    if os.path.basename(os.path.normpath(args.data)) == "sentiment":
        sys.exit("train_sentiment.py: refusing to train on the evaluation set ../shared/data/sentiment")

    params = sf.Params(hash_bits=args.bits, max_ngram=args.ngram, stem_len=args.stem)
    for name in ("negation_factor", "contrast_before", "contrast_after"):
        setattr(params, name, f32(getattr(params, name)))
    lexicon = build_lexicon(args.lexicons, args.sources.split(","), params)
    items = load_items(args.data)
    if args.cv_en:
        cross_validate_en(items, lexicon, params, args)
        return
    if args.dev:
        rng = random.Random(20261129)
        dev_ids = set(i for i in range(len(items)) if rng.random() < 0.1)
        train_items = [it for i, it in enumerate(items) if i not in dev_ids]
        dev_items = [it for i, it in enumerate(items) if i in dev_ids]
    else:
        train_items, dev_items = items, []
    train_items = train_items + lexicon_items(args.lexicons, args.sources.split(","), args.lexicon_min)
    X = design_matrix(train_items, lexicon, params)
    masks = np.array([allowed_mask(it) for it in train_items])
    sample_w = sample_weights(train_items, args.en_weight, args.lexicon_weight)
    weights = Weights(train(X, masks, sample_w, args.l2, args.iters), 1 << params.hash_bits)
    W = weights.effective()
    if args.dev:
        P = predict(design_matrix(dev_items, lexicon, params), W)
        print(json.dumps(report(dev_items, P)))
        return
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    write_model(args.out, weights, lexicon, params)
    os.makedirs(os.path.dirname(args.fixture), exist_ok=True)
    write_fixture(args.fixture, W, lexicon, params)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes) and {args.fixture}", file=sys.stderr)


if __name__ == "__main__":
    main()
