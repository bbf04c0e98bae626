# Sourced by the bench scripts that run llama.cpp: finds one of its programs in a built tree.

# llamacpp_tool SCRIPT DIR NAME: prints DIR's NAME (in build/bin/, bin/ or DIR itself); exits
# with a line naming SCRIPT when there is none.
llamacpp_tool() {
    local c
    for c in "$2/build/bin/$3" "$2/bin/$3" "$2/$3"; do
        [ -x "$c" ] && { echo "$c"; return 0; }
    done
    echo "$1: no $3 under $2" >&2
    exit 1
}
