#!/usr/bin/env bash
# `yuqing extract` end to end: one JSON object with every field, the GBK page with a wrong declared
# charset decoded, and bad input giving a one-line error and exit 2. Usage: extract.sh YUQING TESTDATA
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"

for f in "$data"/extract/*.html; do
  out=$("$yuqing" extract "$f" --url "https://news.example.com/a/1.html")
  fields=$(printf '%s' "$out" | grep -o '"\(url\|title\|published_at\|author\|body\|lang\|media\|links\)":' | sort -u | wc -l)
  [[ $fields -eq 8 ]] && pass || fail "$(basename "$f"): $fields of 8 fields in $out"
done
expect_error 2 "/nonexistent.html" '' extract /nonexistent.html
expect_error 2 "unknown option '--bogus'" '' extract "$data/extract/$(ls "$data/extract" | grep html | head -1)" --bogus
expect_error 2 "" '' extract
finish "cli extract"
