#!/usr/bin/env bash
# yuqing serve against llama.cpp's llama-server on one GGUF file, with the same streaming client:
# aggregate generated tokens/s, its multiple of the same server's 1-client rate, and p50/p99
# time to first token at 1, 4, 16 and 64 concurrent clients; each request is POST
# /v1/completions with a prompt of PROMPT_TOKENS token ids (distinct per request, so no
# prefix-cache hits), GEN_TOKENS tokens generated, temperature 0, "stream": true.
#
#   bench/vs-llamaserver.sh LLAMA_CPP_DIR GGUF
#
# LLAMA_CPP_DIR: a built llama.cpp (llama-server in build/bin/, bin/ or the folder itself).
# GGUF: e.g. a file of tools/make_bench_gguf.sh; it needs a vocabulary for llama-server.
# Environment: CONCURRENCY (default "1 4 16 64"; both servers get as many slots as the
# largest), REQUESTS (requests per client, default 4), THREADS (server threads, default: all
# CPUs), PROMPT_TOKENS (default 64), GEN_TOKENS (default 32), TOKENIZER (yuqing's --tokenizer,
# default ../shared/data/tokenizers/qwen3), PORT (yuqing's; llama-server gets PORT+1; default
# 18480).
set -euo pipefail

# shellcheck source=bench/common.bash
source "$(dirname "$0")/common.bash"
usage_unless $# 2
lcpp=$1
gguf=$2
levels=${CONCURRENCY:-1 4 16 64}
slots=$(echo $levels | tr ' ' '\n' | sort -n | tail -1)
requests=${REQUESTS:-4}
export PROMPT_TOKENS=${PROMPT_TOKENS:-64} GEN_TOKENS=${GEN_TOKENS:-32}
threads=${THREADS:-$(nproc)}
tokenizer=${TOKENIZER:-$root/../shared/data/tokenizers/qwen3}
port=${PORT:-18480}
lport=$((port + 1))
yuqing=$root/build/yuqing

server=$(llamacpp_tool "$lcpp" llama-server)
require_files "$yuqing" "$gguf"

