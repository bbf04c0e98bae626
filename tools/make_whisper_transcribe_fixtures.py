#!/usr/bin/env python3
"""Generate tests/data/whisper/<model>/transcribe.json: openai-whisper's own transcribe() (the
oracle for the long-form loop) run on the random-weight fixture models of
make_whisper_fixtures.py, at temperature 0 (sampling draws could not be reproduced in C).

Usage (from the repo root): /work/venv-whisper/bin/python tools/make_whisper_transcribe_fixtures.py
/work/venv-whisper is a venv with openai-whisper==20250625 (installed --no-deps), tiktoken,
more-itertools and numba, that also sees /work/venv's torch through a .pth file.

The Hugging Face checkpoint is converted to openai-whisper's module names; its tokenizer is
given to openai-whisper as a tiktoken Encoding with the same ranks (byte-level BPE: a merged
token's id is its merge rank) and openai-whisper's special tokens, which land on the same ids
(checked); Whisper.is_multilingual / num_languages are patched since they are derived from the
real vocabulary sizes, and the MLPs are resized (openai-whisper fixes them at 4 * d_model).

Audio (built the same way by the C test):
  short: tests/data/whisper/audio/speech_en.wav (int16 / 32768)
  long:  LONG_REPEATS times [the speech, then LONG_GAP_SECONDS of zeros]: several 30 s windows
Cases: see CASES; each records the options and the non-empty segments (start, end, text,
tokens) and the language.
"""
import json
import os
import wave

import numpy as np
import tiktoken
import torch
import whisper
import whisper.model
import whisper.tokenizer
from safetensors.torch import load_file

LONG_REPEATS = 7
LONG_GAP_SECONDS = 2.0
CASES = [
    dict(model="tiny80", audio="short", language=None, beam_size=5, without_timestamps=False,
         initial_prompt=None, task="transcribe"),
    dict(model="tiny80", audio="long", language="en", beam_size=None, without_timestamps=False,
         initial_prompt=None, task="transcribe"),
    dict(model="tiny80", audio="long", language="en", beam_size=3, without_timestamps=True,
         initial_prompt="Quarterly results.", task="translate"),
    dict(model="v3mel128", audio="long", language="zh", beam_size=2, without_timestamps=False,
         initial_prompt="以下是普通话的句子。", task="transcribe"),
]

PAT = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def byte_decoder():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def encoding_for(folder):
    tj = json.load(open(os.path.join(folder, "tokenizer.json")))
    dec = byte_decoder()
    ranks = {bytes(dec[ch] for ch in tok): i for tok, i in tj["model"]["vocab"].items()}
    added = {t["content"]: t["id"] for t in tj["added_tokens"]}

    def get_encoding(name="gpt2", num_languages=99):
        n_vocab = len(ranks)
        specials = ["<|endoftext|>", "<|startoftranscript|>",
                    *[f"<|{lang}|>" for lang in list(whisper.tokenizer.LANGUAGES.keys())[:num_languages]],
                    "<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>",
                    "<|notimestamps|>", *[f"<|{i * 0.02:.2f}|>" for i in range(1501)]]
        special_tokens = {}
        for token in specials:
            assert added[token] == n_vocab, (token, added[token], n_vocab)
            special_tokens[token] = n_vocab
            n_vocab += 1
        return tiktoken.Encoding(name="fixture", explicit_n_vocab=n_vocab, pat_str=PAT,
                                 mergeable_ranks=ranks, special_tokens=special_tokens)
    return get_encoding, len(added) - 1501 - 8


