#!/usr/bin/env bash
# `make demo` until the pipeline demo lands: the engine generating from the bundled models.
set -euo pipefail
cd "$(dirname "$0")/.."
yuqing=build/yuqing
data=tests/data
echo "== stories260K (llama2.c checkpoint, run by token ids): greedy continuation of [1 461 378 455]"
$yuqing generate --model $data/models/stories260K/stories260K.bin --prompt-ids "1 461 378 455" \
  --print-ids --temperature 0 --max-tokens 48
echo
echo "== a tiny Qwen2 checkpoint (bf16 safetensors), sampled with its generation_config.json defaults"
$yuqing generate --model $data/hf/qwen2 --prompt-ids "151 9 26 1024" --print-ids --max-tokens 24 --seed 1
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
echo
echo "== chat with a tiny random Qwen3 (real vocabulary and chat template; its replies are noise)"
printf '你好，请介绍一下阿里巴巴。\nThanks!\n' |
  $yuqing chat --model $data/hf/qwen3-chat --tokenizer "$tok" --max-tokens 12 --temperature 0
echo
echo "== article extraction from a GBK page that declares the wrong charset"
$yuqing extract $data/extract/gbk_mislabeled.html --url https://news.example.cn/2024/0130/1.html
