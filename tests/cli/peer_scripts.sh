#!/usr/bin/env bash
# The bench/ and tools/ scripts built on bench/common.bash (they run llama.cpp, whisper.cpp or
# long benchmarks, so CI cannot run them whole): without their arguments each prints its header
# comment as its usage and exits 2, before it looks for any program or file.
# Usage: peer_scripts.sh YUQING TESTDATA
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"
root=$(cd "$(dirname "$0")/../.." && pwd)

scripts=$(grep -l 'source .*bench/common.bash\|source .*/common.bash' "$root"/bench/*.sh "$root"/tools/*.sh)
check "scripts found" 1 "$(( $(wc -w <<<"$scripts") >= 8 ))"
for s in $scripts; do
  name=${s#"$root"/}
  bash "$s" >"$work/usage" 2>&1; rc=$?
  check "$name: exit status without arguments" 2 "$rc"
  sed -n '2,/^[^#]/p' "$s" | sed '$d; s/^# \{0,1\}//' >"$work/header" # the comment after #!
  [[ -s $work/header ]] && cmp -s "$work/usage" "$work/header" && pass ||
    fail "$name: usage is not the header comment: $(head -3 "$work/usage")"
  grep -q "^  *${name} " "$work/usage" && pass || fail "$name: its usage does not show how it is run"
done
finish peer_scripts
