#!/usr/bin/env bash
# Tokenizer benchmark, side by side: yuqing's single-thread encode throughput over a corpus for
# cl100k_base, o200k_base (vs PyPI tiktoken) and Qwen3 (vs Hugging Face tokenizers) with the
# ratios; batch encoding over 1, 2, 4, ... threads; then the cost of ever longer pre-tokens,
# also side by side.
# Usage: bench/bench_tokenizer.sh [CORPUS]   (after `make`; BENCH=... another bench_tokenizer
# binary; PYTHON=... a Python with tiktoken
# and tokenizers, default /work/venv-tok/bin/python; without one only yuqing's side is shown)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/data/corpus/zh_en_mixed.txt}
python=${PYTHON:-/work/venv-tok/bin/python}
bench=${BENCH:-build/bench_tokenizer}
data=tests/data/tokenizers
threads=${THREADS:-$(nproc)}
[[ -x $bench ]] || { echo "build first: make" >&2; exit 2; }
[[ -f $corpus ]] || { echo "no corpus at $corpus" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/qwen3"
gzip -dc "$data/qwen3/tokenizer.json.gz" >"$work/qwen3/tokenizer.json"
cp "$data/qwen3/tokenizer_config.json" "$work/qwen3/"
cp "$data"/*.tiktoken "$data"/*.json "$work/"

declare -A ours
for name in cl100k_base o200k_base qwen3; do
  path=$work/$name.tiktoken
  [[ $name == qwen3 ]] && path=$work/qwen3
  "$bench" "$path" "$corpus" --threads "$threads" >"$work/$name.out"
  ours[$name]=$(awk '/^MB_per_s/ {print $2}' "$work/$name.out")
done

declare -A ref
if "$python" -c 'import tiktoken, tokenizers' 2>/dev/null; then
  "$python" bench/bench_tokenizer.py "$work" "$corpus" >"$work/ref.out"
  for name in cl100k_base o200k_base qwen3; do
    key=tiktoken_$name; [[ $name == qwen3 ]] && key=hf_$name
    ref[$name]=$(awk -v k="$key" '$1 == k {print $2}' "$work/ref.out")
    theirs=$(awk -v k="$key" '$1 == k {print $4}' "$work/ref.out")
    mine=$(awk '/^tokens / {print $2}' "$work/$name.out")
    [[ $mine == "$theirs" ]] || echo "WARNING: $name: $mine tokens here, $theirs in the reference"
  done
else
  echo "($python lacks tiktoken/tokenizers: reference side skipped)"
fi

echo "single thread, $(du -h "$corpus" | cut -f1) corpus in ~4 KB documents: $corpus"
printf '%-12s %12s %14s %-22s %12s %8s\n' tokenizer "yuqing MB/s" "yuqing tok/s" reference "ref MB/s" ratio
for name in cl100k_base o200k_base qwen3; do
  refname="tiktoken $name"; [[ $name == qwen3 ]] && refname="HF tokenizers qwen3"
  r=${ref[$name]:-}
  ratio=$([[ -n $r ]] && awk -v a="${ours[$name]}" -v b="$r" 'BEGIN {printf "%.2fx", a / b}' || echo -)
  printf '%-12s %12s %14s %-22s %12s %8s\n' "$name" "${ours[$name]}" \
    "$(awk '/^tokens_per_s/ {print $2}' "$work/$name.out")" "$refname" "${r:--}" "$ratio"
done

echo
echo "batch encoding (count only) by threads: MB/s of wall time, and MB per CPU second"
echo "(the second flat = the threads add no work, so wall time scales with the cores free):"
for name in cl100k_base o200k_base qwen3; do
  printf '%-12s' "$name"
  awk '/^batch_threads_.*_MB_per_s / {split($1, f, "_"); printf "  %s: %s", f[3], $2}
       /^batch_threads_.*_MB_per_cpu_s / {printf " (%s per CPU s)", $2} END {print ""}' "$work/$name.out"
done

echo
echo "pre-tokens of N bytes, 1 MB of them: us per KB (flat = linear cost), reference's in ()"
: >"$work/ref.long"
if [[ -n ${ref[qwen3]:-} ]]; then "$python" bench/bench_tokenizer.py "$work" --long >"$work/ref.long"; fi
for name in cl100k_base o200k_base qwen3; do
  path=$work/$name.tiktoken
  [[ $name == qwen3 ]] && path=$work/qwen3
  "$bench" "$path" --long >"$work/$name.long"
  for kind in cjk letters; do
    printf '%-12s %-8s' "$name" "$kind"
    awk -v k="$kind" -v n="$name" '
      FILENAME == ARGV[1] && $1 ~ "^" n "_long_" k "_" {split($1, f, "_"); ref[f[length(f) - 3]] = $2; next}
      $1 ~ "^long_" k "_[0-9]+_us_per_KB$" {split($1, f, "_"); r = f[3] in ref ? " (" ref[f[3]] ")" : "";
        printf "  %s B: %s%s", f[3], $2, r}
      END {print ""}' "$work/ref.long" "$work/$name.long"
  done
done
