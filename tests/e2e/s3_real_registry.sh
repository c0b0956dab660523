#!/usr/bin/env bash
# End-to-end test of regsweep on S3-compatible storage: a throw-away Ceph RGW
# (scripts/ceph-rgw.sh), a real docker-registry 2.8 storing into one of its buckets
# (reg_start_s3), the usual GC scenario pushed into it (scripts/fill-scenario.sh), every tag
# pulled back, and the bucket mirrored to a local folder (reg_s3_mirror) whose layout the
# filesystem helpers check against the oracle fill-scenario.sh wrote. Also runs the reference
# `docker-registry garbage-collect --dry-run` on the bucket. Then regsweep on
# s3://BUCKET/registry against regsweep on the mirror:
#   - gc --dry-run (plain, -m, -m -v), usage and audit (with and without --verify-data) report
#     exactly what they report on the mirror, with the same exit codes; nothing in the bucket
#     changes and no lock object is left;
#   - --config (the registry's own config.yml, no AWS_* variables) reports what s3:// reports;
#     no output ever contains the secret key;
#   - a missing bucket, a prefix without a registry and a wrong secret key are errors naming
#     the bucket and the endpoint (the wrong key: HTTP 403), and delete nothing;
#   - gc -m --prune-empty-repos on the bucket leaves exactly the files the same run leaves on
#     a copy of the mirror (and the oracle's live blobs); docker-registry, restarted on the
#     bucket, serves every tag; audit --verify-data is clean; a second gc deletes nothing;
#   - gc killed with SIGKILL between two DeleteObjects batches leaves a consistent registry,
#     and a rerun converges: on copies of the mirror uploaded under s3://BUCKET/PREFIX/, gc
#     (one deletion request in flight, so one DeleteObjects per sweep phase) runs through
#     tests/e2e/s3_kill_proxy.py, an HTTP proxy in front of RGW that counts the DeleteObjects
#     requests. Uninterrupted, it leaves what the same gc leaves on a copy of the mirror. Then,
#     for every K between two batches, the proxy SIGKILLs the run once RGW has answered
#     DeleteObjects K (before the run sees the answer) and forwards nothing more: the run dies
#     (exit 137) leaving exactly the keys minus those of batches 1..K, and its lock object,
#     which a new gc refuses (and --break-lock cannot clear on S3); once an operator deletes it
#     (s3cmd del, as docs/s3.md says), audit finds no error, docker-registry restarted on the
#     copy serves every tag (one K; S3_KILL_PULL_ALL=1: every K), and the same gc run again
#     exits 0 leaving exactly the keys the uninterrupted run leaves.
#
#   bash tests/e2e/s3_real_registry.sh /path/to/regsweep      (~1.5-2.5 min, most of it the push)
#
# Needs ceph-mon ceph-osd radosgw radosgw-admin ceph (Debian: ceph-mon ceph-osd radosgw
# ceph-common), s3cmd, docker-registry, skopeo, curl, jq, python3; exits 77 (ctest: skipped)
# when one is missing. One PASS/FAIL line per check, INFO lines with step timings; exit status
# 1 if a check failed. KEEP_TMP=1 keeps the temp folder (the cluster is stopped regardless).
set -euo pipefail