work=$(mktemp -d "${TMPDIR:-/tmp}/vs-llamaserver.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

tok_args=()
[ -e "$tokenizer" ] && tok_args=(--tokenizer "$tokenizer")
"$yuqing" serve --model "$gguf" "${tok_args[@]}" --host 127.0.0.1 --port "$port" --max-batch "$slots" \
    --threads "$threads" --quiet >"$work/yuqing.log" 2>&1 &
pids+=($!)
"$server" -m "$gguf" --host 127.0.0.1 --port "$lport" --parallel "$slots" -c $((slots * (PROMPT_TOKENS + GEN_TOKENS + 32))) -t "$threads" \
    -tb "$threads" --no-webui >"$work/llama.log" 2>&1 &
pids+=($!)

cat >"$work/client.py" <<'PY'
"""Streaming OpenAI-completions load: C clients, each sending R requests one after another."""
import http.client, json, os, random, sys, threading, time

PROMPT, GEN = int(os.environ["PROMPT_TOKENS"]), int(os.environ["GEN_TOKENS"])

def wait_ready(port, deadline=300):
    end = time.time() + deadline
    while time.time() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False

def one(port, prompt, out):
    body = json.dumps({"model": "bench", "prompt": prompt, "max_tokens": GEN, "temperature": 0,
                       "stream": True, "stream_options": {"include_usage": True},
                       "ignore_eos": True}).encode()
    t0 = time.time()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    if r.status != 200:
        out.append(("error", "HTTP %d %s" % (r.status, r.read()[:300])))
        return
    ttft, chunks, usage = None, 0, None
    buf = b""
    while True:
        line = r.readline()
        if not line:
            break
        line = line.strip()
        if not line.startswith(b"data:"):
            continue
        data = line[5:].strip()
        if data == b"[DONE]":
            break
        ev = json.loads(data)
        if ev.get("usage"):
            usage = ev["usage"].get("completion_tokens")
        if ev.get("choices"):
            if ttft is None:
                ttft = time.time() - t0
            chunks += 1
    out.append(("ok", ttft, usage if usage is not None else chunks, time.time() - t0))

def level(port, clients, per_client, seed):
    rng = random.Random(seed)
    prompts = [[[rng.randrange(1000, 150000) for _ in range(PROMPT)] for _ in range(per_client)]
               for _ in range(clients)]
    results = []
    def worker(i):
        for p in prompts[i]:
            one(port, p, results)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.time()
    for t in threads: t.start()
    for t in threads: t.join()
    wall = time.time() - t0
    errors = [r for r in results if r[0] != "ok"]
    ok = [r for r in results if r[0] == "ok"]
    ttfts = sorted(r[1] for r in ok if r[1] is not None)
    tokens = sum(r[2] for r in ok)
    def pct(q):
        if not ttfts: return float("nan")
        return ttfts[min(len(ttfts) - 1, int(round(q * (len(ttfts) - 1))))]
    return {"clients": clients, "requests": len(results), "errors": len(errors),
            "error": errors[0][1] if errors else "", "tokens": tokens, "wall": wall,
            "tps": tokens / wall, "p50": pct(0.5), "p99": pct(0.99),
            "short": sum(1 for r in ok if r[2] != GEN)}

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "ready":
        sys.exit(0 if wait_ready(int(sys.argv[2])) else 1)
    port, clients, per_client, seed = map(int, sys.argv[2:6])
    level(port, 1, 1, seed + 999)  # warm-up
    print(json.dumps(level(port, clients, per_client, seed)))
PY

for p in "$port" "$lport"; do
    if ! python3 "$work/client.py" ready "$p"; then
        echo "vs-llamaserver: the server on port $p did not come up:" >&2
        tail -20 "$work/yuqing.log" "$work/llama.log" >&2
        exit 1
    fi
done

echo "vs-llamaserver: $(date -u '+%F %T') UTC, $(nproc) CPUs, $threads server threads, model $gguf"
echo "vs-llamaserver: llama-server $server ($("$server" --version 2>&1 | grep -m1 -i version || true))"
: >"$work/results.jsonl"
i=0
for c in $levels; do
    if [ $((i % 2)) = 0 ]; then order="yuqing llama"; else order="llama yuqing"; fi
    for e in $order; do
        if [ "$e" = yuqing ]; then p=$port; else p=$lport; fi
        r=$(python3 "$work/client.py" run "$p" "$c" "$requests" $((1000 + c)))
        echo "vs-llamaserver: $e c=$c $r" >&2
        printf '{"engine": "%s", "r": %s}\n' "$e" "$r" >>"$work/results.jsonl"
    done
    i=$((i + 1))
done

python3 - "$work/results.jsonl" "$requests" <<'PY'
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {(r["engine"], r["r"]["clients"]): r["r"] for r in rows}
gen = int(os.environ["GEN_TOKENS"])
print()
print("streaming /v1/completions, %s-token prompts, %d tokens generated, temperature 0, %s requests per client"
      % (os.environ["PROMPT_TOKENS"], gen, sys.argv[2]))
print("x1: tokens/s as a multiple of the same server's 1-client tokens/s")
print("%7s | %12s %5s %12s %5s %6s | %15s %14s | %15s %14s" % (
    "clients", "yuqing tok/s", "x1", "llama tok/s", "x1", "ratio", "yuqing TTFT p50", "llama TTFT p50",
    "yuqing TTFT p99", "llama TTFT p99"))
def times(e, c):
    one = by.get((e, 1))
    return by[(e, c)]["tps"] / one["tps"] if one and one["tps"] else float("nan")
for c in sorted({k[1] for k in by}):
    y, l = by.get(("yuqing", c)), by.get(("llama", c))
    if not y or not l: continue
    print("%7d | %12.1f %5.2f %12.1f %5.2f %6.2f | %13.0fms %12.0fms | %13.0fms %12.0fms" % (
        c, y["tps"], times("yuqing", c), l["tps"], times("llama", c),
        y["tps"] / l["tps"] if l["tps"] else float("nan"),
        1e3 * y["p50"], 1e3 * l["p50"], 1e3 * y["p99"], 1e3 * l["p99"]))
for (e, c), r in sorted(by.items()):
    if r["errors"] or r["short"]:
        print("note: %s at %d clients: %d errors (%s), %d responses not %d tokens" % (
            e, c, r["errors"], r["error"], r["short"], gen))
PY
