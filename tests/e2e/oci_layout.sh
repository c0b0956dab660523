#!/usr/bin/env bash
# End-to-end test of regsweep on an OCI image layout (a folder with oci-layout, index.json and
# blobs/sha256/<hex>) written by skopeo itself (`skopeo copy --all oci:SRC:REF oci:DST:REF`):
# a single image, a multi-arch index, an image retagged by a second skopeo copy to the same ref,
# a cosign-style referrer of v1 and an SBOM referrer of the replaced image lying in blobs/ with
# no index.json entry (as some tools leave them), and one stray blob. Then:
#   - dry runs delete nothing; plain gc deletes only the stray blob (a manifest in blobs/ that
#     index.json does not list stays), and an unnamed index.json entry (what skopeo leaves of the
#     replaced image) is a root even for gc -m;
#   - once that entry is gone from index.json, gc -m deletes exactly the replaced manifest, its
#     own layer and config and its referrer (with its layer), keeps v1's referrer and never
#     rewrites index.json (byte-identical);
#   - every ref of index.json still copies out with skopeo (digests verified), and
#     audit --verify-data finds nothing wrong; usage names the layout's repository;
#   - --untag/--untag-regex/--delete-repo/--policy are refused (exit 2) and change nothing;
#   - an unreadable index.json, or a blob that is a symbolic link to a file outside the layout,
#     makes gc delete nothing and exit non-zero, and leaves the file behind the link untouched.
#
#   bash tests/e2e/oci_layout.sh /path/to/regsweep
#
# Needs skopeo, jq and python3 (no registry server); exits 77 (skip) when one is missing.
set -uo pipefail

