# Sourced by the scripts of bench/ and tools/ that measure yuqing or run a peer: the usage from a
# script's header comment, its required files, and a built llama.cpp's programs and libraries.
# Sets `root` (the repository) and `script` (the sourcing script's name, for its messages).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
script=$(basename "$0" .sh)

# usage_unless HAVE NEED: with fewer than NEED arguments, prints the script's header comment (its
# comment lines after the #! line) and exits 2.
usage_unless() {
    [ "$1" -ge "$2" ] && return 0
    awk 'NR > 1 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "$0"
    exit 2
}

# require_files FILE...: exits 1 naming the first FILE that does not exist; this repository's
# build outputs get the hint to build them.
require_files() {
    local f
    for f in "$@"; do
        [ -e "$f" ] && continue
        case $f in
        "$root"/build/*) echo "$script: $f is missing (run make)" >&2 ;;
        *) echo "$script: $f is missing" >&2 ;;
        esac
        exit 1
    done
}

# llamacpp_tool DIR NAME: prints the built llama.cpp DIR's program NAME (in build/bin/, bin/ or
# DIR itself); exits 1 when there is none.
llamacpp_tool() {
    local c
    for c in "$1/build/bin/$2" "$1/bin/$2" "$1/$2"; do
        [ -x "$c" ] && { echo "$c"; return 0; }
    done
    echo "$script: no $2 under $1" >&2
    exit 1
}

# use_llamacpp_tree DIR: a llama.cpp source tree built in DIR/build; sets `llama` (its absolute
# path) and exports it as LLAMA_CPP_DIR (for gguf-py and convert_hf_to_gguf.py) with its
# libraries on LD_LIBRARY_PATH (for programs linked against libllama).
use_llamacpp_tree() {
    llama=$(cd "$1" && pwd)
    export LLAMA_CPP_DIR=$llama LD_LIBRARY_PATH=$llama/build/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
}
