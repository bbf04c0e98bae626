"""Reference feature extraction of the built-in sentiment analyzer.

This module is the specification that src/analyze/sentiment_features.c follows byte for byte:
the same normalisation, tokens, sentences and clauses, lexicon matching, negation / degree /
contrast rules, hashing and feature values. tools/train_sentiment.py trains on these features and
writes a parity fixture so that tests/test_sentiment.c can check the C side against this file.

A text becomes a list of (row, value) pairs over a weight table of HASH_ROWS hashed n-gram rows
followed by DENSE_PER_LANG dense rows per language (bias, lexicon scores and concept counts).
"""

import math

MASK64 = (1 << 64) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
GOLDEN = 0x9E3779B97F4A7C15
TAG_NEGATED = 0x5BD1E9955BD1E995  # marks the n-grams that end inside a negation scope
TAG_STEM = 0x27D4EB2F165667C5  # the first stem_len letters of a longer word
TAG_CONCEPT = 0x165667B19E3779F9  # lexicon key of a word's concepts: FNV-1a of the word ^ this

# Lexicon entry kinds (stored in the model file).
KIND_SENTIMENT, KIND_NEGATOR, KIND_DEGREE, KIND_CONTRAST, KIND_CONCESSIVE = 1, 2, 3, 4, 5
KIND_PREFIX = 6  # a proper prefix of a longer Han entry: lets the C side stop early (never a match)
KIND_CONCEPT = 7  # under key fnv(word) ^ TAG_CONCEPT: value = the word's CONCEPT_* bits

# Concepts of Latin words (financial direction and what moves): "profit rose" is good news,
# "loss rose" bad news. Each dense concept row counts the clauses that hold all of its bits.
CONCEPT_UP, CONCEPT_DOWN, CONCEPT_GOOD, CONCEPT_BAD = 1, 2, 4, 8
CONCEPT_ROWS = (CONCEPT_UP, CONCEPT_DOWN, CONCEPT_GOOD, CONCEPT_BAD, CONCEPT_UP | CONCEPT_GOOD,
                CONCEPT_UP | CONCEPT_BAD, CONCEPT_DOWN | CONCEPT_GOOD, CONCEPT_DOWN | CONCEPT_BAD)

LANG_ZH, LANG_EN = 0, 1
# bias, log1p(positive), log1p(negative), balance, then log1p(clause count) per CONCEPT_ROWS entry
DENSE_PER_LANG = 4 + len(CONCEPT_ROWS)

# Characters after folding (see fold()).
TERMINATORS = set("!?;\n.\u3002")
CLAUSE_BREAKS = set(',:()[]"~\u3001\u2026\u3010\u3011\u201c\u201d\u300c\u300d\u300a\u300b'
                    '\u3008\u3009\u300e\u300f')


class Params:
    """Rule constants stored in the model file header (the C side reads them from there)."""

    def __init__(self, hash_bits=18, max_ngram=3, neg_scope=3, mod_window=3, negation_factor=-0.7,
                 contrast_before=0.5, contrast_after=1.5, max_lex_len=4, stem_len=0):
        self.hash_bits = hash_bits
        self.max_ngram = max_ngram
        self.neg_scope = neg_scope
        self.mod_window = mod_window
        self.negation_factor = negation_factor
        self.contrast_before = contrast_before
        self.contrast_after = contrast_after
        self.max_lex_len = max_lex_len
        self.stem_len = stem_len


def fold(cp):
    """Full-width ASCII to ASCII, ideographic space to space, ASCII upper to lower, digits to 0,
    right single quote to apostrophe."""
    if 0xFF01 <= cp <= 0xFF5E:
        cp -= 0xFEE0
    elif cp == 0x3000:
        cp = 0x20
    elif cp == 0x2019:
        cp = 0x27
    if 0x41 <= cp <= 0x5A:
        cp += 0x20
    elif 0x30 <= cp <= 0x39:
        cp = 0x30
    return cp