REGSWEEP=${1:?usage: $0 /path/to/regsweep}
case $REGSWEEP in /*) ;; *) REGSWEEP=$PWD/$REGSWEEP ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPTS=$(cd "$HERE/../../scripts" && pwd)

# shellcheck source=harness.sh
. "$HERE/harness.sh"
e2e_require skopeo jq python3
e2e_tmpdir oci-layout
# Debian's interpreter when there is one: a pyenv shim first in PATH costs ~1 s a call.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
BI="$PY $SCRIPTS/build-image.py"
SRC=$T/src
DST=$T/oci-dst
DST_NAME=$(basename "$DST")
REF_NAME=org.opencontainers.image.ref.name

blob() { printf '%s/blobs/sha256/%s\n' "$1" "${2#sha256:}"; }    # LAYOUT DIGEST -> path
layer_of() { $BI refs "$SRC" "$1" | awk '$1=="layer"{print $2}' | tail -n 1; }  # last layer
config_of() { $BI refs "$SRC" "$1" | awk '$1=="config"{print $2}'; }
ocicopy() { # FROM TO: skopeo copy, the whole index, digests kept
    skopeo copy -q --all --preserve-digests "$1" "$2" >"$T/skopeo.log" 2>&1 ||
        { cat "$T/skopeo.log"; return 1; }
}
# snapshot LAYOUT: "sha256  path" of every file and symbolic link below LAYOUT (links followed)
snapshot() { (cd "$1" && find . \( -type f -o -type l \) -print0 | sort -z | xargs -0 sha256sum); }
without() { # SNAPSHOT DIGEST... -> SNAPSHOT without the lines of those blobs
    local pattern=x_none_x d
    for d in "${@:2}"; do pattern="$pattern|/blobs/sha256/${d#sha256:}\$"; done
    grep -Ev "$pattern" "$1"
}
# gc_changes_nothing LAYOUT NAME: gc -m on LAYOUT exits non-zero, names NAME, changes no file
gc_changes_nothing() {
    local name rc
    name=$(basename "$1")
    snapshot "$1" >"$T/snap-$name"
    "$REGSWEEP" gc -m --min-age 0 "$1" >"$T/$name.out" 2>&1
    rc=$?
    check "gc -m exits non-zero (got $rc)" test $rc -ne 0
    check "gc -m names $2" grep -q "$2" "$T/$name.out"
    check "gc -m deleted nothing" cmp -s "$T/snap-$name" <(snapshot "$1")
}
present() { [ -f "$(blob "$DST" "$1")" ]; }
absent() { [ ! -e "$(blob "$DST" "$1")" ]; }
# gc_json FILE: the digests gc's JSON report FILE lists as deleted blobs, sorted
gc_deleted() { jq -r '.deleted.blobs[].digest' "$1" | sort; }

section "fixture: images built into a source layout"
$BI image "$SRC" --ref v1 --layer base:2000 --layer v1:3000 >/dev/null
$BI image "$SRC" --ref amd --arch amd64 --layer amd:3000 >/dev/null
$BI image "$SRC" --ref arm --arch arm64 --layer arm:3000 >/dev/null
$BI index "$SRC" --ref multi --child amd --child arm >/dev/null
$BI image "$SRC" --ref old --layer base:2000 --layer old:3000 >/dev/null
$BI image "$SRC" --ref new --layer base:2000 --layer new:3000 >/dev/null
V1=$($BI image "$SRC" --ref v1 --layer base:2000 --layer v1:3000)
OLD=$($BI image "$SRC" --ref old --layer base:2000 --layer old:3000)
NEW=$($BI image "$SRC" --ref new --layer base:2000 --layer new:3000)
SIG=$($BI artifact "$SRC" --subject "$V1" --artifact-type application/vnd.dev.cosign.artifact.sig.v1+json \
    --layer-type application/vnd.dev.cosign.simplesigning.v1+json --seed sig-v1 --size 200)
SBOM=$($BI artifact "$SRC" --subject "$OLD" --artifact-type application/vnd.example.sbom.v1 \
    --layer-type application/spdx+json --seed sbom-old --size 200)
EMPTY=$($BI empty "$SRC")
info "v1 ${V1:7:12}, old ${OLD:7:12} (replaced by new ${NEW:7:12}), signature of v1 ${SIG:7:12}, SBOM of old ${SBOM:7:12}"

section "fixture: the layout under test, written by skopeo"
for r in v1 multi old; do
    ocicopy "oci:$SRC:$r" "oci:$DST:$r" || { fail "skopeo copy $r into the layout"; exit 1; }
done
# The referrers, in blobs/ only: their manifests, layers and the empty config.
for a in $SIG $SBOM; do
    for d in $a $($BI refs "$SRC" "$a" | awk '{print $2}'); do
        cp "$(blob "$SRC" "$d")" "$(blob "$DST" "$d")"
    done
done
# Retag: a different image copied to the same ref.
ocicopy "oci:$SRC:new" "oci:$DST:old" || { fail "skopeo copy new to $DST_NAME:old"; exit 1; }
STRAY=$($BI blob "$DST" --seed stray --size 1500 | cut -d' ' -f1)
check "index.json names v1, multi and old (now the new image)" test \
    "$(jq -r --arg k $REF_NAME '[.manifests[] | select(.annotations[$k] != null) | "\(.annotations[$k])=\(.digest)"] | sort | join(" ")' "$DST/index.json")" \
    = "$(printf '%s\n' "multi=$(jq -r --arg k $REF_NAME '.manifests[] | select(.annotations[$k]=="multi") | .digest' "$SRC/index.json")" "old=$NEW" "v1=$V1" | sort | tr '\n' ' ' | sed 's/ $//')"
check "the replaced image is still in blobs/" present "$OLD"
OLD_UNNAMED=$(jq -r --arg d "$OLD" --arg k $REF_NAME '[.manifests[] | select(.digest==$d and (.annotations[$k] == null))] | length' "$DST/index.json")
info "skopeo left the replaced image as $OLD_UNNAMED unnamed index.json entry"
snapshot "$DST" >"$T/snap0"
info "$(wc -l <"$T/snap0") files in the layout"

section "dry runs delete nothing"
"$REGSWEEP" gc --dry-run --min-age 0 --json "$T/dry.json" "$DST" >"$T/dry.out" 2>&1
check "gc --dry-run exits 0" test $? -eq 0
check "gc --dry-run would delete only the stray blob" test "$(gc_deleted "$T/dry.json")" = "$STRAY"
"$REGSWEEP" gc --dry-run -m --min-age 0 --json "$T/dry-m.json" "$DST" >"$T/dry-m.out" 2>&1
check "gc --dry-run -m exits 0" test $? -eq 0
if [ "$OLD_UNNAMED" -gt 0 ]; then
    # What skopeo leaves of the replaced image is an unnamed entry of index.json: a root.
    check "the unnamed index.json entry is a root: gc -m would delete only the stray blob" \
        test "$(gc_deleted "$T/dry-m.json")" = "$STRAY"
fi
snapshot "$DST" >"$T/snap1"
check "the dry runs changed no file" cmp -s "$T/snap0" "$T/snap1"

section "the replaced image leaves index.json: it is untagged"
# skopeo 1.x cannot delete from an oci: layout; drop the unnamed entries as oras/umoci would,
# keeping skopeo's compact form.
jq -c --arg k $REF_NAME '.manifests |= map(select(.annotations[$k] != null))' "$DST/index.json" \
    >"$T/index.json" && cat "$T/index.json" >"$DST/index.json"
check "index.json no longer lists the replaced image" test \
    "$(jq --arg d "$OLD" '[.manifests[] | select(.digest==$d)] | length' "$DST/index.json")" -eq 0
cp "$DST/index.json" "$T/index.before"
snapshot "$DST" >"$T/snap2"
"$REGSWEEP" gc --dry-run -m --min-age 0 --json "$T/dry-m2.json" "$DST" >/dev/null 2>&1
OLD_GONE=("$OLD" "$(config_of "$OLD")" "$(layer_of "$OLD")" "$SBOM" "$(layer_of "$SBOM")")
check "gc --dry-run -m would delete the replaced image, its own blobs, its referrer and the stray blob" \
    test "$(gc_deleted "$T/dry-m2.json")" = "$(printf '%s\n' "${OLD_GONE[@]}" "$STRAY" | sort)"
check "... and deleted nothing" cmp -s "$T/snap2" <(snapshot "$DST")
# Copies for the safety section, taken while gc -m still has something to delete.
cp -a "$DST" "$T/bad-index"
cp -a "$DST" "$T/bad-link"

section "plain gc: only the stray blob goes"
"$REGSWEEP" gc -v --min-age 0 --json "$T/gc.json" "$DST" >"$T/gc.out" 2>&1
check "gc exits 0" test $? -eq 0
check "gc reports the stray blob deleted" test "$(gc_deleted "$T/gc.json")" = "$STRAY"
check "gc deleted the stray blob and nothing else" cmp -s <(without "$T/snap2" "$STRAY") <(snapshot "$DST")
check "the untagged manifest stays" present "$OLD"
check "its referrer stays" present "$SBOM"
check "index.json is byte-identical" cmp -s "$T/index.before" "$DST/index.json"
snapshot "$DST" >"$T/snap3"

section "gc -m: the untagged image and its referrer go"
"$REGSWEEP" gc -v -m --min-age 0 --json "$T/gc-m.json" "$DST" >"$T/gc-m.out" 2>&1
check "gc -m exits 0" test $? -eq 0
check "gc -m reports exactly the untagged image's blobs and its referrer's deleted" \
    test "$(gc_deleted "$T/gc-m.json")" = "$(printf '%s\n' "${OLD_GONE[@]}" | sort)"
check "gc -m deleted those files and nothing else" cmp -s <(without "$T/snap3" "${OLD_GONE[@]}") <(snapshot "$DST")
check "the untagged manifest is gone" absent "$OLD"
check "its own layer is gone" absent "$(layer_of "$OLD")"
check "its config is gone" absent "$(config_of "$OLD")"
check "its referrer (SBOM) is gone" absent "$SBOM"
check "the referrer's layer is gone" absent "$(layer_of "$SBOM")"
check "the layer it shared with v1 stays" present "$($BI refs "$SRC" "$OLD" | awk '$1=="layer"{print $2}' | head -n 1)"
check "v1's referrer (signature) stays, not listed in index.json" present "$SIG"
check "the signature's layer stays" present "$(layer_of "$SIG")"
check "the empty config the referrers shared stays" present "$EMPTY"
check "the image now tagged old stays" present "$NEW"
check "index.json is byte-identical" cmp -s "$T/index.before" "$DST/index.json"
"$REGSWEEP" gc -m --min-age 0 --json "$T/gc-m2.json" "$DST" >/dev/null 2>&1
check "a second gc -m exits 0 and deletes nothing" test $? -eq 0 -a "$(gc_deleted "$T/gc-m2.json")" = ""

section "what is kept still copies out, audit is clean"
REFS=$(jq -r --arg k $REF_NAME '.manifests[].annotations[$k] // empty' "$DST/index.json")
check "index.json has the 3 refs" test "$(echo "$REFS" | wc -l)" -eq 3
for r in $REFS; do
    check "skopeo copies $DST_NAME:$r out, digests verified" ocicopy "oci:$DST:$r" "dir:$T/out-$r"
done
check "the multi-arch copy has both platform manifests" test \
    "$(find "$T/out-multi" -name '*.manifest.json' | wc -l)" -eq 2
check "every remaining blob hashes to its name" bash -c \
    "cd '$DST/blobs/sha256' && for f in *; do [ \"\$(sha256sum <\"\$f\" | cut -c1-64)\" = \"\$f\" ] || exit 1; done"
"$REGSWEEP" audit --verify-data --json "$T/audit.json" "$DST" >"$T/audit.out" 2>&1
check "audit --verify-data exits 0" test $? -eq 0
check "audit reports no errors" grep -q ' 0 errors' "$T/audit.out"

section "tags cannot be dropped from a layout (exit 2, nothing changed)"
snapshot "$DST" >"$T/snap4"
printf 'policies:\n  - repositories: ".*"\n    delete_untagged: true\n    keep:\n      - tags: "v1"\n' >"$T/policy.yaml"
for opts in "--untag $DST_NAME:v1" "--untag-regex $DST_NAME:.*" "--delete-repo $DST_NAME" \
    "--policy $T/policy.yaml"; do
    # shellcheck disable=SC2086
    "$REGSWEEP" gc $opts --min-age 0 "$DST" >"$T/refuse.out" 2>&1
    rc=$?
    check "gc ${opts%% *} exits 2 (got $rc)" test $rc -eq 2
    check "... and says why (an OCI image layout)" grep -qi 'OCI image layout' "$T/refuse.out"
    check "... and changed nothing" cmp -s "$T/snap4" <(snapshot "$DST")
done

section "safety: an unreadable index.json keeps every blob"
L=$T/bad-index
$BI blob "$L" --seed stray-2 --size 900 >/dev/null
head -c 100 "$L/index.json" >"$T/truncated" && cat "$T/truncated" >"$L/index.json"
gc_changes_nothing "$L" index.json
"$REGSWEEP" audit "$L" >"$T/bad-index-audit.out" 2>&1
rc=$?
check "audit exits non-zero (got $rc)" test $rc -ne 0
check "audit names index.json" grep -q 'index.json' "$T/bad-index-audit.out"

section "safety: a blob that is a symbolic link out of the layout"
L=$T/bad-link
mkdir "$T/outside"
$BI blob "$L" --seed stray-2 --size 900 >/dev/null
# The replaced image's own layer (what gc -m deletes) now lives outside, linked from blobs/.
LINKED=$(layer_of "$OLD")
mv "$(blob "$L" "$LINKED")" "$T/outside/"
ln -s "$T/outside/${LINKED#sha256:}" "$(blob "$L" "$LINKED")"
sha256sum "$T/outside/${LINKED#sha256:}" >"$T/outside.sum"
gc_changes_nothing "$L" "${LINKED#sha256:}"
check "the link is still there" test -L "$(blob "$L" "$LINKED")"
check "the file outside is unchanged" sha256sum -c --status "$T/outside.sum"
"$REGSWEEP" gc --min-age 0 "$L" >/dev/null 2>&1
rc=$?
check "plain gc exits non-zero too (got $rc)" test $rc -ne 0
check "... and deleted nothing" cmp -s "$T/snap-bad-link" <(snapshot "$L")

section "usage"
"$REGSWEEP" usage "$DST" >"$T/usage.out" 2>&1
check "usage exits 0" test $? -eq 0
check "usage names the repository $DST_NAME" grep -qw "$DST_NAME" "$T/usage.out"
"$REGSWEEP" usage --json "$T/usage.json" -q "$DST" >/dev/null 2>&1
check "usage --json lists one repository, $DST_NAME" test \
    "$(jq -r '[.repositories[].name] | join(",")' "$T/usage.json")" = "$DST_NAME"

e2e_summary
