#!/usr/bin/env bash
# `yuqing chat` end to end against transformers: a tiny random Qwen3 with the real Qwen3 vocabulary
# and tokenizer, two user turns on stdin, greedy replies (tests/data/hf/qwen3-chat/reference.json,
# made by tools/make_chat_model_fixture.py with apply_chat_template + generate). Also bad usage.
# Usage: chat.sh YUQING TESTDATA
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"
qwen3=$(unpack_qwen3)

reference=$data/hf/qwen3-chat/reference.json
field() { grep -o "\"$1\": \"[^\"]*\"" "$reference" | head -1 | sed "s/^\"$1\": \"//; s/\"\$//"; }
expected=$(printf '%b' "$(field expected_stdout)")
got=$(printf '%b' "$(field stdin)" | "$yuqing" chat --model "$data/hf/qwen3-chat" --tokenizer "$qwen3" \
  --temperature 0 --max-tokens 12 --quiet)
[[ "$got" == "$expected" ]] && pass || fail "chat replies differ: got [$got] expected [$expected]"

# The same from a pipe with a system message: still one reply line per user line.
lines=$(printf 'hello\nworld\n' | "$yuqing" chat --model "$data/hf/qwen3-chat" --tokenizer "$qwen3" \
  --system "You are terse." --max-tokens 4 --seed 1 --quiet | wc -l)
[[ $lines -eq 2 ]] && pass || fail "chat with --system gave $lines lines"

# A long conversation outgrows the 1024-token context: the oldest turns are dropped and every
# line still gets its reply.
for i in $(seq 60); do echo "turn $i: $(printf 'the quick brown fox jumps over the lazy dog %.0s' 1 2 3 4)"; done >"$work/long"
replies=$("$yuqing" chat --model "$data/hf/qwen3-chat" --tokenizer "$qwen3" --max-tokens 8 --temperature 0 --verbose <"$work/long" \
  2>"$work/chat.err" | wc -l)
[[ $replies -eq 60 ]] && pass || fail "long chat: $replies replies for 60 turns ($(tail -1 "$work/chat.err"))"
grep -q "dropped the oldest turn" "$work/chat.err" && pass || fail "long chat: no turn was dropped"

err=$("$yuqing" chat --model "$data/models/stories260K/stories260K.bin" </dev/null 2>&1); rc=$?
[[ $rc -eq 2 && $err == *"no tokenizer"* ]] && pass || fail "chat without a tokenizer: $rc $err"
err=$("$yuqing" chat </dev/null 2>&1); rc=$?
[[ $rc -eq 2 && $err == *"--model is required"* ]] && pass || fail "chat without --model: $rc $err"

finish "cli chat"
