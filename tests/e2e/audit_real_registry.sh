#!/usr/bin/env bash
# End-to-end test of `regsweep audit` against storage written by a real registry
# (docker-registry / CNCF distribution 2.8) filled with skopeo by scripts/fill-scenario.sh.
#
#   bash tests/e2e/audit_real_registry.sh /path/to/regsweep
#
# The filled registry must audit clean (no error, no warning), with and without --verify-data.
# Then one copy per kind of damage: each is reported with the right kind and path, and the
# audit changes nothing (listing and checksums compared before and after). Then subsets, the
# state file and --quarantine. Needs docker-registry, skopeo, curl, jq, python3; exits 77
# (skip) when one is missing. Every check prints one PASS/FAIL line.
set -uo pipefail

REGSWEEP=${1:?usage: $0 /path/to/regsweep}
case $REGSWEEP in /*) ;; *) REGSWEEP=$PWD/$REGSWEEP ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# shellcheck source=harness.sh
. "$HERE/harness.sh"
e2e_require docker-registry skopeo curl jq python3
e2e_tmpdir audit-e2e
V2=docker/registry/v2

# audit NAME ARGS... : runs regsweep audit (60s at most: a FIFO must never hang it) with
# --json $T/NAME.json; output in $T/NAME.out; sets RC
audit() {
    local name=$1
    shift
    timeout 60 "$REGSWEEP" audit --json "$T/$name.json" "$@" >"$T/$name.out" 2>&1
    RC=$?
}
summary() { jq -r "select(.type==\"summary\") | .$2" "$T/$1.json"; }
# has_finding NAME KIND PATH [SEVERITY]
has_finding() {
    jq -s -e --arg k "$2" --arg p "$3" --arg s "${4:-}" \
        'any(.[]; .type=="finding" and .kind==$k and .path==$p and ($s=="" or .severity==$s))' \
        "$T/$1.json" >/dev/null 2>&1
}
show_problems() {
    jq -r 'select(.type=="finding" and .severity!="info") | "       \(.severity) \(.kind) \(.path): \(.reason)"' \
        "$T/$1.json" 2>/dev/null | head -n 20
}
# snapshot ROOT: every entry (type, path, size, link target) and the checksum of every file
snapshot() {
    (cd "$1" && find . -printf '%y %p %s %l\n' | LC_ALL=C sort &&
        find . -type f -print0 | xargs -0 -r sha256sum | LC_ALL=C sort)
}
new_copy() { # NAME -> $T/NAME/root, a copy of the filled storage
    rm -rf "${T:?}/$1"
    mkdir -p "$T/$1"
    cp -a "$T/fill/root" "$T/$1/root"
}
blob_rel() { printf 'blobs/sha256/%s/%s/data' "${1:7:2}" "${1#sha256:}"; }

# ------------------------------------------------------------------ fixture
e2e_fill_registry
reg_stop
FILL=$T/fill/root

# Digests the injections use, read from the registry's own files.
manifest_of() { cat "$FILL/$V2/repositories/$1/_manifests/tags/$2/current/link"; }
BASE=$(manifest_of library/base 1.0)
LAYER=$(jq -r '.layers[0].digest' "$FILL/$V2/$(blob_rel "$BASE")")
MOCI=$(manifest_of multi/oci 1.0)
CHILD=$(jq -r '.manifests[0].digest' "$FILL/$V2/$(blob_rel "$MOCI")")
info "library/base:1.0 $BASE, its first layer $LAYER; multi/oci:1.0 child $CHILD"
BLOBS=$(reg_blob_digests "$FILL" | wc -l)

# ------------------------------------------------------------------ clean
section "the filled registry audits clean"
snapshot "$FILL" >"$T/fill.before"
for mode in structure data; do
    args=()
    [ "$mode" = data ] && args=(--verify-data)
    audit "clean-$mode" "${args[@]}" --strict "$FILL"
    check "[clean $mode] exit 0 with --strict (got $RC)" [ "$RC" -eq 0 ]
    check "[clean $mode] no error, no warning" \
        [ "$(summary "clean-$mode" errors)/$(summary "clean-$mode" warnings)" = 0/0 ]
    show_problems "clean-$mode"
done
check "[clean data] every blob hashed ($BLOBS)" [ "$(summary clean-data blobs_hashed)" -eq "$BLOBS" ]
check "[clean] API-deleted manifests leave info only (missing_link)" \
    jq -s -e 'any(.[]; .type=="finding" and .kind=="missing_link" and .severity=="info")' \
    "$T/clean-structure.json"
check "[clean] the orphan blobs are reported as info ($(summary clean-structure orphan_blobs))" \
    [ "$(summary clean-structure orphan_blobs)" -gt 0 ]
snapshot "$FILL" >"$T/fill.after"
check "[clean] nothing modified" cmp -s "$T/fill.before" "$T/fill.after"

# ------------------------------------------------------------------ damage
# inject NAME KIND PATH SEVERITY EXPECTED_RC COMMAND...: copy, damage with COMMAND (run in the
# copy's v2 folder), audit, check the finding and that the audit modified nothing.
inject() {
    local name=$1 kind=$2 path=$3 severity=$4 want_rc=$5
    shift 5
    section "damage: $name"
    new_copy "$name"
    local v2=$T/$name/root/$V2
    (cd "$v2" && "$@") || { fail "[$name] injecting the damage"; return; }
    snapshot "$T/$name/root" >"$T/$name.before"
    audit "$name" --verify-data "$T/$name/root"
    check "[$name] exit $want_rc (got $RC)" [ "$RC" -eq "$want_rc" ]
    check "[$name] $severity $kind at $path" has_finding "$name" "$kind" "$path" "$severity"
    has_finding "$name" "$kind" "$path" "$severity" || show_problems "$name"
    snapshot "$T/$name/root" >"$T/$name.after"
    check "[$name] the audit modified nothing" cmp -s "$T/$name.before" "$T/$name.after"
}
flip_any_byte() { # FILE: flips byte 100 whatever it is
    python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[100]^=0x01; open(p,"wb").write(b)' "$1"
}
LAYER_LINK=repositories/library/base/_layers/sha256/${LAYER#sha256:}/link

inject flip-layer blob_digest_mismatch "$(blob_rel "$LAYER")" error 1 \
    flip_any_byte "$(blob_rel "$LAYER")"
inject truncate-manifest manifest_digest_mismatch "$(blob_rel "$BASE")" error 1 \
    truncate -s 100 "$(blob_rel "$BASE")"
inject delete-layer-link layer_link_missing "$LAYER_LINK" error 1 \
    rm "$LAYER_LINK"
inject tag-to-missing-revision tag_target_not_revision \
    repositories/apps/web/_manifests/tags/1.0/current/link error 1 \
    sh -c 'printf sha256:%064d 7 > repositories/apps/web/_manifests/tags/1.0/current/link'
inject traversal-link bad_link "$LAYER_LINK" error 1 \
    sh -c "printf 'sha256:../../x' > $LAYER_LINK"
inject symlink-outside symlink repositories/apps/escape error 1 \
    ln -s /etc/hostname repositories/apps/escape
inject fifo special_file repositories/apps/web/_manifests/fifo warning 0 \
    mkfifo repositories/apps/web/_manifests/fifo
inject index-child-revision index_child_not_revision \
    "repositories/multi/oci/_manifests/revisions/sha256/${CHILD#sha256:}/link" error 1 \
    rm "repositories/multi/oci/_manifests/revisions/sha256/${CHILD#sha256:}/link"
audit fifo-strict --strict "$T/fifo/root"
check "[fifo] --strict makes the warning exit 1 (got $RC)" [ "$RC" -eq 1 ]
# A stray file in a tag's folder: only --tag-strays lists the tag folders that would show it.
STRAY=repositories/apps/web/_manifests/tags/1.0/notes.txt
new_copy tag-stray
echo x >"$T/tag-stray/root/$V2/$STRAY"
audit tag-stray "$T/tag-stray/root"
check "[tag-stray] a plain audit does not list tag folders (exit $RC)" \
    sh -c "[ $RC -eq 0 ] && ! grep -q notes.txt '$T/tag-stray.json'"
audit tag-stray-listed --tag-strays "$T/tag-stray/root"
check "[tag-stray] --tag-strays reports it (exit $RC)" has_finding tag-stray-listed \
    unexpected_entry "$STRAY" warning

# ------------------------------------------------------------------ subsets
section "--verify-data-subset n/t partitions the blobs"
total=0
found=0
for n in 1 2 3 4 5; do
    audit "subset-$n" --verify-data-subset "$n/5" "$T/flip-layer/root"
    total=$((total + $(summary "subset-$n" blobs_hashed)))
    has_finding "subset-$n" blob_digest_mismatch "$(blob_rel "$LAYER")" && found=$((found + 1))
done
check "[subset] the 5 runs hash every blob once ($total of $BLOBS)" [ "$total" -eq "$BLOBS" ]
check "[subset] exactly one run finds the flipped layer ($found)" [ "$found" -eq 1 ]
audit subset-pct --verify-data-subset 20% "$FILL"
check "[subset] 20% hashes about a fifth ($(summary subset-pct blobs_hashed) of $BLOBS)" \
    [ "$(summary subset-pct blobs_hashed)" -eq "$(( (BLOBS * 20 + 50) / 100 ))" ]

# ------------------------------------------------------------------ state file
section "--state and --max-age"
STATE=$T/state
audit state-1 --verify-data --state "$STATE" --max-age 1h "$FILL"
check "[state] first run hashes every blob" [ "$(summary state-1 blobs_hashed)" -eq "$BLOBS" ]
audit state-2 --verify-data --state "$STATE" --max-age 1h "$FILL"
check "[state] second run skips every blob" [ "$(summary state-2 blobs_skipped)" -eq "$BLOBS" ]
touch "$FILL/$V2/$(blob_rel "$LAYER")"
audit state-3 --verify-data --state "$STATE" --max-age 1h "$FILL"
check "[state] a blob whose mtime changed is verified again" [ "$(summary state-3 blobs_hashed)" -eq 1 ]

# ------------------------------------------------------------------ quarantine
section "--quarantine moves corrupt blobs out, never deletes"
Q=$T/flip-layer/quarantine
corrupt_sum=$(sha256sum <"$T/flip-layer/root/$V2/$(blob_rel "$LAYER")")
audit quarantine --verify-data --quarantine "$Q" "$T/flip-layer/root"
check "[quarantine] exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "[quarantine] the corrupt data left the tree" [ ! -e "$T/flip-layer/root/$V2/$(blob_rel "$LAYER")" ]
check "[quarantine] and sits in the quarantine folder, unchanged" \
    [ "$(sha256sum <"$Q/$(blob_rel "$LAYER")" 2>/dev/null)" = "$corrupt_sum" ]
check "[quarantine] it is the only file moved" [ "$(find "$Q" -type f | wc -l)" -eq 1 ]

# ------------------------------------------------------------------ after gc
section "after regsweep gc -m the registry still audits clean"
new_copy gc
"$REGSWEEP" gc -m --min-age 0 "$T/gc/root" >"$T/gc.out" 2>&1
check "[gc] regsweep gc -m exits 0" [ $? -eq 0 ]
audit after-gc --verify-data --strict "$T/gc/root"
check "[gc] audit after gc -m: exit 0 with --strict (got $RC)" [ "$RC" -eq 0 ]
show_problems after-gc

e2e_summary
