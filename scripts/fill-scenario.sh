#!/usr/bin/env bash
# fill-scenario.sh - fill a running registry (REG_URL=127.0.0.1:PORT) with the regsweep
# GC test scenario, and write the oracle of what a correct GC must keep/delete.
#
# usage: REG_URL=127.0.0.1:5000 scripts/fill-scenario.sh ORACLE_FILE [REFS_FILE]
#
#   ORACLE_FILE  lines "<class> <digest> <note>", class in live|untagged|garbage
#                (computed from what was pushed, not by running any GC):
#                  live     - must be kept by every correct GC, with or without -m
#                  untagged - kept without -m (a revision link references it), garbage with -m
#                  garbage  - unreachable even without -m
#   REFS_FILE    (default ORACLE_FILE.refs) lines "<kind> <repo> <ref> <digest> [<subject>]":
#                  tag <repo> <tag> <digest>                 every tag and its manifest
#                  referrer <repo> live|untagged <digest> <subject>
#                  untagged-manifest <repo> - <digest>       manifests only reachable via revisions
#                  upload <repo> <uuid> <note>               unfinished uploads left behind
#                  empty-repo <repo> - strict|live-layer-links
#                        repositories left with no manifest and no tag; "strict": all their
#                        _layers links point at garbage; "live-layer-links": some point at
#                        blobs other repositories still use
#
# The image layout and the push ledger are kept in $FILL_WORK (default:
# <dir of ORACLE_FILE>/fill-work) so the oracle can be recomputed for variants, e.g.
#   cp ledger l2; echo "untag apps/web latest" >> l2
#   scripts/build-image.py oracle $FILL_WORK/layout l2 expect2.txt
#
# Needs: skopeo, curl, jq, python3. Deterministic: the same digests on every run.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BI="python3 $HERE/build-image.py"

[ $# -ge 1 ] || { echo "usage: REG_URL=host:port $0 ORACLE_FILE [REFS_FILE]" >&2; exit 2; }
: "${REG_URL:?REG_URL must be set (127.0.0.1:PORT of a running registry)}"
ORACLE=$1
REFS=${2:-$ORACLE.refs}
W=${FILL_WORK:-$(cd "$(dirname "$ORACLE")" && pwd)/fill-work}
rm -rf "$W"
mkdir -p "$W"
L=$W/layout
LEDGER=$W/ledger
: >"$LEDGER"
API=http://$REG_URL/v2

say() { [ -n "${FILL_QUIET:-}" ] || printf '[fill] %s\n' "$*" >&2; }
die() { printf '[fill] ERROR: %s\n' "$*" >&2; exit 1; }
led() { printf '%s\n' "$*" >>"$LEDGER"; }
blobfile() { printf '%s/blobs/sha256/%s\n' "$L" "${1#sha256:}"; }

# ---------------------------------------------------------------- push helpers
# skopeo push of an OCI-layout ref (all platforms, byte-identical manifests)
push_oci() { # LAYOUT_REF REPO:TAG
    skopeo copy -q --all --preserve-digests --dest-tls-verify=false \
        "oci:$L:$1" "docker://$REG_URL/$2" >"$W/skopeo.log" 2>&1 ||
        die "skopeo push $1 -> $2 failed: $(cat "$W/skopeo.log")"
}
# skopeo push through the dir: transport (docker schema2 media types)
push_dir() { # LAYOUT_REF REPO:TAG
    local d
    d=$W/dir-$(printf '%s' "$1" | tr '/:' '__')
    rm -rf "$d"
    $BI export-dir "$L" "$1" "$d" >/dev/null
    skopeo copy -q --all --preserve-digests --dest-tls-verify=false \
        "dir:$d" "docker://$REG_URL/$2" >"$W/skopeo.log" 2>&1 ||
        die "skopeo push dir $1 -> $2 failed: $(cat "$W/skopeo.log")"
}

_location() { # HEADER_FILE
    local l
    l=$(grep -i '^location:' "$1" | tail -n 1 | cut -d' ' -f2- | tr -d '\r')
    case $l in http*) printf '%s\n' "$l" ;; *) printf 'http://%s%s\n' "$REG_URL" "$l" ;; esac
}

