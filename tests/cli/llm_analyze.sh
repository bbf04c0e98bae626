#!/usr/bin/env bash
# The LLM analyzer from the command line, with the tiny random-weight Qwen3 fixture (its answers
# are noise, but constrained to the schema): every article gets a stored analysis, ok or failed
# with a reason, never dropped; a too-small --max-tokens gives failed rows saying so; a rerun adds
# nothing; the same through `yuqing serve` as an OpenAI-compatible endpoint (--llm-url), and
# `yuqing sentiment` keeps one line per input line. Usage: llm_analyze.sh YUQING TESTDATA
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"
qwen3=$(unpack_qwen3)
model=$data/hf/qwen3-chat
watch=$data/analyze/watch.yaml items=$data/analyze/items.jsonl
server=""
trap '[[ -n $server ]] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

# Local engine, answers cut off at 4 tokens: the 6 analysable articles are all failed with the reason.
out=$("$yuqing" analyze --in "$items" --watch "$watch" --db "$work/cut.db" --model "$model" --tokenizer "$qwen3" \
  --max-tokens 4 --quiet)
[[ $out == *'"analyzed": 6,'* && $out == *'"failed": 6,'* ]] && pass || fail "max-tokens 4: $out"
out=$("$yuqing" analyze --in "$items" --watch "$watch" --db "$work/cut.db" --model "$model" --tokenizer "$qwen3" \
  --max-tokens 4 --quiet)
[[ $out == *'"analyzed": 0,'* ]] && pass || fail "rerun added articles: $out"

# Local engine with room to answer: each article ok (valid against the schema) or failed with a reason.
out=$("$yuqing" analyze --in "$items" --watch "$watch" --db "$work/a.db" --model "$model" --tokenizer "$qwen3" \
  --max-tokens 48 --quiet)
[[ $out == *'"analyzed": 6,'* ]] && pass || fail "local engine: $out"

start_server() {
  "$yuqing" serve --model "$model" --tokenizer "$qwen3" --port 0 --threads 1 2>"$work/log" &
  server=$!
  port=$(serve_port "$work/log")
  [[ -n $port ]] && pass || fail "no 'listening' line: $(cat "$work/log")"
}
start_server
out=$("$yuqing" analyze --in "$items" --watch "$watch" --db "$work/u.db" --llm-url "http://127.0.0.1:$port" \
  --llm-model qwen3-chat --max-tokens 48 --quiet)
[[ $out == *'"analyzed": 6,'* ]] && pass || fail "--llm-url: $out"
printf '{"text":"Profits soared."}\n{"oops\n{"text":"股价暴跌"}\n' |
  "$yuqing" sentiment --llm-url "http://127.0.0.1:$port/v1" --max-tokens 24 >"$work/s.jsonl" 2>/dev/null
check "sentiment lines" 3 "$(wc -l <"$work/s.jsonl")"
grep -q '^{"error":"line 2: not a JSON object"}$' "$work/s.jsonl" && pass || fail "bad line: $(cat "$work/s.jsonl")"
kill $server; wait $server; server=""

if command -v sqlite3 >/dev/null; then
  for db in cut a u; do
    check "$db: rows neither ok nor failed with a reason" 0 "$(sqlite3 "$work/$db.db" "SELECT count(*) FROM analyses
      WHERE status <> 'empty' AND NOT ((status = 'ok' AND sentiment IN ('positive','neutral','negative')
      AND event_type IS NOT NULL) OR (status = 'failed' AND length(error) > 0))")"
  done
  check "cut-off reason" 6 "$(sqlite3 "$work/cut.db" "SELECT count(*) FROM analyses WHERE error LIKE '%cut off%'")"
  check "analyzer name" "llm:qwen3-chat" "$(sqlite3 "$work/u.db" "SELECT DISTINCT analyzer FROM analyses WHERE status <> 'empty'")"
fi

# The server is gone: failed with the reason after the retries, still stored.
out=$("$yuqing" analyze --in "$items" --watch "$watch" --db "$work/down.db" --llm-url "http://127.0.0.1:$port" \
  --llm-retries 1 --quiet 2>/dev/null)
[[ $out == *'"analyzed": 6,'* && $out == *'"failed": 6,'* ]] && pass || fail "server down: $out"

expect_error 2 "not both" "" analyze --in "$items" --watch "$watch" --db "$work/x.db" --model "$model" --llm-url http://x
expect_error 2 "--llm-url ftp://x" "" sentiment --llm-url ftp://x
expect_error 2 "--concurrency" "" sentiment --llm-url http://x --concurrency 0
printf 'system: hi\n' >"$work/p.yaml"
expect_error 2 "{article}" "" sentiment --llm-url http://127.0.0.1:1 --prompt "$work/p.yaml"

finish "cli llm_analyze"
