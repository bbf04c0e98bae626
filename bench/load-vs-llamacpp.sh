#!/usr/bin/env bash
# Start-up against llama.cpp: the wall time from starting the process to its exit after one
# token, and the peak resident memory, for the GGUF files of bench/vs-llamacpp.sh. yuqing:
# `yuqing generate --max-tokens 1` from a one-token prompt (open, map, pack the weights, two
# forward passes); llama.cpp: `llama-bench -p 0 -n 1 -r 1` (load, its warm-up pass and one
# token). Medians of RUNS runs, the engines interleaved, the files already in the page cache (a
# first untimed run of each).
#
#   bench/load-vs-llamacpp.sh LLAMA_CPP_DIR [GGUF_DIR]
#
# Environment: RUNS (default 5), THREADS (default 2), TYPES and SIZES as in vs-llamacpp.sh.
set -euo pipefail

# shellcheck source=bench/common.bash
source "$(dirname "$0")/common.bash"
usage_unless $# 1
lcpp=$1
ggufdir=${2:-$root/build/bench-gguf}
runs=${RUNS:-5}
threads=${THREADS:-2}
types=${TYPES:-f16 q8_0 q4_0 q4_k_m}
sizes=${SIZES:-0.5b 1.5b}
yuqing=$root/build/yuqing
bench=$(llamacpp_tool "$lcpp" llama-bench)
require_files "$yuqing"

measure() { # command...: prints its wall time in seconds and its peak resident memory in MB
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
if subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
    sys.exit("load-vs-llamacpp: failed: " + " ".join(sys.argv[1:]))
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%.3f %.0f" % (time.monotonic() - start, peak_kb / 1024))
PY
}
run_yuqing() { measure "$yuqing" generate --model "$1" --prompt-ids 1000 --max-tokens 1 --temperature 0 --threads "$threads"; }
run_llama() { measure "$bench" -m "$1" -p 0 -n 1 -r 1 -t "$threads"; }

echo "load-vs-llamacpp: $(date -u '+%F %T') UTC, $threads threads, median of $runs interleaved runs"
printf '%-12s %10s %10s %7s | %10s %10s\n' file "yuqing s" "llama s" ratio "yuqing MB" "llama MB"
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
def medians(runs):
    v = list(map(float, runs.split()))
    return statistics.median(v[0::2]), statistics.median(v[1::2])
(yq, yq_mb), (ll, ll_mb) = medians(sys.argv[2]), medians(sys.argv[3])
print("%-12s %10.2f %10.2f %7.2f | %10.0f %10.0f" % (sys.argv[1], yq, ll, ll / yq, yq_mb, ll_mb))
PY
    done
done
echo "ratio = llama.cpp's time / yuqing's (above 1: yuqing starts faster)"
