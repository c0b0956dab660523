#!/usr/bin/env bash
# End-to-end test of `regsweep usage` and the gc what-if against storage written by the real
# registry (docker-registry / CNCF distribution 2.8, filled by scripts/fill-scenario.sh):
#   - the reclaimable totals equal what `gc -m` and `gc` would free;
#   - for several tags, the exclusive bytes `usage --tags` reports equal the bytes that
#     `gc -m --untag REPO:TAG --min-age 0` then really frees (fresh copy per tag, collected
#     once with `gc -m` first so only the tag's own bytes remain to free), and the dry run's
#     what-if announces the same;
#   - for some repositories, exclusive bytes equal what `gc -m --delete-repo` frees, the folder
#     is gone and every other tag still pulls;
#   - the Prometheus and CSV files agree with the JSON;
#   - the HTML report opened in headless Chromium renders its three charts, and a screenshot
#     is produced.
#
#   bash tests/e2e/usage_real_registry.sh /path/to/regsweep
#
# Needs docker-registry, skopeo, curl, jq, python3 and chromium; exits 77 (skip) when one is
# missing. Every check prints one PASS/FAIL line; exit status is 1 if any check failed.
set -uo pipefail

REGSWEEP=${1:?usage: $0 /path/to/regsweep}
case $REGSWEEP in /*) ;; *) REGSWEEP=$PWD/$REGSWEEP ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# shellcheck source=harness.sh
. "$HERE/harness.sh"
e2e_require docker-registry skopeo curl jq python3 chromium
e2e_tmpdir usage-e2e
# run NAME ARGS... : runs regsweep, output in $T/NAME.out, sets RC
run() {
    local name=$1
    shift
    "$REGSWEEP" "$@" >"$T/$name.out" 2>&1
    RC=$?
    if [ "$RC" -ne 0 ]; then
        info "regsweep $* -> exit $RC; output tail:"
        tail -n 15 "$T/$name.out" | sed 's/^/       /'
    fi
}
new_copy() { # NAME -> $T/NAME/root is a copy of the filled storage
    rm -rf "${T:?}/$1"
    mkdir -p "$T/$1"
    cp -a "$T/fill/root" "$T/$1/root"
}

e2e_fill_registry
reg_stop
ROOT=$T/fill/root

section "regsweep usage"
run usage usage --tags --top 5 --json "$T/usage.json" --csv "$T/usage.csv" \
    --prometheus "$T/usage.prom" --html "$T/usage.html" "$ROOT"
check "usage exits 0" [ "$RC" -eq 0 ]
sed 's/^/       /' "$T/usage.out"
U=$T/usage.json
check "blob count equals the data files on disk" \
    [ "$(jq .totals.blobs "$U")" = "$(reg_blob_digests "$ROOT" | wc -l)" ]
check "blob bytes equal the data files' sizes" [ "$(jq .totals.blob_bytes "$U")" = "$(reg_disk_bytes "$ROOT")" ]
check "every tag of the scenario is accounted ($(grep -c '^tag ' "$T/refs.txt"))" \
    [ "$(jq '.tags | length' "$U")" = "$(grep -c '^tag ' "$T/refs.txt")" ]

run gc-m-dry gc -m --dry-run --min-age 0 --json "$T/gc-m-dry.json" "$ROOT"
check "unreferenced bytes = what gc -m would free ($(jq .totals.unreferenced_bytes "$U"))" \
    [ "$(jq .totals.unreferenced_bytes "$U")" = "$(jq .freed_bytes "$T/gc-m-dry.json")" ]
run gc-dry gc --dry-run --min-age 0 --json "$T/gc-dry.json" "$ROOT"
check "unused-by-manifests bytes = what plain gc would free ($(jq .totals.unused_by_manifests_bytes "$U"))" \
    [ "$(jq .totals.unused_by_manifests_bytes "$U")" = "$(jq .freed_bytes "$T/gc-dry.json")" ]
check "library/base:1.0 and :stable (one manifest) are exclusive of nothing" \
    jq -e '[.tags[] | select(.repository=="library/base") | .exclusive_bytes] == [0, 0]' "$U"

# untag_frees NAME REF -> sets FREED (bytes gc -m --untag REF frees after a baseline gc -m)
untag_frees() {
    local name=$1 ref=$2 before after
    new_copy "$name"
    run "$name-base" gc -m --min-age 0 "$T/$name/root"
    run "$name-dry" gc -m --dry-run --min-age 0 --untag "$ref" --json "$T/$name-dry.json" "$T/$name/root"
    before=$(reg_disk_bytes "$T/$name/root")
    run "$name" gc -m --min-age 0 --untag "$ref" --json "$T/$name.json" "$T/$name/root"
    after=$(reg_disk_bytes "$T/$name/root")
    FREED=$((before - after))
}

section "per tag: exclusive bytes = what gc -m --untag frees"
FB=$(awk '$1=="tag" && $2=="apps/web" && $3 ~ /^sha256-/ {print $2":"$3; exit}' "$T/refs.txt")
n=0
for ref in apps/web:1.0 apps/web:latest library/base:1.0 multi/oci:1.0 multi/docker:1.0 \
    team/a/b/svc:latest apps/api:2.0 mounted/app:1.0 "$FB"; do
    n=$((n + 1))
    repo=${ref%:*}
    tag=${ref##*:}
    want=$(jq --arg r "$repo" --arg t "$tag" '.tags[] | select(.repository==$r and .tag==$t) | .exclusive_bytes' "$U")
    untag_frees "tag$n" "$ref"
    check "[$ref] exclusive $want = bytes removed from disk by gc -m --untag ($FREED)" [ "$want" = "$FREED" ]
    check "[$ref] = freed_bytes of the real run" [ "$want" = "$(jq .freed_bytes "$T/tag$n.json")" ]
    check "[$ref] = what the dry run's what-if announces" \
        [ "$want" = "$(jq .what_if.freed_bytes "$T/tag$n-dry.json")" ]
done
check "[apps/web:1.0] what-if names who keeps the base layers" \
    jq -e '[.what_if.kept[].kept_by[]] | index("library/base:1.0") != null' "$T/tag1-dry.json"
check "[apps/web:1.0] the text says so" grep -q 'kept: shared with .* and [0-9]* more' "$T/tag1-dry.out"

section "per repository: exclusive bytes = what gc -m --delete-repo frees"
n=0
for repo in apps/web multi/oci team/a/b/svc; do
    n=$((n + 1))
    want=$(jq --arg r "$repo" '.repositories[] | select(.name==$r) | .exclusive_bytes' "$U")
    new_copy "repo$n"
    run "repo$n-base" gc -m --min-age 0 "$T/repo$n/root"
    before=$(reg_disk_bytes "$T/repo$n/root")
    run "repo$n" gc -m --min-age 0 --delete-repo "$repo" --json "$T/repo$n.json" "$T/repo$n/root"
    after=$(reg_disk_bytes "$T/repo$n/root")
    check "[$repo] exclusive $want = bytes removed by gc -m --delete-repo ($((before - after)))" \
        [ "$want" = "$((before - after))" ]
    check "[$repo] repository folder removed" [ ! -e "$T/repo$n/root/docker/registry/v2/repositories/$repo" ]
done
if reg_start "$T/repo1"; then
    reg_pull_all "$T/pull-repo1" >"$T/pull-repo1.out" 2>&1
    check "[apps/web deleted] every other tag still pulls ($REG_PULL_COUNT tags)" [ ! -s "$T/pull-repo1.out" ]
    sed 's/^/       /' "$T/pull-repo1.out"
    check "[apps/web deleted] no longer in the catalog" test -z "$(reg_catalog | grep -x apps/web)"
    reg_stop
else
    fail "registry restarts after --delete-repo"
fi

section "Prometheus and CSV agree with the JSON"
P=$T/usage.prom
for repo in apps/web library/base; do
    for kind in logical exclusive shared; do
        got=$(awk -v k="regsweep_repository_bytes{repository=\"$repo\",kind=\"$kind\"}" '$1==k {print $2}' "$P")
        want=$(jq --arg r "$repo" --arg k "${kind}_bytes" '.repositories[] | select(.name==$r) | .[$k]' "$U")
        check "[prometheus] $repo $kind = $want" [ "$got" = "$want" ]
    done
done
check "[prometheus] no temporary file left beside it" [ -z "$(find "$T" -maxdepth 1 -name '.usage.prom*')" ]
got=$(awk -F, '$1=="repository" && $2=="apps/web" {print $9}' "$T/usage.csv")
check "[csv] apps/web exclusive = $got" \
    [ "$got" = "$(jq '.repositories[] | select(.name=="apps/web") | .exclusive_bytes' "$U")" ]

section "HTML report in headless Chromium"
CHROME=(chromium --headless --no-sandbox --disable-gpu --disable-background-networking
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$T/chrome-profile")
timeout 120 "${CHROME[@]}" --dump-dom "file://$T/usage.html" >"$T/dom.html" 2>"$T/chrome-dom.log"
check "chromium renders the page (DOM dumped, $(wc -c <"$T/dom.html") bytes)" grep -q '<h1>regsweep usage</h1>' "$T/dom.html"
REPOS=$(jq '.repositories | length' "$U")
BARS=$((REPOS < 20 ? REPOS : 20))
CELLS=$(((REPOS < 8 ? REPOS : 8) * (REPOS < 8 ? REPOS : 8)))
count() { grep -o "$1" "$T/dom.html" | wc -l; }
check "repositories chart: $BARS exclusive and $BARS shared bars" \
    test "$(count '<rect class="bar exclusive"')" -eq "$BARS" -a "$(count '<rect class="bar shared"')" -eq "$BARS"
check "sharing chart: $CELLS matrix cells" [ "$(count '<rect class="cell')" -eq "$CELLS" ]
check "reclaimable chart: referenced and reclaimable segments" \
    test "$(count '<rect class="segment referenced"')" -eq 1 -a "$(count '<rect class="segment reclaimable"')" -eq 1
reclaim=$(grep -o '<rect class="segment reclaimable" data-bytes="[0-9]*"' "$T/dom.html" | grep -o '[0-9]*"$' | tr -d '"')
check "reclaimable chart shows $(jq .totals.unreferenced_bytes "$U") bytes" [ "$reclaim" = "$(jq .totals.unreferenced_bytes "$U")" ]
check "apps/web has its bar" grep -q 'data-repository="apps/web"' "$T/dom.html"
timeout 120 "${CHROME[@]}" --window-size=1280,2400 --screenshot="$T/usage.png" "file://$T/usage.html" >"$T/chrome-shot.log" 2>&1
check "screenshot produced ($(stat -c %s "$T/usage.png" 2>/dev/null || echo 0) bytes)" \
    test -s "$T/usage.png" -a "$(head -c 4 "$T/usage.png" 2>/dev/null | tail -c 3)" = PNG
if [ -n "${USAGE_SCREENSHOT_OUT:-}" ] && [ -s "$T/usage.png" ]; then cp "$T/usage.png" "$USAGE_SCREENSHOT_OUT"; fi

e2e_summary