REGSWEEP=${1:?usage: $0 /path/to/regsweep}
case $REGSWEEP in /*) ;; *) REGSWEEP=$PWD/$REGSWEEP ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPTS=$(cd "$HERE/../../scripts" && pwd)

# The shared PASS/FAIL bookkeeping and tool checks (exit 77 when one is missing); this script
# keeps its own temp folder and cleanup, which also stop the cluster.
# shellcheck source=harness.sh
. "$HERE/harness.sh"
e2e_require ceph-mon ceph-osd radosgw radosgw-admin ceph s3cmd docker-registry skopeo curl jq python3
# same_lines DESC EXPECTED ACTUAL: PASS if both files hold the same lines, else FAIL + diff
same_lines() {
    if cmp -s "$2" "$3"; then
        pass "$1"
    else
        fail "$1"
        diff "$2" "$3" | head -n 20 | sed 's/^/       /' || true
    fi
}
# timing: tick; ...; tock LABEL  -> "INFO: time LABEL: 1.23 s"
tick() { _T=$(date +%s.%N); }
tock() { info "time $1: $(awk -v a="$_T" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"; }
T_ALL=$(date +%s.%N)

T=$(mktemp -d "${TMPDIR:-/tmp}/regsweep-s3e2e.XXXXXX")
RGW=$T/rgw
cleanup() {
    local rc=$?
    set +e
    reg_stop
    [ -z "${PROXY_PID:-}" ] || { kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; }
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
BUCKET=regsweep-e2e
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

# ================================================================== regsweep on S3
# Everything regsweep prints or writes goes to $OUT (grepped for the secret key at the end).
OUT=$T/rs
mkdir -p "$OUT" "$T/home"
S3_ROOT=s3://$BUCKET/${REG_S3_ROOTDIR#/}
WRONG_SECRET=wrongSecretForTheRegsweepE2eTest
# rs NAME ARGS...: regsweep ARGS; stdout and stderr in $OUT/NAME.out, exit status in RS_RC
rs() {
    local name=$1
    shift
    RS_RC=0
    "$REGSWEEP" "$@" >"$OUT/$name.out" 2>&1 || RS_RC=$?
}
# rs_no_aws NAME ARGS...: the same without any AWS_* variable or ~/.aws (for --config)
rs_no_aws() {
    local name=$1
    shift
    RS_RC=0
    env -u AWS_ENDPOINT_URL -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
        -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_PROFILE -u AWS_SHARED_CREDENTIALS_FILE \
        -u AWS_CONFIG_FILE HOME="$T/home" "$REGSWEEP" "$@" >"$OUT/$name.out" 2>&1 || RS_RC=$?
}
# bucket_listing FILE: every key with its date, size and ETag (s3cmd ls --list-md5)
bucket_listing() {
    "$SCRIPTS/ceph-rgw.sh" s3cmd "$RGW" ls --recursive --list-md5 "s3://$BUCKET/" | sort -k5 >"$1"
}
# text_body FILE: a text report without what names the storage or measures the run: the first
# line (the location: "s3://BUCKET/registry at ENDPOINT" or the mirror's path), the `time:`
# line (durations) and the `requests:` line (S3 request counts and their cost; S3 only)
text_body() { sed -e '1d' -e '/^time: /d' -e '/^requests: /d' "$1" || true; }
# json_norm KIND FILE: a JSON report (audit: a stream of objects) without what legitimately
# differs between the bucket and its filesystem copy:
#   root                     where the registry is (s3://BUCKET/registry at ENDPOINT / a path)
#   requests                 S3 request counts and their cost (only S3 runs have them)
#   timings.* values         durations (the phase names stay, and are compared)
#   seconds, hash_seconds    (audit) durations
#   totals.allocated_bytes   (usage) disk blocks on a filesystem, object bytes on S3
# and gc's deleted.* lists sorted: within a repository, layer links, manifests and tag index
# entries come in the order the storage lists them (readdir order on a filesystem, key order
# on S3): their contents must be equal, not their order.
json_norm() {
    local flt='del(.root, .requests) | if has("timings") then .timings |= map_values(null) else . end'
    case $1 in
    gc) flt="$flt"' | if has("deleted") then .deleted |= map_values(sort) else . end' ;;
    usage) flt="$flt | del(.totals.allocated_bytes)" ;;
    audit) flt="$flt | del(.seconds, .hash_seconds)" ;;
    esac
    # (nothing on stdout when FILE is missing or not JSON: same_report then fails)
    jq -S "$flt" "$2" || true
}
# all_zero VALUE...: true if every VALUE is 0
all_zero() {
    local v
    for v in "$@"; do [ "$v" = 0 ] || return 1; done
}
# no_match PATTERN FILE...: true if no FILE holds PATTERN as a word (case-insensitive)
no_match() {
    local pattern=$1
    shift
    ! grep -qiw -- "$pattern" "$@"
}
# summary_field FILE FIELD: a field of audit's JSON summary
summary_field() { jq -r --arg f "$2" 'select(.type=="summary") | .[$f]' "$1" 2>/dev/null || true; }
# same_report DESC A B: PASS if files A and B are equal and not empty, else FAIL + diff
same_report() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then
        pass "$1"
    else
        fail "$1"
        diff "$2" "$3" | head -n 30 | cut -c1-200 | sed 's/^/       /' || true
    fi
}
# on_both NAME KIND ARGS...: regsweep ARGS --json on the bucket and on the mirror; same exit
# status, same JSON report and (gc, gc-list) the same text report
on_both() {
    local name=$1 kind=$2 rc_s3 rc_fs
    shift 2
    rs "$name-s3" "$@" --json "$OUT/$name-s3.json" "$S3_ROOT"
    rc_s3=$RS_RC
    rs "$name-fs" "$@" --json "$OUT/$name-fs.json" "$M"
    rc_fs=$RS_RC
    check "[$name] regsweep $*: same exit status on S3 and on the mirror ($rc_s3 / $rc_fs)" \
        [ "$rc_s3" = "$rc_fs" ]
    if [ "$rc_s3" -gt 1 ]; then tail -n 5 "$OUT/$name-s3.out" | cut -c1-200 | sed 's/^/       /'; fi
    json_norm "${kind%-list}" "$OUT/$name-s3.json" >"$OUT/$name-s3.norm"
    json_norm "${kind%-list}" "$OUT/$name-fs.json" >"$OUT/$name-fs.norm"
    same_report "[$name] JSON report on S3 = on the mirror" "$OUT/$name-fs.norm" "$OUT/$name-s3.norm"
    case $kind in
    gc)
        text_body "$OUT/$name-s3.out" >"$OUT/$name-s3.txt"
        text_body "$OUT/$name-fs.out" >"$OUT/$name-fs.txt"
        same_report "[$name] text report on S3 = on the mirror ($(wc -l <"$OUT/$name-s3.txt") lines)" \
            "$OUT/$name-fs.txt" "$OUT/$name-s3.txt"
        ;;
    gc-list)
        # one line per deletion, in listing order (see json_norm): compared as sets of lines
        text_body "$OUT/$name-s3.out" | sort >"$OUT/$name-s3.txt"
        text_body "$OUT/$name-fs.out" | sort >"$OUT/$name-fs.txt"
        same_report "[$name] text report on S3 = on the mirror, line for line in any order ($(wc -l <"$OUT/$name-s3.txt") lines)" \
            "$OUT/$name-fs.txt" "$OUT/$name-s3.txt"
        if cmp -s <(text_body "$OUT/$name-s3.out") <(text_body "$OUT/$name-fs.out"); then
            info "[$name] the listing comes in the same order on S3 and on the mirror"
        else
            info "[$name] the listing's order differs (S3: key order, mirror: readdir order)"
        fi
        ;;
    esac
}
lock_keys() { grep -c '/regsweep\.lock$' "$1" || true; }
# blob digests in a key list
key_blobs() { sed -nE 's#^registry/docker/registry/v2/blobs/sha256/[0-9a-f]{2}/([0-9a-f]{64})/data$#sha256:\1#p' "$1" | sort; }

# ------------------------------------------------------------------ 1, 2: read-only runs
section "regsweep on $S3_ROOT against the mirror: dry runs, usage, audit"
reg_s3_keys "$RGW" "$BUCKET" >"$T/keys0"
bucket_listing "$T/listing0"
tick
on_both gc-dry gc gc --dry-run --min-age 0
on_both gc-dry-m gc gc --dry-run --min-age 0 -m
on_both gc-dry-m-list gc-list gc --dry-run --min-age 0 -m -v
on_both usage usage usage
on_both audit audit audit
on_both audit-data audit audit --verify-data
tock "six regsweep runs on S3 and six on the mirror"
first=$(head -n 1 "$OUT/gc-dry-s3.out" || true)
check "gc's report names the bucket, prefix and endpoint ($first)" \
    grep -qF "$S3_ROOT at $RGW_ENDPOINT" <<<"$first"
hashed=$(summary_field "$OUT/audit-data-s3.json" blobs_hashed)
check "audit --verify-data hashed every blob on S3 ($hashed/$(wc -l <"$T/oracle-blobs"))" \
    [ "$hashed" = "$(wc -l <"$T/oracle-blobs")" ]
reg_s3_keys "$RGW" "$BUCKET" >"$T/keys1"
bucket_listing "$T/listing1"
same_lines "the dry runs, usage and audit leave the bucket's keys as they were ($(wc -l <"$T/keys0"))" \
    "$T/keys0" "$T/keys1"
same_lines "... and every key's size, ETag and date" "$T/listing0" "$T/listing1"
check "no regsweep.lock key in the bucket" [ "$(lock_keys "$T/keys1")" = 0 ]
# (the word, not "blocks": a lock left, a stale lock, a lock that could not be taken)
check "no output of the read-only runs on S3 mentions a lock" \
    no_match lock "$OUT"/*-s3.out "$OUT"/*-s3.json

# ------------------------------------------------------------------ 3: --config
section "regsweep --config (the registry's own config.yml, no AWS_* variables)"
rs_no_aws config-gc gc --config "$REG_CONFIG" --dry-run --min-age 0 --json "$OUT/config-gc.json"
check "gc --config $(basename "$REG_CONFIG") --dry-run exits like the s3:// form ($RS_RC / $(jq -r .exit_code "$OUT/gc-dry-s3.json"))" \
    [ "$RS_RC" = "$(jq -r .exit_code "$OUT/gc-dry-s3.json")" ]
sed -e '/^time: /d' -e '/^requests: /d' "$OUT/config-gc.out" >"$OUT/config-gc.txt"
sed -e '/^time: /d' -e '/^requests: /d' "$OUT/gc-dry-s3.out" >"$OUT/gc-dry-s3.full.txt"
same_report "gc --config: same text report as s3:// (first line included)" \
    "$OUT/gc-dry-s3.full.txt" "$OUT/config-gc.txt"
json_norm gc "$OUT/config-gc.json" >"$OUT/config-gc.norm"
same_report "gc --config: same JSON report as s3://" "$OUT/gc-dry-s3.norm" "$OUT/config-gc.norm"
check "gc --config: same root in the JSON report" \
    [ "$(jq -r .root "$OUT/config-gc.json")" = "$(jq -r .root "$OUT/gc-dry-s3.json")" ]

# ------------------------------------------------------------------ 4: wrong things
section "a missing bucket, a prefix without a registry, a wrong secret key (real runs)"
# expect_error NAME WHAT...: the run exited non-zero and its output names each WHAT
expect_error() {
    local name=$1 w ok=1
    shift
    info "[$name] exit $RS_RC: $(head -c 400 "$OUT/$name.out" | tr '\n' ' ')"
    [ "$RS_RC" -ne 0 ] || ok=0
    for w in "$@"; do grep -qF -- "$w" "$OUT/$name.out" || { ok=0; info "[$name] does not name '$w'"; }; done
    [ "$ok" = 1 ]
}
rs err-bucket gc -m --min-age 0 --prune-empty-repos s3://regsweep-no-such-bucket/registry
check "missing bucket: exits non-zero naming the bucket and the endpoint" \
    expect_error err-bucket s3://regsweep-no-such-bucket "$RGW_ENDPOINT"
check "missing bucket: the message says there is no such bucket" \
    grep -q "no such bucket (HTTP 404)" "$OUT/err-bucket.out"
rs err-prefix gc -m --min-age 0 --prune-empty-repos "s3://$BUCKET/nothing-here"
check "prefix without a registry: exits non-zero naming the bucket, the prefix and the endpoint" \
    expect_error err-prefix "s3://$BUCKET/nothing-here" "$RGW_ENDPOINT"
AWS_SECRET_ACCESS_KEY=$WRONG_SECRET rs err-key gc -m --min-age 0 --prune-empty-repos "$S3_ROOT"
check "wrong secret key: exits non-zero naming the bucket, the endpoint and HTTP 403" \
    expect_error err-key "$S3_ROOT" "$RGW_ENDPOINT" 403
check "wrong secret key: the message does not contain the key" \
    no_match "$WRONG_SECRET" "$OUT/err-key.out"
reg_s3_keys "$RGW" "$BUCKET" >"$T/keys2"
same_lines "the --config run and the failed runs delete nothing ($(wc -l <"$T/keys0") keys)" \
    "$T/keys0" "$T/keys2"

# ------------------------------------------------------------------ 5: the real run
section "gc -m --min-age 0 --prune-empty-repos on S3 and on a copy of the mirror"
rm -rf "$T/mcopy"
cp -a "$M" "$T/mcopy"
tick
rs real-s3 gc -m --min-age 0 --prune-empty-repos --json "$OUT/real-s3.json" "$S3_ROOT"
RC_REAL_S3=$RS_RC
tock "gc -m on S3"
rs real-fs gc -m --min-age 0 --prune-empty-repos --json "$OUT/real-fs.json" "$T/mcopy"
check "gc -m --prune-empty-repos exits 0 on S3 and on the mirror's copy ($RC_REAL_S3 / $RS_RC)" \
    all_zero "$RC_REAL_S3" "$RS_RC"
[ "$RC_REAL_S3" = 0 ] || tail -n 10 "$OUT/real-s3.out" | cut -c1-200 | sed 's/^/       /'
json_norm gc "$OUT/real-s3.json" >"$OUT/real-s3.norm"
json_norm gc "$OUT/real-fs.json" >"$OUT/real-fs.norm"
same_report "gc -m: JSON report on S3 = on the mirror's copy ($(jq '.deleted.blobs | length' "$OUT/real-s3.json") blobs deleted)" \
    "$OUT/real-fs.norm" "$OUT/real-s3.norm"
text_body "$OUT/real-s3.out" >"$OUT/real-s3.txt"
text_body "$OUT/real-fs.out" >"$OUT/real-fs.txt"
same_report "gc -m: text report on S3 = on the mirror's copy" "$OUT/real-fs.txt" "$OUT/real-s3.txt"
reg_s3_keys "$RGW" "$BUCKET" >"$T/keys3"
sed 's#^registry/##' "$T/keys3" >"$T/keys3-rel"
(cd "$T/mcopy" && find . -type f ! -path ./.reg-s3-mirror | sed 's#^\./##' | LC_ALL=C sort) >"$T/mcopy-files"
LC_ALL=C sort "$T/keys3-rel" -o "$T/keys3-rel"
same_lines "the bucket's keys = the files gc left in the mirror's copy ($(wc -l <"$T/keys3") of $(wc -l <"$T/keys0"))" \
    "$T/mcopy-files" "$T/keys3-rel"
check "no regsweep.lock key left by the real run" [ "$(lock_keys "$T/keys3")" = 0 ]
awk '$1=="live"{print $2}' "$T/expect.txt" | sort >"$T/oracle-live"
key_blobs "$T/keys3" >"$T/blobs3"
same_lines "the blobs left in the bucket = the oracle's live blobs ($(wc -l <"$T/oracle-live"))" \
    "$T/oracle-live" "$T/blobs3"

tick
if reg_start_s3 "$T/reg-after" "$RGW_ENDPOINT" "$BUCKET" "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" \
    "$REG_S3_ROOTDIR"; then
    if reg_pull_all "$T/pull-after" >"$T/pull-after.out" 2>&1; then
        tock "registry restart + pull every tag"
        check "after gc -m every tag still pulls from the bucket ($REG_PULL_COUNT of $(wc -l <"$T/oracle-tags"))" \
            [ "$REG_PULL_COUNT" = "$(wc -l <"$T/oracle-tags")" ]
    else
        fail "after gc -m every tag still pulls from the bucket"
        cut -c1-220 "$T/pull-after.out" | sed 's/^/       /'
    fi
    reg_stop
else
    fail "docker-registry restarts on the collected bucket"
fi

rs audit-after audit --verify-data --json "$OUT/audit-after.json" "$S3_ROOT"
errors=$(summary_field "$OUT/audit-after.json" errors)
check "audit --verify-data on S3 after gc: exit 0, no errors (exit $RS_RC, $errors errors, $(summary_field "$OUT/audit-after.json" warnings) warnings, $(summary_field "$OUT/audit-after.json" blobs_hashed) blobs hashed)" \
    all_zero "$RS_RC" "$errors"
[ "$RS_RC" = 0 ] || grep -E '^(error|warning)' "$OUT/audit-after.out" | head -n 10 | sed 's/^/       /'

rs again gc -m --min-age 0 --json "$OUT/again.json" "$S3_ROOT"
check "a second gc -m on S3 exits 0 and deletes nothing (converged)" \
    all_zero "$RS_RC" "$(jq '[.deleted[] | length] | add' "$OUT/again.json" 2>/dev/null || true)"
reg_s3_keys "$RGW" "$BUCKET" >"$T/keys4"
same_lines "... and the bucket's keys are unchanged" "$T/keys3" "$T/keys4"

# ------------------------------------------------------------------ 6: killed between batches
section "gc killed with SIGKILL between two DeleteObjects batches, on copies of the registry"
# Each run works on its own copy of the registry as it was before gc (the mirror, uploaded under
# s3://$BUCKET/PREFIX/: every comparison is between copies made the same way) and reaches RGW
# through tests/e2e/s3_kill_proxy.py, which forwards every request unchanged; with --kill-after
# K it SIGKILLs the run once RGW has answered its K-th DeleteObjects, instead of returning that
# answer, and forwards nothing more. One request in flight (--io-depth 1), and every phase of the
# sweep (tag index entries, manifests, layer links, blobs, uploads) deletes fewer than 1000 keys
# here, so each phase is one DeleteObjects request and kill K falls between phase K and K+1.
# --upload-max-age 0: the unfinished upload goes too, one more batch.
KILL_GC=(gc -m --min-age 0 --upload-max-age 0 --prune-empty-repos --io-depth 1)
LOCK_KEY=docker/registry/v2/regsweep.lock
# (the interpreter itself: a pyenv shim costs ~0.7 s a start)
PY=$(python3 -c 'import sys; print(sys.executable)')
find "$M" -type f ! -path "$M/.reg-s3-mirror" | sed "s#^$M/##" | LC_ALL=C sort >"$T/kill-start"
# keys_rel PREFIX: the keys under s3://$BUCKET/PREFIX/, relative to it, sorted
keys_rel() { reg_s3_keys "$RGW" "$BUCKET" "$1/" | sed "s#^$1/##" | LC_ALL=C sort; }
# kill_copy PREFIX: the mirror (the registry before gc) copied to s3://$BUCKET/PREFIX/ (the
# first copy is listed and compared with the mirror; each interrupted copy is, after its run)
kill_copy() {
    "$SCRIPTS/ceph-rgw.sh" s3cmd "$RGW" put --recursive --quiet --no-progress \
        --exclude .reg-s3-mirror "$M/" "s3://$BUCKET/$1/" >"$OUT/$1.copy" 2>&1
}
# gc_via_proxy PREFIX [K]: regsweep "${KILL_GC[@]}" on s3://$BUCKET/PREFIX through a new
# s3_kill_proxy.py (killing the run after DeleteObjects K, if given); its output in
# $OUT/PREFIX.out, the proxy's log in $OUT/PREFIX.proxy; sets RS_RC, PROXY_PORT, PROXY_DELETES
gc_via_proxy() {
    local prefix=$1 dir=$T/proxy-$1 _
    local args=(--upstream "$RGW_ENDPOINT" --port-file "$dir/port" --log "$OUT/$prefix.proxy")
    [ -z "${2:-}" ] || args+=(--kill-after "$2" --pid-file "$dir/pid")
    mkdir -p "$dir"
    "$PY" "$HERE/s3_kill_proxy.py" "${args[@]}" 2>>"$OUT/$prefix.proxy" &
    PROXY_PID=$!
    for _ in $(seq 1 500); do # (it writes the file once it listens)
        [ -s "$dir/port" ] && break
        kill -0 "$PROXY_PID" 2>/dev/null || break
        sleep 0.01
    done
    PROXY_PORT=$(cat "$dir/port" 2>/dev/null || true)
    RS_RC=0
    # sh writes its pid, which exec makes regsweep's, before regsweep starts: the proxy knows
    # whom to kill whenever batch K comes. In a subshell, whose stderr takes bash's "Killed".
    (
        AWS_ENDPOINT_URL=http://127.0.0.1:$PROXY_PORT AWS_ENDPOINT_URL_S3=http://127.0.0.1:$PROXY_PORT \
            sh -c 'echo "$$" >"$0" && exec "$@"' "$dir/pid" "$REGSWEEP" "${KILL_GC[@]}" \
            --json "$OUT/$prefix.json" "s3://$BUCKET/$prefix" >"$OUT/$prefix.out" 2>&1 &
        wait "$!"
    ) 2>/dev/null || RS_RC=$?
    # The proxy logs the kill only once it has seen the run gone, which may be after this shell
    # has: stopped before that, it would leave no "killed" line (seen under load).
    if [ -n "${2:-}" ] && [ "$RS_RC" = 137 ]; then
        for _ in $(seq 1 1000); do
            grep -qE '^(killed [0-9]+ after|KILL FAILED)' "$OUT/$prefix.proxy" && break
            sleep 0.01
        done
    fi
    kill "$PROXY_PID" 2>/dev/null || true
    wait "$PROXY_PID" 2>/dev/null || true
    PROXY_PID=
    PROXY_DELETES=$(grep -c '^DeleteObjects #' "$OUT/$prefix.proxy" || true)
}
# deleted_by PREFIX K: the keys (relative to PREFIX) of DeleteObjects 1..K in the proxy's log
deleted_by() {
    awk -v k="$2" '/^DeleteObjects #/ { n++ } /^  - / && n <= k { print substr($0, 5) }' \
        "$OUT/$1.proxy" | sed "s#^$1/##" | LC_ALL=C sort
}
# killed_after K: the run died of SIGKILL, the proxy killed it after DeleteObjects K, and no
# later DeleteObjects reached RGW
killed_after() {
    [ "$RS_RC" = 137 ] && grep -q "^killed [0-9]* after DeleteObjects #$1\$" "$OUT/kill-$1.proxy" &&
        [ "$PROXY_DELETES" = "$1" ]
}
# all_batches_seen: the proxy saw as many DeleteObjects as regsweep counted, all answered 200
all_batches_seen() {
    [ "$K_TOTAL" = "${batches:-none}" ] &&
        [ "$(grep -c '^DeleteObjects #[0-9]*: HTTP 200,' "$OUT/uninterrupted.proxy" || true)" = "$K_TOTAL" ]
}
# refused_lock NAME PID PREFIX: the run exited 2 naming the lock held by the run with pid PID,
# and the lock object's whole key, and that --break-lock cannot clear it
refused_lock() {
    [ "$RS_RC" = 2 ] && grep -qF "locked by another regsweep run (pid=$2 " "$OUT/$1.out" &&
        grep -qF "s3://$BUCKET/$3/$LOCK_KEY at " "$OUT/$1.out" &&
        grep -qF -- "--break-lock cannot clear it" "$OUT/$1.out"
}
# lock_stays PREFIX: the run exited 2 and the lock object is still there
lock_stays() { [ "$RS_RC" = 2 ] && reg_s3_keys "$RGW" "$BUCKET" "$1/$LOCK_KEY" | grep -qxF "$1/$LOCK_KEY"; }
# show_tail FILE: its last lines, indented (after a FAIL)
show_tail() { tail -n 8 "$1" | cut -c1-200 | sed 's/^/       /'; }

tick
kill_copy uninterrupted || show_tail "$OUT/uninterrupted.copy"
keys_rel uninterrupted >"$T/uninterrupted-start"
same_lines "the registry before gc (the mirror) copied to s3://$BUCKET/uninterrupted/ ($(wc -l <"$T/kill-start") keys)" \
    "$T/kill-start" "$T/uninterrupted-start"
gc_via_proxy uninterrupted
tock "copy + uninterrupted gc through the proxy"
K_TOTAL=$PROXY_DELETES
check "uninterrupted ${KILL_GC[*]} through the proxy exits 0 ($RS_RC)" [ "$RS_RC" = 0 ]
[ "$RS_RC" = 0 ] || show_tail "$OUT/uninterrupted.out"
check "... and reached RGW through the proxy (its report names http://127.0.0.1:$PROXY_PORT)" \
    grep -qF "s3://$BUCKET/uninterrupted at http://127.0.0.1:$PROXY_PORT" "$OUT/uninterrupted.out"
batches=$(sed -n 's/^requests: .* \([0-9][0-9]*\) DELETE batch.*/\1/p' "$OUT/uninterrupted.out")
check "the proxy saw every DeleteObjects regsweep counted, all answered 200 ($K_TOTAL / ${batches:-none})" \
    all_batches_seen
