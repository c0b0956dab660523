#!/usr/bin/env bash
# ceph-rgw.sh - a throw-away, single-node Ceph cluster whose RADOS Gateway (RGW) is a real
# S3 endpoint on 127.0.0.1, for the tests of regsweep's S3 storage support.
#
#   scripts/ceph-rgw.sh start  STATE_DIR        start it; prints the endpoint URL
#   scripts/ceph-rgw.sh stop   STATE_DIR        stop it (idempotent); STATE_DIR is kept
#   scripts/ceph-rgw.sh bucket STATE_DIR NAME   create bucket NAME (s3cmd mb)
#   scripts/ceph-rgw.sh s3cmd  STATE_DIR ARGS.. run s3cmd with the cluster's config
#
# After `start`, STATE_DIR/env is a sourceable file (KEY=VALUE lines, then one `export` line):
#   RGW_ENDPOINT=http://127.0.0.1:PORT RGW_ACCESS_KEY RGW_SECRET_KEY RGW_REGION=us-east-1
#   RGW_PORT RGW_STATE_DIR RGW_S3CFG (s3cmd config)  and  AWS_ACCESS_KEY_ID
#   AWS_SECRET_ACCESS_KEY AWS_ENDPOINT_URL AWS_DEFAULT_REGION AWS_REGION
# Everything the cluster writes (config, keyring, monmap, mon store, osd data dir, logs,
# pid files, admin sockets, crash dumps) stays under STATE_DIR; `rm -rf STATE_DIR` after
# `stop` leaves nothing behind. No systemd, no /etc/ceph, no fixed ports (the Debian
# packages' post-install scripts start nothing). Tested on Debian 12 / Ceph 16.2.15, as
# root and as an unprivileged user.
# Packages: ceph-mon ceph-osd radosgw ceph-common s3cmd; also curl and python3.
#
# Environment knobs (all optional):
#   RGW_MEMSTORE_BYTES  capacity the OSD advertises (memstore device bytes; default 4 GiB).
#                       memstore keeps objects in RAM but only allocates what is written
#                       (the OSD's RSS is ~45 MB right after start whatever this is), so a
#                       large value costs nothing until used; it bounds the payload bytes
#                       (writes fail when the cluster reports "full", ~95% of it). Metadata
#                       comes on top: ~14 KB of RAM per small object (bucket index included).
#   RGW_PORT            S3 port (default: a free one)
#   RGW_ACCESS_KEY RGW_SECRET_KEY   the S3 user's keys (default: fixed test keys below)
#   RGW_START_TIMEOUT   seconds for each waiting step (default 60)
#
# Why the less obvious settings:
#   - auth ... = none, and for the clients `ms mon client mode = crc`: no cephx keys to
#     manage. radosgw's compiled-in defaults still ask the monitor for a secure (encrypted)
#     session and then hang retrying "-13" (permission denied), so crc must be spelled out.
#   - memstore: the OSD keeps objects in memory; nothing to format, nothing written to disk
#     while running, and the OSD comes up in about a second. osd fast shutdown makes SIGTERM
#     exit at once without dumping the store to disk (memstore's clean unmount writes every
#     object to osd-0/), and without waiting for the monitor's ack.
#   - short PG logs (osd min/max pg log entries = 100, dups tracked = 100): every write is
#     also recorded in its placement group's log, kept in RAM for peering and recovery that a
#     single OSD never does; with the defaults (up to thousands of entries per PG plus 3000
#     "dups") the log, not the objects, was most of the OSD's memory: measured 39 KB per
#     1-byte object at 20k objects with the defaults, 14 KB with these.
#   - pool size 1 / min size 1 / mon allow pool size one / chooseleaf type 0: one OSD on one
#     host must be enough for every placement group to become active.
#   - pg autoscale off and 8 PGs per pool: the defaults (32+, autoscaler without a mgr) are
#     pointless on one OSD and slow pool creation down.
#   - paxos propose interval 0.05 / min wait 0.01: the monitor batches map changes for 1 s by
#     default, which made every pool creation (7 pools here) cost about a second.
#   - the bucket pools (default.rgw.buckets.index/.data/.non-ec) are created up front: left
#     to rgw, the first CreateBucket / first multipart upload waits seconds for them.
#   - beast `tcp_nodelay=1`: without it, Nagle plus delayed ACKs stall every request after
#     the first one on a keep-alive connection by ~40 ms, which makes S3 clients that reuse
#     connections (docker-registry, boto, the AWS SDKs) about ten times slower.
#   - `rgw dns name = 127.0.0.1`: the Host header is the IP, so rgw must not mistake it for
#     a virtual-hosted bucket name; requests are path style (http://127.0.0.1:PORT/bucket/key).
#   - radosgw connects to the cluster *before* it daemonizes, so a cluster problem makes the
#     start command itself hang: it runs under `timeout`.
#   - mon data avail crit = 0: by default the monitor refuses to start when the disk holding
#     STATE_DIR has less than 5% free, which says nothing about a memstore test cluster.
#   - Free ports are chosen for the monitor (v2 and v1) and rgw, so several clusters (or
#     other software using Ceph's default ports) can run side by side.
set -euo pipefail

