#!/usr/bin/env bash
# Runs each fuzz target of build-fuzz for SECONDS (default 60), seeded with the committed GGUF and
# safetensors test files plus the regression inputs in tests/fuzz/regressions. New crashing
# inputs are left in build-fuzz/crashes/ (copy them to tests/fuzz/regressions and fix the bug).
#   tests/fuzz/run.sh [SECONDS]          (after `make fuzz` has built build-fuzz)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
build=$root/build-fuzz
mkdir -p "$build/crashes"
status=0
for target in gguf safetensors; do
    corpus=$build/corpus-$target
    mkdir -p "$corpus"
    case $target in
        gguf) seeds=("$root"/tests/data/gguf/*.gguf "$root"/tests/data/quant/*.gguf) ;;
        safetensors) seeds=("$root"/tests/data/hf/*/*.safetensors) ;;
    esac
    for seed in "${seeds[@]}"; do # seed files share names (model.safetensors): prefix the folder
        cp "$seed" "$corpus/$(basename "$(dirname "$seed")")-$(basename "$seed")"
    done
    cp "$root"/tests/fuzz/regressions/* "$corpus/" 2>/dev/null || true
    echo "fuzz: $target for ${seconds}s" >&2
    "$build/fuzz_$target" -max_total_time="$seconds" -max_len=1048576 -rss_limit_mb=4096 \
        -artifact_prefix="$build/crashes/$target-" -print_final_stats=1 "$corpus" || status=1
done
exit $status