# monolithic upload: POST then PUT ?digest=
push_blob() { # REPO DIGEST
    local repo=$1 d=$2 loc code sep
    code=$(curl -sS -o "$W/body" -D "$W/hdr" -w '%{http_code}' -X POST "$API/$repo/blobs/uploads/")
    [ "$code" = 202 ] || die "POST upload $repo: HTTP $code $(cat "$W/body")"
    loc=$(_location "$W/hdr")
    case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
    code=$(curl -sS -o "$W/body" -w '%{http_code}' -X PUT -H 'Content-Type: application/octet-stream' \
        --data-binary @"$(blobfile "$d")" "$loc${sep}digest=$d")
    [ "$code" = 201 ] || die "PUT blob $d into $repo: HTTP $code $(cat "$W/body")"
}

push_manifest() { # REPO REF(tag or digest) DIGEST
    local repo=$1 ref=$2 d=$3 mt code got
    mt=$(jq -r '.mediaType' "$(blobfile "$d")")
    code=$(curl -sS -o "$W/body" -D "$W/hdr" -w '%{http_code}' -X PUT -H "Content-Type: $mt" \
        --data-binary @"$(blobfile "$d")" "$API/$repo/manifests/$ref")
    [ "$code" = 201 ] || die "PUT manifest $repo:$ref ($mt): HTTP $code $(cat "$W/body")"
    got=$(grep -i '^docker-content-digest:' "$W/hdr" | cut -d' ' -f2 | tr -d '\r')
    [ "$got" = "$d" ] || die "PUT manifest $repo:$ref: registry says $got, expected $d"
}

delete_manifest() { # REPO DIGEST
    local code
    code=$(curl -sS -o "$W/body" -w '%{http_code}' -X DELETE "$API/$1/manifests/$2")
    [ "$code" = 202 ] || die "DELETE $1@$2: HTTP $code $(cat "$W/body")"
}

mount_blob() { # TO FROM DIGEST
    local code
    code=$(curl -sS -o "$W/body" -w '%{http_code}' -X POST "$API/$1/blobs/uploads/?mount=$3&from=$2")
    [ "$code" = 201 ] || die "mount $3 from $2 into $1: HTTP $code $(cat "$W/body")"
}

# image built locally, pushed with skopeo, recorded in the ledger
image() { # LAYOUT_REF REPO TAG [build-image args...]
    local ref=$1 repo=$2 tag=$3 d
    shift 3
    d=$($BI image "$L" --ref "$ref" "$@")
    printf '%s\n' "$d"
}
pushed() { # REPO TAG DIGEST NOTE...
    local repo=$1 tag=$2 d=$3
    shift 3
    led manifest "$repo" "$d" "$*"
    led tag "$repo" "$tag" "$d"
}

# ============================================================== the scenario
say "1. shared base layers: library/base, apps/web:1.0, team/a/b/svc (docker schema2)"
BASE=$(image base library/base 1.0 --layer base-os:3000 --layer base-libs:2000)
push_oci base library/base:1.0
pushed library/base 1.0 "$BASE" "library/base:1.0"
push_oci base library/base:stable # same manifest, second tag
led tag library/base stable "$BASE"

WEB10=$(image web-1.0 apps/web 1.0 --base base --layer web-app-1.0:1500)
push_oci web-1.0 apps/web:1.0
pushed apps/web 1.0 "$WEB10" "apps/web:1.0"

SVC=$(image svc team/a/b/svc latest --docker --base base --layer svc-bin:1200)
push_dir svc team/a/b/svc:latest
pushed team/a/b/svc latest "$SVC" "team/a/b/svc:latest (docker schema2)"

say "2. multi-arch: OCI index multi/oci:1.0, docker manifest list multi/docker:1.0 (children untagged)"
image moci-amd64 x x --arch amd64 --layer moci-common:800 --layer moci-amd64:1500 >/dev/null
image moci-arm64 x x --arch arm64 --variant v8 --layer moci-common:800 --layer moci-arm64:1500 >/dev/null
MOCI=$($BI index "$L" --ref moci --child moci-amd64 --child moci-arm64)
push_oci moci multi/oci:1.0
pushed multi/oci 1.0 "$MOCI" "multi/oci:1.0 (OCI index)"

