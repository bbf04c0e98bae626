#!/usr/bin/env bash
# Exact formats against llama.cpp: the same F32 GGUF quantized by llama-quantize (no importance
# matrix) and by `yuqing quantize` to q8_0, q4_0, q4_k_m and q5_k_m, compared tensor by tensor
# (type chosen, byte-identical blocks, RMSE of each against the F32 values); also yuqing's
# output made straight from the Hugging Face folder. Models: the tests/data/hf fixtures and a
# random model of Qwen2.5-0.5B's widths (tools/compare_llamacpp_models.py prepare), converted to
# F32 GGUF by llama.cpp's convert_hf_to_gguf.py. With --oracle, rewrites the committed
# llama-quantize outputs tests/data/quant/llamacpp-mix-*.gguf that tests/test_quant_llamacpp.c
# reproduces.
#
#   tools/compare_llamacpp_quantize.sh LLAMA_CPP_DIR [WORKDIR] [--oracle]
#
# LLAMA_CPP_DIR: a llama.cpp source tree built in LLAMA_CPP_DIR/build (llama-quantize; gguf-py
# and convert_hf_to_gguf.py are used from the tree). WORKDIR (default /tmp/yq-llamacpp-cmp)
# keeps the models and files. PYTHON (default /work/venv/bin/python) needs torch,
# transformers, numpy and sentencepiece (PYTHONPATH may point at a `pip install --target` of
# it). Needs build/yuqing (make). Prints one table row per model and type.
set -euo pipefail

# shellcheck source=bench/common.bash
source "$(dirname "$0")/../bench/common.bash"
usage_unless $# 1
use_llamacpp_tree "$1"
shift
work=/tmp/yq-llamacpp-cmp
oracle=0
for a in "$@"; do
    case $a in
        --oracle) oracle=1 ;;
        *) work=$a ;;
    esac
done
py=${PYTHON:-/work/venv/bin/python}
helper=$root/tools/compare_llamacpp_models.py
yuqing=$root/build/yuqing
quantize=$llama/build/bin/llama-quantize
require_files "$yuqing" "$quantize" "$llama/convert_hf_to_gguf.py"
mkdir -p "$work"
cd "$work"

if [ "$oracle" = 1 ]; then
    "$py" "$helper" mix mix-f32.gguf
    for t in q8_0 q4_0 q4_k_m q5_k_m; do
        "$quantize" mix-f32.gguf "$root/tests/data/quant/llamacpp-mix-$t.gguf" "${t^^}" 1 >/dev/null 2>&1
    done
    ls -l "$root"/tests/data/quant/llamacpp-mix-*.gguf
    exit 0
fi

echo "compare_llamacpp_quantize: preparing the models in $work" >&2
"$py" "$helper" prepare "$work" >/dev/null
models=(llama qwen2 qwen3 qwen25)
for m in "${models[@]}"; do
    [ -f "$m-f32.gguf" ] || "$py" "$helper" convert "$llama" "$m" "$m-f32.gguf" f32 >"$m-convert.log" 2>&1
done

printf '%-7s %-7s | %-28s | %-26s | %s\n' model type "from F32 GGUF: same/blocks" "RMSE llama.cpp / yuqing" \
    "from HF folder: same/blocks"
for m in "${models[@]}"; do
    for t in q8_0 q4_0 q4_k_m q5_k_m; do
        echo "compare_llamacpp_quantize: $m $t" >&2
        "$quantize" "$m-f32.gguf" "$m-llama-$t.gguf" "${t^^}" 2 >"$m-$t-quantize.log" 2>&1
        "$yuqing" quantize "$m-f32.gguf" "$m-yuqing-$t.gguf" --type "$t" --quiet
        "$yuqing" quantize "$m" "$m-yuqing-hf-$t.gguf" --type "$t" --quiet
        "$py" "$helper" quant "$m-f32.gguf" "$m-llama-$t.gguf" "$m-yuqing-$t.gguf" >"$m-$t.cmp"
        "$py" "$helper" quant "$m-f32.gguf" "$m-llama-$t.gguf" "$m-yuqing-hf-$t.gguf" >"$m-$t-hf.cmp"
        read -r _ _ _ same _ blocks _ ident _ rl _ ry < <(tail -1 "$m-$t.cmp")
        read -r _ _ _ _ _ blocks_hf _ ident_hf _ _ _ _ < <(tail -1 "$m-$t-hf.cmp")
        printf '%-7s %-7s | types %3s same, %8s/%-8s | %-11s / %-11s | %8s/%-8s\n' "$m" "$t" "$same" "$ident" \
            "$blocks" "$rl" "$ry" "$ident_hf" "$blocks_hf"
        grep -v '^tensors' "$m-$t.cmp" "$m-$t-hf.cmp" || true
    done
done
