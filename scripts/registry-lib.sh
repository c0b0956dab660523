# shellcheck shell=bash
# registry-lib.sh - helpers to run a throw-away CNCF distribution registry
# (docker-registry 2.8) on 127.0.0.1 and to inspect its filesystem storage.
#
# Source it:   . scripts/registry-lib.sh
# Safe under `set -euo pipefail`.
#
#   reg_start DIR            start (or restart) a registry whose storage is DIR/root
#   reg_stop                 stop it (no-op if not running)
#   reg_reference_gc [ARGS]  run `docker-registry garbage-collect ARGS $REG_CONFIG`
#                            (registry must be stopped); output -> $REG_DIR/reference-gc[-N].log
#   reg_pull_all OUTDIR      pull every tag of every repository (all platforms, all blobs)
#   reg_pull_digest REPO DIGEST [OUTDIR]   pull one manifest (and its blobs) by digest
#   reg_blob_digests ROOT    list "sha256:<hex>" of every blob data file under ROOT
#   reg_blob_exists ROOT DIGEST
#   reg_layer_links ROOT     "<repo> sha256:<hex>" for every _layers link
#   reg_revision_links ROOT  "<repo> sha256:<hex>" for every manifest revision link
#   reg_tags ROOT            "<repo>:<tag> sha256:<hex>" for every tag's current link
#   reg_uploads ROOT         "<repo> <uuid>" for every unfinished upload
#   reg_dangling_layer_links ROOT  _layers links whose blob data is missing
#
# Exports after reg_start: REG_DIR REG_URL (127.0.0.1:PORT) REG_PID REG_CONFIG REG_ROOT
#
# S3 storage (e.g. the Ceph RGW of scripts/ceph-rgw.sh):
#   reg_start_s3 DIR ENDPOINT BUCKET ACCESS SECRET [ROOTDIR]
#                            start a registry on an S3 bucket (config in DIR); reg_stop stops it.
#                            Exports REG_DIR REG_URL REG_PID REG_CONFIG REG_S3_ROOTDIR
#                            REG_S3_ENDPOINT REG_S3_BUCKET; unsets REG_ROOT (no local storage)
#   reg_s3_mirror RGW_STATE_DIR BUCKET ROOTDIR DEST
#                            copy the registry's keys into DEST, a filesystem registry root
#                            (DEST/docker/registry/v2/...) the disk helpers above can read
#   reg_s3_keys RGW_STATE_DIR BUCKET [PREFIX]   list the keys of a bucket (one per line)

REG_BIN=${REG_BIN:-docker-registry}
REG_SKOPEO=${REG_SKOPEO:-skopeo}

_reg_log() { printf '[registry-lib] %s\n' "$*" >&2; }

_reg_free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# _reg_v2 ROOT_OR_V2 -> path of docker/registry/v2
_reg_v2() {
    local r=$1
    if [ -d "$r/docker/registry/v2" ]; then
        printf '%s\n' "$r/docker/registry/v2"
    else
        printf '%s\n' "$r"
    fi
}

reg_write_config() { # DIR PORT
    local dir=$1 port=$2
    mkdir -p "$dir/root"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
  fields:
    service: regsweep-test-registry
storage:
  filesystem:
    rootdirectory: $dir/root
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
    readonly:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: regsweep-test-secret
EOF
}

# _reg_serve DIR CONFIGURE PROBE: starts `docker-registry serve` on a free port, three attempts:
# `CONFIGURE DIR PORT` writes DIR/config.yml, then PROBE is asked every 0.1 s (10 s at most)
# until it returns 0 (ready); 1 means wait, 2 that waiting cannot help (it says why). PROBE may
# count in _REG_PROBE_ANSWERS, which every attempt resets.
_reg_serve() {
    local dir=$1 configure=$2 probe=$3 port attempt rc _
    if [ -n "${REG_PID:-}" ] && kill -0 "$REG_PID" 2>/dev/null; then
        reg_stop
    fi
    for attempt in 1 2 3; do
        port=$(_reg_free_port)
        "$configure" "$dir" "$port"
        export REG_DIR=$dir REG_CONFIG=$dir/config.yml REG_URL=127.0.0.1:$port
        _REG_PROBE_ANSWERS=0
        # the AWS SDK in docker-registry 2.8 panics at start when AWS_CA_BUNDLE is set
        env -u AWS_CA_BUNDLE "$REG_BIN" serve "$REG_CONFIG" >>"$dir/registry.log" 2>&1 &
        REG_PID=$!
        export REG_PID
        for _ in $(seq 1 100); do
            kill -0 "$REG_PID" 2>/dev/null || break
            rc=0
            "$probe" || rc=$?
            [ "$rc" = 0 ] && return 0
            if [ "$rc" = 2 ]; then
                tail -n 2 "$dir/registry.log" | cut -c1-400 >&2 || true
                reg_stop
                return 1
            fi
            sleep 0.1
        done
        _reg_log "registry did not come up on $REG_URL (attempt $attempt); log tail:"
        tail -n 5 "$dir/registry.log" | cut -c1-400 >&2 || true
        kill "$REG_PID" 2>/dev/null || true
        wait "$REG_PID" 2>/dev/null || true
        REG_PID=
    done
    return 1
}