def is_han(cp):
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x2FFFF


def is_word(cp):
    return (0x61 <= cp <= 0x7A or cp == 0x30 or cp == 0x27 or cp == 0x25
            or (0xC0 <= cp <= 0x24F and cp != 0xD7 and cp != 0xF7))


def fnv_bytes(h, data):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


def fnv_str(s):
    return fnv_bytes(FNV_OFFSET, s.encode("utf-8", "surrogatepass"))


def row_of(h, bits):
    """Final mix of a 64-bit feature hash into one of 2**bits rows."""
    return ((h * GOLDEN) & MASK64) >> (64 - bits)


def ngram_hash(token_hashes):
    h = len(token_hashes)
    for t in token_hashes:
        h = ((h ^ t) * FNV_PRIME) & MASK64
        h ^= h >> 29
    return h


class Token:
    __slots__ = ("text", "han", "clause", "hash")

    def __init__(self, text, han, clause):
        self.text = text
        self.han = han
        self.clause = clause
        self.hash = fnv_str(text)


def sentences(text):
    """Splits folded text into sentences of tokens. Yields (tokens, n_han, n_words)."""
    cps = [fold(ord(c)) for c in text]
    tokens, clause, word = [], 0, []
    n = len(cps)

    def flush_word():
        if word:
            tokens.append(Token("".join(map(chr, word)), False, clause))
            word.clear()

    for i, cp in enumerate(cps):
        if cp == 0x2E and word and word[-1] == 0x30 and i + 1 < n and cps[i + 1] == 0x30:
            word.append(cp)  # a decimal point inside a number
        elif is_word(cp):
            word.append(cp)
        elif is_han(cp):
            flush_word()
            tokens.append(Token(chr(cp), True, clause))
        elif chr(cp) in TERMINATORS:
            flush_word()
            if tokens:
                yield tokens
            tokens, clause = [], 0
        elif chr(cp) in CLAUSE_BREAKS:
            flush_word()
            if tokens and tokens[-1].clause == clause:
                clause += 1
        else:
            flush_word()
    flush_word()
    if tokens:
        yield tokens


def match_lexicon(tokens, lexicon, params):
    """Greedy longest match from the left within each clause. A Han run matches up to
    max_lex_len characters; a word token matches alone. Returns a list of
    (first_token, last_token, kind, value)."""
    matches = []
    i, n = 0, len(tokens)
    while i < n:
        found = None
        if tokens[i].han:
            h, keys = FNV_OFFSET, []
            j = i
            while j < n and j - i < params.max_lex_len and tokens[j].han and tokens[j].clause == tokens[i].clause:
                h = fnv_bytes(h, tokens[j].text.encode("utf-8"))
                keys.append((j, h))
                j += 1
            for j, h in reversed(keys):
                if h in lexicon and lexicon[h][0] != KIND_PREFIX:
                    found = (i, j) + lexicon[h]
                    break
        elif tokens[i].hash in lexicon:
            found = (i, i) + lexicon[tokens[i].hash]
        if found:
            matches.append(found)
            i = found[1] + 1
        else:
            i += 1
    return matches


def token_weights(tokens, matches, params):
    """Contrast: tokens before a contrast word weigh contrast_before, tokens after it
    contrast_after; a concessive word ("although") weighs down the rest of its clause."""
    w = [1.0] * len(tokens)
    for first, last, kind, _ in matches:
        if kind == KIND_CONTRAST:
            for i in range(first):
                w[i] *= params.contrast_before
            for i in range(last + 1, len(tokens)):
                w[i] *= params.contrast_after
        elif kind == KIND_CONCESSIVE:
            for i in range(last + 1, len(tokens)):
                if tokens[i].clause == tokens[first].clause:
                    w[i] *= params.contrast_before
    return w


