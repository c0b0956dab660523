#!/usr/bin/env bash
# End-to-end test of `regsweep gc` against storage written by a real registry
# (docker-registry / CNCF distribution 2.8) and against its own garbage-collect.
#
#   bash tests/e2e/gc_real_registry.sh /path/to/regsweep
#
# Needs docker-registry, skopeo, curl, jq, python3; exits 77 (skip) when one is missing.
# Every check prints one PASS/FAIL line; exit status is 1 if any check failed.
# See tests/e2e/README.md for the scenario and the expectations.
set -uo pipefail

REGSWEEP=${1:?usage: $0 /path/to/regsweep}
case $REGSWEEP in /*) ;; *) REGSWEEP=$PWD/$REGSWEEP ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# shellcheck source=harness.sh
. "$HERE/harness.sh"
e2e_require docker-registry skopeo curl jq python3
e2e_tmpdir e2e
# jqt FILE FILTER [jq args...]: true if FILTER yields true on FILE (quietly)
jqt() {
    local f=$1 flt=$2
    shift 2
    jq -e "$@" "$flt" "$f" >/dev/null 2>&1
}
# explain FILE: print the digests in FILE with their oracle notes (indented)
explain() {
    local d
    while read -r d; do
        [ -n "$d" ] || continue
        printf '       %s %s\n' "$d" "$(awk -v d="$d" '$2==d {$2=""; print; exit}' "$T/expect.txt")"
    done <"$1"
}
# set_empty DESC FILE : PASS if FILE is empty, else FAIL and list its lines
set_empty() {
    local desc=$1 f=$2
    if [ ! -s "$f" ]; then
        pass "$desc"
    else
        fail "$desc ($(wc -l <"$f") offending)"
        explain "$f"
    fi
}

json_blobs() { jq -r '.deleted.blobs[]?.digest' "$1" | sort -u; }
json_freed() { jq -r '.freed_bytes' "$1"; }
json_count() { jq -r "[$2] | length" "$1"; }

# run_regsweep NAME ARGS... : runs regsweep, output in $T/NAME.out, sets RS_RC
run_regsweep() {
    local name=$1
    shift
    "$REGSWEEP" "$@" >"$T/$name.out" 2>&1
    RS_RC=$?
    if [ "$RS_RC" -ne 0 ]; then
        info "regsweep $* -> exit $RS_RC; output tail:"
        tail -n 15 "$T/$name.out" | sed 's/^/       /'
    fi
}

new_copy() { # NAME -> $T/NAME/root is a copy of the filled storage
    rm -rf "${T:?}/$1"
    mkdir -p "$T/$1"
    cp -a "$T/fill/root" "$T/$1/root"
}

# ------------------------------------------------------------------ fixture
e2e_fill_registry
reg_pull_all "$T/pull-fill" >"$T/pull-fill.out" 2>&1
check "every tag pulls from the freshly filled registry ($REG_PULL_COUNT tags)" [ ! -s "$T/pull-fill.out" ]
sed 's/^/       /' "$T/pull-fill.out"
reg_stop

awk '$1=="live"{print $2}' "$T/expect.txt" | sort >"$T/live"
awk '$1=="untagged"{print $2}' "$T/expect.txt" | sort >"$T/untagged"
awk '$1=="garbage"{print $2}' "$T/expect.txt" | sort >"$T/garbage"
cat "$T/live" "$T/untagged" | sort >"$T/kept-default"
reg_blob_digests "$T/fill/root" >"$T/blobs-before"
grep -v '^#' "$T/expect.txt" | awk '{print $2}' | sort >"$T/oracle-all"
check "oracle covers exactly the blobs on disk ($(wc -l <"$T/blobs-before") blobs)" \
    cmp -s "$T/blobs-before" "$T/oracle-all"
awk '$1=="untagged-manifest"{print $2" "$4}' "$T/refs.txt" | sort >"$T/untagged-manifests"
awk '$1=="referrer" && $3=="live"{print $2" "$4}' "$T/refs.txt" >"$T/live-referrers"
awk '$1=="tag"{print $2" "$4}' "$T/refs.txt" | sort -u >"$T/tagged-manifests"
UPLOAD_REPO=$(awk '$1=="upload"{print $2; exit}' "$T/refs.txt")
UPLOAD_ID=$(awk '$1=="upload"{print $3; exit}' "$T/refs.txt")
EMPTY_REPO=$(awk '$1=="empty-repo" && $4=="strict"{print $2; exit}' "$T/refs.txt")
SHARED_EMPTY_REPO=$(awk '$1=="empty-repo" && $4!="strict"{print $2; exit}' "$T/refs.txt")
V2=docker/registry/v2

for v in default m ref ref-m untag plan; do new_copy "$v"; done

# ------------------------------------------------------------ variant checks
# verify_variant NAME MODE(default|m) EXTRA_ARGS...
verify_variant() {
    local name=$1 mode=$2
    shift 2
    local root=$T/$name/root
    section "regsweep gc ${*} (variant $name)"

    run_regsweep "$name-dry" gc --min-age 0 --dry-run --json "$T/$name-dry.json" "$@" "$root"
    check "[$name] dry run exits 0" [ "$RS_RC" -eq 0 ]
    reg_blob_digests "$root" >"$T/$name-after-dry"
    check "[$name] dry run deletes nothing on disk" cmp -s "$T/blobs-before" "$T/$name-after-dry"
    check "[$name] dry-run report says dry_run=true" [ "$(jq -r .dry_run "$T/$name-dry.json" 2>/dev/null)" = true ]

    run_regsweep "$name-real" gc --min-age 0 --json "$T/$name-real.json" "$@" "$root"
    check "[$name] real run exits 0" [ "$RS_RC" -eq 0 ]
    check "[$name] real report says dry_run=false" [ "$(jq -r .dry_run "$T/$name-real.json" 2>/dev/null)" = false ]
    local np
    np=$(json_count "$T/$name-real.json" '.problems[]?' 2>/dev/null || echo '?')
    if [ "$np" != 0 ]; then
        info "[$name] problems reported: $(jq -c '.problems' "$T/$name-real.json" 2>/dev/null | head -c 600)"
    fi

    json_blobs "$T/$name-dry.json" >"$T/$name-dry-blobs"
    json_blobs "$T/$name-real.json" >"$T/$name-real-blobs"
    check "[$name] dry run and real run delete the same blobs ($(wc -l <"$T/$name-real-blobs"))" \
        cmp -s "$T/$name-dry-blobs" "$T/$name-real-blobs"
    local fd fr
    fd=$(json_freed "$T/$name-dry.json")
    fr=$(json_freed "$T/$name-real.json")
    check "[$name] dry run and real run free the same bytes ($fd / $fr)" [ "$fd" = "$fr" ]

    reg_blob_digests "$root" >"$T/$name-after"
    comm -23 "$T/blobs-before" "$T/$name-after" >"$T/$name-removed"
    check "[$name] report lists exactly the blobs removed from disk" cmp -s "$T/$name-removed" "$T/$name-real-blobs"
    # size column matches the files that were deleted
    local sum_json sum_disk
    sum_json=$(jq '[.deleted.blobs[]?.size] | add // 0' "$T/$name-real.json")
    sum_disk=$(while read -r d; do stat -c %s "$(reg_blob_path "$T/fill/root" "$d")"; done <"$T/$name-removed" |
        awk '{s+=$1} END {print s+0}')
    check "[$name] reported blob sizes add up to the bytes removed ($sum_json / $sum_disk)" [ "$sum_json" = "$sum_disk" ]

    comm -23 "$T/live" "$T/$name-after" >"$T/$name-lost-live"
    set_empty "[$name] every live blob kept ($(wc -l <"$T/live"))" "$T/$name-lost-live"
    if [ "$mode" = default ]; then
        comm -23 "$T/untagged" "$T/$name-after" >"$T/$name-lost-untagged"
        set_empty "[$name] every untagged-but-referenced blob kept ($(wc -l <"$T/untagged"))" "$T/$name-lost-untagged"
    else
        comm -12 "$T/untagged" "$T/$name-after" >"$T/$name-kept-untagged"
        set_empty "[$name] every untagged blob deleted ($(wc -l <"$T/untagged"))" "$T/$name-kept-untagged"
    fi
    comm -12 "$T/garbage" "$T/$name-after" >"$T/$name-kept-garbage"
    set_empty "[$name] every garbage blob deleted ($(wc -l <"$T/garbage"))" "$T/$name-kept-garbage"

    reg_dangling_layer_links "$root" >"$T/$name-dangling-layers"
    check "[$name] no _layers link points at a deleted blob" [ ! -s "$T/$name-dangling-layers" ]
    [ -s "$T/$name-dangling-layers" ] && sed 's/^/       /' "$T/$name-dangling-layers"
    reg_dangling_revision_links "$root" >"$T/$name-dangling-revs"
    check "[$name] no manifest revision link points at a deleted blob" [ ! -s "$T/$name-dangling-revs" ]
    [ -s "$T/$name-dangling-revs" ] && sed 's/^/       /' "$T/$name-dangling-revs"

    jq -r '.deleted.manifests[]? | .repository + " " + .digest' "$T/$name-real.json" | sort >"$T/$name-del-manifests"
    if [ "$mode" = m ]; then
        comm -23 "$T/untagged-manifests" "$T/$name-del-manifests" >"$T/$name-missing-del"
        check "[$name] report lists every untagged manifest as deleted ($(wc -l <"$T/untagged-manifests"))" \
            [ ! -s "$T/$name-missing-del" ]
        local leftover=0 repo d
        while read -r repo d; do
            [ -e "$root/$V2/repositories/$repo/_manifests/revisions/sha256/${d#sha256:}/link" ] && leftover=1
        done <"$T/untagged-manifests"
        check "[$name] revision links of untagged manifests removed" [ "$leftover" -eq 0 ]
    fi
    comm -12 "$T/tagged-manifests" "$T/$name-del-manifests" >"$T/$name-del-tagged"
    check "[$name] no tagged manifest reported deleted" [ ! -s "$T/$name-del-tagged" ]
    check "[$name] tags untouched (no --untag given)" [ "$(json_count "$T/$name-real.json" '.deleted.tags[]?')" = 0 ]
    check "[$name] fresh unfinished upload kept (default --upload-max-age 168h)" \
        [ -d "$root/$V2/repositories/$UPLOAD_REPO/_uploads/$UPLOAD_ID" ]

    run_regsweep "$name-again" gc --min-age 0 --json "$T/$name-again.json" "$@" "$root"
    check "[$name] second run exits 0" [ "$RS_RC" -eq 0 ]
    check "[$name] second run deletes nothing" [ "$(jq '[.deleted.blobs[]?, .deleted.manifests[]?, .deleted.layer_links[]?, .deleted.tags[]?] | length' "$T/$name-again.json" 2>/dev/null)" = 0 ]

    # uploads and empty repositories
    run_regsweep "$name-clean" gc --min-age 0 --upload-max-age 0 --prune-empty-repos --json "$T/$name-clean.json" "$@" "$root"
    check "[$name] --upload-max-age 0 --prune-empty-repos exits 0" [ "$RS_RC" -eq 0 ]
    check "[$name] unfinished upload $UPLOAD_REPO/$UPLOAD_ID deleted" \
        [ ! -e "$root/$V2/repositories/$UPLOAD_REPO/_uploads/$UPLOAD_ID" ]
    check "[$name] report lists the upload" \
        jqt "$T/$name-clean.json" '[.deleted.uploads[]? | select(.repository==$r and .id==$u)] | length == 1' --arg r "$UPLOAD_REPO" --arg u "$UPLOAD_ID"
    check "[$name] empty repository $EMPTY_REPO pruned" [ ! -e "$root/$V2/repositories/$EMPTY_REPO" ]
    check "[$name] report lists the pruned repository" \
        jqt "$T/$name-clean.json" '[.deleted.repositories[]? | if type=="object" then .repository else . end | select(.==$r)] | length == 1' --arg r "$EMPTY_REPO"
    if [ -n "$SHARED_EMPTY_REPO" ]; then
        if [ -e "$root/$V2/repositories/$SHARED_EMPTY_REPO" ]; then
            info "[$name] $SHARED_EMPTY_REPO (no tag, no manifest, _layers links to blobs other repositories use) was kept"
        else
            info "[$name] $SHARED_EMPTY_REPO (no tag, no manifest, _layers links to blobs other repositories use) was pruned"
        fi
    fi
    check "[$name] cleanup run deletes no blob" [ "$(json_count "$T/$name-clean.json" '.deleted.blobs[]?')" = 0 ]

    section "registry restarted on the result of variant $name"
    if ! reg_start "$T/$name"; then
        fail "[$name] registry restarts on the collected storage"
        return
    fi
    local out
    reg_pull_all "$T/pull-$name" >"$T/pull-$name.out" 2>&1
    check "[$name] every remaining tag pulls, all platforms, all blobs ($REG_PULL_COUNT tags)" [ ! -s "$T/pull-$name.out" ]
    sed 's/^/       /' "$T/pull-$name.out"
    check "[$name] all tags still listed ($REG_PULL_COUNT)" [ "$REG_PULL_COUNT" -eq "$(grep -c '^tag ' "$T/refs.txt")" ]
    local repo d
    for ref in multi/oci:1.0 multi/docker:1.0; do
        repo=${ref%%:*}
        local n=0 ok=0
        for d in $(curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json' \
            "http://$REG_URL/v2/$repo/manifests/${ref#*:}" | jq -r '.manifests[].digest'); do
            n=$((n + 1))
            reg_pull_digest "$repo" "$d" "$T/pull-$name-children" >/dev/null && ok=$((ok + 1))
        done
        check "[$name] every platform of $ref pulls by digest ($ok/$n)" test "$n" -gt 0 -a "$ok" -eq "$n"
    done
    while read -r repo d; do
        out=$(reg_pull_digest "$repo" "$d" "$T/pull-$name-referrers" 2>&1)
        check "[$name] referrer $repo@${d:7:12} of a tagged subject pulls" [ -z "$out" ]
        [ -n "$out" ] && printf '       %s\n' "$out"
    done <"$T/live-referrers"
    if [ "$mode" = m ]; then
        local gone=0 total=0 code
        while read -r repo d; do
            total=$((total + 1))
            code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
                "http://$REG_URL/v2/$repo/manifests/$d")
            [ "$code" = 404 ] && gone=$((gone + 1))
        done <"$T/untagged-manifests"
        check "[$name] untagged manifests answer 404 ($gone/$total)" [ "$gone" -eq "$total" ]
    fi
    reg_stop
}

verify_variant default default
verify_variant m m -m

# ------------------------------------------------------ reference GC compare
section "reference: docker-registry garbage-collect (distribution 2.8)"
compare_reference() { # NAME REFERENCE_FLAGS... ; compares with regsweep variant $RS_VARIANT
    local name=$1
    shift
    reg_write_config "$T/$name" 1
    REG_DIR=$T/$name REG_CONFIG=$T/$name/config.yml REG_PID='' reg_reference_gc "$@"
    local rc=$?
    check "[$name] docker-registry garbage-collect${*:+ $*} exits 0" [ "$rc" -eq 0 ]
    reg_blob_digests "$T/$name/root" | comm -23 "$T/blobs-before" - >"$T/$name-removed"
    comm -23 "$T/$name-removed" "$T/live" | comm -23 - "$T/$RS_VARIANT-removed" >"$T/$name-missed"
    set_empty "[$name] regsweep ($RS_VARIANT) deletes every non-live blob the reference deletes ($(comm -23 "$T/$name-removed" "$T/live" | wc -l))" "$T/$name-missed"
    comm -12 "$T/$name-removed" "$T/live" >"$T/$name-wrong"
    if [ -s "$T/$name-wrong" ]; then
        info "[$name] the reference deleted $(wc -l <"$T/$name-wrong") LIVE blobs (regsweep must not):"
        explain "$T/$name-wrong"
    else
        info "[$name] the reference deleted no live blob"
    fi
    comm -13 "$T/$name-removed" "$T/$RS_VARIANT-removed" >"$T/$name-extra"
    if [ -s "$T/$name-extra" ]; then
        info "[$name] regsweep ($RS_VARIANT) deleted $(wc -l <"$T/$name-extra") blobs the reference kept:"
        explain "$T/$name-extra"
    fi
}
RS_VARIANT=default compare_reference ref
check "[ref] reference without -m deletes exactly the oracle's garbage (fixture sanity)" \
    cmp -s "$T/ref-removed" "$T/garbage"
RS_VARIANT=m compare_reference ref-m -m
check "[ref-m] reference -m wrongly deletes live blobs (scenario exercises the bug)" [ -s "$T/ref-m-wrong" ]
if reg_start "$T/ref-m"; then
    reg_pull_all "$T/pull-ref-m" >"$T/pull-ref-m.out" 2>&1
    if [ -s "$T/pull-ref-m.out" ]; then
        info "[ref-m] after the reference -m, pulls fail:"
        cut -c1-220 "$T/pull-ref-m.out" | sed 's/^/       /'
    else
        info "[ref-m] after the reference -m all tags still pull"
    fi
    reg_stop
fi

# ------------------------------------------------------------------ --untag
section "regsweep gc -m --untag apps/web:latest"
UNTAG_REPO=apps/web
UNTAG_TAG=latest
cp "$T/fill-work/ledger" "$T/ledger-untag"
echo "untag $UNTAG_REPO $UNTAG_TAG" >>"$T/ledger-untag"
python3 "$SCRIPTS/build-image.py" oracle "$T/fill-work/layout" "$T/ledger-untag" "$T/expect-untag.txt" \
    --refs-out "$T/refs-untag.txt" >/dev/null
awk '$1=="live"{print $2}' "$T/expect-untag.txt" | sort >"$T/live-untag"
comm -23 "$T/live" "$T/live-untag" >"$T/untag-exclusive"
info "blobs exclusive to $UNTAG_REPO:$UNTAG_TAG: $(wc -l <"$T/untag-exclusive")"
root=$T/untag/root
TAGDIR=$root/$V2/repositories/$UNTAG_REPO/_manifests/tags/$UNTAG_TAG
run_regsweep untag-dry gc --min-age 0 -m --dry-run --untag "$UNTAG_REPO:$UNTAG_TAG" --json "$T/untag-dry.json" "$root"
check "[untag] dry run exits 0" [ "$RS_RC" -eq 0 ]
check "[untag] dry run keeps the tag folder" [ -d "$TAGDIR" ]
reg_blob_digests "$root" >"$T/untag-after-dry"
check "[untag] dry run deletes nothing on disk" cmp -s "$T/blobs-before" "$T/untag-after-dry"
run_regsweep untag gc --min-age 0 -m --untag "$UNTAG_REPO:$UNTAG_TAG" --json "$T/untag.json" "$root"
check "[untag] real run exits 0" [ "$RS_RC" -eq 0 ]
check "[untag] tag folder $UNTAG_REPO/_manifests/tags/$UNTAG_TAG removed" [ ! -e "$TAGDIR" ]
check "[untag] report lists the tag" \
    jqt "$T/untag.json" '[.deleted.tags[]? | select(.repository==$r and .tag==$t)] | length == 1' --arg r "$UNTAG_REPO" --arg t "$UNTAG_TAG"
check "[untag] dry run and real run delete the same blobs" \
    cmp -s <(json_blobs "$T/untag-dry.json") <(json_blobs "$T/untag.json")
reg_blob_digests "$root" >"$T/untag-after"
comm -12 "$T/untag-exclusive" "$T/untag-after" >"$T/untag-kept-exclusive"
set_empty "[untag] blobs exclusive to the untagged tag deleted ($(wc -l <"$T/untag-exclusive"))" "$T/untag-kept-exclusive"
comm -23 "$T/live-untag" "$T/untag-after" >"$T/untag-lost"
set_empty "[untag] every blob still live without the tag kept ($(wc -l <"$T/live-untag"))" "$T/untag-lost"
comm -12 <(awk '$1!="live" && $1!~/^#/{print $2}' "$T/expect-untag.txt" | sort) "$T/untag-after" >"$T/untag-kept-garbage"
set_empty "[untag] every other non-live blob deleted" "$T/untag-kept-garbage"
if reg_start "$T/untag"; then
    reg_pull_all "$T/pull-untag" >"$T/pull-untag.out" 2>&1
    check "[untag] every other tag still pulls ($REG_PULL_COUNT tags)" [ ! -s "$T/pull-untag.out" ]
    sed 's/^/       /' "$T/pull-untag.out"
    reg_tag_list "$UNTAG_REPO" >"$T/untag-tags"
    check "[untag] $UNTAG_REPO:$UNTAG_TAG no longer listed" test -z "$(grep -x "$UNTAG_TAG" "$T/untag-tags")"
    check "[untag] tag count is one less" [ "$REG_PULL_COUNT" -eq $(($(grep -c '^tag ' "$T/refs.txt") - 1)) ]
    reg_stop
else
    fail "[untag] registry restarts on the collected storage"
fi

# -------------------------------------------------------------- plan/apply
section "regsweep gc -m --plan, then --apply (and apply again: interrupted-rerun)"
root=$T/plan/root
run_regsweep plan gc --min-age 0 -m --dry-run --plan "$T/plan.json" "$root"
check "[plan] writing the plan exits 0" [ "$RS_RC" -eq 0 ]
check "[plan] plan is JSON" jqt "$T/plan.json" 'type == "object" or type == "array"' 
reg_blob_digests "$root" >"$T/plan-after-plan"
check "[plan] writing the plan deletes nothing" cmp -s "$T/blobs-before" "$T/plan-after-plan"
run_regsweep apply gc --apply "$T/plan.json" --json "$T/apply.json" "$root"
check "[plan] --apply exits 0" [ "$RS_RC" -eq 0 ]
reg_blob_digests "$root" >"$T/plan-after"
check "[plan] applying the plan removes the same blobs as the direct -m run" \
    cmp -s <(comm -23 "$T/blobs-before" "$T/plan-after") "$T/m-removed"
run_regsweep apply2 gc --apply "$T/plan.json" --json "$T/apply2.json" "$root"
check "[plan] applying the same plan again exits 0 (got $RS_RC)" [ "$RS_RC" -eq 0 ]
reg_blob_digests "$root" >"$T/plan-after2"
check "[plan] re-applying deletes nothing more" cmp -s "$T/plan-after" "$T/plan-after2"
if reg_start "$T/plan"; then
    reg_pull_all "$T/pull-plan" >"$T/pull-plan.out" 2>&1
    check "[plan] every tag pulls after apply ($REG_PULL_COUNT tags)" [ ! -s "$T/pull-plan.out" ]
    sed 's/^/       /' "$T/pull-plan.out"
    reg_stop
fi

# --------------------------------------------------------- symlinked namespace
# An operator moves the namespace multi/ (an OCI multi-arch index with a referrer, a docker
# manifest list) to another disk and leaves a symbolic link in its place. The registry follows
# it and serves those images; regsweep never follows one, so it must delete no blob at all.
section "namespace moved to another disk behind a symbolic link (issue: symlinks never cost a blob)"
new_copy symlink
root=$T/symlink/root
run_regsweep symlink-plan gc --min-age 0 -m --dry-run --plan "$T/symlink-plan.json" "$root"
check "[symlink] a plan made before the link appeared exits 0" [ "$RS_RC" -eq 0 ]
check "[symlink] that plan deletes blobs" jqt "$T/symlink-plan.json" \
    '[.actions[] | select(.action == "delete_blob")] | length > 0'
namespace=$root/docker/registry/v2/repositories/multi
mv "$namespace" "$T/disk2-multi"
ln -s "$T/disk2-multi" "$namespace"
(cd "$T/disk2-multi" && find . | sort) >"$T/disk2-before"
referrer=$(awk '$1=="referrer" && $2=="multi/oci" {print $4; exit}' "$T/refs.txt")
pull_linked_namespace() { # WHEN: pulls multi/oci:1.0, multi/docker:1.0 and the referrer
    local out
    out=$(reg_pull_tag multi/oci:1.0 "$T/pull-sym-oci" 2>&1; reg_pull_tag multi/docker:1.0 \
        "$T/pull-sym-docker" 2>&1; reg_pull_digest multi/oci "$referrer" "$T/pull-sym-ref" 2>&1)
    check "[symlink] $1: the registry serves the linked namespace (multi-arch, list, referrer)" \
        [ -n "$referrer" ] && [ -z "$out" ]
    [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/       /'
}
if reg_start "$T/symlink"; then
    pull_linked_namespace "before gc"
    reg_stop
else
    fail "[symlink] registry starts on the tree with the link"
fi
reg_blob_digests "$root" >"$T/symlink-blobs-before"
for variant in plain:gc:--min-age:0 m:gc:--min-age:0:-m apply:gc:--apply:$T/symlink-plan.json; do
    name=${variant%%:*}
    IFS=: read -r -a args <<<"${variant#*:}"
    run_regsweep "symlink-$name" "${args[@]}" "$root"
    check "[symlink] gc ${args[*]:1} exits 1 (got $RS_RC)" [ "$RS_RC" -eq 1 ]
    check "[symlink] gc ${args[*]:1} names the link and says nothing was deleted" \
        grep -q "blob_sweep_refused repositories/multi: is a symbolic link" "$T/symlink-$name.out"
done
reg_blob_digests "$root" >"$T/symlink-blobs-after"
check "[symlink] no blob deleted by any of the three runs" \
    cmp -s "$T/symlink-blobs-before" "$T/symlink-blobs-after"
check "[symlink] the link is still there" [ -L "$namespace" ]
check "[symlink] nothing behind the link changed" \
    cmp -s "$T/disk2-before" <(cd "$T/disk2-multi" && find . | sort)
run_regsweep symlink-audit audit "$root"
check "[symlink] audit exits 1 naming the link" \
    bash -c '[ "$0" -eq 1 ] && grep -q "repositories/multi" "$1"' "$RS_RC" "$T/symlink-audit.out"
run_regsweep symlink-usage usage "$root"
check "[symlink] usage exits 1 and says its figures are incomplete" \
    bash -c '[ "$0" -eq 1 ] && grep -q "INCOMPLETE" "$1"' "$RS_RC" "$T/symlink-usage.out"
if reg_start "$T/symlink"; then
    reg_pull_all "$T/pull-symlink" >"$T/pull-symlink.out" 2>&1
    check "[symlink] every tag still pulls after the runs ($REG_PULL_COUNT tags)" \
        [ ! -s "$T/pull-symlink.out" ]
    sed 's/^/       /' "$T/pull-symlink.out"
    pull_linked_namespace "after gc"
    reg_stop
else
    fail "[symlink] registry restarts after the runs"
fi

# ------------------------------------------------------------------ summary
e2e_summary
