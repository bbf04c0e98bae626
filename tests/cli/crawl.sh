#!/usr/bin/env bash
# yuqing crawl against the loopback fixture site (tests/fixture_site): assertions come from the
# site's own request log and from the articles' table in tests/fixture_site/articles.c.
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"
site_bin=$(dirname "$yuqing")/fixture_site
[[ -x $site_bin ]] || { echo "crawl: no fixture_site next to $yuqing" >&2; exit 1; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT

# start_site NAME [ARGS]: runs a fixture site logging to $work/NAME.log; sets $port.
start_site() {
  local name=$1; shift
  "$site_bin" --log "$work/$name.log" --crawl-delay 0 "$@" >"$work/$name.port" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 600); do [[ -s $work/$name.port ]] && break; sleep 0.05; done
  port=$(head -1 "$work/$name.port")
}

# Fields of the request log (one JSON object a line, as the site writes them).
paths() { sed 's/.*"path":"\([^"]*\)".*/\1/' "$1"; }
count_path() { grep -c "\"path\":\"$2\"" "$1"; }
times_of() { grep "\"path\":\"$2\"" "$1" | sed 's/.*"t":\([0-9.]*\).*/\1/'; }
# gap FILE Q: the Q-quantile (0 = smallest) of the gaps between consecutive request arrivals.
gap() { sed 's/.*"t":\([0-9.]*\).*/\1/' "$1" | sort -n | awk 'NR > 1 { print $1 - p } { p = $1 }' | sort -g |
  awk -v q="$2" '{ g[NR] = $1 } END { print g[int(q * (NR - 1)) + 1] }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
titles() { sed 's/.*"title":"\([^"]*\)".*/\1/' "$1"; }

# --- configuration errors name the line --------------------------------------------------
printf 'sources:\n  - name: a\n    start_urls: [http://a.example/]\n    folow: [x]\n' >"$work/bad.yaml"
expect_error 2 "bad.yaml:4: unknown key 'folow' in source" "" crawl "$work/bad.yaml"
printf 'delay: soon\nsources: []\n' >"$work/bad2.yaml"
expect_error 2 "bad2.yaml:1: delay: expected a duration" "" crawl "$work/bad2.yaml"
expect_error 2 "--once and --daemon" "" crawl "$work/bad.yaml" --once --daemon

# --- one crawl of the whole site ----------------------------------------------------------
start_site main; main=$port
start_site other; other=$port
base=http://127.0.0.1:$main
cat >"$work/site.yaml" <<EOF
delay: 100ms
autothrottle: false
per_domain_concurrency: 1
retries: 2
retry_backoff: 200ms
max_response_size: 1MB
user_agents: [UA-one/1.0, UA-two/2.0, UA-three/3.0]
output:
  sqlite: $work/items.db
sources:
  - name: site
    start_urls: [$base/, $base/sitemap_index.xml, "$base/flaky/a?fail=2", "$base/flaky/b?fail=9",
                 "$base/ratelimit/r?fail=1&after=1", $base/loop/a, $base/huge, "$base/slow?ms=300"]
    deny: ['/js/']
    article: ['/(news|mirror|gbk)/[^/?]+\.html']
    max_depth: 3
    allow_private: true
  - name: js
    start_urls: [$base/js/helios-js-interview.html]
    article: ['/js/']
    render: true
    max_depth: 0
    allow_private: true
  - name: private
    start_urls: [http://127.0.0.1:$other/]
EOF
"$yuqing" crawl "$work/site.yaml" --once --state "$work/site.state" --out "$work/items.jsonl" 2>"$work/crawl.err"
check "crawl --once exit status" 0 $?
log=$work/main.log
check "robots.txt-disallowed path never requested" 0 "$(paths "$log" | grep -c '^/private/')"
check "tracking variants never requested" 0 "$(grep -c '"query":"[^"]*\(utm_\|from=\|spm=\)' "$log")"
check "the canonical article requested once" 1 "$(count_path "$log" /news/xinghe-q3-results.html)"
check "every User-Agent from the pool" 0 "$(grep -vc '"ua":"UA-\(one/1.0\|two/2.0\|three/3.0\)"' "$log")"
check "User-Agents vary" 1 "$(( $(sed 's/.*"ua":"\([^"]*\)".*/\1/' "$log" | sort -u | wc -l) >= 2 ))"
check "503 twice then 200: three requests" 3 "$(count_path "$log" /flaky/a)"
check "503 forever: 1 + 2 retries, then given up" 3 "$(count_path "$log" /flaky/b)"
grep -q "flaky/b?fail=9: giving up after 3 attempts: HTTP 503" "$work/crawl.err" && pass || fail "no give-up line for /flaky/b"
mapfile -t tb < <(times_of "$log" /flaky/b)
ge "$(awk -v a="${tb[1]}" -v b="${tb[2]}" 'BEGIN { print b - a }')" 0.15 && pass || fail "second retry not backed off: ${tb[*]}"
mapfile -t tr < <(times_of "$log" /ratelimit/r)
ge "$(awk -v a="${tr[0]}" -v b="${tr[1]}" 'BEGIN { print b - a }')" 0.9 && pass || fail "Retry-After: 1 not honoured: ${tr[*]}"
grep -q "redirect loop" "$work/crawl.err" && pass || fail "redirect loop not logged"
grep -q "larger than the limit" "$work/crawl.err" && pass || fail "huge response not logged"
# Politeness: one request at a time, 100 ms apart (robots.txt and redirect hops are not pages,
# nor is the /favicon.ico that Chromium fetches on its own while rendering /js/).
grep -v '"path":"/\(robots.txt\|loop/b\|favicon.ico\)"' "$log" | grep -v '"path":"/js/' >"$work/pages.log"
# The delay is kept between request starts; arrivals jitter with the load of the machine.
ge "$(gap "$work/pages.log" 0.5)" 0.09 && pass || fail "per-host delay not respected: median gap $(gap "$work/pages.log" 0.5)"
ge "$(gap "$work/pages.log" 0)" 0.04 && pass || fail "per-host delay not respected: min gap $(gap "$work/pages.log" 0)"
# The first arrival after /slow's, by time: the server writes each line when it answers, so a
# request that arrived before /slow but was answered after it (a loaded machine) follows it.
slow_t=$(times_of "$log" /slow)
next_after_slow=$(sed 's/.*"t":\([0-9.]*\).*/\1/' "$work/pages.log" | sort -g | awk -v s="$slow_t" '$1 > s { print; exit }')
ge "$(awk -v a="$slow_t" -v b="$next_after_slow" 'BEGIN { print b - a }')" 0.25 && pass ||
  fail "a second request started while /slow was running: $(awk -v s="$slow_t" 'match($0, /"t":[0-9.]+/) {
    t = substr($0, RSTART + 4, RLENGTH - 4) + 0; if (t > s && t - s < 0.25) print }' "$work/pages.log" | tr '\n' ' ')"
# Private targets: refused without allow_private, and never reached.
check "private target never requested" 0 "$(wc -l <"$work/other.log")"
grep -q "127.0.0.1:$other/: giving up after 1 attempt: .*private" "$work/crawl.err" && pass || fail "private refusal not logged"
# Items: every article once (the mirror and the tracking variants are the same article).
check "items are unique by id" "$(wc -l <"$work/items.jsonl")" "$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$work/items.jsonl" | sort -u | wc -l)"
check "Q3 article stored once" 1 "$(titles "$work/items.jsonl" | grep -c '^星河科技第三季度营收同比增长百分之十八$')"
check "GBK page title" 1 "$(titles "$work/items.jsonl" | grep -c '^星河科技关于召开临时股东大会的公告$')"
grep '"title":"星河科技关于召开临时股东大会的公告"' "$work/items.jsonl" | grep -q '"charset":"GB18030"' && pass || fail "GBK charset"
check "JavaScript article rendered" 1 "$(titles "$work/items.jsonl" | grep -c '^Interview: Helios Energy on the future of storage$')"
check "items: 7 news + GBK + JS" 9 "$(wc -l <"$work/items.jsonl")"
n_items=$(wc -l <"$work/items.jsonl")
for key in id url canonical_url source fetched_at http_status charset title published_at author body lang \
  content_hash media links transcript; do
  check "every item has $key" "$n_items" "$(grep -c "\"$key\":" "$work/items.jsonl")"
done
check "fetched_at in UTC" "$n_items" "$(grep -c '"fetched_at":"20[0-9-]*T[0-9:]*Z"' "$work/items.jsonl")"
check "transcript null" "$n_items" "$(grep -c '"transcript":null' "$work/items.jsonl")"
if command -v sqlite3 >/dev/null; then
  check "SQLite sink holds the same items" "$n_items" "$(sqlite3 "$work/items.db" 'SELECT count(DISTINCT id) FROM items')"
fi
# A rerun fetches no article again and stores nothing new.
before=$(wc -l <"$log")
"$yuqing" crawl "$work/site.yaml" --once --state "$work/site.state" --out "$work/items.jsonl" 2>"$work/crawl2.err"
check "rerun exit status" 0 $?
check "rerun stores nothing new" 9 "$(wc -l <"$work/items.jsonl")"
check "rerun requests no article" 0 "$(tail -n +$((before + 1)) "$log" | grep -c '"path":"/news/[^"?]*\.html"')"

# max_pages caps the requests of a tick.
cat >"$work/max.yaml" <<EOF
delay: 0
sources:
  - name: capped
    start_urls: [$base/]
    max_pages: 3
    allow_private: true
EOF
before=$(wc -l <"$log")
"$yuqing" crawl "$work/max.yaml" --once --state "$work/max.state" --out "$work/max.jsonl" 2>/dev/null
check "max_pages: 3 requests" 3 "$(tail -n +$((before + 1)) "$log" | grep -vc '"path":"/robots.txt"')"

# robots.txt's Crawl-delay raises the host's delay above the configured one.
"$site_bin" --log "$work/cd.log" --crawl-delay 0.3 >"$work/cd.port" 2>/dev/null &
pids+=($!)
for _ in $(seq 600); do [[ -s $work/cd.port ]] && break; sleep 0.05; done
cat >"$work/cd.yaml" <<EOF
delay: 0
per_domain_concurrency: 4
sources:
  - name: cd
    start_urls: [http://127.0.0.1:$(head -1 "$work/cd.port")/]
    max_pages: 5
    allow_private: true
EOF
"$yuqing" crawl "$work/cd.yaml" --once --state "$work/cd.state" >"$work/cd.out" 2>/dev/null
grep -v '"path":"/robots.txt"' "$work/cd.log" >"$work/cd.pages"
check "without a sink, items go to stdout" 1 "$(( $(grep -c '^{"id":"[0-9a-f]\{16\}",' "$work/cd.out") >= 1 ))"
check "stdout holds item lines only" 0 "$(grep -vc '^{"id":' "$work/cd.out")"
check "Crawl-delay: 5 requests" 5 "$(wc -l <"$work/cd.pages")"
ge "$(gap "$work/cd.pages" 0)" 0.2 && pass || fail "Crawl-delay 0.3 not honoured: min gap $(gap "$work/cd.pages" 0)"

# --- kill -9 and restart: nothing lost, nothing twice, only in-flight requests repeated -----
mkdir -p "$work/content"
for i in $(seq 1 30); do
  printf '{"slug": "bulk-%02d", "lang": "en", "title": "Bulk article number %02d", "published": "2024-11-%02dT10:00:00+00:00", "paragraphs": ["Bulk article %02d opens with a long first paragraph about a fictional company and its quarterly figures, written to be long enough to count as article text.", "A second paragraph adds detail about product lines, customers and the outlook for the next year, again in plain sentences."]}\n' \
    "$i" "$i" "$((i % 28 + 1))" "$i" >"$work/content/bulk-$i.json"
done
start_site kill --content "$work/content"
base=http://127.0.0.1:$port
cat >"$work/kill.yaml" <<EOF
delay: 30ms
autothrottle: false
per_domain_concurrency: 2
sources:
  - name: bulk
    start_urls: [$base/feed.rss, "$base/slow?ms=1500"]
    allow_private: true
EOF
# Three runs killed at different moments, then one that finishes. Each restart says how many
# requests were in flight at the kill before it.
in_flight=0
for pause in 1.0 0.5 0.6 end; do
  if [[ $pause == end ]]; then
    "$yuqing" crawl "$work/kill.yaml" --once --state "$work/kill.state" --out "$work/kill.jsonl" 2>"$work/kill.err"
    check "run after the kills: exit status" 0 $?
  else
    "$yuqing" crawl "$work/kill.yaml" --once --state "$work/kill.state" --out "$work/kill.jsonl" 2>"$work/kill.err" &
    crawl_pid=$!
    sleep "$pause"
    kill -9 $crawl_pid
    wait $crawl_pid 2>/dev/null
  fi
  n=$(sed -n 's/.*: \([0-9]*\) requests were in flight.*/\1/p' "$work/kill.err")
  in_flight=$((in_flight + ${n:-0}))
  check "at most 2 requests in flight at a kill" 1 "$(( ${n:-0} <= 2 ))"
done
sleep 1.6 # the killed runs' /slow requests are answered (and logged) by now
paths "$work/kill.log" | grep -v '^/robots.txt$' | sort >"$work/requests"
repeats=$(( $(wc -l <"$work/requests") - $(sort -u "$work/requests" | wc -l) ))
check "the first kill caught /slow in flight, and it was made again" 1 "$(( in_flight >= 1 && $(grep -c '^/slow$' "$work/requests") >= 2 ))"
check "only requests in flight are repeated" 1 "$(( repeats <= in_flight ))"
check "all 30 bulk articles stored" 30 "$(titles "$work/kill.jsonl" | grep -c '^Bulk article number')"
check "no article stored twice" "$(wc -l <"$work/kill.jsonl")" "$(titles "$work/kill.jsonl" | sort -u | wc -l)"

# --- daemon: a 1-second schedule re-polls the feed, sees a new article, stops on SIGTERM ----
rm -f "$work/content"/bulk-*.json
printf '{"slug": "first", "title": "Daemon first article", "paragraphs": ["The first article of the daemon test has a paragraph long enough to be taken as the body of the page by the extractor.", "And a second one."]}\n' >"$work/content/first.json"
start_site daemon --content "$work/content"
base=http://127.0.0.1:$port
cat >"$work/daemon.yaml" <<EOF
delay: 0
autothrottle: false
sources:
  - name: feed
    start_urls: [$base/feed.atom]
    schedule: {every: 1s}
    max_depth: 1
    allow_private: true
EOF
"$yuqing" crawl "$work/daemon.yaml" --daemon --state "$work/daemon.state" --out "$work/daemon.jsonl" 2>"$work/daemon.err" &
crawl_pid=$!
wait_for_title() { for _ in $(seq 100); do grep -q "\"title\":\"$1\"" "$work/daemon.jsonl" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
wait_for_title "Daemon first article" && pass || fail "daemon: first article not stored"
printf '{"slug": "second", "title": "Daemon second article", "paragraphs": ["The second article appears while the daemon runs; its paragraph is long enough for the extractor to keep as body text.", "More."]}\n' >"$work/content/.second.tmp"
mv "$work/content/.second.tmp" "$work/content/second.json"
wait_for_title "Daemon second article" && pass || fail "daemon: article added while running not picked up"
kill -TERM $crawl_pid
wait $crawl_pid
check "daemon exit status on SIGTERM" 0 $?
check "feed polled more than once" 1 "$(( $(count_path "$work/daemon.log" /feed.atom) >= 2 ))"
check "daemon stored each article once" 1 "$(titles "$work/daemon.jsonl" | grep -c '^Daemon second article$')"

finish crawl