ACCESS_KEY=${RGW_ACCESS_KEY:-REGSWEEPTESTACCESS01}
SECRET_KEY=${RGW_SECRET_KEY:-regsweepTestSecretKey0123456789abcdefABCD}
REGION=us-east-1
MEMSTORE_BYTES=${RGW_MEMSTORE_BYTES:-4294967296}
WAIT=${RGW_START_TIMEOUT:-60}

log() { printf '[ceph-rgw] %s\n' "$*" >&2; }
usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# free_ports N: N distinct free TCP ports on 127.0.0.1, one per line
free_ports() {
    python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# now: seconds since start, with milliseconds
T0=$(date +%s.%N)
now() { awk -v t0="$T0" -v t="$(date +%s.%N)" 'BEGIN { printf "%.2f", t - t0 }'; }

# fail_with LOG... : print a message and the tails of the given logs, stop what started, exit 1
fail_with() {
    local msg=$1 f
    shift
    log "FAILED after $(now)s: $msg"
    for f in "$@"; do
        [ -s "$f" ] || continue
        log "---- tail of $f"
        # (a daemon that aborts appends a dump of its recent events: show what came before)
        sed '/--- begin dump of recent events ---/,$d' "$f" | tail -n 25 | cut -c1-300 >&2
    done
    stop_cluster >/dev/null 2>&1 || true
    exit 1
}

# ceph_batch: the ceph CLI against this cluster, commands read from stdin, bounded so that
# a dead monitor cannot hang us
ceph_batch() { timeout 30 ceph -c "$S/ceph.conf" --connect-timeout 20; }

# pid_of NAME: pid from STATE/run/NAME.pid if that process is alive and is ours (its
# command line names our config file: never signal a recycled pid)
pid_of() {
    local f=$S/run/$1.pid pid
    [ -s "$f" ] || return 1
    pid=$(tr -dc '0-9' <"$f")
    [ -n "$pid" ] || return 1
    [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$S/ceph.conf" || return 1
    printf '%s\n' "$pid"
}

# wait_gone TENTHS PID...: wait until none of PIDs is alive, at most TENTHS/10 s; prints
# the ones still alive
wait_gone() {
    local n=$1 i pid alive
    shift
    for i in $(seq 0 "$n"); do
        alive=""
        for pid in "$@"; do
            if kill -0 "$pid" 2>/dev/null; then alive="$alive $pid"; fi
        done
        [ -n "$alive" ] || return 0
        [ "$i" -lt "$n" ] && sleep 0.1
    done
    printf '%s\n' "$alive"
}

# radosgw first: it needs the osd and mon to shut down (with them gone its shutdown hangs
# well past 10 s). Once it logs "final shutdown" it no longer talks to the cluster, so the
# osd and the mon get SIGTERM together (the osd exits at once: fast shutdown, without
# notifying the monitor). Each daemon still takes ~2 s to exit after its shutdown work;
# whatever is alive 10 s after SIGTERM gets SIGKILL (nothing in the cluster is worth keeping).
stop_cluster() {
    local rgw osd mon pids="" left i lines=0 rlog=$S/log/client.rgw.a.log
    if rgw=$(pid_of client.rgw.a); then
        [ -f "$rlog" ] && lines=$(wc -l <"$rlog")
        kill -TERM "$rgw" 2>/dev/null || true
        pids=$rgw
        for i in $(seq 1 100); do
            kill -0 "$rgw" 2>/dev/null || break
            tail -n +"$((lines + 1))" "$rlog" 2>/dev/null | grep -q 'final shutdown' && break
            sleep 0.1
        done
    fi
    if osd=$(pid_of osd.0); then kill -TERM "$osd" 2>/dev/null || true; pids="$pids $osd"; fi
    if mon=$(pid_of mon.a); then kill -TERM "$mon" 2>/dev/null || true; pids="$pids $mon"; fi
    # shellcheck disable=SC2086
    left=$(wait_gone 100 $pids)
    if [ -n "$left" ]; then
        log "still running 10 s after SIGTERM, SIGKILL:$left"
        # shellcheck disable=SC2086
        kill -KILL $left 2>/dev/null || true
        # shellcheck disable=SC2086
        wait_gone 50 $left >/dev/null || true
    fi
    rm -f "$S"/run/*.pid
    return 0
}

write_s3cfg() { # PORT
    cat >"$S/s3cfg" <<EOF
[default]
access_key = $ACCESS_KEY
secret_key = $SECRET_KEY
host_base = 127.0.0.1:$1
host_bucket = 127.0.0.1:$1
bucket_location = $REGION
use_https = False
signature_v2 = False
check_ssl_certificate = False
guess_mime_type = False
preserve_attrs = False
progress_meter = False
EOF
}

# s3_ready PORT: a signed ListBuckets answers 200 with the S3 XML
s3_ready() {
    local out
    # (curl 7.88 does not add x-amz-content-sha256 by itself; rgw requires it for SigV4)
    out=$(curl -sS -m 5 --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
        -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "http://127.0.0.1:$1/" 2>/dev/null) || return 1
    case $out in *ListAllMyBucketsResult*) return 0 ;; *) return 1 ;; esac
}

start_cluster() {
    local p
    for p in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool ceph-authtool curl python3; do
        command -v "$p" >/dev/null 2>&1 || { log "missing program: $p"; exit 1; }
    done
    if pid_of mon.a >/dev/null || pid_of osd.0 >/dev/null || pid_of client.rgw.a >/dev/null; then
        log "a cluster is already running in $S (stop it first)"
        exit 1
    fi
    # a fresh cluster every time: keep nothing from an earlier run
    rm -rf "${S:?}/mon-a" "$S/osd-0" "$S/run" "$S/log" "$S/crash" "$S/monmap" "$S/keyring"
    mkdir -p "$S/mon-a" "$S/osd-0" "$S/run" "$S/log" "$S/crash"

    local fsid osd_uuid mon2 mon1 port ports
    fsid=$(cat /proc/sys/kernel/random/uuid)
    osd_uuid=$(cat /proc/sys/kernel/random/uuid)
    ports=$(free_ports 3)
    mon2=$(sed -n 1p <<<"$ports")
    mon1=$(sed -n 2p <<<"$ports")
    port=${RGW_PORT:-$(sed -n 3p <<<"$ports")}

    cat >"$S/ceph.conf" <<EOF
# generated by regsweep scripts/ceph-rgw.sh: throw-away test cluster, do not reuse
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon2,v1:127.0.0.1:$mon1]
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
keyring = $S/keyring
run dir = $S/run
crash dir = $S/crash
log file = $S/log/\$name.log
pid file = $S/run/\$name.pid
admin socket = $S/run/\$name.asok
log to stderr = false
err to stderr = false
log to syslog = false
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0

[mon]
mon data = $S/mon-\$id
mon data avail crit = 0
mon data avail warn = 0
paxos propose interval = 0.05
paxos min wait = 0.01
mon osd down out interval = 0

[osd]
osd data = $S/osd-\$id
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd op num shards = 2
osd op num threads per shard = 1
osd fast shutdown = true
osd fast shutdown notify mon = false
# short placement-group logs (see the header): ~14 KB of RAM per small object instead of ~40
osd min pg log entries = 100
osd max pg log entries = 100
osd pg log dups tracked = 100
osd pg log trim min = 10
osd target pg log entries per osd = 1000

[client]
ms mon client mode = crc
auth client required = none
# the CLI tools run concurrently with each other: one socket per process
admin socket = $S/run/\$name.\$pid.asok
log file = $S/log/\$name.log

[client.rgw.a]
admin socket = $S/run/\$name.asok
rgw frontends = beast endpoint=127.0.0.1:$port tcp_nodelay=1
rgw dns name = 127.0.0.1
# beast is asynchronous: 64 threads are plenty for tests (the default 512 only costs memory)
rgw thread pool size = 64
rgw enable usage log = false
rgw enable ops log = false
EOF
    local L=$S/log

    # ---- monitor
    monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon2,v1:127.0.0.1:$mon1]" \
        "$S/monmap" >"$L/monmaptool.out" 2>&1 || fail_with "monmaptool" "$L/monmaptool.out"
    ceph-authtool --create-keyring "$S/keyring" --gen-key -n mon. --cap mon 'allow *' \
        >"$L/authtool.out" 2>&1 || fail_with "ceph-authtool" "$L/authtool.out"
    ceph-mon -c "$S/ceph.conf" --mkfs -i a --monmap "$S/monmap" --keyring "$S/keyring" \
        >"$L/mon-mkfs.out" 2>&1 || fail_with "ceph-mon --mkfs" "$L/mon-mkfs.out" "$L/mon.a.log"
    timeout "$WAIT" ceph-mon -c "$S/ceph.conf" -i a </dev/null >"$L/mon.out" 2>&1 ||
        fail_with "ceph-mon did not start" "$L/mon.out" "$L/mon.a.log"
    log "mon started ($(now)s)"

    # ---- register the osd and create the bucket pools: one `ceph` process reading commands
    # on stdin (each CLI start costs 0.3-1 s of python). Interactive mode always exits 0, so
    # the output is checked. The monitor accepts all of this before any OSD is up.
    local pool cmds="osd new $osd_uuid"$'\n'
    for pool in default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec; do
        cmds+="osd pool create $pool 8 8"$'\n'"osd pool application enable $pool rgw"$'\n'
    done
    printf '%s' "$cmds" | ceph_batch >"$L/mon-commands.out" 2>&1 ||
        fail_with "ceph commands (monitor not answering?)" "$L/mon-commands.out" "$L/mon.a.log"
    [ "$(head -n 1 "$L/mon-commands.out")" = 0 ] ||
        fail_with "ceph osd new did not give id 0" "$L/mon-commands.out" "$L/mon.a.log"
    [ "$(grep -c "^enabled application 'rgw' on pool" "$L/mon-commands.out")" = 3 ] ||
        fail_with "creating the bucket pools" "$L/mon-commands.out" "$L/mon.a.log"
    log "osd registered, pools created ($(now)s)"

    # ---- osd (memstore)
    ceph-osd -c "$S/ceph.conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$L/osd-mkfs.out" 2>&1 ||
        fail_with "ceph-osd --mkfs" "$L/osd-mkfs.out" "$L/osd.0.log"
    timeout "$WAIT" ceph-osd -c "$S/ceph.conf" -i 0 </dev/null >"$L/osd.out" 2>&1 ||
        fail_with "ceph-osd did not start" "$L/osd.out" "$L/osd.0.log"
    # the osd logs this once the monitor has marked it up (cheaper than polling `ceph osd dump`)
    local deadline=$((SECONDS + WAIT))
    until grep -q 'state: booting -> active' "$L/osd.0.log" 2>/dev/null; do
        pid_of osd.0 >/dev/null || fail_with "ceph-osd exited" "$L/osd.out" "$L/osd.0.log"
        [ "$SECONDS" -lt "$deadline" ] || fail_with "osd.0 not up after ${WAIT}s" "$L/osd.0.log"
        sleep 0.05
    done
    log "osd up ($(now)s)"

    # ---- radosgw (connects and creates its pools before it daemonizes)
    timeout "$WAIT" radosgw -c "$S/ceph.conf" -n client.rgw.a </dev/null >"$L/rgw.out" 2>&1 ||
        fail_with "radosgw did not start within ${WAIT}s" "$L/rgw.out" "$L/client.rgw.a.log"
    log "radosgw started ($(now)s)"

    # ---- the S3 user (after radosgw: it has set up the default zone and its pools)
    timeout "$WAIT" radosgw-admin -c "$S/ceph.conf" user create --uid=regsweep \
        --display-name="regsweep tests" --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" \
        >"$L/user.out" 2>&1 || fail_with "radosgw-admin user create" "$L/user.out" \
        "$L/client.admin.log"

    deadline=$((SECONDS + WAIT))
    until s3_ready "$port"; do
        pid_of client.rgw.a >/dev/null || fail_with "radosgw exited" "$L/rgw.out" "$L/client.rgw.a.log"
        [ "$SECONDS" -lt "$deadline" ] || fail_with "S3 not answering on 127.0.0.1:$port after ${WAIT}s" \
            "$L/client.rgw.a.log"
        sleep 0.1
    done

    write_s3cfg "$port"
    local ep=http://127.0.0.1:$port
    # %q: the values stay plain KEY=VALUE unless STATE_DIR needs quoting
    {
        printf '%s=%q\n' RGW_ENDPOINT "$ep" RGW_PORT "$port" RGW_ACCESS_KEY "$ACCESS_KEY" \
            RGW_SECRET_KEY "$SECRET_KEY" RGW_REGION "$REGION" RGW_STATE_DIR "$S" \
            RGW_S3CFG "$S/s3cfg" AWS_ACCESS_KEY_ID "$ACCESS_KEY" \
            AWS_SECRET_ACCESS_KEY "$SECRET_KEY" AWS_ENDPOINT_URL "$ep" \
            AWS_DEFAULT_REGION "$REGION" AWS_REGION "$REGION"
        echo "export RGW_ENDPOINT RGW_PORT RGW_ACCESS_KEY RGW_SECRET_KEY RGW_REGION RGW_STATE_DIR" \
            "RGW_S3CFG AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_ENDPOINT_URL AWS_DEFAULT_REGION" \
            "AWS_REGION"
    } >"$S/env"
    log "S3 ready at $ep ($(now)s); env: $S/env"
    printf '%s\n' "$ep"
}

s3cmd_run() {
    [ -s "$S/s3cfg" ] || { log "no $S/s3cfg: start the cluster first"; exit 1; }
    s3cmd -c "$S/s3cfg" "$@"
}

[ $# -ge 2 ] || usage
cmd=$1
if [ "$cmd" = stop ] && [ ! -d "$2" ]; then exit 0; fi
mkdir -p "$2"
S=$(cd "$2" && pwd)
shift 2
case $cmd in
start)
    [ $# -eq 0 ] || usage
    start_cluster
    ;;
stop)
    [ $# -eq 0 ] || usage
    [ -d "$S/run" ] || exit 0
    stop_cluster
    ;;
bucket)
    [ $# -eq 1 ] || usage
    [ -s "$S/s3cfg" ] || { log "no $S/s3cfg: start the cluster first"; exit 1; }
    s3cmd_run mb "s3://$1" >"$S/log/bucket-$1.out" 2>&1 || {
        log "s3cmd mb s3://$1 failed:"
        cat "$S/log/bucket-$1.out" >&2
        exit 1
    }
    ;;
s3cmd)
    s3cmd_run "$@"
    ;;
*) usage ;;
esac