_reg_probe_v2() { curl -fsS -o /dev/null "http://$REG_URL/v2/" 2>/dev/null; }

reg_start() { # DIR
    local dir
    mkdir -p "$1"
    dir=$(cd "$1" && pwd)
    export REG_ROOT=$dir/root
    _reg_serve "$dir" reg_write_config _reg_probe_v2
}

reg_stop() {
    if [ -n "${REG_PID:-}" ]; then
        if kill -0 "$REG_PID" 2>/dev/null; then
            kill "$REG_PID" 2>/dev/null || true
            local _
            for _ in $(seq 1 50); do
                kill -0 "$REG_PID" 2>/dev/null || break
                sleep 0.1
            done
            kill -9 "$REG_PID" 2>/dev/null || true
        fi
        wait "$REG_PID" 2>/dev/null || true
        REG_PID=
    fi
    return 0
}

# reg_cleanup: for traps, e.g.  trap 'reg_cleanup; rm -rf "$T"' EXIT
reg_cleanup() { reg_stop; }

reg_reference_gc() { # [extra args...]
    if [ -n "${REG_PID:-}" ] && kill -0 "$REG_PID" 2>/dev/null; then
        _reg_log "reg_reference_gc: stop the registry first"
        return 2
    fi
    local n=0 out
    out=$REG_DIR/reference-gc.log
    while [ -e "$out" ]; do n=$((n + 1)); out=$REG_DIR/reference-gc-$n.log; done
    export REG_REFERENCE_GC_LOG=$out
    # (AWS_CA_BUNDLE: see reg_start_s3; irrelevant to filesystem storage)
    env -u AWS_CA_BUNDLE "$REG_BIN" garbage-collect "$@" "$REG_CONFIG" >"$out" 2>&1
}

# ---------------------------------------------------------------- HTTP helpers
reg_curl() { curl -fsS "$@"; }

reg_catalog() { # one repository per line (follows pagination; n is capped at 1000 by 2.8)
    local last="" page out n
    while :; do
        page=$(curl -fsS "http://$REG_URL/v2/_catalog?n=1000${last:+&last=$last}") || return 1
        out=$(printf '%s' "$page" | jq -r '.repositories[]?') || return 1
        [ -n "$out" ] || break
        printf '%s\n' "$out"
        n=$(printf '%s\n' "$out" | wc -l)
        [ "$n" -lt 1000 ] && break
        last=$(printf '%s\n' "$out" | tail -n 1)
    done
    return 0
}

reg_tag_list() { # REPO -> one tag per line (nothing for a repository without tags)
    local page
    page=$(curl -sS "http://$REG_URL/v2/$1/tags/list") || return 1
    printf '%s' "$page" | jq -r '.tags[]?' 2>/dev/null || true
}

