#!/usr/bin/env bash
# `yuqing tokenize` end to end: ids of known strings, decode round trips byte for byte, --count,
# --allow-special, JSON Lines both ways (one output line per input line, error lines in place),
# tokenizers found in model folders, and bad input giving a one-line error and exit 2.
# Usage: tokenize.sh YUQING TESTDATA
set -u
yuqing=$1 data=$2
tok=$data/tokenizers
source "$(dirname "$0")/lib.bash"

cl100k=$tok/cl100k_base.tiktoken
check "cl100k it's" "275 596" "$(printf "it's" | "$yuqing" tokenize --tokenizer "$cl100k")"
check "o200k IT'S" "1468 31233" "$(printf "IT'S" | "$yuqing" tokenize --tokenizer "$tok/o200k_base.tiktoken")"
check "empty text" "" "$(printf '' | "$yuqing" tokenize --tokenizer "$cl100k")"
check "empty count" "0" "$(printf '' | "$yuqing" tokenize --tokenizer "$cl100k" --count)"

# Round trip of a text with CJK, emoji, tabs, CRLF and a trailing newline, byte for byte.
printf '舆情监测 report:\tIt'"'"'s 2024-05-01 😀\r\n  indented   \n' >"$work/text"
"$yuqing" tokenize --tokenizer "$cl100k" <"$work/text" >"$work/ids"
"$yuqing" tokenize --tokenizer "$cl100k" --decode <"$work/ids" >"$work/back"
cmp -s "$work/text" "$work/back" && pass || fail "cl100k round trip"
check "count = number of ids" "$(wc -w <"$work/ids" | tr -d ' ')" \
  "$("$yuqing" tokenize --tokenizer "$cl100k" --count <"$work/text")"

# Specials: ordinary text unless allowed.
check "special allowed" "100257" "$(printf '<|endoftext|>' | "$yuqing" tokenize --tokenizer "$cl100k" --allow-special)"
check "special as text" "27 91 8862 728 428 91 29" "$(printf '<|endoftext|>' | "$yuqing" tokenize --tokenizer "$cl100k")"

# JSON Lines: one line out per line in, errors in place; NUL kept from \u0000.
printf '{"text": "a\\u0000b"}\n{"text": 5}\nnot json\n{"text": "<|endoftext|>"}\n{"text": "x\\ud800"}\n' >"$work/in.jsonl"
"$yuqing" tokenize --tokenizer "$cl100k" --jsonl --allow-special <"$work/in.jsonl" >"$work/out.jsonl"; rc=$?
check "jsonl exit" 0 $rc
check "jsonl line count" 5 "$(wc -l <"$work/out.jsonl" | tr -d ' ')"
check "jsonl NUL" '{"ids": [64, 188, 65]}' "$(sed -n 1p "$work/out.jsonl")"
check "jsonl special" '{"ids": [100257]}' "$(sed -n 4p "$work/out.jsonl")"
for line in 2 3 5; do
  sed -n ${line}p "$work/out.jsonl" | grep -q "^{\"error\": \"line $line: " && pass || fail "jsonl error line $line"
done
check "jsonl count" '{"count": 3}' "$(printf '{"text": "a\\u0000b"}\n' | "$yuqing" tokenize --tokenizer "$cl100k" --jsonl --count)"
printf '{"ids": [64, 188, 65]}\n{"ids": [100261]}\n{"ids": [9906, 1917]}\n' |
  "$yuqing" tokenize --tokenizer "$cl100k" --jsonl --decode >"$work/dec.jsonl"
check "jsonl decode NUL" '{"text": "a\u0000b"}' "$(sed -n 1p "$work/dec.jsonl")"
sed -n 2p "$work/dec.jsonl" | grep -q '^{"error": "line 2: token id 100261' && pass || fail "jsonl decode bad id"
check "jsonl decode" '{"text": "Hello world"}' "$(sed -n 3p "$work/dec.jsonl")"

# Many lines through the thread pool keep their order.
for i in $(seq 1 300); do printf '{"text": "line %d 新闻"}\n' "$i"; done >"$work/many.jsonl"
"$yuqing" tokenize --tokenizer "$cl100k" --jsonl --threads 3 <"$work/many.jsonl" |
  "$yuqing" tokenize --tokenizer "$cl100k" --jsonl --decode >"$work/many.out"
cmp -s "$work/many.jsonl" "$work/many.out" && pass || fail "jsonl order over threads"

# Model folders: tokenizer.json (+ tokenizer_config.json), or a .tiktoken file.
mkdir -p "$work/qwen3" "$work/qwen1"
gzip -dc "$tok/qwen3/tokenizer.json.gz" >"$work/qwen3/tokenizer.json"
cp "$tok/qwen3/tokenizer_config.json" "$work/qwen3/"
check "qwen3 folder" "151644 872 198" "$(printf '<|im_start|>user\n' | "$yuqing" tokenize --tokenizer "$work/qwen3" --allow-special)"
cp "$tok/qwen1/qwen.tiktoken" "$work/qwen1/"
check "qwen1 folder" "151644" "$(printf '<|im_start|>' | "$yuqing" tokenize --tokenizer "$work/qwen1" --allow-special)"
cp "$tok/qwen1/qwen.tiktoken" "$work/renamed.tiktoken"
check "--encoding" "151645" "$(printf '<|im_end|>' | "$yuqing" tokenize --tokenizer "$work/renamed.tiktoken" --encoding qwen --allow-special)"

# Bad input and usage.
expect_error 2 "offset 2" 'ab\xed\xa0\x80' tokenize --tokenizer "$cl100k"
expect_error 2 "offset 0" '\xff' tokenize --tokenizer "$cl100k" --count
expect_error 2 "/nonexistent" '' tokenize --tokenizer /nonexistent
expect_error 2 "name the encoding" 'x' tokenize --tokenizer "$work/renamed.tiktoken"
expect_error 2 "unknown tiktoken encoding 'bogus'" 'x' tokenize --tokenizer "$work/renamed.tiktoken" --encoding bogus
head -n 1000 "$cl100k" >"$work/cl100k_base.tiktoken"
expect_error 2 "truncated" 'x' tokenize --tokenizer "$work/cl100k_base.tiktoken"
head -c 1000 "$cl100k" >"$work/cl100k_base.tiktoken"
expect_error 2 "cl100k_base.tiktoken:124: expected" 'x' tokenize --tokenizer "$work/cl100k_base.tiktoken"
printf 'not base64! 0\n' >"$work/corrupt.tiktoken"
expect_error 2 "corrupt.tiktoken:1" 'x' tokenize --tokenizer "$work/corrupt.tiktoken" --encoding cl100k_base
head -c 5000 "$work/qwen3/tokenizer.json" >"$work/truncated.json"
expect_error 2 "truncated.json" 'x' tokenize --tokenizer "$work/truncated.json"
expect_error 2 "not in the vocabulary" '1 100261' tokenize --tokenizer "$cl100k" --decode
expect_error 2 "token ids" '1 x' tokenize --tokenizer "$cl100k" --decode
expect_error 2 "--tokenizer is required" 'x' tokenize
expect_error 2 "unknown option '--bogus'" 'x' tokenize --tokenizer "$cl100k" --bogus
"$yuqing" tokenize --help | grep -q -- '--allow-special' && pass || fail "tokenize --help"

finish "cli tokenize"
