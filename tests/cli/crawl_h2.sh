#!/usr/bin/env bash
# yuqing crawl over HTTP/2 with TLS verification on: nghttpd (Debian's nghttp2-server, a server
# that speaks only HTTP/2) serves a small static site on a loopback port with a certificate
# signed by a CA made here by openssl, which the crawl trusts through `ca_file`. The protocol is
# checked on both ends: the crawler's log line of each page ("over HTTP/2", from libcurl's
# CURLINFO_HTTP_VERSION) and the HTTP/2 HEADERS frames in nghttpd's log. Skipped (exit 77) only
# when nghttpd or openssl is not installed (tools/install-deps.sh installs both).
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"
nghttpd=$(PATH=$PATH:/usr/sbin:/sbin command -v nghttpd)
if [[ -z $nghttpd ]] || ! command -v openssl >/dev/null; then
  echo "crawl_h2: nghttpd (package nghttp2-server) or openssl not installed: skipped" >&2
  exit 77
fi
server_pid=
trap '[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

# --- a CA and a certificate for 127.0.0.1 signed by it --------------------------------------
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout "$work/ca.key" -out "$work/ca.pem" -days 2 \
  -subj "/CN=yuqing test CA" 2>/dev/null
openssl req "${ec[@]}" -keyout "$work/server.key" -out "$work/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName = IP:127.0.0.1\n' >"$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 2 -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null
[[ -s $work/server.pem ]] || { echo "crawl_h2: openssl could not make the certificates" >&2; exit 1; }

# --- the site: a front page linking three articles ---------------------------------------------
mkdir -p "$work/htdocs/news"
articles=(harbour-bridge "river-festival" "library-reopens")
{
  echo '<!doctype html><html><head><title>H2 Gazette</title></head><body><h1>H2 Gazette</h1><ul>'
  for a in "${articles[@]}"; do echo "<li><a href=\"/news/$a.html\">$a</a></li>"; done
  echo '</ul></body></html>'
} >"$work/htdocs/index.html"
for a in "${articles[@]}"; do
  cat >"$work/htdocs/news/$a.html" <<EOF
<!doctype html><html><head><meta charset="utf-8"><title>Story $a</title></head><body><article>
<h1>Story $a</h1>
<p>The council said on Monday that the $a project would go ahead after a long public consultation.</p>
<p>Residents who spoke at the meeting welcomed the decision, while some asked about the cost and the schedule.</p>
<p>Work is expected to start in the spring and to finish before the end of next year, officials said.</p>
</article></body></html>
EOF
done

# start_server: nghttpd on a free loopback port (tries a few random ones); sets $port.
start_server() {
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    "$nghttpd" -v -a 127.0.0.1 -d "$work/htdocs" "$port" "$work/server.key" "$work/server.pem" \
      >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$server_pid" 2>/dev/null
    server_pid=
  done
  return 1
}
start_server || { echo "crawl_h2: nghttpd did not start: $(cat "$work/server.log")" >&2; exit 1; }
base=https://127.0.0.1:$port

# write_config NAME [GLOBAL-LINE]: a crawl of the site with politeness off.
write_config() {
  cat >"$work/$1.yaml" <<EOF
delay: 0
autothrottle: false
retries: 0
per_domain_concurrency: 4
$2
sources:
  - name: h2
    start_urls: [$base/]
    article: ['/news/']
    max_depth: 1
    allow_private: true
EOF
}

# --- the crawl over HTTP/2, the CA trusted through ca_file --------------------------------------
write_config trusted "ca_file: $work/ca.pem"
"$yuqing" crawl "$work/trusted.yaml" --once --verbose --state "$work/trusted.state" \
  --out "$work/items.jsonl" 2>"$work/trusted.err"
check "exit status of the trusted crawl" 0 "$?"
check "items" 3 "$(wc -l <"$work/items.jsonl")"
for a in "${articles[@]}"; do
  check "title of $a" "Story $a" "$(jq -r --arg u "$base/news/$a.html" 'select(.url == $u) | .title' "$work/items.jsonl")"
  grep -qF "$base/news/$a.html: 200 over HTTP/2," "$work/trusted.err" && pass ||
    fail "no 'over HTTP/2' line for $a: $(grep -F "$a" "$work/trusted.err")"
  grep -qE "recv \(stream_id=[0-9]+\) :path: /news/$a.html$" "$work/server.log" && pass ||
    fail "nghttpd's log has no HTTP/2 request for /news/$a.html"
done
grep -qF "$base/: 200 over HTTP/2," "$work/trusted.err" && pass || fail "front page not fetched over HTTP/2"
check "pages over another protocol" 0 "$(grep -c ' over HTTP/1' "$work/trusted.err")"

# --- without the CA the certificate is refused: verification is on -----------------------------
write_config untrusted "obey_robots: false"
"$yuqing" crawl "$work/untrusted.yaml" --once --verbose --state "$work/untrusted.state" \
  --out "$work/none.jsonl" 2>"$work/untrusted.err"
check "items without the CA" 0 "$(wc -l <"$work/none.jsonl")"
grep -qi "$base/: giving up.*certificate" "$work/untrusted.err" && pass ||
  fail "no certificate error without the CA: $(grep -i 'giving up' "$work/untrusted.err")"

# --- a ca_file that cannot be read is a configuration error -------------------------------------
write_config missing "ca_file: $work/no-such-ca.pem"
expect_error 2 "missing.yaml:5: ca_file: cannot read $work/no-such-ca.pem" "" crawl "$work/missing.yaml" --once

finish crawl_h2
