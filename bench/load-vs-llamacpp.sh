#!/usr/bin/env bash
# Start-up against llama.cpp: the wall time from starting the process to its exit after one
# token, for the GGUF files of bench/vs-llamacpp.sh. yuqing: `yuqing generate --max-tokens 1`
# from a one-token prompt (open, map, pack the weights, two forward passes); llama.cpp:
# `llama-bench -p 0 -n 1 -r 1` (load, its warm-up pass and one token). Medians of RUNS runs,
# the engines interleaved, the files already in the page cache (a first untimed run of each).
#
#   bench/load-vs-llamacpp.sh LLAMA_CPP_DIR [GGUF_DIR]
#
# Environment: RUNS (default 5), THREADS (default 2), TYPES and SIZES as in vs-llamacpp.sh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ]; then
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
lcpp=$1
ggufdir=${2:-$root/build/bench-gguf}
runs=${RUNS:-5}
threads=${THREADS:-2}
types=${TYPES:-f16 q8_0 q4_0 q4_k_m}
sizes=${SIZES:-0.5b 1.5b}
yuqing=$root/build/yuqing
bench=
for c in "$lcpp/build/bin/llama-bench" "$lcpp/bin/llama-bench" "$lcpp/llama-bench"; do
    [ -x "$c" ] && { bench=$c; break; }
done
[ -n "$bench" ] || { echo "load-vs-llamacpp: no llama-bench under $lcpp" >&2; exit 1; }
[ -x "$yuqing" ] || { echo "load-vs-llamacpp: $yuqing is missing (run make)" >&2; exit 1; }

seconds() { # command...: prints its wall time in seconds, fails with it
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "load-vs-llamacpp: failed: $*" >&2; return 1; }
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'
}
run_yuqing() { seconds "$yuqing" generate --model "$1" --prompt-ids 1000 --max-tokens 1 --temperature 0 --threads "$threads"; }
run_llama() { seconds "$bench" -m "$1" -p 0 -n 1 -r 1 -t "$threads"; }

echo "load-vs-llamacpp: $(date -u '+%F %T') UTC, $threads threads, median of $runs interleaved runs"
printf '%-12s %10s %10s %7s\n' file "yuqing s" "llama s" ratio
for size in $sizes; do
    for t in $types; do
        f=$ggufdir/qwen25-$size-random-$t.gguf
        [ -f "$f" ] || { echo "load-vs-llamacpp: $f is missing (tools/make_bench_gguf.sh)" >&2; exit 1; }
        run_yuqing "$f" >/dev/null
        run_llama "$f" >/dev/null
        yq=() ll=()
        for r in $(seq 1 "$runs"); do
            if [ $((r % 2)) = 1 ]; then
                yq+=("$(run_yuqing "$f")") ll+=("$(run_llama "$f")")
            else
                ll+=("$(run_llama "$f")") yq+=("$(run_yuqing "$f")")
            fi
        done
        python3 - "$size-$t" "${yq[*]}" "${ll[*]}" <<'PY'
import statistics, sys
yq = statistics.median(map(float, sys.argv[2].split()))
ll = statistics.median(map(float, sys.argv[3].split()))
print("%-12s %10.2f %10.2f %7.2f" % (sys.argv[1], yq, ll, ll / yq))
PY
    done
done
echo "ratio = llama.cpp's time / yuqing's (above 1: yuqing starts faster)"
