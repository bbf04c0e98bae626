#!/usr/bin/env bash
# `yuqing analyze` and `yuqing search` end to end: counts on the hand-made items (malformed lines
# skipped with their line numbers, empty bodies, a repeated id), near-duplicates across Simplified
# and Traditional Chinese, idempotence, crash safety (kill -9 mid-run, rerun, same content as an
# uninterrupted run), search with CSV quoting, and bad input. Usage: analyze.sh YUQING TESTDATA
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"
watch=$data/analyze/watch.yaml items=$data/analyze/items.jsonl

# Hand-made items: 8 records read (3 bad lines), one repeated id, one with neither title nor body.
out=$("$yuqing" analyze --in "$items" --watch "$watch" --db "$work/a.db" 2>"$work/err")
check "first run" '{"read": 8, "analyzed": 6, "already_stored": 1, "malformed": 3, "empty": 1, "failed": 0, "new_groups": 5, "new_alerts": 0}' "$out"
grep -q "items.jsonl:4: skipped: not valid JSON" "$work/err" && pass || fail "line 4 not reported: $(cat "$work/err")"
grep -q "items.jsonl:9: skipped: not a JSON object" "$work/err" && pass || fail "line 9 not reported"
grep -q "items.jsonl:10: skipped: no id and no url" "$work/err" && pass || fail "line 10 not reported"
out=$("$yuqing" analyze --in "$items" --watch "$watch" --db "$work/a.db" 2>/dev/null)
check "second run adds nothing" '{"read": 8, "analyzed": 0, "already_stored": 8, "malformed": 3, "empty": 0, "failed": 0, "new_groups": 0, "new_alerts": 0}' "$out"

