#!/usr/bin/env bash
# The benchmark generator (bench/gen_registry.cc) must write trees the real registry serves:
# generate a small tree, start docker-registry on it and pull every tag with skopeo (all
# platforms), then collect it with `regsweep gc -m` and pull every tag again.
#
#   bash tests/e2e/generated_registry_pulls.sh /path/to/gen_registry /path/to/regsweep
set -uo pipefail
GEN=${1:?usage: $0 gen_registry regsweep}
REGSWEEP=${2:?usage: $0 gen_registry regsweep}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for tool in docker-registry skopeo curl jq; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
# shellcheck source=../../scripts/registry-lib.sh
. "$REPO/scripts/registry-lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/regsweep-gen.XXXXXX")
trap 'reg_stop; rm -rf "$T"' EXIT
FAILS=0
check() {
    local desc=$1
    shift
    if "$@"; then echo "PASS: $desc"; else echo "FAIL: $desc"; FAILS=$((FAILS + 1)); fi
}
mkdir -p "$T/reg"
"$GEN" "$T/reg/root" --repos 3 --images 20 --pool 30 --seed 7
check "generator exits 0" [ $? -eq 0 ]
reg_start "$T/reg" || exit 1
reg_pull_all "$T/pull1" >"$T/pull1.out" 2>&1
check "every generated tag pulls ($REG_PULL_COUNT tags)" [ ! -s "$T/pull1.out" ]
head -5 "$T/pull1.out"
reg_stop
"$REGSWEEP" gc --delete-untagged --min-age 0 -q "$T/reg/root"
check "gc -m on the generated tree exits 0" [ $? -eq 0 ]
reg_start "$T/reg" || exit 1
reg_pull_all "$T/pull2" >"$T/pull2.out" 2>&1
check "every tag still pulls after gc -m ($REG_PULL_COUNT tags)" [ ! -s "$T/pull2.out" ]
head -5 "$T/pull2.out"
[ "$FAILS" -eq 0 ]