# _reg_pull SRC_REF DEST_DIR LABEL: skopeo copy --all of docker://$REG_URL/SRC_REF into a
# dir: directory (dir: accepts every manifest type without conversion); skopeo verifies
# every blob digest while copying, we re-check the files it wrote.
_reg_pull() {
    local src=$1 dest=$2 label=$3 err
    rm -rf "$dest"
    mkdir -p "$(dirname "$dest")"
    if ! err=$("$REG_SKOPEO" copy --all --preserve-digests --src-tls-verify=false -q \
        "docker://$REG_URL/$src" "dir:$dest" 2>&1); then
        printf 'PULL FAIL %s: %s\n' "$label" "$(printf '%s' "$err" | tr '\n' ' ')"
        return 1
    fi
    local f h bad=0
    for f in "$dest"/*; do
        h=$(basename "$f")
        h=${h%.manifest.json}
        case $h in [0-9a-f]*) ;; *) continue ;; esac
        [ ${#h} -eq 64 ] || continue
        if [ "$(sha256sum <"$f" | cut -d' ' -f1)" != "$h" ]; then
            printf 'PULL FAIL %s: %s has wrong content\n' "$label" "$(basename "$f")"
            bad=1
        fi
    done
    return $bad
}

# reg_fetch_closure REPO REF [LABEL]: fetch REF with plain HTTP GETs and recursively every
# manifest / blob it references (index children, config, layers; not the subject), checking
# each digest. Used for the referrers fallback tags (sha256-<hex>), whose OCI index of
# artifacts skopeo 1.9 refuses to copy with --preserve-digests.
reg_fetch_closure() {
    local repo=$1 ref=$2 label=${3:-$1:$2}
    local accept='application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json'
    local tmp body dgst got d kind
    tmp=$(mktemp)
    if ! curl -fsS -H "Accept: $accept" -o "$tmp" "http://$REG_URL/v2/$repo/manifests/$ref" 2>/dev/null; then
        printf 'PULL FAIL %s: manifest %s not served\n' "$label" "$ref"
        rm -f "$tmp"
        return 1
    fi
    got=sha256:$(sha256sum <"$tmp" | cut -d' ' -f1)
    case $ref in sha256:*)
        if [ "$got" != "$ref" ]; then
            printf 'PULL FAIL %s: manifest %s served with digest %s\n' "$label" "$ref" "$got"
            rm -f "$tmp"
            return 1
        fi ;;
    esac
    body=$(cat "$tmp")
    rm -f "$tmp"
    local bad=0
    while read -r kind d; do
        [ -n "$d" ] || continue
        if [ "$kind" = m ]; then
            reg_fetch_closure "$repo" "$d" "$label" || bad=1
        else
            got=$(curl -fsS "http://$REG_URL/v2/$repo/blobs/$d" 2>/dev/null | sha256sum | cut -d' ' -f1)
            if [ "sha256:$got" != "$d" ]; then
                printf 'PULL FAIL %s: blob %s not served correctly\n' "$label" "$d"
                bad=1
            fi
        fi
    done < <(printf '%s' "$body" | jq -r '(.manifests[]? | "m " + .digest), (.config? // empty | "b " + .digest), (.layers[]? | "b " + .digest)')
    return $bad
}

reg_pull_all() { # OUTDIR
    local out=$1 repo tag failed=0 count=0
    mkdir -p "$out"
    local repos
    repos=$(reg_catalog) || { echo "PULL FAIL: catalog unavailable"; return 1; }
    for repo in $repos; do
        for tag in $(reg_tag_list "$repo"); do
            count=$((count + 1))
            if [[ $tag =~ ^sha256-[0-9a-f]{64}$ ]]; then
                reg_fetch_closure "$repo" "$tag" || failed=$((failed + 1))
            else
                _reg_pull "$repo:$tag" "$out/$(printf '%s' "$repo" | tr '/' '_')__$tag" "$repo:$tag" || failed=$((failed + 1))
            fi
        done
    done
    export REG_PULL_COUNT=$count
    if [ "$failed" -ne 0 ]; then
        printf 'reg_pull_all: %d of %d tag pulls failed\n' "$failed" "$count"
        return 1
    fi
    return 0
}

reg_pull_digest() { # REPO DIGEST [OUTDIR]
    local repo=$1 dgst=$2 out=${3:-${TMPDIR:-/tmp}/reg-pull-digest.$$}
    _reg_pull "$repo@$dgst" "$out/$(printf '%s' "$repo" | tr '/' '_')__${dgst#sha256:}" "$repo@$dgst"
}

# reg_pull_tag REPO:TAG [OUTDIR]
reg_pull_tag() {
    local ref=$1 out=${2:-${TMPDIR:-/tmp}/reg-pull-tag.$$}
    _reg_pull "$ref" "$out/$(printf '%s' "$ref" | tr '/:' '__')" "$ref"
}

# -------------------------------------------------------------- disk helpers
reg_blob_digests() { # ROOT
    local v2
    v2=$(_reg_v2 "$1")
    [ -d "$v2/blobs" ] || return 0
    find "$v2/blobs" -type f -name data -path '*/sha256/*' |
        sed -E 's#.*/sha256/[0-9a-f]{2}/([0-9a-f]{64})/data$#sha256:\1#' | sort
}

