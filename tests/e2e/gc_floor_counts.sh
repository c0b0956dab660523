#!/usr/bin/env bash
# bench/gc_floor reads what gc reads: on the demo registry, at depth 1 and 16, it finds the
# repositories and reads the manifests `regsweep gc --dry-run` reports having scanned; with
# --examine it examines the blobs a dry run of `gc -m` would delete.
#
#   bash tests/e2e/gc_floor_counts.sh /path/to/gc_floor /path/to/regsweep
set -uo pipefail
FLOOR=${1:?usage: $0 GC_FLOOR REGSWEEP}
REGSWEEP=${2:?usage: $0 GC_FLOOR REGSWEEP}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/harness.sh"
e2e_require jq
DEMO=$HERE/../../demo/registry
read -r repos manifests < <("$REGSWEEP" gc --dry-run -q --json - "$DEMO" |
    jq -r '"\(.scanned.repositories) \(.scanned.manifests)"')
examined=$(mktemp)
trap 'rm -f "$examined"' EXIT
"$REGSWEEP" gc --dry-run -m --min-age 0 -q --json - "$DEMO" | jq -r '.deleted.blobs[].digest' \
    >"$examined"
blobs=$(wc -l <"$examined")
check "gc -m would delete some blobs of the demo ($blobs)" test "$blobs" -gt 0
for depth in 1 16; do
    line=$("$FLOOR" --depth "$depth" "$DEMO/docker/registry/v2")
    check "depth $depth: $line (gc: $repos repositories, $manifests manifests)" \
        grep -q "^gc_floor: $repos repositories, [0-9]* shards, $manifests manifests, 0 blobs examined, depth $depth in" \
        <<<"$line"
    line=$("$FLOOR" --depth "$depth" --examine "$examined" "$DEMO/docker/registry/v2")
    check "depth $depth, --examine: $line (gc -m: $blobs blobs)" \
        grep -q "^gc_floor: $repos repositories, [0-9]* shards, $manifests manifests, $blobs blobs examined, depth $depth in" \
        <<<"$line"
done
check "--examine without a readable file is refused" \
    bash -c '! "$0" --examine /nonexistent "$1" 2>/dev/null' "$FLOOR" "$DEMO/docker/registry/v2"
e2e_summary
