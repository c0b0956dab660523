#!/usr/bin/env bash
# Process-level crash test of `regsweep gc`: on storage written by the real docker-registry,
# kill regsweep with SIGKILL at every deletion it makes (strace injects the signal at the k-th
# unlinkat), then check that
#   - the killed run left a stale lock that a new run names and refuses without --break-lock;
#   - the tree is still a consistent registry: `regsweep audit` finds no error (no manifest
#     pointing at a missing blob, link or revision), and (for a sample of k) the restarted
#     registry serves every tag (skopeo, all platforms);
#   - a rerun with --break-lock ends in exactly the tree an uninterrupted run produces.
#
#   bash tests/e2e/crash_real_registry.sh /path/to/regsweep
#
# Needs docker-registry, skopeo, strace, curl, jq, python3; exits 77 when one is missing.
set -uo pipefail

REGSWEEP=${1:?usage: $0 /path/to/regsweep}
case $REGSWEEP in /*) ;; *) REGSWEEP=$PWD/$REGSWEEP ;; esac
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for tool in docker-registry skopeo strace curl jq python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
# shellcheck source=../../scripts/registry-lib.sh
. "$REPO/scripts/registry-lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/regsweep-crash.XXXXXX")
trap 'reg_stop; rm -rf "$T"' EXIT
PASSES=0
FAILS=0
check() {
    local desc=$1
    shift
    if "$@"; then PASSES=$((PASSES + 1)); else FAILS=$((FAILS + 1)); echo "FAIL: $desc"; fi
}
V2=docker/registry/v2
# One thread computing and one deletion in flight: strace counts the k-th unlinkat per thread.
GC_ARGS=(gc --delete-untagged --min-age 0 --upload-max-age 0 --prune-empty-repos -q -j 1 --io-depth 1)
listing() { (cd "$1/$V2" && find . ! -name regsweep.lock | sort); }

reg_start "$T/fill" || { echo "FAIL: start docker-registry"; exit 1; }
FILL_WORK=$T/fill-work FILL_QUIET=1 bash "$REPO/scripts/fill-scenario.sh" "$T/expect.txt" \
    "$T/refs.txt" || { echo "FAIL: fill-scenario.sh"; exit 1; }
reg_stop

# The uninterrupted run: the tree every interrupted run must end in, and how many deletions.
cp -a "$T/fill/root" "$T/clean"
strace -f -qq -o "$T/clean.strace" -e trace=unlinkat "$REGSWEEP" "${GC_ARGS[@]}" "$T/clean"
check "uninterrupted run exits 0" [ $? -eq 0 ]
listing "$T/clean" >"$T/expected"
CALLS=$(grep -c 'unlinkat(' "$T/clean.strace")
echo "uninterrupted sweep: $CALLS unlinkat calls"
check "the sweep has real work to do" [ "$CALLS" -gt 20 ]

for k in $(seq 1 "$CALLS"); do
    rm -rf "$T/run"
    cp -a "$T/fill/root" "$T/run"
    # In a subshell, so that bash does not print "Killed" for every k.
    (strace -f -qq -o /dev/null -e trace=unlinkat -e "inject=unlinkat:signal=KILL:when=$k" \
        "$REGSWEEP" "${GC_ARGS[@]}" "$T/run"; true) >/dev/null 2>&1
    check "k=$k: killed" [ -f "$T/run/$V2/regsweep.lock" ]
    "$REGSWEEP" audit "$T/run" >"$T/audit.out" 2>&1
    rc=$?
    check "k=$k: regsweep audit finds no error in the interrupted tree" [ "$rc" -eq 0 ]
    [ "$rc" -eq 0 ] || grep -E "^ *error" "$T/audit.out" | head -5
    if [ $((k % 15)) -eq 1 ]; then
        reg_start "$T/run-registry" >/dev/null 2>&1 || true
        reg_stop
        rm -rf "$T/run-registry/root"
        cp -a "$T/run" "$T/run-registry/root"
        rm -f "$T/run-registry/root/$V2/regsweep.lock"
        if reg_start "$T/run-registry"; then
            reg_pull_all "$T/pull" >"$T/pull.out" 2>&1
            check "k=$k: every tag still pulls after the kill" [ ! -s "$T/pull.out" ]
            [ -s "$T/pull.out" ] && head -5 "$T/pull.out"
            reg_stop
        else
            check "k=$k: registry starts on the interrupted tree" false
        fi
    fi
    "$REGSWEEP" "${GC_ARGS[@]}" "$T/run" >"$T/refused.out" 2>&1
    rc=$?
    check "k=$k: a new run refuses the stale lock (exit 2)" [ "$rc" -eq 2 ]
    check "k=$k: the refusal names the stale lock" grep -q "stale lock" "$T/refused.out"
    "$REGSWEEP" "${GC_ARGS[@]}" --break-lock "$T/run" >"$T/rerun.out" 2>&1
    check "k=$k: rerun with --break-lock exits 0" [ $? -eq 0 ]
    listing "$T/run" >"$T/actual"
    check "k=$k: rerun ends in the uninterrupted tree" cmp -s "$T/actual" "$T/expected"
done
echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
