#!/usr/bin/env bash
# yuqing against llama.cpp's llama-bench on the same GGUF files: prompt processing of 512 tokens
# (pp512) and generation of 128 tokens (tg128) at 1 and 2 threads, the two engines interleaved
# run by run, medians of RUNS runs; tokens/s of both, their ratio (yuqing / llama.cpp), and
# decode's share of this machine's memory-bandwidth roofline (read bandwidth measured with the
# same thread count just before and just after each engine's run, as bench/bench_engine.c
# measures it, and the two averaged: the shared host's bandwidth moves over minutes, sometimes
# during a run; bytes per decode step = every weight tensor of the file, the token embedding
# counted once when it is also the LM head, else not at all).
#
#   bench/vs-llamacpp.sh LLAMA_CPP_DIR [GGUF_DIR]
#
# LLAMA_CPP_DIR: a built llama.cpp (llama-bench in build/bin/, bin/ or the folder itself).
# GGUF_DIR: the files of tools/make_bench_gguf.sh (default build/bench-gguf, made when missing).
# Environment: RUNS (default 5), THREADS (default "1 2"), TYPES (default "f16 q8_0 q4_0 q4_k_m"),
# SIZES (default "0.5b 1.5b": the Qwen2.5-0.5B- and 1.5B-shaped files).
# The machine should be otherwise idle; with other load the medians still move a little.
set -euo pipefail

# shellcheck source=bench/common.bash
source "$(dirname "$0")/common.bash"
usage_unless $# 1
lcpp=$1
ggufdir=${2:-$root/build/bench-gguf}
runs=${RUNS:-5}
threads_list=${THREADS:-1 2}
types=${TYPES:-f16 q8_0 q4_0 q4_k_m}
sizes=${SIZES:-0.5b 1.5b}
yuqing=$root/build/yuqing

bench=$(llamacpp_tool "$lcpp" llama-bench)
require_files "$yuqing"
for size in $sizes; do
    for t in $types; do
        if [ ! -f "$ggufdir/qwen25-$size-random-$t.gguf" ]; then
            echo "vs-llamacpp: making the $size GGUF files in $ggufdir" >&2
            # shellcheck disable=SC2086
            SIZE=$size "$root/tools/make_bench_gguf.sh" "$ggufdir" $types >&2
            break
        fi
    done
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vs-llamacpp.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Read bandwidth (bytes/s) at THREADS threads, with yuqing's own thread pool (the bench_engine probe).
probe_bandwidth() { "$root/build/bench_bandwidth" "$1" | cut -d' ' -f2; }

# Bytes of weights read per decode step of a GGUF file, from its tensor table.
cat >"$work/step_bytes.py" <<'PY'
import os, struct, sys

def step_bytes(path):
    f = open(path, "rb")
    def rd(fmt):
        return struct.unpack("<" + fmt, f.read(struct.calcsize("<" + fmt)))[0]
    def rstr():
        return f.read(rd("Q")).decode("utf-8", "replace")
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
    def skip(t):
        if t == 8: rstr()
        elif t == 9:
            et, n = rd("I"), rd("Q")
            if et in sizes: f.seek(sizes[et] * n, 1)
            else:
                for _ in range(n): skip(et)
        else: f.seek(sizes[t], 1)
    if f.read(4) != b"GGUF": raise SystemExit(path + ": not GGUF")
    rd("I"); n_tensors, n_kv = rd("Q"), rd("Q")
    align = 32
    for _ in range(n_kv):
        key, t = rstr(), rd("I")
        if key == "general.alignment" and t == 4: align = rd("I")
        else: skip(t)
    infos = []
    for _ in range(n_tensors):
        name = rstr(); nd = rd("I")
        for _ in range(nd): rd("Q")
        rd("I"); infos.append((rd("Q"), name))
    start = (f.tell() + align - 1) // align * align
    end = os.path.getsize(path) - start
    infos.sort()
    size = {name: (infos[i + 1][0] if i + 1 < len(infos) else end) - off for i, (off, name) in enumerate(infos)}
    total = sum(size.values())
    if "output.weight" in size: total -= size.get("token_embd.weight", 0)
    return total

for p in sys.argv[1:]:
    print(p, step_bytes(p))
PY

echo "vs-llamacpp: $(date -u '+%F %T') UTC, $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
echo "vs-llamacpp: llama-bench $bench ($("$bench" --version 2>&1 | grep -m1 -i version || true))"
echo "vs-llamacpp: yuqing $root/build/yuqing; runs per cell: $runs (median); interleaved yuqing/llama.cpp"
[ "$runs" -ge 5 ] || echo "vs-llamacpp: NOTE: only $runs runs per cell (fewer than 5)"

python3 - "$work/ids.txt" <<'PY'
import random, sys
r = random.Random(20261129)  # ordinary-text ids: no special token, no EOS
open(sys.argv[1], "w").write(" ".join(str(r.randrange(1000, 150000)) for _ in range(512)))
PY
ids=$(cat "$work/ids.txt")

results=$work/results.tsv
: >"$results"
# One `yuqing generate` run: prints "PROMPT_TOKENS PROMPT_TOK/S GENERATED GEN_TOK/S".
yuqing_timing() { # file threads prompt-ids max-tokens
    local err=$work/yq.err
    if ! "$yuqing" generate --model "$1" --prompt-ids "$3" --max-tokens "$4" --print-ids --temperature 0 \
        --threads "$2" >/dev/null 2>"$err"; then
        echo "vs-llamacpp: yuqing failed on $1:" >&2; cat "$err" >&2; return 1
    fi
    python3 - "$err" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"prompt: (\d+) tokens, ([\d.]+) tokens/s; generated: (\d+) tokens, ([\d.]+) tokens/s", text)
