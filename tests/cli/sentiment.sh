#!/usr/bin/env bash
# `yuqing sentiment` end to end: one output line per input line in order, {"error"} lines with
# their line numbers for bad lines, labels of unambiguous sentences in both languages, and usage
# errors. Usage: sentiment.sh YUQING TESTDATA
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"

cat >"$work/in.jsonl" <<'JSONL'
{"text": "酒店环境非常好，服务热情周到，下次还会再来。"}
not json
{"text": "房间又脏又小，服务态度极差，再也不会入住了。", "lang": "zh"}
{"body": "no text field"}

{"text": "Operating profit rose sharply and the company raised its full-year outlook."}
{"text": 42}
{"text": "Net sales fell 30 percent and the company swung to a heavy loss.", "lang": "en"}
[1, 2]
{"text": ""}
JSONL
"$yuqing" sentiment <"$work/in.jsonl" >"$work/out.jsonl" 2>"$work/err"; rc=$?
check "exit status" 0 "$rc"
check "one line out per line in" "$(wc -l <"$work/in.jsonl")" "$(wc -l <"$work/out.jsonl")"
check "bad lines counted on stderr" "yuqing sentiment: 5 bad lines (see the \"error\" lines)" "$(cat "$work/err")"
line() { sed -n "$1p" "$work/out.jsonl"; }
field() { line "$1" | grep -o "\"$2\":\"[^\"]*\"" | cut -d'"' -f4; }
check "line 1 label" positive "$(field 1 label)"
check "line 1 text echoed" "酒店环境非常好，服务热情周到，下次还会再来。" "$(field 1 text)"
check "line 3 label" negative "$(field 3 label)"
check "line 6 label" positive "$(field 6 label)"
check "line 8 label" negative "$(field 8 label)"
for n in 2 4 5 7 9; do
  [[ $(field $n error) == "line $n: "* ]] && pass || fail "line $n: expected an error naming line $n, got $(line $n)"
done
[[ $(line 10) =~ ^\{\"text\":\"\",\"label\":\"(neutral|positive|negative)\",\"score\":-?[0-9.e-]+\}$ ]] && pass ||
  fail "empty text: $(line 10)"
# every score is a number in [-1, 1] and its sign agrees with a non-neutral label
grep -o '"label":"[a-z]*","score":[-0-9.e]*' "$work/out.jsonl" | awk -F'[:,"]+' '
  { s = $5 + 0; if (s < -1 || s > 1 || ($3 == "positive" && s <= 0) || ($3 == "negative" && s >= 0)) bad++ }
  END { exit bad > 0 }' && pass || fail "scores out of range or against their labels"

# no trailing newline on the last line, CRLF line ends
printf '{"text": "服务很差"}\r\n{"text": "The outlook is excellent."}' | "$yuqing" sentiment >"$work/out2.jsonl" 2>/dev/null
check "CRLF and unterminated last line" 2 "$(wc -l <"$work/out2.jsonl")"
# YUQING_DATA_DIR pointing to a folder without a model still finds the built-in one next to yuqing
YUQING_DATA_DIR=/nonexistent "$yuqing" sentiment <<<'{"text":"ok"}' >/dev/null && pass || fail "fallback after YUQING_DATA_DIR"

expect_error 2 "/nonexistent/model.gguf" '' sentiment --model /nonexistent/model.gguf
expect_error 2 "not both" '' sentiment --model /tmp/model.gguf --llm-url http://127.0.0.1:1/v1
expect_error 2 "unknown option '--bogus'" '' sentiment --bogus
finish "cli sentiment"
