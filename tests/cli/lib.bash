# Shared by the command-line tests (sourced, not run): counters, a scratch folder, the error
# check, and the committed Qwen3 tokenizer unpacked. Callers set `yuqing` and `data` first.
set -u
failures=0 passes=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect_error CODE NEEDLE INPUT ARGS...: exit status CODE, nothing on stdout and one stderr line
# containing NEEDLE.
expect_error() {
  local code=$1 needle=$2 input=$3; shift 3
  local rc
  printf '%b' "$input" | "$yuqing" "$@" >"$work/out" 2>"$work/err"; rc=$?
  if [[ $rc -ne $code ]]; then fail "$* -> exit $rc, expected $code ($(cat "$work/err"))"
  elif [[ -s "$work/out" ]]; then fail "$* -> wrote to stdout on error"
  elif [[ $(wc -l <"$work/err") -ne 1 ]]; then fail "$* -> not one line: $(cat "$work/err")"
  elif ! grep -qF -- "$needle" "$work/err"; then fail "$* -> '$(cat "$work/err")' lacks '$needle'"
  else pass; fi
}

# check NAME EXPECTED ACTUAL
check() { [[ "$3" == "$2" ]] && pass || fail "$1: got '$3', expected '$2'"; }

# Unpacks the gzipped Qwen3 tokenizer into $work/qwen3 and prints that folder.
unpack_qwen3() {
  mkdir -p "$work/qwen3"
  gzip -dc "$data/tokenizers/qwen3/tokenizer.json.gz" >"$work/qwen3/tokenizer.json"
  cp "$data/tokenizers/qwen3/tokenizer_config.json" "$work/qwen3/"
  echo "$work/qwen3"
}

# serve_port LOG: waits up to 10 s for `yuqing serve`'s "listening on http://127.0.0.1:PORT" line
# in LOG and prints PORT (nothing when it never came).
serve_port() {
  local port=""
  for _ in $(seq 100); do
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$1" | head -1 | sed 's/.*://')
    [[ -n $port ]] && break
    sleep 0.1
  done
  echo "$port"
}

# finish NAME: the closing line, and the exit status.
finish() {
  echo "$1: $passes passed, $failures failed"
  [[ $failures -eq 0 ]]
}
