#!/usr/bin/env bash
# yuqing report: the static dashboard of an analysis store. The data embedded in the page must
# equal what the store says (checked with sqlite3), the page must render in headless Chromium to
# a screenshot that is not blank, and bad input gives one clear error line.
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"

db=$work/store.db
"$yuqing" analyze --in "$data/report/items.jsonl" --watch "$data/report/watch.yaml" --db "$db" \
  >"$work/analyze.json" 2>"$work/analyze.err" || fail "analyze: $(cat "$work/analyze.err")"
"$yuqing" report --db "$db" --out "$work/site" 2>"$work/report.err" && pass || fail "report: $(cat "$work/report.err")"
for f in index.html report.js report.css chart.min.js; do [[ -s $work/site/$f ]] && pass || fail "missing $f"; done

# The embedded JSON, against SQL over the same store.
embedded() { sed -n 's/.*<script id="report-data" type="application\/json">\(.*\)<\/script>.*/\1/p' "$1"; }
embedded "$work/site/index.html" >"$work/data.json"
jq -e . "$work/data.json" >/dev/null && pass || fail "embedded data is not JSON"
q() { sqlite3 "$db" "$1"; }
check "articles by source" "$(q "SELECT sum(n) FROM (SELECT count(*) n FROM articles)")" \
  "$(jq '[.sources[].articles] | add' "$work/data.json")"
for entity in 北风汽车 星河科技; do
  check "$entity articles" "$(q "SELECT count(*) FROM entity_sentiment s JOIN entities e ON e.id = s.entity WHERE e.name = '$entity'")" \
    "$(jq --arg e "$entity" '.entities[] | select(.name == $e) | .articles' "$work/data.json")"
  check "$entity negative" "$(q "SELECT count(*) FROM entity_sentiment s JOIN entities e ON e.id = s.entity WHERE e.name = '$entity' AND s.sentiment = 'negative'")" \
    "$(jq --arg e "$entity" '.entities[] | select(.name == $e) | .negative' "$work/data.json")"
  check "$entity timeline total" "$(jq --arg e "$entity" '.entities[] | select(.name == $e) | .articles' "$work/data.json")" \
    "$(jq --arg e "$entity" '[.timeline.series[] | select(.entity == $e) | .articles[]] | add' "$work/data.json")"
done
check "alerts" "$(q "SELECT count(*) FROM alerts")" "$(jq '.alerts | length' "$work/data.json")"
check "clusters" "$(q "SELECT count(*) FROM near_dup_groups WHERE n_articles > 1")" "$(jq '.clusters | length' "$work/data.json")"
check "republished story reach" "2" "$(jq '.clusters[0].reach' "$work/data.json")"
check "time zone" '"Asia/Shanghai"' "$(jq '.timezone' "$work/data.json")"
check "local dates" '"2026-11-20"' "$(jq '.timeline.dates[0]' "$work/data.json")"

# A period filter keeps only that day.
"$yuqing" report --db "$db" --out "$work/day" --since 2026-11-24 --until 2026-11-24 2>/dev/null
embedded "$work/day/index.html" >"$work/day.json"
check "one day" '["2026-11-24"]' "$(jq -c '.timeline.dates' "$work/day.json")"

# Rendered by headless Chromium: a screenshot that is not blank (a blank page compresses to a
# few KB; this one has tables and charts).
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -n $chromium ]]; then
  timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --user-data-dir="$work/chrome" --window-size=1280,1600 --screenshot="$work/shot.png" \
    "file://$work/site/index.html" >/dev/null 2>&1
  size=$(stat -c %s "$work/shot.png" 2>/dev/null || echo 0)
  ((size > 30000)) && pass || fail "screenshot missing or blank ($size bytes)"
else
  fail "chromium not installed (tools/install-deps.sh installs it)"
fi

# The same store served live: the dashboard page and the JSON API, behind an API key.
"$yuqing" serve --db "$db" --port 0 --api-key sekrit 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
port=$(serve_port "$work/serve.log")
[[ -n $port ]] && pass || fail "serve --db: no 'listening' line: $(cat "$work/serve.log")"
api() { curl -s -H "Authorization: Bearer sekrit" "http://127.0.0.1:$port$1"; }
check "no key" 401 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/entities")"
api / >"$work/live.html"
embedded "$work/live.html" | jq -c '.entities' >"$work/live_entities.json"
check "live page data" "$(jq -c '.entities' "$work/data.json")" "$(cat "$work/live_entities.json")"
check "api entities" "$(jq -c '.entities' "$work/data.json")" "$(api /api/entities | jq -c '.entities')"
check "api alerts" "$(jq -c '.alerts' "$work/data.json")" "$(api /api/alerts | jq -c '.alerts')"
check "api articles by entity" "$(q "SELECT count(*) FROM entity_sentiment s JOIN entities e ON e.id = s.entity WHERE e.name = '星河科技'")" \
  "$(api "/api/articles?entity=%E6%98%9F%E6%B2%B3%E7%A7%91%E6%8A%80" | jq '.articles | length')"
check "api full-text search" '["r4","r5"]' "$(api "/api/articles?q=%E5%87%80%E5%88%A9%E6%B6%A6" | jq -c '[.articles[].id] | sort')"
check "api times in the store's zone" '"2026-11-20T11:30:00+08:00"' "$(api "/api/articles?q=%E5%87%80%E5%88%A9%E6%B6%A6" | jq '.articles[0].time')"
check "api bad sentiment" 400 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer sekrit" "http://127.0.0.1:$port/api/articles?sentiment=angry")"
check "chart.js served" 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer sekrit" "http://127.0.0.1:$port/chart.min.js")"
kill -TERM $server
wait $server
check "serve --db exit status" 0 $?

expect_error 2 "no such analysis store" "" report --db "$work/none.db" --out "$work/x"
expect_error 2 "expected a date" "" report --db "$db" --out "$work/x" --since yesterday
expect_error 2 "give --db DB and --out DIR" "" report --db "$db"
finish report