info "DeleteObjects batches: $(sed -n 's/^DeleteObjects #\([0-9]*\): HTTP [0-9]*, \([0-9]*\) keys$/#\1: \2 keys/p' "$OUT/uninterrupted.proxy" | paste -sd, - | sed 's/,/, /g')"
check "the sweep has several batches to kill between ($K_TOTAL)" [ "$K_TOTAL" -ge 3 ]
keys_rel uninterrupted >"$T/kill-expected"
check "the uninterrupted run leaves no lock object" no_match regsweep.lock "$T/kill-expected"
rm -rf "$T/kcopy"
cp -a "$M" "$T/kcopy"
rs kill-fs "${KILL_GC[@]}" --json "$OUT/kill-fs.json" "$T/kcopy"
(cd "$T/kcopy" && find . -type f ! -path ./.reg-s3-mirror | sed 's#^\./##' | LC_ALL=C sort) >"$T/kcopy-files"
same_lines "the uninterrupted run through the proxy leaves the keys the same gc leaves on a copy of the mirror (exit $RS_RC; $(wc -l <"$T/kill-expected") of $(wc -l <"$T/kill-start"))" \
    "$T/kcopy-files" "$T/kill-expected"
json_norm gc "$OUT/uninterrupted.json" >"$OUT/uninterrupted.norm"
json_norm gc "$OUT/kill-fs.json" >"$OUT/kill-fs.norm"
same_report "... and the same JSON report" "$OUT/kill-fs.norm" "$OUT/uninterrupted.norm"

