#!/usr/bin/env bash
# yuqing's Whisper against whisper.cpp's whisper-bench on the same random-weight checkpoints
# (tiny and base shapes, f16): encoder time per 30 s window and decoder time per generated token
# (single-token steps, 256 of them, as whisper-bench runs them), at 1 and 2 threads, and the
# real-time factor both give for a 60 s clip (2 windows x (encoder + 256 decoder steps) / 60 s;
# yuqing's log-mel time is added to its own, whisper-bench leaves the mel out).
#
#   bench/vs-whispercpp.sh WHISPER_CPP_DIR [WORK_DIR]
#
# WHISPER_CPP_DIR: a whisper.cpp checkout with whisper-bench built (build/bin/whisper-bench).
# WORK_DIR: where the checkpoints go (default build/bench-whisper).
# Environment: PYTHON (with torch and transformers, for whisper.cpp's convert-h5-to-ggml.py;
# default python3), WHISPER_PY_DIR (the folder holding openai-whisper's whisper/assets/
# mel_filters.npz; default: found through $PYTHON), THREADS (default "1 2").
set -euo pipefail

# shellcheck source=bench/common.bash
source "$(dirname "$0")/common.bash"
usage_unless $# 1
wcpp=$1
work=${2:-$root/build/bench-whisper}
python=${PYTHON:-python3}
threads_list=${THREADS:-1 2}
bench=$wcpp/build/bin/whisper-bench
ours=$root/build/bench_whisper
require_files "$bench" "$ours"
assets=${WHISPER_PY_DIR:-$("$python" -c 'import whisper, os; print(os.path.dirname(os.path.dirname(whisper.__file__)))')}

"$ours" --write "$work"
for m in tiny base; do
    dir=$work/$m
    # convert-h5-to-ggml.py reads a GPT-2 style vocab.json; random weights need no real tokens.
    "$python" - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
vocab = {("tok%d" % i if i >= 256 else chr(bs[i]) if i < len(bs) else "t%d" % i): i for i in range(50257)}
json.dump(vocab, open(d + "/vocab.json", "w"))
json.dump({}, open(d + "/added_tokens.json", "w"))
PY
    "$python" "$wcpp/models/convert-h5-to-ggml.py" "$dir" "$assets" "$dir" >/dev/null
done

ms() { awk -v key="$1" '$0 ~ key" time" { for (i = 1; i <= NF; i++) if ($i == "per") { gsub(/[(]/, "", $(i-2)); print $(i-2); exit } }'; }
ours_out=$("$ours" 256)
printf '%-5s %-7s %22s %22s %16s\n' model threads "encoder ms/window" "decoder ms/token" "RTF (60 s)"
printf '%-5s %-7s %11s %10s %11s %10s %8s %7s\n' "" "" yuqing whisper.cpp yuqing whisper.cpp yuqing w.cpp
for m in tiny base; do
    for t in $threads_list; do
        w=$("$bench" -m "$work/$m/ggml-model.bin" -t "$t" 2>&1)
        w_enc=$(printf '%s\n' "$w" | ms encode)
        w_dec=$(printf '%s\n' "$w" | ms decode)
        line=$(printf '%s\n' "$ours_out" | grep "^$m  *$t thread")
        y_enc=$(printf '%s\n' "$line" | sed 's/.*(\s*\([0-9.]*\) s\/window).*/\1/' | awk '{print $1 * 1000}')
        y_dec=$(printf '%s\n' "$line" | sed 's/.*(\s*\([0-9.]*\) ms\/token).*/\1/')
        y_rtf=$(printf '%s\n' "$line" | sed 's/.*RTF \([0-9.]*\).*/\1/')
        w_rtf=$(awk -v e="$w_enc" -v d="$w_dec" 'BEGIN { printf "%.3f", 2 * (e + 256 * d) / 1000 / 60 }')
        printf '%-5s %-7s %11.0f %10.0f %11.1f %10.1f %8s %7s\n' "$m" "$t" "$y_enc" "$w_enc" "$y_dec" "$w_dec" "$y_rtf" "$w_rtf"
    done
done
