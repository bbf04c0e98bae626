#!/usr/bin/env python3
"""Generate tests/data/whisper/<name>/: tiny random Hugging Face Whisper checkpoints plus
reference features, encoder outputs and decoder logits computed by transformers (the oracle).

Usage (from the repo root; needs torch, transformers, tokenizers, numpy; run
tools/make_audio_fixtures.sh first):
    /work/venv/bin/python tools/make_whisper_fixtures.py [--out tests/data/whisper]

The real Whisper vocabulary (51865 tokens) would make the fixtures megabytes, so each model
gets a small byte-level BPE tokenizer trained here with the `tokenizers` library (at most 512
ordinary tokens; the corpus gives 500) followed by Whisper's special tokens in Whisper's order: <|endoftext|>,
<|startoftranscript|>, one token per language (99; 100 with <|yue|> for the large-v3 layout),
<|translate|>, <|transcribe|>, <|startoflm|>, <|startofprev|>, <|nospeech|>, <|notimestamps|>,
then the 1501 timestamps <|0.00|> ... <|30.00|>.

Models (random weights, wide spread so greedy margins are large):
  tiny80   d_model 48, 2+2 layers, 4 heads, 80 mel bins, f16
  v3mel128 d_model 32, 2 encoder + 1 decoder layers, 4 heads, 128 mel bins, 100 languages, bf16
For each, with tests/data/whisper/audio/speech_en.wav as the audio:
  features.bin   f32 (n_mels, FEATURE_FRAMES): the first FEATURE_FRAMES frames of
                 WhisperFeatureExtractor's 3000-frame log-mel; every later frame holds
                 reference.json's pad_value (checked here)
  mel_filters.bin f32 (201, n_mels): WhisperFeatureExtractor's mel filterbank (slaney)
  encoder.bin    f32 (1500 / ENCODER_STRIDE, d_model): every ENCODER_STRIDE-th row of the
                 encoder output for the full 3000-frame features
  logits.bin     f32 (4 + N_GREEDY, vocab): decoder logits for the prompt <|startoftranscript|>
                 <|en|> <|transcribe|> <|notimestamps|> (every position) and then each greedy step
  reference.json prompt, greedy ids (plain argmax, no suppression), margins, shapes; and
                 `generate`: greedy decoding of the window after <|en|> <|transcribe|>, with
                 and without timestamps, through transformers' Whisper logits processors
                 (see filtered_greedy), at most GENERATE_TOKENS tokens, <|endoftext|> left out
"""
import argparse
import json
import os
import wave

import numpy as np
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers.generation.logits_process import (SuppressTokensAtBeginLogitsProcessor,
                                                    SuppressTokensLogitsProcessor,
                                                    WhisperTimeStampLogitsProcessor)
from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration

FEATURE_FRAMES = 352
ENCODER_STRIDE = 10
N_GREEDY = 8
GENERATE_TOKENS = 24
ORDINARY = 512
WEIGHT_STD = 0.3
NORM_STD = 0.1
BIAS_STD = 0.1

LANGS = ["en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv",
         "it", "id", "hi", "fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no",
         "th", "ur", "hr", "bg", "lt", "la", "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr",
         "az", "sl", "kn", "et", "mk", "br", "eu", "is", "hy", "ne", "mn", "bs", "kk", "sq", "sw",
         "gl", "mr", "pa", "si", "km", "sn", "yo", "so", "af", "oc", "ka", "be", "tg", "sd", "gu",
         "am", "yi", "lo", "uz", "fo", "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl",
         "mg", "as", "tt", "haw", "ln", "ha", "ba", "jw", "su"]

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Speech recognition turns spoken words into written text.",
    "A company announced its quarterly results on Monday, and the shares rose.",
    "News reports, podcasts and short videos all mention the brand.",
    "今天天气很好，我们去公园散步。",
    "公司发布了新的产品，媒体报道了这件事。",
    "Hello world, this is a test of the transcription system.",
] * 4

MODELS = {
    "tiny80": dict(seed=9001, n_langs=99, dtype=torch.float16,
                   config=dict(d_model=48, encoder_layers=2, decoder_layers=2,
                               encoder_attention_heads=4, decoder_attention_heads=4,
                               encoder_ffn_dim=128, decoder_ffn_dim=128, num_mel_bins=80,
                               max_source_positions=1500, max_target_positions=64)),
    "v3mel128": dict(seed=9002, n_langs=100, dtype=torch.bfloat16,
                     config=dict(d_model=32, encoder_layers=2, decoder_layers=1,
                                 encoder_attention_heads=4, decoder_attention_heads=4,
                                 encoder_ffn_dim=64, decoder_ffn_dim=64, num_mel_bins=128,
                                 max_source_positions=1500, max_target_positions=64)),
}


