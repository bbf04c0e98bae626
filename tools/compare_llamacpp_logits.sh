#!/usr/bin/env bash
# Logits against llama.cpp on the same GGUF files: at every position of a 64-token prompt
# (random ids, OUTDIR/prompt.txt), the cosine similarity of yuqing's logits (build/dump_logits)
# and llama.cpp's (ORACLE: a program linked against libllama, kept outside this repository, with
# the usage `ORACLE MODEL.gguf "ID ..." OUT.bin THREADS`, writing positions x vocabulary float32),
# and whether the top-1 tokens agree. Files: F16, Q8_0 and Q4_K_M of the tests/data/hf fixtures
# and of a random model of Qwen2.5-0.5B's widths (tools/compare_llamacpp_models.py prepare),
# made both by llama.cpp (convert_hf_to_gguf.py, then llama-quantize from its F32 file) and by
# `yuqing quantize` from the Hugging Face folder.
#
#   tools/compare_llamacpp_logits.sh LLAMA_CPP_DIR ORACLE [WORKDIR]
#
# WORKDIR (default /tmp/yq-llamacpp-cmp, shared with compare_llamacpp_quantize.sh) keeps the
# files. PYTHON as in compare_llamacpp_quantize.sh; MODELS (default "llama qwen2 qwen3 qwen25")
# picks models. Needs build/yuqing and build/dump_logits.
# Prints one row per file: the smallest cosine over the positions and the top-1 agreement of
# the two engines, over all positions and over those llama.cpp decides (its top-1 logit above
# its second by more than 0.1; below that the order of float sums picks the winner); for
# scale, the same for each engine against llama.cpp's logits of the F32 file (the quantization
# error itself); last, whether yuqing's logits for the prompt fed one token per forward pass are
# bit-identical to those of the whole prompt in one pass.
set -euo pipefail

# shellcheck source=bench/common.bash
source "$(dirname "$0")/../bench/common.bash"
usage_unless $# 2
use_llamacpp_tree "$1"
oracle=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
work=${3:-/tmp/yq-llamacpp-cmp}
py=${PYTHON:-/work/venv/bin/python}
helper=$root/tools/compare_llamacpp_models.py
yuqing=$root/build/yuqing
dump=$root/build/dump_logits
quantize=$llama/build/bin/llama-quantize
require_files "$yuqing" "$dump" "$oracle" "$quantize" "$llama/convert_hf_to_gguf.py"
mkdir -p "$work"
cd "$work"
[ -f prompt.txt ] && [ -d qwen25 ] || "$py" "$helper" prepare "$work" >/dev/null
prompt=$(cat prompt.txt)
threads=${THREADS:-2}

# file for (model, maker, type): llama.cpp's or yuqing's
make_file() {
    local m=$1 maker=$2 t=$3 out=$1-$2-$3.gguf
    if [ ! -f "$out" ]; then
        echo "compare_llamacpp_logits: making $out" >&2
        if [ "$maker" = yuqing ]; then
            "$yuqing" quantize "$m" "$out" --type "$t" --quiet
        elif [ "$t" = f16 ]; then
            "$py" "$helper" convert "$llama" "$m" "$out" f16 >"$out.log" 2>&1
        else
            [ -f "$m-f32.gguf" ] || "$py" "$helper" convert "$llama" "$m" "$m-f32.gguf" f32 >"$m-convert.log" 2>&1
            "$quantize" "$m-f32.gguf" "$out" "${t^^}" 2 >"$out.log" 2>&1
        fi
    fi
    echo "$out"
}

printf '%-26s | %-35s | %-22s | %-22s | %s\n' file "yuqing vs llama.cpp" "llama.cpp vs its F32" \
    "yuqing vs llama.cpp F32" "yuqing 1 by 1"
for m in ${MODELS:-llama qwen2 qwen3 qwen25}; do
    [ -f "$m-f32.gguf" ] || "$py" "$helper" convert "$llama" "$m" "$m-f32.gguf" f32 >"$m-convert.log" 2>&1
    "$oracle" "$m-f32.gguf" "$prompt" "$m-f32.gguf.llama.bin" "$threads" >/dev/null
    for maker in llama yuqing; do
        for t in f16 q8_0 q4_k_m; do
            f=$(make_file "$m" "$maker" "$t")
            "$oracle" "$f" "$prompt" "$f.llama.bin" "$threads" >/dev/null
            "$dump" "$f" "$prompt" "$f.yuqing.bin" "$threads"
            "$dump" "$f" "$prompt" "$f.yuqing1.bin" "$threads" 64 1
            if cmp -s "$f.yuqing.bin" "$f.yuqing1.bin"; then one=identical; else one=differs; fi
            read -r _ cos _ top1 _ decided < <("$py" "$helper" logits "$f.llama.bin" "$f.yuqing.bin")
            read -r _ cos_l _ top1_l _ < <("$py" "$helper" logits "$m-f32.gguf.llama.bin" "$f.llama.bin")
            read -r _ cos_y _ top1_y _ < <("$py" "$helper" logits "$m-f32.gguf.llama.bin" "$f.yuqing.bin")
            printf '%-26s | %-8s %5s top-1, %5s decided | %-8s %5s top-1 | %-8s %5s top-1 | %s\n' "$f" "$cos" \
                "$top1" "$decided" "$cos_l" "$top1_l" "$cos_y" "$top1_y" "$one"
        done
    done
done
