#!/usr/bin/env bash
# Broken GGUF files through the command line, the cases tests/cli/quantize.sh does not cover:
# an array whose length overflows (the vocabulary of a model with a tokenizer), a tensor offset
# far past the end, and the regression inputs found by fuzzing (tests/fuzz/regressions): each a
# one-line error and exit 2, never a crash (this script also runs on the ASan build).
# Usage: gguf_bad.sh YUQING TESTDATA
set -u
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"

# A small model with the real Qwen3 vocabulary, so that the file has large arrays.
qwen3=$(unpack_qwen3)
mkdir -p "$work/chat"
cp "$data/hf/qwen3-chat/config.json" "$data/hf/qwen3-chat/model.safetensors" "$qwen3"/* "$work/chat/"
good=$work/good.gguf
"$yuqing" quantize "$work/chat" "$good" --type f16 --quiet
check "quantize exit" 0 $?
check "good file loads" 0 "$("$yuqing" generate --model "$good" --prompt-ids "1 2" --max-tokens 1 >/dev/null 2>&1; echo $?)"

bad() { cp "$good" "$work/bad.gguf"; }
patch() { printf "$2" | dd of="$work/bad.gguf" bs=1 seek="$1" conv=notrunc status=none; }
offset_of() { grep -obaF "$1" "$good" | head -1 | cut -d: -f1; }

# tokenizer.ggml.tokens: key, value type (u32), element type (u32), then the count (u64).
count=$(($(offset_of tokenizer.ggml.tokens) + 21 + 8))
for n in '\xff\xff\xff\xff\xff\xff\xff\xff' '\x00\x00\x00\x00\x00\x00\x00\x20' '\x00\x00\x00\x01\x00\x00\x00\x00'; do
    bad; patch $count "$n"
    expect_error 2 "truncated" "" generate --model "$work/bad.gguf" --prompt-ids 1
done
# blk.0.attn_q.weight's info: name, n_dims (u32), 2 dims (u64), type (u32), then the offset (u64).
bad; patch $(($(offset_of blk.0.attn_q.weight) + 19 + 4 + 16 + 4)) '\x00\x00\x00\x00\x00\x01\x00\x00'
expect_error 2 "blk.0.attn_q.weight lies outside the file" "" generate --model "$work/bad.gguf" --prompt-ids 1
expect_error 2 "blk.0.attn_q.weight lies outside the file" "" quantize "$work/bad.gguf" "$work/x.gguf" --type q8_0
[[ ! -e "$work/x.gguf" && ! -e "$work/x.gguf.tmp" ]] && pass || fail "output left after a failure"

for f in "$(dirname "$0")"/../fuzz/regressions/*; do
    [[ -e "$f" ]] || continue
    case $f in
        *.gguf) cp "$f" "$work/r.gguf"; model=$work/r.gguf ;;
        *) mkdir -p "$work/r"; cp "$data/hf/qwen2/config.json" "$work/r/"; cp "$f" "$work/r/model.safetensors"; model=$work/r ;;
    esac
    expect_error 2 "" "" generate --model "$model" --prompt-ids 1
done
finish gguf_bad
