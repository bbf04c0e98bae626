#!/usr/bin/env bash
# `yuqing quantize` end to end: a Hugging Face fixture to GGUF (f16 reproduces transformers'
# greedy ids through `generate`; q4_k_m and a GGUF input work), progress on stderr, and bad
# input (usage, broken GGUF files) giving a one-line error, exit 2, and no output file.
# Usage: quantize.sh YUQING TESTDATA
set -u
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"

# The first case of the qwen2 fixture: prompt and transformers' greedy continuation.
prompt="107 453 1279 690 124"
greedy="1032 1510 528 915 1239 967 1237 738 89 1905 1863 1742 1004 252 1030 1808"

"$yuqing" quantize "$data/hf/qwen2" "$work/q.gguf" --type f16 2>"$work/err"; rc=$?
check "f16 exit" 0 $rc
grep -q "^quantize: 100% output_norm.weight$" "$work/err" && pass || fail "progress lines: $(cat "$work/err")"
check "f16 greedy" "$greedy" "$("$yuqing" generate --model "$work/q.gguf" --prompt-ids "$prompt" --print-ids --max-tokens 16 --temperature 0 2>/dev/null)"
[[ ! -e "$work/q.gguf.tmp" ]] && pass || fail "q.gguf.tmp left behind"

"$yuqing" quantize "$data/hf/llama" "$work/l.gguf" --type q4_k_m --quiet 2>"$work/err"; rc=$?
check "q4_k_m exit" 0 $rc
check "--quiet" "" "$(cat "$work/err")"
"$yuqing" quantize "$work/l.gguf" "$work/l8.gguf" --type q8_0 --quiet; check "gguf input" 0 $?
check "q4_k_m generates" 16 "$("$yuqing" generate --model "$work/l8.gguf" --prompt-ids "1 2 3" --print-ids --max-tokens 16 --temperature 0 2>/dev/null | wc -w | tr -d ' ')"

# Usage errors.
expect_error 2 "--type is required" "" quantize "$data/hf/qwen2" "$work/x.gguf"
expect_error 2 "unknown type 'q3_k'" "" quantize "$data/hf/qwen2" "$work/x.gguf" --type q3_k
expect_error 2 "give IN and OUT" "" quantize "$data/hf/qwen2" --type f16
expect_error 2 "no such file" "" quantize "$work/none" "$work/x.gguf" --type f16
expect_error 2 "llama2.c" "" quantize "$data/models/stories260K/stories260K.bin" "$work/x.gguf" --type f16
expect_error 1 "cannot create" "" quantize "$data/hf/qwen2" "$work/no/such/dir/x.gguf" --type f16 --quiet

# Broken GGUF files, as models and as quantize inputs.
good=$work/q.gguf
size=$(stat -c %s "$good")
bad() { cp "$good" "$work/bad.gguf"; }
patch() { printf "$2" | dd of="$work/bad.gguf" bs=1 seek="$1" conv=notrunc status=none; }
offset_of() { grep -obaF "$1" "$good" | head -1 | cut -d: -f1; }

head -c $(($(offset_of blk.0.attn_k.weight) + 5)) "$good" >"$work/bad.gguf"
expect_error 2 "truncated" "" generate --model "$work/bad.gguf" --prompt-ids 1
bad; patch 0 'XGUF'
expect_error 2 "bad magic" "" generate --model "$work/bad.gguf" --prompt-ids 1
expect_error 2 "bad magic" "" quantize "$work/bad.gguf" "$work/x.gguf" --type q8_0
bad; patch 4 '\x07'
expect_error 2 "GGUF version 7 is not supported" "" generate --model "$work/bad.gguf" --prompt-ids 1
head -c $((size - 64)) "$good" >"$work/bad.gguf"
expect_error 2 "output_norm.weight extends past the end" "" generate --model "$work/bad.gguf" --prompt-ids 1
bad; patch $(($(offset_of qwen2.block_count) + 12)) 'X'
expect_error 2 "qwen2.block_count is missing" "" generate --model "$work/bad.gguf" --prompt-ids 1
bad; patch $(($(offset_of blk.0.attn_q.weight) + 19 + 4 + 16)) '\x63'
expect_error 2 "blk.0.attn_q.weight has unsupported ggml type 99" "" generate --model "$work/bad.gguf" --prompt-ids 1
bad; patch $(($(offset_of tokenizer.ggml.eos_token_id) - 8)) '\xff\xff\xff\xff\xff\xff\xff\x7f'
expect_error 2 "truncated" "" generate --model "$work/bad.gguf" --prompt-ids 1
[[ ! -e "$work/x.gguf" && ! -e "$work/x.gguf.tmp" ]] && pass || fail "output left after a failure"

finish quantize
