#!/usr/bin/env bash
# Smoke test of the S3 test infrastructure: a throw-away Ceph RGW (scripts/ceph-rgw.sh), a
# real docker-registry 2.8 storing into one of its buckets (reg_start_s3), the usual GC
# scenario pushed into it (scripts/fill-scenario.sh), every tag pulled back, and the bucket
# mirrored to a local folder (reg_s3_mirror) whose layout the filesystem helpers check
# against the oracle fill-scenario.sh wrote. Also runs the reference
# `docker-registry garbage-collect --dry-run` on the bucket.
#
#   bash tests/e2e/s3_rgw_smoke.sh [REGSWEEP]   (the argument is accepted and unused)
#
# Needs ceph-mon ceph-osd radosgw radosgw-admin ceph (Debian: ceph-mon ceph-osd radosgw
# ceph-common), s3cmd, docker-registry, skopeo, curl, jq, python3; exits 77 (ctest: skipped)
# when one is missing. One PASS/FAIL line per check, INFO lines with step timings; exit status
# 1 if a check failed. KEEP_TMP=1 keeps the temp folder (the cluster is stopped regardless).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPTS=$(cd "$HERE/../../scripts" && pwd)

for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph s3cmd docker-registry skopeo curl jq python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not installed"
        exit 77
    fi
done
# shellcheck source=../../scripts/registry-lib.sh
. "$SCRIPTS/registry-lib.sh"

FAILS=0
PASSES=0
pass() { PASSES=$((PASSES + 1)); printf 'PASS: %s\n' "$*"; }
fail() { FAILS=$((FAILS + 1)); printf 'FAIL: %s\n' "$*"; }
info() { printf 'INFO: %s\n' "$*"; }
check() {
    local desc=$1
    shift
    if "$@"; then pass "$desc"; else fail "$desc"; fi
}
# same_lines DESC EXPECTED ACTUAL: PASS if both files hold the same lines, else FAIL + diff
same_lines() {
    if cmp -s "$2" "$3"; then
        pass "$1"
    else
        fail "$1"
        diff "$2" "$3" | head -n 20 | sed 's/^/       /'
    fi
}
# timing: tick; ...; tock LABEL  -> "INFO: time LABEL: 1.23 s"
tick() { _T=$(date +%s.%N); }
tock() { info "time $1: $(awk -v a="$_T" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"; }
T_ALL=$(date +%s.%N)

