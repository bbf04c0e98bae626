#!/usr/bin/env bash
# Quantization quality next to llama.cpp's, where quantization error shows: on random-weight
# models whose outputs are peaked (the tests/data/hf fixtures, logits' std about 3.2, and a
# random model of Qwen2.5-0.5B's widths with std about 2.4: tools/compare_llamacpp_models.py
# prepare), the KL divergence of each type's next-token distributions from the F32 file's and the
# top-1 agreement, over the same text (bench/kl-text.txt: README.md as it was at commit 151d8e9,
# kept fixed so that the figures stay comparable) and the same positions as
# `llama-perplexity --kl-divergence` scores (chunks of 128 tokens, the second half of each):
#   - llama-perplexity's own figures (its base logits are stored as 16-bit log-probabilities),
#   - llama.cpp's logits dumped by ORACLE (a program linked against libllama, kept outside the
#     repository, see tools/compare_llamacpp_logits.sh; `ORACLE MODEL @TEXT -` prints the text's
#     token ids) against its own F32 logits,
#   - yuqing's (build/dump_logits) against its own F32 logits.
# The files: F16 by convert_hf_to_gguf.py, the others by llama-quantize from the F32 file; they
# are byte for byte what `yuqing quantize` writes (tools/compare_llamacpp_quantize.sh).
#
#   bench/kl_vs_llamacpp.sh LLAMA_CPP_DIR ORACLE [WORKDIR]
#
# WORKDIR (default /tmp/yq-llamacpp-cmp) is shared with the tools/compare_llamacpp_*.sh scripts.
# PYTHON as there. CHUNKS (default 8) chunks of 128 tokens; THREADS (default 2); TYPES (default
# "f16 q8_0 q4_0 q4_k_m q5_k_m").
set -euo pipefail

# shellcheck source=bench/common.bash
source "$(dirname "$0")/common.bash"
usage_unless $# 2
use_llamacpp_tree "$1"
oracle=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
work=${3:-/tmp/yq-llamacpp-cmp}
py=${PYTHON:-/work/venv/bin/python}
helper=$root/tools/compare_llamacpp_models.py
dump=$root/build/dump_logits
quantize=$llama/build/bin/llama-quantize
perplexity=$llama/build/bin/llama-perplexity
require_files "$dump" "$oracle" "$quantize" "$perplexity" "$llama/convert_hf_to_gguf.py"
chunks=${CHUNKS:-8}
threads=${THREADS:-2}
ctx=128
n=$((chunks * ctx))
mkdir -p "$work"
cd "$work"
[ -f prompt.txt ] && [ -d qwen25 ] || "$py" "$helper" prepare "$work" >/dev/null
cp "$root/bench/kl-text.txt" kl-text.txt

file_for() { # model, type: llama.cpp's file (the F32 one named as the other scripts name it)
    local m=$1 t=$2 out=$1-llama-$2.gguf
    [ "$t" = f32 ] && out=$1-f32.gguf
    if [ ! -f "$out" ]; then
        echo "kl_vs_llamacpp: making $out" >&2
        if [ "$t" = f16 ] || [ "$t" = f32 ]; then
            "$py" "$helper" convert "$llama" "$m" "$out" "$t" >"$out.log" 2>&1
        else
            "$quantize" "$(file_for "$m" f32)" "$out" "${t^^}" 2 >"$out.log" 2>&1
        fi
    fi
    echo "$out"
}

perplexity_kl() { # model file, base .kld; prints "KLD SAME_TOP%" (read from a log file; its last
    # lines are sometimes lost when llama.cpp's logger thread stops at exit, so up to 3 tries)
    local _ result=""
    for _ in 1 2 3; do
        rm -f "$1.kl.log"
        "$perplexity" -m "$1" -f kl-text.txt -c $ctx -b $ctx --chunks "$chunks" -t "$threads" -ctk f32 -ctv f32 \
            -fa off --kl-divergence-base "$2" --kl-divergence --log-file "$1.kl.log" >/dev/null 2>&1
        result=$(awk '{ for (i = 2; i <= NF; i++) {
                           if ($(i - 1) == "Mean" && $i == "KLD:") k = $(i + 1)
                           if ($(i - 2) == "Same" && $(i - 1) == "top" && $i == "p:") p = $(i + 1) } }
                     END { if (k != "" && p != "") print k, p }' "$1.kl.log")
        [ -n "$result" ] && break
    done
    echo "${result:-? ?}"
}

printf '%-7s %-7s | %-24s | %-28s | %s\n' model type "llama-perplexity KLD top%" "llama.cpp logits KLD top-1" \
    "yuqing logits KLD top-1"
for m in llama qwen2 qwen3 qwen25; do
    f32=$(file_for "$m" f32)
    ids=$("$oracle" "$f32" @kl-text.txt - | awk -v n=$n '{ for (i = 1; i <= n && i <= NF; i++) printf "%s ", $i }')
    [ "$(wc -w <<<"$ids")" -eq "$n" ] || { echo "kl_vs_llamacpp: the text is too short for $m" >&2; exit 1; }
    "$perplexity" -m "$f32" -f kl-text.txt -c $ctx -b $ctx --chunks "$chunks" -t "$threads" -ctk f32 -ctv f32 \
        -fa off --kl-divergence-base "$m.kld" >"$m-kl-base.log" 2>&1
    "$oracle" "$f32" "$ids" "$m-kl-f32.llama.bin" "$threads" $ctx >/dev/null
    "$dump" "$f32" "$ids" "$m-kl-f32.yuqing.bin" "$threads" $ctx
    for t in ${TYPES:-f16 q8_0 q4_0 q4_k_m q5_k_m}; do
        echo "kl_vs_llamacpp: $m $t" >&2
        f=$(file_for "$m" "$t")
        read -r pk pt < <(perplexity_kl "$f" "$m.kld")
        "$oracle" "$f" "$ids" "$m-kl-$t.llama.bin" "$threads" $ctx >/dev/null
        "$dump" "$f" "$ids" "$m-kl-$t.yuqing.bin" "$threads" $ctx
        read -r _ lk _ _ _ lt _ < <("$py" "$helper" kl "$m-kl-f32.llama.bin" "$m-kl-$t.llama.bin" $n $ctx)
        read -r _ yk _ _ _ yt _ < <("$py" "$helper" kl "$m-kl-f32.yuqing.bin" "$m-kl-$t.yuqing.bin" $n $ctx)
        printf '%-7s %-7s | %-10s %-13s | %-12s %-15s | %-12s %s\n' "$m" "$t" "$pk" "$pt%" "$lk" "$lt" "$yk" "$yt"
    done
done