reg_blob_path() { # ROOT DIGEST
    local v2 hex=${2#sha256:}
    v2=$(_reg_v2 "$1")
    printf '%s/blobs/sha256/%s/%s/data\n' "$v2" "${hex:0:2}" "$hex"
}

reg_blob_exists() { # ROOT DIGEST
    [ -f "$(reg_blob_path "$1" "$2")" ]
}

# _reg_links ROOT SUBPATH_REGEX -> "<repo> <digest>" using the layout
# repositories/<repo>/<kind>/sha256/<hex>/link
_reg_links() { # ROOT KIND  (KIND=_layers | _manifests/revisions)
    local v2 kind=$2
    v2=$(_reg_v2 "$1")
    [ -d "$v2/repositories" ] || return 0
    find "$v2/repositories" -type f -name link -path "*/$kind/sha256/*/link" | while read -r f; do
        local rel=${f#"$v2/repositories/"}
        local repo=${rel%%"/$kind/sha256/"*}
        printf '%s %s\n' "$repo" "$(cat "$f")"
    done | sort
}

reg_layer_links() { _reg_links "$1" _layers; }
reg_revision_links() { _reg_links "$1" _manifests/revisions; }

reg_tags() { # ROOT -> "<repo>:<tag> <digest>"
    local v2
    v2=$(_reg_v2 "$1")
    [ -d "$v2/repositories" ] || return 0
    find "$v2/repositories" -type f -path '*/_manifests/tags/*/current/link' | while read -r f; do
        local rel=${f#"$v2/repositories/"}
        local repo=${rel%%/_manifests/tags/*}
        local tag=${rel#*/_manifests/tags/}
        tag=${tag%/current/link}
        printf '%s:%s %s\n' "$repo" "$tag" "$(cat "$f")"
    done | sort
}

reg_uploads() { # ROOT -> "<repo> <uuid>"
    local v2
    v2=$(_reg_v2 "$1")
    [ -d "$v2/repositories" ] || return 0
    find "$v2/repositories" -mindepth 1 -type d -path '*/_uploads/*' -prune | while read -r d; do
        local rel=${d#"$v2/repositories/"}
        printf '%s %s\n' "${rel%%/_uploads/*}" "${rel##*/_uploads/}"
    done | sort
}

reg_dangling_layer_links() { # ROOT -> "<repo> <digest>" for _layers links without blob data
    local root=$1 repo dgst
    reg_layer_links "$root" | while read -r repo dgst; do
        reg_blob_exists "$root" "$dgst" || printf '%s %s\n' "$repo" "$dgst"
    done
}

reg_dangling_revision_links() { # ROOT
    local root=$1 repo dgst
    reg_revision_links "$root" | while read -r repo dgst; do
        reg_blob_exists "$root" "$dgst" || printf '%s %s\n' "$repo" "$dgst"
    done
}

reg_disk_bytes() { # ROOT -> total bytes of blob data files
    local v2
    v2=$(_reg_v2 "$1")
    find "$v2/blobs" -type f -name data -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {print s+0}'
}

# ------------------------------------------------------------------ S3 storage
# reg_write_s3_config DIR PORT ENDPOINT BUCKET ACCESS SECRET ROOTDIR
# redirect is disabled: with S3 storage the registry otherwise answers blob GETs with a 307
# to a presigned S3 URL, which plain `curl -f` (reg_fetch_closure) does not follow.
reg_write_s3_config() {
    local dir=$1 port=$2 endpoint=$3 bucket=$4 access=$5 secret=$6 rootdir=$7
    mkdir -p "$dir"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
  fields:
    service: regsweep-test-registry-s3
storage:
  s3:
    regionendpoint: $endpoint
    region: us-east-1
    bucket: $bucket
    accesskey: $access
    secretkey: $secret
    secure: false
    v4auth: true
    rootdirectory: $rootdir
    chunksize: 5242880
  delete:
    enabled: true
  redirect:
    disable: true
  maintenance:
    uploadpurging:
      enabled: false
    readonly:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: regsweep-test-secret
EOF
}

# The catalog walks the bucket: 200 only once the S3 side works too. A registry that keeps
# answering something else has a storage problem another port will not mend.
_reg_probe_s3() {
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' "http://$REG_URL/v2/_catalog" 2>/dev/null) || true
    [ "$code" = 200 ] && return 0
    case $code in [1-5][0-9][0-9]) _REG_PROBE_ANSWERS=$((_REG_PROBE_ANSWERS + 1)) ;; esac
    if [ "$_REG_PROBE_ANSWERS" -ge 30 ]; then
        _reg_log "S3 registry on $REG_URL answers HTTP $code to /v2/_catalog (storage error); log tail:"
        return 2
    fi
    return 1
}

_reg_configure_s3() { # DIR PORT (the rest from reg_start_s3)
    reg_write_s3_config "$1" "$2" "$REG_S3_ENDPOINT" "$REG_S3_BUCKET" "$_REG_S3_ACCESS" \
        "$_REG_S3_SECRET" "$REG_S3_ROOTDIR"
}

reg_start_s3() { # DIR ENDPOINT BUCKET ACCESS SECRET [ROOTDIR]
    if [ $# -lt 5 ]; then
        _reg_log "usage: reg_start_s3 DIR ENDPOINT BUCKET ACCESS SECRET [ROOTDIR]"
        return 2
    fi
    local dir
    mkdir -p "$1"
    dir=$(cd "$1" && pwd)
    unset REG_ROOT
    export REG_S3_ENDPOINT=$2 REG_S3_BUCKET=$3 REG_S3_ROOTDIR=${6:-/registry}
    _REG_S3_ACCESS=$4
    _REG_S3_SECRET=$5
    _reg_serve "$dir" _reg_configure_s3 _reg_probe_s3
}

# _reg_s3_prefix ROOTDIR -> key prefix of the registry's files ("registry/" for /registry,
# "" for / or an empty root directory), the way the s3-aws driver builds its keys
_reg_s3_prefix() {
    local r=${1#/}
    r=${r%/}
    [ -n "$r" ] && printf '%s/' "$r"
    return 0
}

_reg_s3cmd() { # RGW_STATE_DIR ARGS...
    local cfg=$1/s3cfg
    shift
    if [ ! -s "$cfg" ]; then
        _reg_log "no s3cmd config $cfg (scripts/ceph-rgw.sh start writes it)"
        return 2
    fi
    s3cmd -c "$cfg" "$@"
}

reg_s3_keys() { # RGW_STATE_DIR BUCKET [PREFIX] -> keys, one per line, sorted
    local state=$1 bucket=$2 prefix=${3:-}
    local out
    out=$(_reg_s3cmd "$state" ls --recursive "s3://$bucket/$prefix") || return 1
    # "DATE TIME SIZE s3://bucket/key": the key may contain spaces
    printf '%s\n' "$out" | sed -n "s#^.* s3://$bucket/##p" | sort
}

# reg_s3_mirror RGW_STATE_DIR BUCKET ROOTDIR DEST: DEST becomes a copy of every key under
# ROOTDIR, as files (DEST/docker/registry/v2/...). DEST is replaced: it must not exist, be
# empty, or be an earlier mirror (it holds a .reg-s3-mirror marker). Zero-byte keys and keys
# with ':', '+', '=', '&', spaces survive (checked against RGW with s3cmd 2.3). A key ending
# in '/' (a "directory marker", which docker-registry never writes) cannot be a file: it
# becomes an empty directory. Checks that files + directory markers = keys.
# Exports REG_S3_MIRROR_KEYS and REG_S3_MIRROR_DIRMARKERS.
reg_s3_mirror() {
    if [ $# -ne 4 ]; then
        _reg_log "usage: reg_s3_mirror RGW_STATE_DIR BUCKET ROOTDIR DEST"
        return 2
    fi
    local state=$1 bucket=$2 prefix dest=$4 log=$1/log/reg_s3_mirror.log
    prefix=$(_reg_s3_prefix "$3")
    if [ -e "$dest" ]; then
        if [ ! -e "$dest/.reg-s3-mirror" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
            _reg_log "reg_s3_mirror: $dest exists and is not an earlier mirror; not replacing it"
            return 2
        fi
        rm -rf "${dest:?}"
    fi
    mkdir -p "$dest" "$state/log"
    : >"$dest/.reg-s3-mirror"
    local keys n_keys n_markers n_files key
    keys=$(reg_s3_keys "$state" "$bucket" "$prefix") || return 1
    n_keys=$(printf '%s\n' "$keys" | grep -c .) || true
    n_markers=0
    while IFS= read -r key; do
        case $key in */) ;; *) continue ;; esac
        mkdir -p "$dest/${key#"$prefix"}"
        n_markers=$((n_markers + 1))
    done <<<"$keys"
    if [ "$n_keys" -gt "$n_markers" ]; then
        # the trailing slashes: copy what is *under* the prefix into DEST
        if ! _reg_s3cmd "$state" get --recursive --quiet --no-progress --exclude '*/' \
            "s3://$bucket/$prefix" "$dest/" >"$log" 2>&1; then
            _reg_log "reg_s3_mirror: s3cmd get failed:"
            tail -n 10 "$log" >&2
            return 1
        fi
    fi
    n_files=$(find "$dest" -type f ! -path "$dest/.reg-s3-mirror" | grep -c .) || true
    export REG_S3_MIRROR_KEYS=$n_keys REG_S3_MIRROR_DIRMARKERS=$n_markers
    if [ $((n_files + n_markers)) != "$n_keys" ]; then
        _reg_log "reg_s3_mirror: $n_keys keys under s3://$bucket/$prefix ($n_markers ending in '/') but $n_files files in $dest"
        return 1
    fi
    return 0
}
