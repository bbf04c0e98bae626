#!/usr/bin/env bash
# `yuqing serve` as users run it: listens, answers, and on SIGTERM drains (a streaming request in
# flight finishes with [DONE], new connections are refused) and exits 0; bad flags exit 2.
# Usage: serve.sh YUQING TESTDATA
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"
qwen3=$(unpack_qwen3)
server=""
trap '[[ -n $server ]] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

"$yuqing" serve --model "$data/hf/qwen3-chat" --tokenizer "$qwen3" --port 0 --threads 1 2>"$work/log" &
server=$!
port=$(serve_port "$work/log")
[[ -n $port ]] && pass || fail "no 'listening' line: $(cat "$work/log")"

[[ $(curl -s "http://127.0.0.1:$port/health") == '{"status":"ok"}' ]] && pass || fail "/health"

# A long streaming request, then SIGTERM while it runs: it must complete.
curl -sN "http://127.0.0.1:$port/v1/completions" \
  -d '{"prompt":[1000,2000,3000],"max_tokens":600,"temperature":0,"stream":true}' >"$work/stream" &
client=$!
for _ in $(seq 200); do [[ -s $work/stream ]] && break; sleep 0.05; done # the stream has begun
kill -TERM $server
sleep 0.2
curl -s -m 2 "http://127.0.0.1:$port/health" >/dev/null && fail "new connection accepted while draining" || pass
wait $client
tail -c 100 "$work/stream" | grep -q 'data: \[DONE\]' && pass || fail "the in-flight stream did not finish: $(tail -c 300 "$work/stream")"
wait $server; rc=$?
[[ $rc -eq 0 ]] && pass || fail "exit status $rc after SIGTERM"

err=$("$yuqing" serve --model "$data/hf/qwen3-chat" --tokenizer "$qwen3" --port 70000 2>&1); rc=$?
[[ $rc -eq 2 && $err == *"--port"* ]] && pass || fail "bad --port: $rc $err"
err=$("$yuqing" serve 2>&1); rc=$?
[[ $rc -eq 2 && $err == *"give --model PATH, --db DB or both"* ]] && pass || fail "no --model: $rc $err"
err=$("$yuqing" serve --model "$data/hf/qwen3-chat" --tokenizer "$qwen3" --host nowhere 2>&1); rc=$?
[[ $rc -eq 2 && $err == *"--host"* ]] && pass || fail "bad --host: $rc $err"

finish "cli serve"
