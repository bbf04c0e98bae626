#!/usr/bin/env bash
# Crawl throughput side by side: `yuqing crawl --once` and Scrapy (PyPI, from a venv outside the
# repository) fetch the same N articles from the loopback fixture site with politeness off
# (no delay, no AutoThrottle, 32 requests at once, robots.txt on), starting from its RSS feed.
# Prints pages/s and peak memory of each: max RSS (shared-library pages included) and peak
# private memory (RssAnon, polled).
#     bench/bench_crawl.sh [BUILD_DIR] [N]        (defaults: build, 2000)
# Scrapy: python3 -m venv /work/venv-scrapy && /work/venv-scrapy/bin/pip install scrapy
# (or set SCRAPY_PYTHON to another interpreter with scrapy); skipped when missing.
set -euo pipefail
build=${1:-build} n=${2:-2000}
python=${SCRAPY_PYTHON:-/work/venv-scrapy/bin/python}
work=$(mktemp -d)
site_pid=
trap '[[ -n $site_pid ]] && kill $site_pid; rm -rf "$work"' EXIT

"$build/fixture_site" --crawl-delay 0 --log "$work/site.log" >"$work/port" &
site_pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
base=http://127.0.0.1:$(head -1 "$work/port")
echo "bench_crawl: adding $n articles to the fixture site" >&2
for i in $(seq 1 "$n"); do
  printf '{"slug":"bench-%d","title":"Benchmark article %d","published":"2024-11-01T%02d:%02d:00+00:00","paragraphs":["Paragraph one of benchmark article %d tells a short story about a fictional company, long enough to be the body of the page.","Paragraph two adds numbers: revenue, margins and headcount, in plain sentences for the extractor.","Paragraph three closes with the outlook for next year."]}\n' \
    "$i" "$i" $((i / 60 % 24)) $((i % 60)) "$i"
done | while read -r json; do printf '%s' "$json" >"$work/a.json"; curl -sf -o /dev/null --data-binary @"$work/a.json" "$base/admin/article"; done

# max_rss_mb LOGFILE: the "Maximum resident set size" of /usr/bin/time -v, in MB.
max_rss_mb() { awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$1"; }
# peak_anon_mb PID: the largest RssAnon (private memory, without shared-library pages) of the
# process seen while polling it every 20 ms until it exits, in MB.
peak_anon_mb() {
  local peak=0 kb
  while kill -0 "$1" 2>/dev/null; do
    kb=$(awk '/^RssAnon/ { print $2 }' "/proc/$1/status" 2>/dev/null)
    [[ -n $kb && $kb -gt $peak ]] && peak=$kb
    sleep 0.02
  done
  echo $((peak / 1024))
}
requests() { grep -c '"path":"/news/bench-' "$work/site.log" || true; }

cat >"$work/crawl.yaml" <<EOF
concurrency: 32
per_domain_concurrency: 32
delay: 0
autothrottle: false
retries: 0
sources:
  - name: bench
    start_urls: [$base/feed.rss]
    max_depth: 1
    allow_private: true
EOF
: >"$work/site.log"
start=$(date +%s.%N)
/usr/bin/time -v "$build/yuqing" crawl "$work/crawl.yaml" --once --quiet --state "$work/state" \
  --out "$work/items.jsonl" 2>"$work/yuqing.time" &
timer=$!
sleep 0.02
anon=$(peak_anon_mb "$(pgrep -n -P $timer || echo $timer)")
wait $timer
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
y_pages=$(requests)
printf '%-8s %8s %10s %12s %8s %10s\n' crawler pages seconds pages/s "RSS MB" "anon MB"
printf '%-8s %8d %10.2f %12.1f %8s %10s\n' yuqing "$y_pages" "$secs" "$(awk -v p="$y_pages" -v s="$secs" 'BEGIN { print p / s }')" \
  "$(max_rss_mb "$work/yuqing.time")" "$anon"

if ! "$python" -c 'import scrapy' 2>/dev/null; then
  echo "scrapy: not installed for $python (see the header of this script)"
  exit 0
fi
cat >"$work/spider.py" <<'EOF'
# The same crawl in Scrapy: the feed's item links, then each article's title and paragraphs.
import scrapy


class Bench(scrapy.Spider):
    name = "bench"

    def __init__(self, feed, **kw):
        super().__init__(**kw)
        self.start_urls = [feed]

    def parse(self, response):
        for link in response.xpath("//item/link/text()").getall():
            yield response.follow(link.strip(), callback=self.article)

    def article(self, response):
        yield {"url": response.url, "title": response.css("title::text").get(),
               "body": "\n\n".join(response.css("p::text").getall())}
EOF
: >"$work/site.log"
start=$(date +%s.%N)
cd "$work"
/usr/bin/time -v "$python" -m scrapy runspider spider.py -a feed="$base/feed.rss" -o scrapy.jsonl \
  -s CONCURRENT_REQUESTS=32 -s CONCURRENT_REQUESTS_PER_DOMAIN=32 -s DOWNLOAD_DELAY=0 \
  -s AUTOTHROTTLE_ENABLED=False -s ROBOTSTXT_OBEY=True -s RETRY_ENABLED=False -s LOG_LEVEL=WARNING \
  -s TELNETCONSOLE_ENABLED=False 2>"$work/scrapy.time" &
timer=$!
sleep 0.05
anon=$(peak_anon_mb "$(pgrep -n -P $timer || echo $timer)")
wait $timer
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
s_pages=$(requests)
printf '%-8s %8d %10.2f %12.1f %8s %10s\n' scrapy "$s_pages" "$secs" "$(awk -v p="$s_pages" -v s="$secs" 'BEGIN { print p / s }')" \
  "$(max_rss_mb "$work/scrapy.time")" "$anon"
