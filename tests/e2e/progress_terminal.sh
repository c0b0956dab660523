#!/usr/bin/env bash
# Progress on a terminal: gc, audit and usage run in a pseudo-terminal (script(1)) on a
# generated tree of about 130k files, read from a cold page cache (when this machine lets root
# drop it) with one thread and one read in flight, so that the phases take seconds. The status
# line must show the phases with counts, totals where known, a rate and the time left; finished
# phases stay on their own lines; the report starts on a clean line. Without a terminal, or with -q, nothing of it is written.
#
#   bash tests/e2e/progress_terminal.sh /path/to/gen_registry /path/to/regsweep
set -uo pipefail

GEN=${1:?usage: $0 GEN_REGISTRY REGSWEEP}
REGSWEEP=${2:?usage: $0 GEN_REGISTRY REGSWEEP}
case $REGSWEEP in /*) ;; *) REGSWEEP=$PWD/$REGSWEEP ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

. "$HERE/harness.sh"
e2e_require script
e2e_tmpdir progress

section "fixture: a generated registry"
"$GEN" "$T/root" --repos 60 --images 80 >/dev/null 2>&1
check "gen_registry wrote a tree" [ -d "$T/root/docker/registry/v2/blobs" ]
cold() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || info "page cache not dropped"; }

# in_pty NAME ARGS...: runs regsweep ARGS in a pseudo-terminal; the raw screen output in
# $T/NAME.raw and, one status update per line, in $T/NAME.lines.
in_pty() {
    local name=$1
    shift
    local command
    printf -v command '%q ' "$REGSWEEP" "$@"
    script -qfec "$command" /dev/null >"$T/$name.raw" 2>&1
    tr '\r' '\n' <"$T/$name.raw" | sed 's/\x1b\[K//g' >"$T/$name.lines"
}
has() { grep -qE "$2" "$T/$1.lines"; } # NAME REGEX

section "gc in a terminal"
cold
in_pty gc gc -m --dry-run -j 1 --io-depth 1 "$T/root"
check "[gc] the scan counts folders" has gc '^regsweep gc: scan [0-9,]+ folders'
check "[gc] manifests: done of total, percent" has gc '^regsweep gc: manifests [0-9,]+/[0-9,]+ manifests \([0-9]+%\)'
check "[gc] a rate" has gc '^regsweep gc: [a-z]+ .*, [0-9,]+/s'
check "[gc] time left where the total is known" has gc '^regsweep gc: manifests .*s left$'
check "[gc] finished phases stay on their own lines" has gc '^regsweep gc: scan done$'
check "[gc] the report starts on a clean line" grep -q $'^regsweep gc (dry run): ' "$T/gc.raw"

section "audit --verify-data in a terminal"
cold
in_pty audit audit --verify-data -j 1 --io-depth 1 "$T/root"
check "[audit] manifests counted" has audit '^regsweep audit: manifests [0-9,]+/[0-9,]+ manifests'
check "[audit] hashing in bytes of a known total" has audit '^regsweep audit: verify [0-9.]+ [KMG]?i?B/[0-9.]+ [KMG]?i?B'
check "[audit] the summary follows" grep -q '^summary: ' "$T/audit.lines"

section "usage in a terminal"
cold
in_pty usage usage -j 1 --io-depth 1 "$T/root"
check "[usage] phases shown" has usage '^regsweep usage: (scan|manifests) '
check "[usage] the report starts on a clean line" grep -q $'^regsweep usage: /' "$T/usage.raw"

section "no display without a terminal, or with -q"
"$REGSWEEP" gc -m --dry-run "$T/root" >"$T/pipe.out" 2>"$T/pipe.err"
check "[pipe] no status line on stderr" [ ! -s "$T/pipe.err" ]
check "[pipe] no carriage return in the output" bash -c '! grep -q $'"'"'\r'"'"' "$0"' "$T/pipe.out"
in_pty quiet gc -m --dry-run -q "$T/root"
check "[-q] no status line in a terminal" bash -c '! grep -q "regsweep gc: scan" "$0"' "$T/quiet.lines"

e2e_summary