# The three versions of the earnings story (one in Traditional characters) form one group whose
# first-seen article is the earliest (zh-3) and whose reach is 3 articles.
json=$("$yuqing" search --db "$work/a.db" --export jsonl "第四季度")
check "story in 3 articles" 3 "$(grep -c '"group_articles":3' <<<"$json")"
check "one group" 1 "$(grep -o '"group":[0-9]*' <<<"$json" | sort -u | wc -l)"
check "entity search" "en-1" "$("$yuqing" search --db "$work/a.db" --entity acme --export jsonl | grep -o '"id":"[^"]*"' | cut -d'"' -f4)"
check "short query, either script" 3 "$("$yuqing" search --db "$work/a.db" --export jsonl 财报 | wc -l)"
check "long query, either script" 3 "$("$yuqing" search --db "$work/a.db" --export jsonl 阿裏巴巴 | wc -l)"
check "words all required" "zh-3" "$("$yuqing" search --db "$work/a.db" --export jsonl "阿里巴巴財報 转载" | grep -o '"id":"[^"]*"' | cut -d'"' -f4)"
check "since filter" "en-2" "$("$yuqing" search --db "$work/a.db" --export jsonl --since 2024-05-03 | grep -o '"id":"[^"]*"' | cut -d'"' -f4)"
csv=$("$yuqing" search --db "$work/a.db" --export csv "data leak")
check "csv rows" 2 "$(wc -l <<<"$csv")"
grep -qF ',"ACME Corp sued over ""data leak"", filing says",' <<<"$csv" && pass || fail "CSV quote doubling: $csv"
check "csv header" "id,time,source,url,title,lang,sentiment,score,event_type,summary,keywords,entities,group,group_articles" "$(head -1 <<<"$csv")"

# Crash safety: a generated input big enough to kill mid-way; the killed-and-resumed store must
# hold the same content as an uninterrupted run (with another batch size).
awk -v N=3000 'BEGIN {
  n = split("阿里巴巴今天发布了新的云计算产品。|腾讯的游戏业务收入下滑，股价下跌。|ACME Corp announced record profits this quarter.|分析师认为市场竞争将更加激烈。|Regulators fined ACME for misleading customers.|The weather in Hangzhou was rainy all week.|艾克米公司召回了一批有缺陷的产品。|Alibaba shares rose 3% in Hong Kong trading.|消费者对新产品的评价非常正面。|Tencent appointed a new chief financial officer.|数据中心的建设进度超出了预期。|Investors worry about slowing growth in China.", s, "|")
  seed = 12345
  for (i = 1; i <= N; i++) {
    body = ""
    for (j = 0; j < 3 + i % 5; j++) { seed = (seed * 1103515245 + 12345) % 2147483648; body = body s[1 + int(seed / 65536) % n] " " }
    printf "{\"id\":\"gen-%d\",\"source\":\"src%d.example\",\"title\":\"Article %d\",\"published_at\":\"2024-05-%02dT%02d:00:00Z\",\"body\":\"%s\"}\n", i, i % 7, i, 1 + i % 28, i % 24, body
  }
}' >"$work/big.jsonl"
"$yuqing" analyze --in "$work/big.jsonl" --watch "$watch" --db "$work/whole.db" --quiet >/dev/null
"$yuqing" analyze --in "$work/big.jsonl" --watch "$watch" --db "$work/killed.db" --batch 50 --quiet >/dev/null &
pid=$!
# Kill once a few batches are in the write-ahead log (it starts with the schema, ~100 KB a batch).
for _ in $(seq 500); do (($(stat -c %s "$work/killed.db-wal" 2>/dev/null || echo 0) > 300000)) && break; sleep 0.02; done
if kill -9 "$pid" 2>/dev/null; then pass; else fail "analyze finished before the kill: make the input bigger"; fi
wait "$pid" 2>/dev/null
out=$("$yuqing" analyze --in "$work/big.jsonl" --watch "$watch" --db "$work/killed.db" --quiet)
echo "cli analyze: killed after $(grep -o '"already_stored": [0-9]*' <<<"$out" | cut -d' ' -f2) of 3000 articles" >&2
grep -q '"already_stored": [1-9]' <<<"$out" && pass || fail "the killed run stored nothing before the kill: $out"
dump() { "$yuqing" search --db "$1" --export jsonl; }
cmp -s <(dump "$work/whole.db") <(dump "$work/killed.db") && pass || fail "resumed store differs (search export)"
if command -v sqlite3 >/dev/null; then
  tables="SELECT * FROM entities ORDER BY id; SELECT * FROM settings ORDER BY key;
    SELECT * FROM near_dup_groups ORDER BY id; SELECT * FROM articles ORDER BY seq;
    SELECT * FROM analyses ORDER BY article; SELECT * FROM mentions ORDER BY article, field, start;
    SELECT * FROM entity_sentiment ORDER BY article, entity; SELECT * FROM alerts ORDER BY id;
    SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'ACME' ORDER BY rowid;
    INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check');"
  sqlite3 "$work/whole.db" "$tables" >"$work/whole.dump" && pass || fail "dump of the uninterrupted store"
  sqlite3 "$work/killed.db" "$tables" >"$work/killed.dump" && pass || fail "dump (FTS integrity) of the resumed store"
  check "rows in the dump" 1 "$(( $(wc -l <"$work/whole.dump") > 3000 ))"
  cmp -s "$work/whole.dump" "$work/killed.dump" && pass || fail "resumed store differs: $(diff "$work/whole.dump" "$work/killed.dump" | head -3)"
  # The story's group: first seen in zh-3 (earliest time, though read last), 3 articles, 3 sources;
  # 騰訊 in the Traditional copy is a mention of 腾讯 at its bytes in the stored body.
  check "group of the story" "zh-3|3|3" "$(sqlite3 "$work/a.db" "SELECT first_article, n_articles, n_sources FROM near_dup_groups WHERE id = (SELECT group_id FROM articles WHERE id = 'zh-1')")"
  check "traditional mention" "騰訊" "$(sqlite3 "$work/a.db" "SELECT substr(CAST(body AS BLOB), start + 1, end - start) FROM mentions m JOIN articles a ON a.seq = m.article JOIN entities e ON e.id = m.entity WHERE a.id = 'zh-2' AND e.name = '腾讯'")"
  # The crawler's SQLite store as input: table items, columns by name, extra columns ignored.
  sqlite3 "$work/items.db" "CREATE TABLE items(id TEXT PRIMARY KEY, url TEXT, source TEXT, title TEXT,
    body TEXT, published_at TEXT, transcript TEXT, http_status INTEGER);
    INSERT INTO items VALUES ('s1', 'https://s.example/1', 's.example', '騰訊發布新遊戲', '腾讯今天发布了新游戏。', '2024-05-04', NULL, 200);
    INSERT INTO items VALUES ('s2', 'https://s.example/2', 's.example', 'Podcast', NULL, NULL, 'ACME recalled its heaters after a fire.', 200);"
  out=$("$yuqing" analyze --in "$work/items.db" --watch "$watch" --db "$work/s.db" 2>/dev/null)
  check "items from SQLite" '{"read": 2, "analyzed": 2, "already_stored": 0, "malformed": 0, "empty": 0, "failed": 0, "new_groups": 2, "new_alerts": 0}' "$out"
  check "transcript analysed" "accident_recall" "$(sqlite3 "$work/s.db" "SELECT event_type FROM analyses JOIN articles ON seq = article WHERE id = 's2'")"
  check "traditional title mention" "title 0 6" "$(sqlite3 -separator ' ' "$work/s.db" "SELECT field, start, end FROM mentions JOIN articles ON seq = article WHERE id = 's1' ORDER BY field DESC LIMIT 1")"
  sqlite3 "$work/a.db" "PRAGMA user_version = 99"
  expect_error 2 "analysis store schema version 99 is newer than this yuqing supports (1)" '' \
    analyze --in "$items" --watch "$watch" --db "$work/a.db"
else
  echo "cli analyze: sqlite3 not installed: full table dump and newer-schema checks skipped" >&2
fi

# Bad input: one line on stderr, exit 2.
printf 'entities:\n  - name: A\n    bogus: 1\n' >"$work/bad.yaml"
expect_error 2 "bad.yaml:3: unknown key 'bogus' in an entity" '' analyze --in "$items" --watch "$work/bad.yaml" --db "$work/b.db"
expect_error 2 "/nonexistent.jsonl" '' analyze --in /nonexistent.jsonl --watch "$watch" --db "$work/b.db"
expect_error 2 "give --in, --watch and --db" '' analyze --in "$items"
expect_error 2 "no such analysis store" '' search --db "$work/none.db" x
expect_error 2 "--export: 'xml' is not csv or jsonl" '' search --db "$work/a.db" --export xml x
expect_error 2 "--since" '' search --db "$work/a.db" --since yesterday x
finish "cli analyze"
