#!/usr/bin/env bash
# `make demo`: the whole pipeline on the bundled sample news site (serve it on a loopback port,
# crawl, analyse, alert, report), then a short look at the inference engine on the bundled models.
# YUQING_MODEL=PATH selects the LLM analyzer once it exists; DEMO_OUT=DIR moves the output.
set -euo pipefail
cd "$(dirname "$0")/.."
yuqing=build/yuqing
data=tests/data
out=${DEMO_OUT:-build/demo}
echo "== the pipeline: sample news site -> crawl -> analyze -> alerts -> report"
$yuqing demo --out "$out"
echo
echo "== the engine: stories260K (llama2.c checkpoint) greedy continuation of token ids [1 461 378 455]"
$yuqing generate --model $data/models/stories260K/stories260K.bin --prompt-ids "1 461 378 455" \
  --print-ids --temperature 0 --max-tokens 48
tok=$(mktemp -d)
trap 'rm -rf "$tok"' EXIT
gzip -dc $data/tokenizers/qwen3/tokenizer.json.gz >"$tok/tokenizer.json"
cp $data/tokenizers/qwen3/tokenizer_config.json "$tok/"
echo
echo "== the Qwen3 tokenizer on a news sentence, and back"
news='阿里巴巴集团今日发布2026财年第三季度业绩，营收同比增长8%。'
printf '%s' "$news" | $yuqing tokenize --tokenizer "$tok"
printf '%s' "$news" | $yuqing tokenize --tokenizer "$tok" | $yuqing tokenize --tokenizer "$tok" --decode
echo
