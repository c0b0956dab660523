#!/usr/bin/env bash
# End-to-end test of `regsweep gc --policy` against storage and logs of the real registry
# (docker-registry / CNCF distribution 2.8): images pushed with skopeo (a multi-arch index, a
# cosign-style signature tag, an OCI 1.1 referrer pushed by digest, two tags on one image), push
# times set on the tags' current links, pulls made with skopeo and read back from the
# registry's own log output, once in its text format and once in JSON. Then:
#   - the dry run decides every tag as the policy says, deletes nothing, and a saved plan
#     applied later carries out exactly that decision;
#   - after the run, every kept tag still pulls with every digest verified, the dropped ones
#     are gone (404), the blobs only they used are deleted, and audit finds nothing wrong.
#
#   bash tests/e2e/retention_real_registry.sh /path/to/regsweep
#
# Needs docker-registry, skopeo, curl, jq and python3; exits 77 (skip) when one is missing.
set -uo pipefail

REGSWEEP=${1:?usage: $0 /path/to/regsweep}
case $REGSWEEP in /*) ;; *) REGSWEEP=$PWD/$REGSWEEP ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPTS=$(cd "$HERE/../../scripts" && pwd)

# shellcheck source=harness.sh
. "$HERE/harness.sh"
e2e_require docker-registry skopeo curl jq python3
e2e_tmpdir retention-e2e
BI="python3 $SCRIPTS/build-image.py"
L=$T/layout
API() { printf 'http://%s/v2' "$REG_URL"; }
blobfile() { printf '%s/blobs/sha256/%s\n' "$L" "${1#sha256:}"; }

push() { # LAYOUT_REF REPO:TAG
    skopeo copy -q --all --preserve-digests --dest-tls-verify=false \
        "oci:$L:$1" "docker://$REG_URL/$2" >"$T/skopeo.log" 2>&1 ||
        { fail "push $2: $(cat "$T/skopeo.log")"; exit 1; }
}
push_blob() { # REPO DIGEST
    local loc
    loc=$(curl -fsS -o /dev/null -D - -X POST "$(API)/$1/blobs/uploads/" |
        awk 'tolower($1)=="location:"{print $2}' | tr -d '\r')
    case $loc in http*) ;; *) loc=http://$REG_URL$loc ;; esac
    case $loc in *\?*) loc="$loc&" ;; *) loc="$loc?" ;; esac
    curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
        --data-binary @"$(blobfile "$2")" "${loc}digest=$2"
}
push_manifest_by_digest() { # REPO DIGEST
    curl -fsS -o /dev/null -X PUT -H "Content-Type: $(jq -r .mediaType "$(blobfile "$2")")" \
        --data-binary @"$(blobfile "$2")" "$(API)/$1/manifests/$2"
}
pull() { skopeo copy -q --all --src-tls-verify=false "docker://$REG_URL/$1" "dir:$T/pulled" >/dev/null 2>&1; }
status_of() { # REPO REF -> HTTP status of a GET of the manifest
    curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json' \
        "$(API)/$1/manifests/$2"
}
# pushed TAG DAYS_AGO: the tag's push time (its current/link mtime)
pushed() {
    touch -d "@$(($(date +%s) - $2 * 86400))" \
        "$REG_ROOT/docker/registry/v2/repositories/apps/web/_manifests/tags/$1/current/link"
}
digest_of_tag() {
    cat "$REG_ROOT/docker/registry/v2/repositories/apps/web/_manifests/tags/$1/current/link"
}

section "fixture: images pushed with skopeo, logs in text format"
export REGISTRY_LOG_LEVEL=info REGISTRY_LOG_FORMATTER=text
reg_start "$T/reg" || { fail "start docker-registry"; exit 1; }
$BI image "$L" --ref v1 --layer 1:2000 --layer 100:3000 >/dev/null
$BI image "$L" --ref m0 --layer 1:2000 --layer 200:3000 >/dev/null
$BI image "$L" --ref m1 --layer 1:2000 --layer 201:3000 >/dev/null
$BI image "$L" --ref m2 --layer 1:2000 --layer 202:3000 >/dev/null
$BI image "$L" --ref m3 --layer 1:2000 --layer 203:3000 >/dev/null
$BI image "$L" --ref amd --arch amd64 --layer 300:3000 >/dev/null
$BI image "$L" --ref arm --arch arm64 --layer 301:3000 >/dev/null
$BI index "$L" --ref multi --child amd --child arm >/dev/null
$BI image "$L" --ref sig0 --layer 400:500 >/dev/null
$BI image "$L" --ref sig1 --layer 401:500 >/dev/null
$BI image "$L" --ref other --layer 500:3000 >/dev/null
push v1 apps/web:v1.0
push multi apps/web:v2.0
for m in 0 1 2 3; do push m$m apps/web:main-$m; done
push m3 apps/web:latest
M0=$(digest_of_tag main-0)
M1=$(digest_of_tag main-1)
M2=$(digest_of_tag main-2)
push sig0 "apps/web:sha256-${M0#sha256:}.sig"
push sig1 "apps/web:sha256-${M1#sha256:}.sig"
V1=$(digest_of_tag v1.0)
SBOM=$($BI artifact "$L" --subject "$V1" --artifact-type application/vnd.example.sbom.v1 \
    --layer-type application/spdx+json --seed sbom-v1)
push_blob apps/web "$($BI empty "$L")" && push_blob apps/web "$($BI refs "$L" "$SBOM" | awk '$1=="layer"{print $2}')" &&
    push_manifest_by_digest apps/web "$SBOM" || { fail "push the SBOM referrer"; exit 1; }
push other other/keep:old
pushed v1.0 40; pushed v2.0 30
pushed main-0 20; pushed main-1 10; pushed main-2 5; pushed main-3 2; pushed latest 2
check "main-1 pulls (logged in text)" pull apps/web:main-1
reg_stop
cp "$T/reg/registry.log" "$T/registry-text.log"

section "fixture: the same registry logging JSON"
export REGISTRY_LOG_FORMATTER=json
: >"$T/reg/registry.log"
reg_start "$T/reg" || { fail "restart docker-registry"; exit 1; }
check "main-0 pulls (logged as JSON)" pull apps/web:main-0
reg_stop
cp "$T/reg/registry.log" "$T/registry-json.log"
unset REGISTRY_LOG_LEVEL REGISTRY_LOG_FORMATTER
gzip -9 "$T/registry-json.log"
check "the text log holds the pull of main-1" grep -q 'http.request.uri=/v2/apps/web/manifests/main-1' "$T/registry-text.log"
check "the JSON log holds the pull of main-0" bash -c "zcat '$T/registry-json.log.gz' | grep -q '\"http.request.uri\":\"/v2/apps/web/manifests/main-0\"'"

cat >"$T/policy.yaml" <<'YML'
policies:
  - repositories: "apps/.*"
    delete_untagged: true
    keep:
      - tags: "v[0-9.]+"
      - tags: "main-.*"
        most_recent: 1
      - pulled_within: 1d
YML
POLICY=(--policy "$T/policy.yaml" --access-log "$T/registry-text.log" "$T/registry-json.log.gz")
cp -a "$T/reg/root" "$T/before"

section "dry run: every tag decided as the policy says, nothing deleted"
"$REGSWEEP" gc --dry-run --min-age 0 "${POLICY[@]}" --plan "$T/plan.json" --json "$T/dry.json" \
    "$T/reg/root" >"$T/dry.out" 2>&1
check "dry run exits 0" test $? -eq 0
decision() { jq -r --arg t "$1" '.retention.repositories[] | select(.repository=="apps/web") | .tags[] | select(.tag==$t) | if .keep then "keep" else "drop" end' "$T/dry.json"; }
expect() { check "$1: $2" test "$(decision "$1")" = "$2"; }
expect v1.0 keep                            # tags v.*
expect v2.0 keep                            # the multi-arch index
expect main-3 keep                          # most_recent 1
expect latest keep                          # same image as main-3
expect main-1 keep                          # pulled (text log) just now
expect main-0 keep                          # pulled (JSON log) just now
expect main-2 drop                          # pushed 5 days ago, never pulled
expect "sha256-${M1#sha256:}.sig" keep      # follows main-1
check "main-2's pull time is its push time (never pulled)" test "$(jq -r '.retention.repositories[0].tags[] | select(.tag=="main-2") | .pulled' "$T/dry.json")" = ""
check "the dry run reports 2 pulls read" test "$(jq -r .retention.access_logs.pulls "$T/dry.json")" -ge 2
check "the dry run deleted nothing" diff -r "$T/before" "$T/reg/root"
check "other/keep is untouched by the policy" test "$(jq '[.retention.repositories[] | select(.repository=="other/keep")] | length' "$T/dry.json")" -eq 0
grep -E '^    (keep|drop) ' "$T/dry.out" | sed 's/^/       /'

section "a second policy drops the signature with its subject"
sed 's/      - pulled_within: 1d/      - most_recently_pulled: 1/' "$T/policy.yaml" >"$T/policy2.yaml"
"$REGSWEEP" gc --dry-run --min-age 0 --policy "$T/policy2.yaml" --access-log "$T/registry-text.log" \
    "$T/registry-json.log.gz" --json "$T/dry2.json" "$T/reg/root" >/dev/null 2>&1
d2() { jq -r --arg t "$1" '.retention.repositories[0].tags[] | select(.tag==$t) | if .keep then "keep" else "drop" end' "$T/dry2.json"; }
check "most_recently_pulled 1 keeps main-0 (pulled last, from the JSON log)" test "$(d2 main-0)" = keep
check "... and drops main-1, pulled before it" test "$(d2 main-1)" = drop
check "... and main-1's signature with it" test "$(d2 "sha256-${M1#sha256:}.sig")" = drop

section "apply the saved plan; the registry serves what was kept"
"$REGSWEEP" gc --apply "$T/plan.json" "$T/reg/root" >"$T/apply.out" 2>&1
check "apply exits 0" test $? -eq 0
reg_start "$T/reg" || { fail "restart docker-registry"; exit 1; }
for t in v1.0 v2.0 main-0 main-1 main-3 latest "sha256-${M1#sha256:}.sig"; do
    check "apps/web:$t still pulls, digests verified" reg_pull_tag "apps/web:$t" "$T/pulls"
done
check "the multi-arch children pull by digest" reg_pull_digest apps/web "$(jq -r '.manifests[0].digest' "$(blobfile "$(digest_of_tag v2.0)")")" "$T/pulls"
check "the SBOM referrer of v1.0 is still served" test "$(status_of apps/web "$SBOM")" = 200
check "other/keep:old still pulls" reg_pull_tag other/keep:old "$T/pulls"
check "main-2 is gone (404)" test "$(status_of apps/web main-2)" = 404
gone() { ! reg_blob_exists "$T/reg/root" "$1"; }
check "main-2's manifest is deleted" gone "$M2"
check "main-2's own layer is deleted" gone "$($BI refs "$L" "$M2" | awk '$1=="layer"{print $2}' | tail -n 1)"
check "the base layer main-2 shared stays" reg_blob_exists "$T/reg/root" "$($BI refs "$L" "$M2" | awk '$1=="layer"{print $2}' | head -n 1)"
reg_stop
"$REGSWEEP" audit --verify-data "$T/reg/root" >"$T/audit.out" 2>&1
check "audit --verify-data finds nothing wrong" test $? -eq 0

e2e_summary