if not m: sys.exit("vs-llamacpp: no timing line from yuqing:\n" + text)
print(m.group(1), m.group(2), m.group(3), m.group(4))
PY
}
# pp512 from a 512-token prompt; tg128 from a one-token prompt, as llama-bench's tg128 generates
# from an empty context (n_prompt 0), so both engines decode over the same context lengths.
run_yuqing() { # file threads
    local pp tg
    pp=$(yuqing_timing "$1" "$2" "$ids" 1) || return 1
    tg=$(yuqing_timing "$1" "$2" "${ids%% *}" 128) || return 1
    # shellcheck disable=SC2086
    set -- $pp $tg
    [ "$1" = 512 ] && [ "$7" = 128 ] ||
        echo "vs-llamacpp: WARNING yuqing prompt $1 / generated $7 tokens (want 512 / 128)" >&2
    echo "$2 $8"
}
run_llama() { # file threads
    local out=$work/lb.json
    if ! "$bench" -m "$1" -p 512 -n 128 -t "$2" -r 1 -o json >"$out" 2>"$work/lb.err"; then
        echo "vs-llamacpp: llama-bench failed on $1:" >&2; tail -20 "$work/lb.err" >&2; return 1
    fi
    python3 - "$out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
pp = [r["avg_ts"] for r in rows if r["n_prompt"] == 512 and r["n_gen"] == 0]
tg = [r["avg_ts"] for r in rows if r["n_gen"] == 128 and r["n_prompt"] == 0]
print(pp[0], tg[0])
PY
}

for size in $sizes; do
    for t in $types; do
        f=$ggufdir/qwen25-$size-random-$t.gguf
        for th in $threads_list; do
            for r in $(seq 1 "$runs"); do
                if [ $((r % 2)) = 1 ]; then order="yuqing llama"; else order="llama yuqing"; fi
                bw_before=$(probe_bandwidth "$th")
                for e in $order; do
                    if [ "$e" = yuqing ]; then v=$(run_yuqing "$f" "$th"); else v=$(run_llama "$f" "$th"); fi
                    bw_after=$(probe_bandwidth "$th")
                    bw=$(awk -v a="$bw_before" -v b="$bw_after" 'BEGIN { printf "%.6e", (a + b) / 2 }')
                    bw_before=$bw_after
                    printf '%s\t%s\t%s\t%s\t%s\n' "$size-$t" "$th" "$e" "$bw" "$v" | tr ' ' '\t' >>"$results"
                    echo "vs-llamacpp: $size $t t=$th run $r $e: pp512/tg128 tok/s $v" >&2
                done
            done
        done
    done
done

# shellcheck disable=SC2046
python3 "$work/step_bytes.py" $(for size in $sizes; do for t in $types; do
    echo "$ggufdir/qwen25-$size-random-$t.gguf"; done; done) >"$work/bytes.txt"
python3 - "$results" "$work/bytes.txt" "$runs" <<'PY'
import math, os, re, statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines() if l]
step = {}
for l in open(sys.argv[2]):
    p, b = l.split()
    m = re.search(r"qwen25-(.+)-random-(.+)\.gguf$", os.path.basename(p))
    step[m.group(1) + "-" + m.group(2)] = int(b)
cells = {}
for t, th, e, bw, pp, tg in rows:
    cells.setdefault((t, int(th)), {}).setdefault(e, []).append((float(pp), float(tg), float(bw)))
print()
print("pp512 / tg128 tokens/s, median of %s interleaved runs; ratio = yuqing / llama.cpp;" % sys.argv[3])
print("roofline = read bandwidth (mean of probes just before and after each run) / bytes per decode step")
print("(GB/s, roof t/s: medians); yq%, ll% = median over the runs of decode's share of its run's roofline")
hdr = "%-11s %3s %8s | %9s %9s %6s | %8s %8s %6s | %6s %8s %5s %5s"
print(hdr % ("type", "thr", "MB/step", "pp yuqing", "pp llama", "ratio", "tg yuq", "tg llama", "ratio",
             "GB/s", "roof t/s", "yq%", "ll%"))
ratios_pp, ratios_tg = [], []
for (t, th), c in cells.items():
    y, l = c.get("yuqing", []), c.get("llama", [])
    if not y or not l: continue
    ypp, ytg = statistics.median(r[0] for r in y), statistics.median(r[1] for r in y)
    lpp, ltg = statistics.median(r[0] for r in l), statistics.median(r[1] for r in l)
    bw = statistics.median(r[2] for r in y + l)
    share = lambda runs: 100 * statistics.median(r[1] * step[t] / r[2] for r in runs)
    ratios_pp.append(ypp / lpp); ratios_tg.append(ytg / ltg)
    print("%-11s %3d %8.1f | %9.1f %9.1f %6.2f | %8.2f %8.2f %6.2f | %6.2f %8.2f %4.0f%% %4.0f%%" % (
        t.upper(), th, step[t] / 1e6, ypp, lpp, ypp / lpp, ytg, ltg, ytg / ltg, bw / 1e9, bw / step[t],
        share(y), share(l)))
g = lambda xs: math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")
print("geometric mean of ratios (yuqing / llama.cpp): pp512 %.2f, tg128 %.2f, all %.2f" % (
    g(ratios_pp), g(ratios_tg), g(ratios_pp + ratios_tg)))
PY
