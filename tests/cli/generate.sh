#!/usr/bin/env bash
# `yuqing generate` end to end: llama2.c run.c's greedy ids for stories260K, transformers' greedy
# ids for the HF fixtures (flags overriding generation_config.json), and bad usage/input giving a
# one-line error and exit 2. Usage: generate.sh YUQING TESTDATA
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"

# The 4th case of expected.json: prompt [1 461 378 455], all margins >= 3.8e-3.
stories=$data/models/stories260K/stories260K.bin
expected=$(awk '/"generated_token_ids"/ {n++; if (n == 4) {f = 1; next}} f && /\]/ {exit} f {gsub(/[ ,]/, ""); printf "%s ", $0}' \
  "$data/models/stories260K/expected.json")
for threads in 1 2; do
  got=$("$yuqing" generate --model "$stories" --prompt-ids "1 461 378 455" --print-ids --temperature 0 \
    --max-tokens 253 --threads $threads --quiet)
  [[ "$got " == "$expected" ]] && pass || fail "stories260K greedy ids at $threads threads: $got"
done

# transformers' greedy ids; the fixture's generation_config.json samples, --temperature 0 overrides.
reference=$data/hf/llama/reference.json
prompt=$(grep -o '"prompt_ids": \[[^]]*\]' "$reference" | head -1 | sed 's/.*\[//; s/\]//; s/,//g')
greedy=$(grep -o '"greedy_ids": \[[^]]*\]' "$reference" | head -1 | sed 's/.*\[//; s/\]//; s/,//g')
got=$("$yuqing" generate --model "$data/hf/llama" --prompt-ids "$prompt" --print-ids --temperature 0 --max-tokens 16 2>/dev/null)
[[ "$got" == "$greedy" ]] && pass || fail "llama greedy ids: $got vs $greedy"

# Seeded sampling is reproducible.
a=$("$yuqing" generate --model "$data/hf/qwen2" --prompt-ids "5 6 7" --print-ids --seed 7 --max-tokens 20 2>/dev/null)
b=$("$yuqing" generate --model "$data/hf/qwen2" --prompt-ids "5 6 7" --print-ids --seed 7 --max-tokens 20 2>/dev/null)
[[ -n "$a" && "$a" == "$b" ]] && pass || fail "seeded sampling differs: $a / $b"

"$yuqing" --version | grep -q '^yuqing [0-9]' && pass || fail "--version"
"$yuqing" generate --help | grep -q -- '--prompt-ids' && pass || fail "generate --help"

expect_error 2 "--temperature" '' generate --model "$stories" --prompt-ids 1 --temperature abc
expect_error 2 "--max-tokens" '' generate --model "$stories" --prompt-ids 1 --max-tokens -1
expect_error 2 "--top-p" '' generate --model "$stories" --prompt-ids 1 --top-p 1.5
expect_error 2 "--threads" '' generate --model "$stories" --prompt-ids 1 --threads 0
expect_error 2 "unknown option '--bogus'" '' generate --model "$stories" --prompt-ids 1 --bogus
expect_error 2 "--model is required" '' generate --prompt-ids 1
expect_error 2 "--prompt-ids" '' generate --model "$stories" --prompt-ids "1 x"
expect_error 2 "/nonexistent/model" '' generate --model /nonexistent/model --prompt-ids 1
expect_error 2 "no tokenizer" '' generate --model "$stories" --prompt "Once upon a time"
expect_error 2 "outside the vocabulary" '' generate --model "$stories" --prompt-ids "1 512" --print-ids
expect_error 2 "context is 512" '' generate --model "$stories" --prompt-ids "$(seq -s ' ' 1 513)" --print-ids
expect_error 2 "unknown command" '' frobnicate

finish "cli generate"