def openai_model(folder):
    cfg = json.load(open(os.path.join(folder, "config.json")))
    sd = {k: v.float() for k, v in load_file(os.path.join(folder, "model.safetensors")).items()}
    dims = whisper.model.ModelDimensions(
        n_mels=cfg["num_mel_bins"], n_audio_ctx=cfg["max_source_positions"], n_audio_state=cfg["d_model"],
        n_audio_head=cfg["encoder_attention_heads"], n_audio_layer=cfg["encoder_layers"],
        n_vocab=cfg["vocab_size"], n_text_ctx=cfg["max_target_positions"], n_text_state=cfg["d_model"],
        n_text_head=cfg["decoder_attention_heads"], n_text_layer=cfg["decoder_layers"])
    names = {"self_attn.q_proj": "attn.query", "self_attn.k_proj": "attn.key", "self_attn.v_proj": "attn.value",
             "self_attn.out_proj": "attn.out", "encoder_attn.q_proj": "cross_attn.query",
             "encoder_attn.k_proj": "cross_attn.key", "encoder_attn.v_proj": "cross_attn.value",
             "encoder_attn.out_proj": "cross_attn.out", "self_attn_layer_norm": "attn_ln",
             "encoder_attn_layer_norm": "cross_attn_ln", "fc1": "mlp.0", "fc2": "mlp.2", "final_layer_norm": "mlp_ln"}
    out = {}
    for k, v in sd.items():
        k2 = k.replace("model.", "", 1).replace("layers.", "blocks.")
        k2 = k2.replace("encoder.embed_positions.weight", "encoder.positional_embedding")
        k2 = k2.replace("decoder.embed_positions.weight", "decoder.positional_embedding")
        k2 = k2.replace("decoder.embed_tokens", "decoder.token_embedding")
        k2 = k2.replace("encoder.layer_norm", "encoder.ln_post").replace("decoder.layer_norm", "decoder.ln")
        for a, b in names.items():
            k2 = k2.replace("." + a + ".", "." + b + ".")
        out[k2] = v
    model = whisper.model.Whisper(dims)
    for stack, ffn in ((model.encoder, cfg["encoder_ffn_dim"]), (model.decoder, cfg["decoder_ffn_dim"])):
        for block in stack.blocks:  # openai-whisper's MLP is 4 * d; the fixtures' is not
            d = cfg["d_model"]
            block.mlp = torch.nn.Sequential(whisper.model.Linear(d, ffn), torch.nn.GELU(), whisper.model.Linear(ffn, d))
    model.load_state_dict(out, strict=True)
    return model.eval()


def read_wav(path):
    with wave.open(path, "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def main():
    root = "tests/data/whisper"
    speech = read_wav(os.path.join(root, "audio", "speech_en.wav"))
    gap = np.zeros(int(LONG_GAP_SECONDS * 16000), np.float32)
    audio = {"short": speech, "long": np.concatenate([np.concatenate([speech, gap])] * LONG_REPEATS)}
    torch.set_num_threads(1)
    results = {}
    for case in CASES:
        folder = os.path.join(root, case["model"])
        get_encoding, n_langs = encoding_for(folder)
        whisper.tokenizer.get_encoding = get_encoding
        whisper.tokenizer.get_tokenizer.cache_clear()
        whisper.model.Whisper.is_multilingual = property(lambda self: True)
        whisper.model.Whisper.num_languages = property(lambda self, n=n_langs: n)
        model = openai_model(folder)
        out = whisper.transcribe(model, audio[case["audio"]], temperature=0.0, fp16=False, verbose=None,
                                 language=case["language"], task=case["task"], beam_size=case["beam_size"],
                                 without_timestamps=case["without_timestamps"],
                                 initial_prompt=case["initial_prompt"], condition_on_previous_text=True)
        segments = [dict(start=s["start"], end=s["end"], text=s["text"], tokens=s["tokens"])
                    for s in out["segments"] if s["tokens"]]
        results.setdefault(case["model"], []).append(dict(case, language_out=out["language"], segments=segments))
        print(case["model"], case["audio"], "beam", case["beam_size"], "->", out["language"], len(segments), "segments")
    for name, cases in results.items():
        with open(os.path.join(root, name, "transcribe.json"), "w") as f:
            json.dump(dict(long_repeats=LONG_REPEATS, long_gap_seconds=LONG_GAP_SECONDS,
                           source="openai-whisper 20250625 transcribe(), temperature 0", cases=cases),
                      f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
