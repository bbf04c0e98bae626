#!/usr/bin/env bash
# Installs the Debian packages yuqing needs to build and test, only those that are missing,
# non-interactively. Run by `make`; safe to run again.
set -euo pipefail
packages=(cmake gcc make pkg-config gzip libcjson-dev libpcre2-dev libmicrohttpd-dev libcurl4-openssl-dev libidn2-dev
  libxml2-dev libuchardet-dev libyaml-dev libsqlite3-dev libopencc-dev libfftw3-dev libavformat-dev
  libavcodec-dev libswresample-dev libavutil-dev libjs-chart.js chromium fonts-wqy-microhei jq sqlite3
  zlib1g-dev nghttp2-server openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
echo "installing missing packages: ${missing[*]}" >&2
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
