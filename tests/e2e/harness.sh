#!/usr/bin/env bash
# Shared harness of the end-to-end scripts (sourced, not run): tool checks, a temp folder that
# is removed on exit (KEEP_TMP=1 keeps it), PASS/FAIL bookkeeping, and the filled real
# registry that the scenarios start from.
#
#   . "$HERE/harness.sh"
#   e2e_require docker-registry skopeo ...   # exit 77 (ctest: skipped) when one is missing
#   e2e_tmpdir NAME                          # sets T, cleaned on exit
#   e2e_fill_registry                        # fills $T/fill/root, oracle in $T/expect.txt
#   check "description" COMMAND...           # PASS/FAIL on COMMAND's status
#   e2e_summary                              # last line: "N passed, M failed"; status
# Expects REGSWEEP to be set by the caller.

SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)
FAILS=0
PASSES=0
START=$(date +%s)
pass() { PASSES=$((PASSES + 1)); printf 'PASS: %s\n' "$*"; }
fail() { FAILS=$((FAILS + 1)); printf 'FAIL: %s\n' "$*"; }
info() { printf 'INFO: %s\n' "$*"; }
section() { printf '\n=== %s\n' "$*"; }
check() {
    local desc=$1
    shift
    if "$@"; then pass "$desc"; else fail "$desc"; fi
}

e2e_require() {
    local tool
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "SKIP: $tool not installed"
            exit 77
        fi
    done
    if [ ! -x "$REGSWEEP" ]; then
        echo "FAIL: regsweep binary $REGSWEEP not found or not executable"
        exit 2
    fi
    # shellcheck source=../../scripts/registry-lib.sh
    . "$SCRIPTS/registry-lib.sh"
}

e2e_tmpdir() {
    T=$(mktemp -d "${TMPDIR:-/tmp}/regsweep-$1.XXXXXX")
    trap e2e_cleanup EXIT
    trap 'exit 130' INT TERM
}
e2e_cleanup() {
    reg_stop
    if [ -n "${KEEP_TMP:-}" ]; then echo "(kept $T)"; else rm -rf "$T"; fi
}

# Starts a real registry in $T/fill, pushes the scenario (scripts/fill-scenario.sh) and stops
# it: the storage is $T/fill/root, the oracle $T/expect.txt and the references $T/refs.txt.
e2e_fill_registry() {
    section "fixture: fill a real registry"
    if ! reg_start "$T/fill"; then
        fail "start docker-registry"
        exit 1
    fi
    if FILL_WORK=$T/fill-work FILL_QUIET=1 bash "$SCRIPTS/fill-scenario.sh" "$T/expect.txt" \
        "$T/refs.txt"; then
        pass "scenario pushed ($(cat "$T/fill-work/oracle.counts"))"
    else
        fail "fill-scenario.sh"
        exit 1
    fi
}

e2e_summary() {
    section "summary"
    echo "$PASSES passed, $FAILS failed, $(($(date +%s) - START))s"
    [ "$FAILS" -eq 0 ]
}
