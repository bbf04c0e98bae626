#!/usr/bin/env bash
# Makes the benchmark GGUF files for bench/vs-llamacpp.sh and bench/vs-llamaserver.sh with yuqing
# itself: a Qwen2.5-0.5B-shaped Hugging Face folder with random bf16 weights (written by the
# library's yq_random_model_write, through a tiny C program compiled here), given the Qwen3
# tokenizer from shared/ when it is there (same 151936-row embedding; llama.cpp's server wants a
# vocabulary), then `yuqing quantize` to F16, Q8_0, Q4_0 and Q4_K_M.
#
#   tools/make_bench_gguf.sh OUTDIR [TYPE ...]     (types: f16 q8_0 q4_0 q4_k_m; default all four)
#
# Writes OUTDIR/qwen25-0.5b-random-{f16,q8_0,q4_0,q4_k_m}.gguf (about 1 GB, 0.5 GB, 0.35 GB,
# 0.4 GB) and removes the 1 GB bf16 folder afterwards (KEEP_HF=1 keeps it in OUTDIR/hf-SIZE).
# SIZE=1.5b makes the Qwen2.5-1.5B-shaped files qwen25-1.5b-random-*.gguf instead (3.1 GB of
# bf16, then 3.1, 1.6, 0.9 and 1.0 GB); SIZE=7b the Qwen2.5-7B-shaped ones (15.2 GB of bf16;
# Q4_0 4.4 GB, Q4_K_M 4.7 GB, as the published Qwen2.5-7B-Instruct Q4_K_M file).
# Needs `make` (build/yuqing and build/libyuqing_core.a). TOKENIZER_DIR overrides the tokenizer
# folder; TOKENIZER_DIR=none makes GGUF files without a vocabulary.
set -euo pipefail

# shellcheck source=bench/common.bash
source "$(dirname "$0")/../bench/common.bash"
usage_unless $# 1
outdir=$1
shift
types=("$@")
[ ${#types[@]} -gt 0 ] || types=(f16 q8_0 q4_0 q4_k_m)
yuqing=$root/build/yuqing
lib=$root/build/libyuqing_core.a
require_files "$yuqing" "$lib"
tokdir=${TOKENIZER_DIR:-$root/../shared/data/tokenizers/qwen3}

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
size=${SIZE:-0.5b}
case $size in
0.5b) shape=yq_random_model_qwen25_05b ;;
1.5b) shape=yq_random_model_qwen25_15b ;;
7b) shape=yq_random_model_qwen25_7b ;;
*) echo "make_bench_gguf: SIZE is 0.5b, 1.5b or 7b, not $size" >&2; exit 2 ;;
esac
hf=$outdir/hf-$size
work=$(mktemp -d "${TMPDIR:-/tmp}/make_bench_gguf.XXXXXX")
cleanup() {
    rm -rf "$work"
    [ "${KEEP_HF:-0}" = 1 ] || rm -rf "$hf"
}
trap cleanup EXIT

cat >"$work/write_random.c" <<'C'
#include <stdio.h>
#include "yuqing/error.h"
#include "yuqing/random_model.h"

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    yq_random_model_shape shape = SHAPE();
    size_t bytes = 0;
    if (yq_random_model_write(argv[1], &shape, &bytes)) {
        fprintf(stderr, "write_random: %s\n", yq_last_error());
        return 1;
    }
    printf("%zu\n", bytes);
    return 0;
}
C
# shellcheck disable=SC2046
cc -std=c17 -O2 -D_GNU_SOURCE -DSHAPE="$shape" -I"$root/include" "$work/write_random.c" "$lib" \
    $(pkg-config --libs libcjson libpcre2-8 libmicrohttpd libxml-2.0 uchardet libcurl 2>/dev/null ||
        echo -lcjson -lpcre2-8 -lmicrohttpd -lxml2 -luchardet -lcurl) -lpthread -lm -ldl -o "$work/write_random"

if [ ! -f "$hf/model.safetensors" ]; then
    rm -rf "$hf" && mkdir -p "$hf"
    echo "make_bench_gguf: writing the random Qwen2.5-$size-shaped bf16 folder $hf" >&2
    step_bytes=$("$work/write_random" "$hf")
    echo "make_bench_gguf: $step_bytes bytes of weights read per decode step (bf16)" >&2
fi
if [ "$tokdir" != none ]; then
    if [ -f "$tokdir/tokenizer.json" ]; then
        cp "$tokdir/tokenizer.json" "$hf/"
        [ -f "$tokdir/tokenizer_config.json" ] && cp "$tokdir/tokenizer_config.json" "$hf/"
    else
        echo "make_bench_gguf: no tokenizer.json in $tokdir; the GGUF files get no vocabulary" >&2
    fi
fi

for t in "${types[@]}"; do
    out=$outdir/qwen25-$size-random-$t.gguf
    echo "make_bench_gguf: $out" >&2
    "$yuqing" quantize "$hf" "$out" --type "$t" --quiet
done
ls -l "$outdir"/qwen25-"$size"-random-*.gguf