def lexicon_scores(tokens, matches, weights, params):
    """Sums of positive and negative sentiment-word values after negation and degree modifiers
    that stand at most mod_window tokens before the word, in its clause, after the previous
    sentiment word."""
    pos = neg = 0.0
    mods = []  # (last_token, kind, value) since the previous sentiment word of the clause
    clause = -1
    for first, last, kind, value in matches:
        if tokens[first].clause != clause:
            clause, mods = tokens[first].clause, []
        if kind in (KIND_NEGATOR, KIND_DEGREE):
            mods.append((last, kind, value))
        elif kind == KIND_SENTIMENT:
            v = value
            for m_last, m_kind, m_value in mods:
                if m_last >= first - params.mod_window:
                    v *= params.negation_factor if m_kind == KIND_NEGATOR else m_value
            v *= weights[first]
            if v > 0:
                pos += v
            else:
                neg -= v
            mods = []
    return pos, neg


def negated_tokens(tokens, matches, params):
    """Indexes of tokens that follow a negator within neg_scope tokens of the same clause."""
    out = set()
    for first, last, kind, _ in matches:
        if kind == KIND_NEGATOR:
            for i in range(last + 1, min(last + 1 + params.neg_scope, len(tokens))):
                if tokens[i].clause == tokens[last].clause:
                    out.add(i)
    return out


def count_concepts(tokens, lexicon, counts):
    """Adds to counts[k] the number of clauses whose Latin words hold all bits of CONCEPT_ROWS[k]."""
    masks = {}
    for t in tokens:
        if not t.han:
            entry = lexicon.get(t.hash ^ TAG_CONCEPT)
            if entry and entry[0] == KIND_CONCEPT:
                masks[t.clause] = masks.get(t.clause, 0) | int(entry[1])
    for mask in masks.values():
        for k, bits in enumerate(CONCEPT_ROWS):
            if mask & bits == bits:
                counts[k] += 1


def detect_lang(n_han, n_words):
    return LANG_ZH if n_han > n_words else LANG_EN


def features(text, lexicon, params, lang=None):
    """The feature list of `text`: [(row, value)] with repeated rows allowed (they add up).
    `lexicon` maps the FNV-1a hash of a folded entry to (kind, value)."""
    hashed = []  # (row, weight) before normalisation
    pos = neg = 0.0
    n_han = n_words = 0
    concepts = [0] * len(CONCEPT_ROWS)
    bits = params.hash_bits
    for tokens in sentences(text):
        count_concepts(tokens, lexicon, concepts)
        matches = match_lexicon(tokens, lexicon, params)
        weights = token_weights(tokens, matches, params)
        p, q = lexicon_scores(tokens, matches, weights, params)
        pos += p
        neg += q
        negated = negated_tokens(tokens, matches, params)
        for i, t in enumerate(tokens):
            if t.han:
                n_han += 1
            else:
                n_words += 1
            tag = TAG_NEGATED if i in negated else 0
            for n in range(1, params.max_ngram + 1):
                if i - n + 1 < 0 or tokens[i - n + 1].clause != t.clause:
                    break
                h = ngram_hash([tokens[k].hash for k in range(i - n + 1, i + 1)])
                hashed.append((row_of(h ^ tag, bits), weights[i]))
            if params.stem_len and not t.han and len(t.text) > params.stem_len:
                hashed.append((row_of(fnv_str(t.text[:params.stem_len]) ^ TAG_STEM ^ tag, bits), weights[i]))
    if lang is None:
        lang = detect_lang(n_han, n_words)
    scale = 1.0 / math.sqrt(len(hashed)) if hashed else 0.0
    out = [(r, v * scale) for r, v in hashed]
    base = (1 << bits) + lang * DENSE_PER_LANG
    out.append((base, 1.0))
    out.append((base + 1, math.log1p(pos)))
    out.append((base + 2, math.log1p(neg)))
    out.append((base + 3, (pos - neg) / (pos + neg + 1.0)))
    for k, count in enumerate(concepts):
        out.append((base + 4 + k, math.log1p(count)))
    return out
