#!/usr/bin/env bash
# yuqing run: the daemon against the loopback fixture site. It crawls the feed every second,
# analyses what it finds, picks up an article added to the site while it runs, transcribes the
# audio linked from it (the source has transcribe: true; a tiny random Whisper model), raises
# that article's alert exactly once (through --alert-cmd's JSON on stdin), and exits 0 on SIGTERM.
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"
site_bin=$(dirname "$yuqing")/fixture_site
[[ -x $site_bin ]] || { echo "run: no fixture_site next to $yuqing" >&2; exit 1; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT

mkdir -p "$work/content"
"$site_bin" --crawl-delay 0 --content "$work/content" >"$work/port" 2>"$work/site.err" &
pids+=($!)
for _ in $(seq 600); do [[ -s $work/port ]] && break; sleep 0.05; done
port=$(head -1 "$work/port")

cat >"$work/crawl.yaml" <<YAML
delay: 0s
autothrottle: false
output: {sqlite: $work/items.db}
sources:
  - name: fixture
    start_urls: [http://127.0.0.1:$port/feed.rss]
    schedule: {every: 1s}
    allow_private: true
    transcribe: true
YAML
cat >"$work/watch.yaml" <<'YAML'
timezone: Asia/Shanghai
entities:
  - name: Zenith Robotics
    aliases: [Zenith]
alerts:
  - entity: Zenith Robotics
    negative_count: 1
    window: 24h
YAML
cat >"$work/run.yaml" <<YAML
crawl: crawl.yaml
watch: watch.yaml
state: state
db: analysis.db
report: report
analyze_every: 1s
alert_cmd: "cat >> $work/alerts.jsonl"
whisper_model: $(realpath "$data/whisper/tiny80")
YAML

"$yuqing" run "$work/run.yaml" 2>"$work/run.log" &
daemon=$!
pids+=($daemon)
# The daemon writes both databases while we read them: wait out its locks instead of failing.
sql() { sqlite3 -cmd ".timeout 10000" "$@"; }
q() { sql "$work/analysis.db" "$1" 2>/dev/null; }
wait_for() { # wait_for SECONDS COMMAND...: until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.2; done
}
has_articles() { [[ $(q "SELECT count(*) FROM articles") -gt 0 ]]; }
wait_for 60 has_articles && pass || fail "no articles analysed: $(tail -5 "$work/run.log")"

cat >"$work/content/.zenith.json" <<'JSON'
{"slug": "zenith-fire", "lang": "en", "title": "Zenith Robotics blamed for deadly factory fire",
 "author": "Test Desk", "published": "2026-11-28T08:00:00+00:00", "media": "/media/speech.wav",
 "paragraphs": ["Zenith Robotics was blamed for a deadly fire at its factory that killed two workers and injured twelve. Regulators accused Zenith Robotics of serious safety violations and opened an investigation.",
                "Zenith Robotics shares plunged 15 percent, and analysts warned of heavy losses, lawsuits and fines."]}
JSON
cp "$data/whisper/audio/speech_en.wav" "$work/content/speech.wav"
mv "$work/content/.zenith.json" "$work/content/zenith.json"
alerted() { [[ -s $work/alerts.jsonl ]]; }
wait_for 60 alerted && pass || fail "no alert for the new article: $(tail -5 "$work/run.log")"
check "new article analysed" 1 "$(q "SELECT count(*) FROM articles WHERE title LIKE 'Zenith Robotics%'")"
jq -e '.entity == "Zenith Robotics" and .kind == "negative_count" and .raised_at_local == "2026-11-28T16:00:00+08:00"' \
  "$work/alerts.jsonl" >/dev/null && pass || fail "alert JSON: $(cat "$work/alerts.jsonl")"
# The article's audio was transcribed (the same text `yuqing transcribe` gives) before analysis.
expected=$("$yuqing" transcribe --model "$data/whisper/tiny80" --format json "$data/whisper/audio/speech_en.wav" 2>/dev/null |
  jq -r '[.segments[].text] | join("")')
[[ -n $expected ]] && check "transcript in the item" "$expected" \
  "$(sql "$work/items.db" "SELECT transcript FROM items WHERE url LIKE '%zenith-fire%'")" || fail "no reference transcript"
check "transcript analysed with the article" 1 "$(q "SELECT count(*) FROM articles WHERE title LIKE 'Zenith%' AND instr(body, '$(printf '%s' "$expected" | head -c 20 | sed "s/'/''/g")') > 0")"
sleep 3 # three more passes: the same alert is not raised again
check "alert raised once" 1 "$(wc -l <"$work/alerts.jsonl")"
[[ -s $work/report/index.html ]] && pass || fail "report not refreshed"

kill -TERM $daemon
wait $daemon
check "exit status after SIGTERM" 0 $?

printf 'crawl: c.yaml\nwatch: w.yaml\nbogus: 1\n' >"$work/bad.yaml"
expect_error 2 "bad.yaml:3: unknown key 'bogus'" "" run "$work/bad.yaml"
finish run