image mdock-amd64 x x --docker --arch amd64 --layer mdock-amd64:1000 >/dev/null
image mdock-arm64 x x --docker --arch arm64 --variant v8 --layer mdock-arm64:1000 >/dev/null
MDOCK=$($BI index "$L" --docker --ref mdock --child mdock-amd64 --child mdock-arm64)
push_dir mdock multi/docker:1.0
pushed multi/docker 1.0 "$MDOCK" "multi/docker:1.0 (docker manifest list)"

say "3. apps/web:latest overwritten 3 times"
WEBV1=$(image web-v1 apps/web latest --base base --layer web-old-common:900 --layer web-latest-v1:1100)
push_oci web-v1 apps/web:latest
pushed apps/web latest "$WEBV1" "apps/web:latest v1 (overwritten)"
WEBV2=$(image web-v2 apps/web latest --base base --layer web-old-common:900 --layer web-latest-v2:1100)
push_oci web-v2 apps/web:latest
pushed apps/web latest "$WEBV2" "apps/web:latest v2 (overwritten)"
WEBV3=$(image web-v3 apps/web latest --base base --layer web-latest-v3:1100)
push_oci web-v3 apps/web:latest
pushed apps/web latest "$WEBV3" "apps/web:latest v3 (current)"

say "4. apps/api:1.0 deleted through the API (DELETE manifest by digest)"
API10=$(image api-1.0 apps/api 1.0 --base base --layer api-common:700 --layer api-1.0-only:1300)
push_oci api-1.0 apps/api:1.0
pushed apps/api 1.0 "$API10" "apps/api:1.0 (deleted via API)"
API20=$(image api-2.0 apps/api 2.0 --base base --layer api-common:700 --layer api-2.0-only:1300)
push_oci api-2.0 apps/api:2.0
pushed apps/api 2.0 "$API20" "apps/api:2.0"
delete_manifest apps/api "$API10"
led delete apps/api "$API10"

say "5. cross-repository mount into mounted/app, then a hand-made manifest using it"
MNT=$(image mounted mounted/app 1.0 --base base --layer mounted-own:600)
for d in $($BI refs "$L" "$MNT" | awk '$1=="layer"{print $2}'); do
    if grep -q "$d" <<<"$($BI refs "$L" "$BASE")"; then
        mount_blob mounted/app library/base "$d"
        led blob mounted/app "$d" "mounted from library/base"
    else
        push_blob mounted/app "$d"
    fi
done
# a mount that no manifest of mounted/app uses (the blob stays live through apps/web:1.0)
WEBAPP=$($BI refs "$L" "$WEB10" | awk '$1=="layer"{d=$2} END{print d}')
mount_blob mounted/app apps/web "$WEBAPP"
led blob mounted/app "$WEBAPP" "mounted into mounted/app but unused there"
push_blob mounted/app "$($BI refs "$L" "$MNT" | awk '$1=="config"{print $2}')"
push_manifest mounted/app 1.0 "$MNT"
pushed mounted/app 1.0 "$MNT" "mounted/app:1.0 (uses mounted layers)"

say "6. OCI 1.1 referrers (artifactType, empty config, subject) pushed by digest"
EMPTY=$($BI empty "$L")
referrer() { # REPO SUBJECT ARTIFACT_TYPE LAYER_TYPE SEED NOTE...
    local repo=$1 subj=$2 at=$3 lt=$4 seed=$5 r
    shift 5
    r=$($BI artifact "$L" --subject "$subj" --artifact-type "$at" --layer-type "$lt" --seed "$seed")
    push_blob "$repo" "$EMPTY"
    push_blob "$repo" "$($BI refs "$L" "$r" | awk '$1=="layer"{print $2}')"
    push_manifest "$repo" "$r" "$r"
    led manifest "$repo" "$r" "$*"
    printf '%s\n' "$r"
}
# R1: SBOM for the tagged apps/web:1.0, plus the referrers fallback tag sha256-<hex>
R1=$(referrer apps/web "$WEB10" application/vnd.example.sbom.v1 application/spdx+json sbom-web-1.0 \
    "referrer sbom of apps/web:1.0")
