#!/usr/bin/env bash
# yuqing demo: the whole pipeline on the bundled sample site (serve, crawl, analyse, alert,
# report). Expected counts are worked out from the site's pages (tools/make_demo_site.py): 14
# articles; 星河科技 in 6, 北风汽车 in 6, 澜海银行 in 3; one story republished by all three
# outlets; the battery-recall episode raises an alert for 北风汽车 and nothing else alerts.
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"

out=$work/demo
"$yuqing" demo --out "$out" >"$work/summary" 2>"$work/log" && pass || fail "demo failed: $(tail -3 "$work/log")"
q() { sqlite3 "$out/analysis.db" "$1"; }
check "articles" 14 "$(q "SELECT count(*) FROM articles")"
for pair in 星河科技:6 北风汽车:6 澜海银行:3; do
  entity=${pair%%:*}
  check "$entity articles" "${pair##*:}" "$(q "SELECT count(*) FROM entity_sentiment s JOIN entities e ON e.id = s.entity WHERE e.name = '$entity'")"
done
check "republished story: one cluster of 3 from 3 outlets" "3|3" "$(q "SELECT n_articles, n_sources FROM near_dup_groups WHERE n_articles > 1")"
check "GBK outlet's articles" 4 "$(q "SELECT count(*) FROM articles WHERE source = '华南商报' AND body LIKE '%。%'")"
alerts=$(q "SELECT count(*) FROM alerts a JOIN entities e ON e.id = a.entity WHERE e.name = '北风汽车'")
((alerts >= 1)) && pass || fail "no alert for the recall episode"
check "no other alerts" 0 "$(q "SELECT count(*) FROM alerts a JOIN entities e ON e.id = a.entity WHERE e.name != '北风汽车'")"
grep -q "^北风汽车 " "$work/summary" && grep -q "report: .*/report/index.html" "$work/summary" && pass || fail "summary: $(cat "$work/summary")"
[[ -s $out/report/index.html && -s $out/report/chart.min.js ]] && pass || fail "no report"

# Running it again adds nothing.
dump() { for t in articles analyses mentions entity_sentiment near_dup_groups alerts; do q "SELECT count(*) FROM $t"; done; }
before=$(dump)
"$yuqing" demo --out "$out" >/dev/null 2>"$work/log2" && pass || fail "second run: $(tail -3 "$work/log2")"
check "second run adds no rows" "$before" "$(dump)"
finish demo
