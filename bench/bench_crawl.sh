#!/usr/bin/env bash
# Crawl throughput and memory side by side: `yuqing crawl --once` and Scrapy (PyPI, from a venv
# outside the repository) fetch the same N articles from the loopback fixture site with
# politeness off (no delay, no AutoThrottle, 32 requests at once, robots.txt on), starting from
# its RSS feed, each crawler RUNS times (fresh state each time); the medians are printed.
#     bench/bench_crawl.sh [BUILD_DIR] [N] [RUNS]        (defaults: build, 2000, 3)
# Memory of both is measured the same way: max RSS is the kernel's high-water mark of the process
# (getrusage, as /usr/bin/time -v prints it; shared-library pages included); peak PSS (shared
# pages divided among the processes mapping them) and peak private memory (anonymous pages) come
# from /proc/PID/smaps_rollup polled every 20 ms.
# Scrapy: python3 -m venv /work/venv-scrapy && /work/venv-scrapy/bin/pip install scrapy
# (or set SCRAPY_PYTHON to another interpreter with scrapy); skipped when missing.
set -euo pipefail
build=${1:-build} n=${2:-2000} runs=${3:-3}
build=$(cd "$build" && pwd)
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

# run_measured NAME CMD...: runs CMD under /usr/bin/time -v, polls the process's smaps_rollup until
# it exits, and prints "pages seconds max_rss_kb peak_pss_kb peak_anon_kb" (pages: the benchmark
# articles the site served during the run).
run_measured() {
  local name=$1; shift
  : >"$work/site.log"
  local start end pid pss anon peak_pss=0 peak_anon=0
  start=$(date +%s.%N)
  /usr/bin/time -v "$@" >/dev/null 2>"$work/$name.time" &
  local timer=$!
  for _ in $(seq 100); do pid=$(pgrep -n -P $timer) && break; sleep 0.005; done
  while [[ -n $pid ]] && read -r pss anon < <(awk '/^Pss:/ { p = $2 } /^Anonymous:/ { a = $2 } END { print p + 0, a + 0 }' \
    "/proc/$pid/smaps_rollup" 2>/dev/null) && [[ $pss -gt 0 ]]; do
    ((pss > peak_pss)) && peak_pss=$pss
    ((anon > peak_anon)) && peak_anon=$anon
    sleep 0.02
  done
  wait $timer || { echo "bench_crawl: $name failed: $(tail -3 "$work/$name.time")" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$(grep -c '"path":"/news/bench-' "$work/site.log" || true)" \
    "$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')" \
    "$(awk '/Maximum resident set size/ { print $NF }' "$work/$name.time")" "$peak_pss" "$peak_anon"
}

# median_row NAME: the medians of the runs' columns in $work/NAME.runs, as a table row; sets
# the globals pages_s, rss, anon of NAME's medians.
median_row() {
  local col m=()
  for col in 1 2 3 4 5; do
    m+=("$(awk -v c=$col '{ print $c }' "$work/$1.runs" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')")
  done
  pages_s=$(awk -v p="${m[0]}" -v s="${m[1]}" 'BEGIN { printf "%.1f", p / s }')
  rss=$(awk -v k="${m[2]}" 'BEGIN { printf "%.1f", k / 1024 }')
  anon=$(awk -v k="${m[4]}" 'BEGIN { printf "%.1f", k / 1024 }')
  printf '%-8s %7d %9.2f %10s %11s %12.1f %12s\n' "$1" "${m[0]}" "${m[1]}" "$pages_s" "$rss" \
    "$(awk -v k="${m[3]}" 'BEGIN { print k / 1024 }')" "$anon"
}

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
for r in $(seq "$runs"); do
  echo "bench_crawl: yuqing run $r of $runs" >&2
  rm -rf "$work/state" "$work/items.jsonl"
  run_measured yuqing "$build/yuqing" crawl "$work/crawl.yaml" --once --quiet --state "$work/state" \
    --out "$work/items.jsonl" >>"$work/yuqing.runs"
done

have_scrapy=1
"$python" -c 'import scrapy' 2>/dev/null || have_scrapy=0
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
for r in $(seq "$((runs * have_scrapy))"); do
  echo "bench_crawl: scrapy run $r of $runs" >&2
  rm -f "$work/scrapy.jsonl"
  (cd "$work" && run_measured scrapy "$python" -m scrapy runspider spider.py -a feed="$base/feed.rss" \
    -o scrapy.jsonl -s CONCURRENT_REQUESTS=32 -s CONCURRENT_REQUESTS_PER_DOMAIN=32 -s DOWNLOAD_DELAY=0 \
    -s AUTOTHROTTLE_ENABLED=False -s ROBOTSTXT_OBEY=True -s RETRY_ENABLED=False -s LOG_LEVEL=WARNING \
    -s TELNETCONSOLE_ENABLED=False) >>"$work/scrapy.runs"
done

echo "medians of $runs runs, $n articles, 32 requests at once:"
printf '%-8s %7s %9s %10s %11s %12s %12s\n' crawler pages seconds pages/s "max RSS MB" "peak PSS MB" "private MB"
median_row yuqing
y_pages_s=$pages_s y_rss=$rss y_anon=$anon
if ((!have_scrapy)); then
  echo "scrapy: not installed for $python (see the header of this script)"
  exit 0
fi
median_row scrapy
awk -v yp="$y_pages_s" -v sp="$pages_s" -v yr="$y_rss" -v sr="$rss" -v ya="$y_anon" -v sa="$anon" 'BEGIN {
  printf "yuqing vs scrapy: %.1fx the pages/s, 1/%.2f of the max RSS, 1/%.1f of the private memory\n",
    yp / sp, sr / yr, sa / ya }'