def special_tokens(n_langs):
    langs = LANGS + ["yue"] if n_langs == 100 else LANGS
    toks = ["<|endoftext|>", "<|startoftranscript|>"] + ["<|%s|>" % l for l in langs]
    toks += ["<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>",
             "<|notimestamps|>"]
    toks += ["<|%.2f|>" % (i * 0.02) for i in range(1501)]
    return toks


def build_tokenizer(n_langs):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=ORDINARY, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(CORPUS, trainer)
    tok.add_special_tokens(special_tokens(n_langs))
    return tok


def non_speech_tokens(tok, vocab):
    """openai-whisper's tokenizer.non_speech_tokens plus the task and special tokens it suppresses
    by default (suppress_tokens="-1"), as published generation configs list them."""
    symbols = list('"#()*+/:;<=>@[\\]^_`{|}~「」『』')
    symbols += "<< >> <<< >>> -- --- -( -[ (' (\" (( )) ((( ))) [[ ]] {{ }} ♪♪ ♪♪♪".split()
    miscellaneous = set("♩♪♫♬♭♮♯")
    enc = lambda text: tok.encode(text, add_special_tokens=False).ids
    result = {enc(" -")[0], enc(" '")[0]}
    for symbol in symbols + sorted(miscellaneous):
        for tokens in [enc(symbol), enc(" " + symbol)]:
            if len(tokens) == 1 or symbol in miscellaneous:
                result.add(tokens[0])
    for special in ["<|transcribe|>", "<|translate|>", "<|startoftranscript|>", "<|startofprev|>",
                    "<|startoflm|>", "<|nospeech|>"]:
        result.add(vocab[special])
    return sorted(result)


