#!/usr/bin/env bash
# bench/gc_floor reads what gc reads: on the demo registry, at depth 1 and 16, it finds the
# repositories and reads the manifests `regsweep gc --dry-run` reports having scanned.
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
for depth in 1 16; do
    line=$("$FLOOR" --depth "$depth" "$DEMO/docker/registry/v2")
    check "depth $depth: $line (gc: $repos repositories, $manifests manifests)" \
        grep -q "^gc_floor: $repos repositories, [0-9]* shards, $manifests manifests, depth $depth in" \
        <<<"$line"
done
e2e_summary
