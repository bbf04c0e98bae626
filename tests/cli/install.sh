#!/usr/bin/env bash
# make install: the installed binary finds its runtime data (report page, demo site, models)
# relative to itself, so the demo runs from any working directory.
yuqing=$1 data=$2
source "$(dirname "$0")/lib.bash"

build=$(dirname "$yuqing")
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 && pass || fail "install: $(tail -3 "$work/install.log")"
[[ -x $work/prefix/bin/yuqing && -f $work/prefix/share/yuqing/report/index.html ]] && pass || fail "installed files missing"
mkdir -p "$work/elsewhere"
(cd "$work/elsewhere" && YUQING_DATA_DIR= "$work/prefix/bin/yuqing" demo --out here >"$work/demo.out" 2>"$work/demo.err") \
  && pass || fail "installed demo: $(tail -3 "$work/demo.err")"
[[ -s $work/elsewhere/here/report/index.html ]] && pass || fail "no report from the installed binary"
grep -q "^北风汽车 " "$work/demo.out" && pass || fail "summary: $(cat "$work/demo.out")"
finish install