def write_tokenizer(tok, folder, n_langs):
    tok.save(os.path.join(folder, "tokenizer.json"), pretty=False)
    vocab = tok.get_vocab()
    eot = vocab["<|endoftext|>"]
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "WhisperTokenizer", "bos_token": "<|endoftext|>",
                   "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
                   "pad_token": "<|endoftext|>", "model_max_length": 1024}, f, indent=2)
    langs = special_tokens(n_langs)[2:2 + n_langs]
    gen = {
        "decoder_start_token_id": vocab["<|startoftranscript|>"],
        "eos_token_id": eot, "pad_token_id": eot, "bos_token_id": eot,
        "no_timestamps_token_id": vocab["<|notimestamps|>"],
        "prev_sot_token_id": vocab["<|startofprev|>"],
        "is_multilingual": True,
        "lang_to_id": {l: vocab[l] for l in langs},  # keys "<|en|>", as in published configs
        "task_to_id": {"transcribe": vocab["<|transcribe|>"], "translate": vocab["<|translate|>"]},
        "max_initial_timestamp_index": 50,
        "begin_suppress_tokens": [vocab.get("Ġ", 220), eot],
        "suppress_tokens": non_speech_tokens(tok, vocab),
        "max_length": 64,
    }
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump(gen, f, indent=2)
    return vocab


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def init_weights(model, gen):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "embed_positions" in name and "encoder" in name:
                continue  # sinusoids, as in real checkpoints
            if "layer_norm" in name and name.endswith(".weight"):
                p.copy_(1.0 + NORM_STD * torch.randn(p.shape, generator=gen))
            elif name.endswith(".bias"):
                p.copy_(BIAS_STD * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(WEIGHT_STD * torch.randn(p.shape, generator=gen))


def greedy(model, enc, prompt):
    ids = torch.tensor([prompt])
    with torch.no_grad():
        rows = []
        out = model(encoder_outputs=(enc,), decoder_input_ids=ids, use_cache=True)
        rows.append(out.logits[0])
        past, last = out.past_key_values, out.logits[0, -1]
        tokens, margins = [], []
        for _ in range(N_GREEDY):
            top2 = torch.topk(last, 2)
            nxt = int(top2.indices[0])
            tokens.append(nxt)
            margins.append(float(top2.values[0] - top2.values[1]))
            out = model(encoder_outputs=(enc,), decoder_input_ids=torch.tensor([[nxt]]),
                        past_key_values=past, use_cache=True)
            past, last = out.past_key_values, out.logits[0, -1]
            rows.append(out.logits[0])
        full = model(encoder_outputs=(enc,), decoder_input_ids=torch.tensor([prompt + tokens]),
                     use_cache=False).logits[0]
    rows = torch.cat(rows, 0)
    cache_err = float((full - rows).abs().max())
    return rows.numpy(), tokens, margins, cache_err


def filtered_greedy(model, enc, vocab, timestamps):
    """Greedy decoding of one window through transformers' own Whisper logits processors, in
    generate()'s order: SuppressTokensAtBegin (begin_suppress_tokens), SuppressTokens
    (suppress_tokens) and, with timestamps, WhisperTimeStampLogitsProcessor. (generate() itself
    is not used: with return_timestamps it runs further windows after the last timestamp pair,
    and in 5.24.0 its output without timestamps depends on earlier calls.)"""
    gc = model.generation_config
    prompt = [vocab["<|startoftranscript|>"], vocab["<|en|>"], vocab["<|transcribe|>"]]
    if not timestamps:
        prompt.append(vocab["<|notimestamps|>"])
    procs = [SuppressTokensAtBeginLogitsProcessor(gc.begin_suppress_tokens, len(prompt)),
             SuppressTokensLogitsProcessor(gc.suppress_tokens)]
    if timestamps:
        procs.append(WhisperTimeStampLogitsProcessor(gc, begin_index=len(prompt)))
    ids = torch.tensor([prompt])
    with torch.no_grad():
        for _ in range(GENERATE_TOKENS):
            logits = model(encoder_outputs=(enc,), decoder_input_ids=ids).logits[:, -1]
            for p in procs:
                logits = p(ids, logits)
            nxt = int(logits.argmax())
            if nxt == vocab["<|endoftext|>"]:
                break
            ids = torch.cat([ids, torch.tensor([[nxt]])], 1)
    return ids[0, len(prompt):].tolist()


def make_model(name, spec, audio, out_root):
    folder = os.path.join(out_root, name)
    os.makedirs(folder, exist_ok=True)
    tok = build_tokenizer(spec["n_langs"])
    vocab_size = tok.get_vocab_size()
    vocab = tok.get_vocab()
    eot = vocab["<|endoftext|>"]
    cfg = WhisperConfig(vocab_size=vocab_size, decoder_start_token_id=vocab["<|startoftranscript|>"],
                        eos_token_id=eot, pad_token_id=eot, bos_token_id=eot,
                        activation_function="gelu", scale_embedding=False, tie_word_embeddings=True,
                        begin_suppress_tokens=None, suppress_tokens=None, **spec["config"])
    torch.manual_seed(spec["seed"])
    model = WhisperForConditionalGeneration(cfg)
    init_weights(model, torch.Generator().manual_seed(spec["seed"]))
    model = model.to(spec["dtype"])
    model.save_pretrained(folder, safe_serialization=True)
    write_tokenizer(tok, folder, spec["n_langs"])
    model = WhisperForConditionalGeneration.from_pretrained(folder, attn_implementation="eager",
                                                            dtype=torch.float32).float().eval()

    fe = WhisperFeatureExtractor(feature_size=cfg.num_mel_bins)
    fe.save_pretrained(folder)
    fe.mel_filters.astype("<f4").tofile(os.path.join(folder, "mel_filters.bin"))
    feats = fe(audio, sampling_rate=16000, return_tensors="np").input_features[0]
    pad_value = float(feats[0, -1])
    assert np.all(feats[:, FEATURE_FRAMES:] == pad_value), "features past FEATURE_FRAMES are not constant"
    feats[:, :FEATURE_FRAMES].astype("<f4").tofile(os.path.join(folder, "features.bin"))

    with torch.no_grad():
        enc = model.model.encoder(torch.from_numpy(feats)[None]).last_hidden_state
    enc[0, ::ENCODER_STRIDE].numpy().astype("<f4").tofile(os.path.join(folder, "encoder.bin"))

    prompt = [vocab["<|startoftranscript|>"], vocab["<|en|>"], vocab["<|transcribe|>"], vocab["<|notimestamps|>"]]
    rows, tokens, margins, cache_err = greedy(model, enc, prompt)
    generated = {name_: filtered_greedy(model, enc, vocab, ts) for name_, ts in
                 (("timestamps", True), ("no_timestamps", False))}
    ref = dict(n_mels=cfg.num_mel_bins, d_model=cfg.d_model, vocab_size=vocab_size,
               feature_frames=FEATURE_FRAMES, pad_value=pad_value, encoder_stride=ENCODER_STRIDE,
               encoder_rows=int(enc.shape[1]), prompt=prompt, greedy=tokens, margins=margins,
               generate=generated, generate_max_new_tokens=GENERATE_TOKENS,
               suppress_tokens=non_speech_tokens(tok, vocab),
               greedy_text=tok.decode(tokens, skip_special_tokens=False), cache_vs_full=cache_err,
               source="transformers WhisperForConditionalGeneration + WhisperFeatureExtractor, "
                      "audio/speech_en.wav")
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
    print("%s: vocab %d, greedy %s, min margin %.3f, cache-vs-full %.2e" %
          (name, vocab_size, tokens, min(margins), cache_err))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/data/whisper")
    args = ap.parse_args()
    torch.set_num_threads(1)
    audio = read_wav(os.path.join(args.out, "audio", "speech_en.wav"))
    for name, spec in MODELS.items():
        make_model(name, spec, audio, args.out)


if __name__ == "__main__":
    main()
