#!/usr/bin/env bash
# make-demo-registry.sh - (re)create the bundled demo registry demo/registry/ of the repo.
#
#   scripts/make-demo-registry.sh [--touch-only] [DEST]     (DEST default: <repo>/demo/registry)
#
# Starts a throw-away docker-registry (distribution 2.8) on 127.0.0.1, fills it with
# scripts/fill-scenario.sh, stops it and copies its storage to DEST, so that
# DEST/docker/registry/v2/{blobs,repositories} exists.  DEST/SCENARIO.txt (outside the
# storage tree) holds the oracle: "<live|untagged|garbage> <digest> <note>" lines, then the
# tags / referrers / uploads list.
#
# regsweep's default --min-age is 1h, so every file and directory gets the fixed old mtime
# 2024-01-01 (and the unfinished upload's startedat says 2024-01-01 too).  git does not keep
# mtimes (nor empty directories): after a fresh checkout run
#   scripts/make-demo-registry.sh --touch-only
# to set the old mtimes again without regenerating anything.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OLD_DATE="2024-01-01 00:00:00 UTC"
OLD_RFC3339="2024-01-01T00:00:00Z"

TOUCH_ONLY=
if [ "${1:-}" = --touch-only ]; then TOUCH_ONLY=1; shift; fi
DEST=${1:-$REPO/demo/registry}

age_tree() { # DIR
    find "$1" -path '*/_uploads/*/startedat' -type f | while read -r f; do
        printf '%s' "$OLD_RFC3339" >"$f"
    done
    find "$1" -depth -exec touch -h -d "$OLD_DATE" {} +
}

if [ -n "$TOUCH_ONLY" ]; then
    [ -d "$DEST/docker/registry/v2" ] || { echo "no registry at $DEST" >&2; exit 2; }
    age_tree "$DEST"
    echo "mtimes of $DEST set to $OLD_DATE"
    exit 0
fi

# shellcheck source=registry-lib.sh
. "$HERE/registry-lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/regsweep-demo.XXXXXX")
trap 'reg_stop; rm -rf "$T"' EXIT

reg_start "$T/reg"
FILL_WORK=$T/fill-work FILL_QUIET=1 bash "$HERE/fill-scenario.sh" "$T/expect.txt" "$T/refs.txt"
reg_stop

case $DEST in /|"$REPO"|"$REPO/") echo "refusing to replace $DEST" >&2; exit 2 ;; esac
rm -rf "$DEST"
mkdir -p "$DEST"
cp -a "$T/reg/root/docker" "$DEST/"
{
    echo "# regsweep demo registry, made by scripts/make-demo-registry.sh"
    echo "# storage: docker/registry/v2 (distribution 2.8 filesystem layout)"
    cat "$T/expect.txt"
    cat "$T/refs.txt"
} >"$DEST/SCENARIO.txt"
age_tree "$DEST"

bytes=$(find "$DEST" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
files=$(find "$DEST" -type f | wc -l)
if [ "$bytes" -ge 1000000 ]; then
    echo "demo registry too big: $bytes bytes" >&2
    exit 1
fi
echo "demo registry written to $DEST: $files files, $bytes bytes; $(grep -c '^live ' "$T/expect.txt") live," \
    "$(grep -c '^untagged ' "$T/expect.txt") untagged, $(grep -c '^garbage ' "$T/expect.txt") garbage blobs"