T=$(mktemp -d "${TMPDIR:-/tmp}/regsweep-s3smoke.XXXXXX")
RGW=$T/rgw
cleanup() {
    local rc=$?
    set +e
    reg_stop
    tick
    "$SCRIPTS/ceph-rgw.sh" stop "$RGW"
    tock "RGW stop"
    if [ -n "${KEEP_TMP:-}" ]; then echo "(kept $T)"; else rm -rf "$T"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

abort() { # MESSAGE: a step the rest depends on failed
    fail "$*"
    echo "$PASSES passed, $FAILS failed (aborted)"
    exit 1
}

# ------------------------------------------------------------------ RGW
tick
"$SCRIPTS/ceph-rgw.sh" start "$RGW" >"$T/rgw-start.out" 2>"$T/rgw-start.err" ||
    { sed 's/^/       /' "$T/rgw-start.err"; abort "start Ceph RGW"; }
tock "RGW start"
sed -n 's/^\[ceph-rgw\] /INFO:   /p' "$T/rgw-start.err"
pass "Ceph RGW answers S3 at $(cat "$T/rgw-start.out")"
# shellcheck source=/dev/null
. "$RGW/env"
BUCKET=registry-smoke
"$SCRIPTS/ceph-rgw.sh" bucket "$RGW" "$BUCKET" || abort "create bucket $BUCKET"
pass "bucket $BUCKET created"

# ------------------------------------------------------------------ registry + push
tick
reg_start_s3 "$T/reg" "$RGW_ENDPOINT" "$BUCKET" "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" /registry ||
    abort "start docker-registry on s3://$BUCKET"
tock "registry start"
pass "docker-registry serves on $REG_URL from s3://$BUCKET$REG_S3_ROOTDIR"

tick
if FILL_WORK=$T/fill-work FILL_QUIET=1 bash "$SCRIPTS/fill-scenario.sh" "$T/expect.txt" \
    "$T/refs.txt" 2>"$T/fill.err"; then
    tock "push (fill-scenario.sh)"
    pass "scenario pushed ($(cat "$T/fill-work/oracle.counts"))"
else
    tail -n 20 "$T/fill.err" | sed 's/^/       /'
    tail -n 5 "$REG_DIR/registry.log" | cut -c1-300 | sed 's/^/       /'
    abort "fill-scenario.sh into the S3 registry"
fi

tick
if reg_pull_all "$T/pull" >"$T/pull.out" 2>&1; then
    tock "pull every tag"
    pass "every tag pulls back ($REG_PULL_COUNT tags)"
else
    fail "every tag pulls back"
    cut -c1-220 "$T/pull.out" | sed 's/^/       /'
fi
reg_stop

# ------------------------------------------------------------------ the bucket
reg_s3_keys "$RGW" "$BUCKET" >"$T/keys"
N_KEYS=$(grep -c . "$T/keys" || true)
info "keys in s3://$BUCKET: $N_KEYS ($(grep -c '/blobs/' "$T/keys" || true) under blobs/, $(grep -c '/repositories/' "$T/keys" || true) under repositories/)"
check "every key is under the registry's root directory" \
    [ "$(grep -vc '^registry/docker/registry/v2/' "$T/keys" || true)" = 0 ]
"$SCRIPTS/ceph-rgw.sh" s3cmd "$RGW" multipart "s3://$BUCKET" >"$T/multipart" 2>&1 || true
# (s3cmd prints the bucket, a header, then "INITIATED<TAB>s3://BUCKET/KEY<TAB>UPLOAD_ID" lines)
info "unfinished multipart uploads in the bucket: $(awk -F'\t' -v b="s3://$BUCKET/" 'index($2, b) == 1' "$T/multipart" | wc -l) (docker-registry keeps an unfinished upload's data there, not in a key)"

tick
if reg_s3_mirror "$RGW" "$BUCKET" "$REG_S3_ROOTDIR" "$T/mirror"; then
    tock "mirror (s3cmd get --recursive)"
    pass "bucket mirrored to a local tree ($REG_S3_MIRROR_KEYS keys)"
else
    fail "bucket mirrored to a local tree"
fi
M=$T/mirror
has_layout() { [ -d "$M/docker/registry/v2/blobs/sha256" ] && [ -d "$M/docker/registry/v2/repositories" ]; }
check "mirror has the filesystem layout (docker/registry/v2/{blobs,repositories})" has_layout

# ------------------------------------------------------------------ against the oracle
grep -v '^#' "$T/expect.txt" | awk '{print $2}' | sort >"$T/oracle-blobs"
reg_blob_digests "$M" >"$T/mirror-blobs"
same_lines "blobs in the bucket = the oracle's blobs ($(wc -l <"$T/oracle-blobs"))" \
    "$T/oracle-blobs" "$T/mirror-blobs"

bad=0
while read -r d; do
    [ "sha256:$(sha256sum <"$(reg_blob_path "$M" "$d")" | cut -d' ' -f1)" = "$d" ] || {
        info "content of $d does not match its digest"
        bad=$((bad + 1))
    }
done <"$T/mirror-blobs"
check "every mirrored blob's content matches its digest" [ "$bad" = 0 ]

awk '$1=="tag"{print $2":"$3" "$4}' "$T/refs.txt" | sort >"$T/oracle-tags"
reg_tags "$M" >"$T/mirror-tags"
same_lines "tags in the bucket = the tags pushed ($(wc -l <"$T/oracle-tags"))" \
    "$T/oracle-tags" "$T/mirror-tags"

awk '$1=="upload"{print $2" "$3}' "$T/refs.txt" | sort >"$T/oracle-uploads"
reg_uploads "$M" >"$T/mirror-uploads"
same_lines "unfinished uploads in the bucket = the oracle's ($(wc -l <"$T/oracle-uploads"))" \
    "$T/oracle-uploads" "$T/mirror-uploads"

reg_dangling_layer_links "$M" >"$T/dangling"
reg_dangling_revision_links "$M" >>"$T/dangling"
check "no _layers or revision link points at a missing blob" [ ! -s "$T/dangling" ]
info "links: $(reg_layer_links "$M" | wc -l) _layers, $(reg_revision_links "$M" | wc -l) revisions"

# ------------------------------------------------------------------ reference GC (dry run)
tick
if reg_reference_gc --dry-run; then
    tock "docker-registry garbage-collect --dry-run on S3"
    grep -o 'blob eligible for deletion: sha256:[0-9a-f]*' "$REG_REFERENCE_GC_LOG" |
        sed 's/.*: //' | sort -u >"$T/ref-eligible"
    awk '$1=="garbage"{print $2}' "$T/expect.txt" | sort >"$T/oracle-garbage"
    same_lines "reference GC dry run on S3 marks exactly the oracle's garbage ($(wc -l <"$T/oracle-garbage"))" \
        "$T/oracle-garbage" "$T/ref-eligible"
else
    fail "docker-registry garbage-collect --dry-run on S3"
    tail -n 5 "$REG_REFERENCE_GC_LOG" | cut -c1-300 | sed 's/^/       /'
fi

# ------------------------------------------------------------------ memory
for n in mon.a osd.0 client.rgw.a; do
    pid=$(cat "$RGW/run/$n.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
        info "RSS $n: $(awk '/^VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status")"
    fi
done

echo "$PASSES passed, $FAILS failed, $(awk -v a="$T_ALL" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
[ "$FAILS" -eq 0 ]