# docker-registry is restarted (and every tag pulled) on one interrupted copy, the middle one
# (S3_KILL_PULL_ALL=1: on every one, ~8 s each); --break-lock is tried there too.
K_PULL=$(((K_TOTAL + 1) / 2))
T_KILL=$(date +%s.%N)
for k in $(seq 1 $((K_TOTAL - 1))); do
    p=kill-$k
    kill_copy "$p" || { fail "[k=$k] the registry before gc copied to s3://$BUCKET/$p/"; show_tail "$OUT/$p.copy"; continue; }
    gc_via_proxy "$p" "$k"
    check "[k=$k] the run is killed (SIGKILL: exit $RS_RC) once RGW has carried out DeleteObjects #$k of $K_TOTAL, and no later one reaches RGW ($PROXY_DELETES)" \
        killed_after "$k"
    killed_after "$k" || { show_tail "$OUT/$p.proxy"; show_tail "$OUT/$p.out"; }
    keys_rel "$p" >"$T/$p-killed"
    check "[k=$k] the lock object $LOCK_KEY is left" grep -qxF "$LOCK_KEY" "$T/$p-killed"
    { LC_ALL=C comm -23 "$T/kill-start" <(deleted_by "$p" "$k"); echo "$LOCK_KEY"; } |
        LC_ALL=C sort >"$T/$p-killed-expected"
    same_lines "[k=$k] the bucket holds the keys before gc minus those of DeleteObjects #1..#$k ($(wc -l <"$T/kill-start") - $(deleted_by "$p" "$k" | wc -l)), and the lock" \
        "$T/$p-killed-expected" "$T/$p-killed"
    rs "$p-locked" "${KILL_GC[@]}" "s3://$BUCKET/$p"
    check "[k=$k] a new gc refuses the lock left (exit $RS_RC), names the killed run's pid, the lock's key and how to clear it" \
        refused_lock "$p-locked" "$(cat "$T/proxy-$p/pid")" "$p"
    if [ "$k" = "$K_PULL" ]; then
        rs "$p-break" "${KILL_GC[@]}" --break-lock "s3://$BUCKET/$p"
        check "[k=$k] --break-lock does not clear a lock on S3 (exit $RS_RC, the lock object stays)" \
            lock_stays "$p"
    fi
    # what docs/s3.md tells the operator to do once sure no run is active
    "$SCRIPTS/ceph-rgw.sh" s3cmd "$RGW" del "s3://$BUCKET/$p/$LOCK_KEY" >"$OUT/$p.unlock" 2>&1 ||
        { fail "[k=$k] s3cmd del the lock object"; show_tail "$OUT/$p.unlock"; }
    rs "$p-audit" audit --json "$OUT/$p-audit.json" "s3://$BUCKET/$p"
    errors=$(summary_field "$OUT/$p-audit.json" errors)
    check "[k=$k] audit of the interrupted registry: exit 0, no error (exit $RS_RC, ${errors:-no} errors, $(summary_field "$OUT/$p-audit.json" warnings) warnings)" \
        all_zero "$RS_RC" "$errors"
    [ "$RS_RC" = 0 ] || grep -E '^ *(error|warning)' "$OUT/$p-audit.out" | head -n 10 | cut -c1-200 | sed 's/^/       /'
    if [ "$k" = "$K_PULL" ] || [ -n "${S3_KILL_PULL_ALL:-}" ]; then
        tick
        if reg_start_s3 "$T/reg-$p" "$RGW_ENDPOINT" "$BUCKET" "$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" "/$p"; then
            if reg_pull_all "$T/pull-$p" >"$T/pull-$p.out" 2>&1; then
                check "[k=$k] docker-registry on the interrupted registry serves every tag ($REG_PULL_COUNT of $(wc -l <"$T/oracle-tags"))" \
                    [ "$REG_PULL_COUNT" = "$(wc -l <"$T/oracle-tags")" ]
            else
                fail "[k=$k] docker-registry on the interrupted registry serves every tag"
                cut -c1-220 "$T/pull-$p.out" | head -n 10 | sed 's/^/       /'
            fi
            reg_stop
        else
            fail "[k=$k] docker-registry starts on s3://$BUCKET/$p"
        fi
        tock "k=$k: registry start + pull every tag"
    fi
    rs "$p-rerun" "${KILL_GC[@]}" --json "$OUT/$p-rerun.json" "s3://$BUCKET/$p"
    check "[k=$k] the same gc run again exits 0 ($RS_RC)" [ "$RS_RC" = 0 ]
    [ "$RS_RC" = 0 ] || show_tail "$OUT/$p-rerun.out"
    keys_rel "$p" >"$T/$p-after"
    same_lines "[k=$k] ... and leaves exactly the keys the uninterrupted run leaves ($(wc -l <"$T/$p-after") / $(wc -l <"$T/kill-expected"))" \
        "$T/kill-expected" "$T/$p-after"
done
info "time k=1..$((K_TOTAL - 1)) (copies, killed runs, audits, reruns, pulls): $(awk -v a="$T_KILL" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"

# ------------------------------------------------------------------ 3 (end): the secret
leaks=$(grep -rlF -e "$RGW_SECRET_KEY" -e "$WRONG_SECRET" "$OUT" || true)
check "no regsweep output contains the secret key ($(find "$OUT" -type f | wc -l) files)" [ -z "$leaks" ]
[ -z "$leaks" ] || printf '%s\n' "$leaks" | sed 's/^/       /'

# ------------------------------------------------------------------ memory
for n in mon.a osd.0 client.rgw.a; do
    pid=$(cat "$RGW/run/$n.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
        info "RSS $n: $(awk '/^VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status")"
    fi
done

echo "$PASSES passed, $FAILS failed, $(awk -v a="$T_ALL" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
[ "$FAILS" -eq 0 ]