FB=$($BI fallback-index "$L" --referrer "$R1")
FBTAG=sha256-${WEB10#sha256:}
push_manifest apps/web "$FBTAG" "$FB"
pushed apps/web "$FBTAG" "$FB" "referrers fallback index apps/web:$FBTAG"
# R2: signature for the tagged library/base:1.0, no fallback tag (OCI 1.1 referrers API only)
referrer library/base "$BASE" application/vnd.example.signature.v1 \
    application/vnd.example.signature.v1+json sig-base-1.0 "referrer signature of library/base:1.0" >/dev/null
# R3: attestation of the tagged multi-arch index multi/oci:1.0
referrer multi/oci "$MOCI" application/vnd.example.attestation.v1 \
    application/vnd.in-toto+json att-moci-1.0 "referrer attestation of multi/oci:1.0 index" >/dev/null
# R4: SBOM of apps/web:latest v1, which is untagged (garbage with -m, so R4 must go too)
referrer apps/web "$WEBV1" application/vnd.example.sbom.v1 application/spdx+json sbom-web-v1 \
    "referrer sbom of untagged apps/web latest-v1" >/dev/null

say "7. an orphan blob and an unfinished upload"
ORPHAN=$($BI blob "$L" --seed orphan-1 --size 1800 | cut -d' ' -f1)
push_blob apps/web "$ORPHAN"
led blob apps/web "$ORPHAN" "orphan blob uploaded to apps/web, never referenced"
code=$(curl -sS -o "$W/body" -D "$W/hdr" -w '%{http_code}' -X POST "$API/apps/web/blobs/uploads/")
[ "$code" = 202 ] || die "POST upload: HTTP $code"
UPLOC=$(_location "$W/hdr")
UUID=$(grep -i '^docker-upload-uuid:' "$W/hdr" | cut -d' ' -f2 | tr -d '\r')
head -c 1000 "$(blobfile "$ORPHAN")" >"$W/partial"
code=$(curl -sS -o "$W/body" -w '%{http_code}' -X PATCH -H 'Content-Type: application/octet-stream' \
    --data-binary @"$W/partial" "$UPLOC")
[ "$code" = 202 ] || die "PATCH upload: HTTP $code $(cat "$W/body")"
led upload apps/web "$UUID" "unfinished upload (1000 bytes patched, never PUT)"

say "8. legacy/app:old (docker schema2) and legacy/shared:1 deleted by digest -> repositories left empty"
LEG=$(image legacy legacy/app old --docker --layer legacy-only:1000 --layer legacy-data:800)
push_dir legacy legacy/app:old
pushed legacy/app old "$LEG" "legacy/app:old (docker schema2, deleted via API)"
delete_manifest legacy/app "$LEG"
led delete legacy/app "$LEG"
# this one shares the base layers: its _layers links keep pointing at live blobs
LSH=$(image legacy-shared legacy/shared 1 --base base --layer legacy-shared-only:900)
push_oci legacy-shared legacy/shared:1
pushed legacy/shared 1 "$LSH" "legacy/shared:1 (deleted via API, shares base layers)"
delete_manifest legacy/shared "$LSH"
led delete legacy/shared "$LSH"

say "computing oracle"
# sanity: every tag the ledger believes in is what the registry serves
$BI oracle "$L" "$LEDGER" "$ORACLE" --refs-out "$REFS" >"$W/oracle.counts"
while read -r kind repo tag d _; do
    [ "$kind" = tag ] || continue
    got=$(curl -sS -o /dev/null -D - -H "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json" \
        -I "$API/$repo/manifests/$tag" | grep -i '^docker-content-digest:' | cut -d' ' -f2 | tr -d '\r')
    [ "$got" = "$d" ] || die "registry serves $repo:$tag as '$got', ledger says $d"
done <"$REFS"
say "oracle: $(cat "$W/oracle.counts") -> $ORACLE ; refs -> $REFS"
