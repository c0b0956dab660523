#!/usr/bin/env bash
# The Debian package on a fresh machine (issue 16): on a minimal Debian 12 root
# (debootstrap --variant=minbase), `apt-get install ./regsweep_*.deb` pulls the dependencies from
# the Debian mirror (and the recommended docker-registry). In the root (chroot): `regsweep
# --version`, `man regsweep-gc` and the other pages, and TAB completion in an interactive login
# bash. Then the root is booted with systemd-nspawn (its own systemd as PID 1, private network),
# the maintenance timer is enabled with a drop-in moving OnCalendar a few seconds ahead, and the
# service it fires runs the window on the demo registry under /var/lib/docker-registry, with the
# settings of examples/regsweep.default: the registry unit stopped, gc, started again, audit.
# Checked: the unit's result, its journal, the blobs left (exactly the demo's live ones), the
# textfiles, and the restarted registry serving a kept tag and layer, not collected ones.
#
# Needs root and the Debian mirror (exit 77 without); installs debootstrap and
# systemd-container when missing. The minbase root is cached as a tarball in
# /var/tmp/regsweep-fresh-machine (FRESH_CACHE; delete it to start over), so only the first run
# runs debootstrap. The mirror is the first .../debian of this machine's apt sources
# (FRESH_MIRROR overrides it). KEEP_TMP=1 keeps the root.
#
#   bash tests/e2e/fresh_machine.sh BUILD_DIR
# shellcheck disable=SC2016 # '${Package}' and the bash -c scripts expand later, on purpose
set -euo pipefail

BUILD=${1:?usage: $0 BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEMO=$HERE/../../demo/registry
CACHE=${FRESH_CACHE:-/var/tmp/regsweep-fresh-machine}
MACHINE=regsweep-fresh-$$
. "$HERE/harness.sh"

skip() { echo "SKIP: $*"; exit 77; }
die() { # MESSAGE [LOG]: a step the rest needs failed
    fail "$1"
    if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -n 25 "$2" | sed 's/^/       /'; fi
    e2e_summary || true
    exit 1
}
host_uri() { # REGEX: the first URI of this machine's apt sources that matches
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
        2>/dev/null | grep -vE '^[[:space:]]*#' | grep -oE "https?://[^ ]*$1/?( |\$)" |
        head -n 1 | tr -d ' ' | sed 's:/$::' || true
}

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, systemd-nspawn)"
MIRROR=${FRESH_MIRROR:-$(host_uri '/debian')}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=$(host_uri '/debian-security')
SECURITY=${SECURITY:-${MIRROR}-security}

T=$(mktemp -d /var/tmp/regsweep-fresh.XXXXXX)
ROOT=$T/root
NSPAWN_PID=
cleanup() {
    trap - ERR
    set +e
    if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
        kill "$NSPAWN_PID"  # nspawn shuts the container down
        for _ in $(seq 60); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 1; done
        kill -9 "$NSPAWN_PID" 2>/dev/null
    fi
    # Unmount what is mounted under the root, deepest first; never remove through a mount.
    findmnt -rn -o TARGET | grep -F "$T/" | sort -r | while read -r m; do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
    if findmnt -rn -o TARGET | grep -qF "$T/"; then
        echo "mounts left under $T: not removed"
    elif [ -n "${KEEP_TMP:-}" ]; then
        echo "(kept $T)"
    else
        rm -rf --one-file-system "$T"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'fail "line $LINENO: $BASH_COMMAND"; exit 1' ERR  # a step failed that no check covers

in_root() { # COMMAND...: run in the chroot with a clean environment
    chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

section "the mirror ($MIRROR)"
if ! timeout 60 /usr/lib/apt/apt-helper download-file "$MIRROR/dists/bookworm/Release" \
    "$T/Release" >"$T/mirror.log" 2>&1; then
    skip "the Debian mirror $MIRROR cannot be reached (set FRESH_MIRROR to another)"
fi
pass "$MIRROR/dists/bookworm/Release downloads"
for tool_package in debootstrap:debootstrap systemd-nspawn:systemd-container; do
    tool=${tool_package%%:*} package=${tool_package#*:}
    command -v "$tool" >/dev/null 2>&1 && continue
    info "installing $package (for $tool)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "$package" >"$T/apt-host.log" 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$package"; } \
            >>"$T/apt-host.log" 2>&1 || skip "$tool missing and apt-get install $package failed"
done

section "cpack -G DEB"
(cd "$BUILD" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1) || die "cpack" "$T/cpack.log"
deb=$(ls "$T"/out/regsweep_*.deb)
pass "built $(basename "$deb")"

section "a minimal Debian 12 root"
tarball=$CACHE/bookworm-minbase.tar
mkdir -p "$CACHE" "$ROOT"
exec 9>"$CACHE/lock"
flock 9  # one debootstrap at a time
if [ -s "$tarball" ]; then
    tar -C "$ROOT" -xf "$tarball"
    pass "unpacked the cached minbase root ($tarball)"
else
    info "debootstrap --variant=minbase bookworm (first run; cached afterwards)"
    debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$T/debootstrap.log" 2>&1 ||
        die "debootstrap --variant=minbase bookworm $MIRROR" "$ROOT/debootstrap/debootstrap.log"
    tar -C "$ROOT" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    pass "debootstrap --variant=minbase bookworm (cached in $tarball)"
fi
exec 9>&-
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$MIRROR" "$MIRROR" "$SECURITY" >"$ROOT/etc/apt/sources.list"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# No service starts in the chroot (docker-registry's postinst would try).
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
mount -t proc proc "$ROOT/proc"
mount --bind /dev/pts "$ROOT/dev/pts"  # the pseudo-terminal of the completion check

section "apt-get install ./$(basename "$deb")"
in_root dpkg-query -W -f='${Package}\n' | sort >"$T/before.txt"
cp "$deb" "$ROOT/tmp/"
in_root apt-get update >"$T/apt-update.log" 2>&1 || die "apt-get update in the root" "$T/apt-update.log"
in_root sh -c 'cd /tmp && apt-get install -y ./regsweep_*.deb' >"$T/apt-install.log" 2>&1 ||
    die "apt-get install ./$(basename "$deb")" "$T/apt-install.log"
pass "apt-get install ./$(basename "$deb")"
in_root dpkg-query -W -f='${Package}\n' | sort >"$T/after.txt"
pulled=$(comm -13 "$T/before.txt" "$T/after.txt" | grep -vx regsweep | tr '\n' ' ' || true)
info "pulled from Debian: $pulled"
check "regsweep is installed" \
    [ "$(in_root dpkg-query -W -f='${Status}' regsweep)" = "install ok installed" ]
for dep in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/[(|].*//' | tr -d ' '); do
    if grep -qx "$dep" "$T/before.txt"; then
        check "dependency $dep (already in minbase) installed" grep -qx "$dep" "$T/after.txt"
    else
        check "dependency $dep pulled from Debian" grep -qx "$dep" "$T/after.txt"
    fi
done
check "the recommended docker-registry pulled" grep -qx docker-registry "$T/after.txt"
check "every library of /usr/bin/regsweep found (ldd)" \
    bash -c '! chroot "$0" ldd /usr/bin/regsweep | grep -q "not found"' "$ROOT"

section "regsweep --version"
version=$(in_root regsweep --version) || version="(failed)"
check "regsweep --version in the root ($version) is the build's" \
    [ "$version" = "$("$BUILD/regsweep" --version)" ]
check "it names the version and the commit" \
    grep -qE '^regsweep [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{7,}' <<<"$version"

# What the checks below use: man, bash-completion, and systemd to boot the root. Installed
# after the package, so none of them brought one of its dependencies.
in_root apt-get install -y --no-install-recommends man-db bash-completion systemd systemd-sysv \
    dbus >"$T/apt-tools.log" 2>&1 || die "apt-get install man-db bash-completion systemd" \
    "$T/apt-tools.log"

section "man pages"
for page in regsweep regsweep-gc regsweep-audit regsweep-usage; do
    text=$(in_root env MANWIDTH=120 man "$page" 2>&1) || text=""
    check "man $page renders (found at $(in_root man -w "$page" 2>&1))" \
        grep -q "^NAME" <<<"$text"
done
text=$(in_root env MANWIDTH=120 man regsweep-gc 2>&1) || true
check "man regsweep-gc: NAME, --dry-run, EXIT STATUS" \
    bash -c 'grep -q "regsweep-gc - " <<<"$0" && grep -q -- "--dry-run" <<<"$0" &&
        grep -q "EXIT STATUS" <<<"$0"' "$text"

section "bash completion (TAB in an interactive login bash, in a pseudo-terminal)"
complete_tab() { # TEXT: type TEXT, TAB, then echo the completed line
    printf '%s\t\001echo COMPLETED: \rexit\r' "$1" |
        in_root timeout 30 script -qfec 'bash -li' /dev/null 2>&1 | tr -d '\r' |
        sed -n 's/^COMPLETED: //p'
}
got=$(complete_tab 'regsweep au')
check "'regsweep au' TAB -> 'regsweep audit' (got '$got')" [ "$got" = "regsweep audit" ]
got=$(complete_tab 'regsweep gc --dr')
check "'regsweep gc --dr' TAB -> 'regsweep gc --dry-run' (got '$got')" \
    [ "$got" = "regsweep gc --dry-run" ]

section "set up the window: the demo registry in docker-registry's storage, the settings"
registry=$ROOT/var/lib/docker-registry
cp -a "$DEMO/docker" "$registry/"
bash "$SCRIPTS/make-demo-registry.sh" --touch-only "$registry" >/dev/null  # older than --min-age
in_root chown -R docker-registry: /var/lib/docker-registry
cp "$ROOT/usr/share/doc/regsweep/examples/regsweep.default" "$ROOT/etc/default/regsweep"
mkdir -p "$ROOT/var/lib/prometheus/node-exporter"  # what prometheus-node-exporter creates
# Debian's registry config locks every request out (htpasswd auth with no users): open it, so
# the test can read from it after the window.
config=$ROOT/etc/docker/registry/config.yml
awk '/^[^ ]/ { skip = /^auth:/ } !skip' "$config" >"$config.new" && mv "$config.new" "$config"
info "/etc/default/regsweep: $(grep -v '^#' "$ROOT/etc/default/regsweep" | tr '\n' ' ')"
live=$(awk '$1 == "live" { print $2 }' "$DEMO/SCENARIO.txt")
blobs() { find "$registry/docker/registry/v2/blobs" -name data | wc -l; }
blobs_before=$(blobs)
rm "$ROOT/usr/sbin/policy-rc.d"
umount "$ROOT/dev/pts" "$ROOT/proc"

section "boot the root (systemd-nspawn -b) and let the timer fire"
# --register=no --keep-unit: no systemd (machined) needed on this machine.
systemd-nspawn --boot --directory="$ROOT" --machine="$MACHINE" --register=no --keep-unit \
    --private-network </dev/null >"$T/nspawn.log" 2>&1 &
NSPAWN_PID=$!
container_init() { # the PID of nspawn's child that runs systemd: the container's PID 1
    local status name
    for status in /proc/[0-9]*/status; do
        { read -r _ name; } 2>/dev/null <"$status" || continue
        [ "$name" = systemd ] && grep -qx "PPid:[[:space:]]*$NSPAWN_PID" "$status" 2>/dev/null &&
            basename "$(dirname "$status")"
    done
    return 0
}
leader=
for _ in $(seq 100); do
    leader=$(container_init)
    [ -n "$leader" ] && break
    kill -0 "$NSPAWN_PID" 2>/dev/null || break
    sleep 0.1
done
[ -n "$leader" ] || die "systemd-nspawn --boot started the root's systemd" "$T/nspawn.log"
in_box() { # COMMAND...: run inside the booted container
    nsenter --target "$leader" --all env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}
state=
for _ in $(seq 120); do  # "" until systemd listens, then "starting" until it is up
    state=$(in_box systemctl is-system-running 2>/dev/null) || true
    case $state in running | degraded) break ;; esac
    sleep 1
done
check "the container booted (systemctl is-system-running: $state)" \
    grep -qxE 'running|degraded' <<<"$state"
[ "$state" = running ] || info "failed units: $(in_box systemctl --failed --plain --no-legend)"
show() { in_box systemctl show --value -p "$2" "$1" || true; }  # UNIT PROPERTY
check "docker-registry.service runs" [ "$(show docker-registry.service ActiveState)" = active ]
registry_since=$(show docker-registry.service ActiveEnterTimestampMonotonic)
if in_box systemd-analyze verify /lib/systemd/system/regsweep-maintenance.service \
    /lib/systemd/system/regsweep-maintenance.timer >"$T/verify.log" 2>&1; then
    pass "systemd-analyze verify of the installed units"
else
    fail "systemd-analyze verify of the installed units"
    sed 's/^/       /' "$T/verify.log"
fi

# What the registry answers: a kept tag and one of its layers, then a manifest and a layer that
# the window collects (--delete-untagged).
scenario() { awk "$1" "$DEMO/SCENARIO.txt"; }
paths=(/v2/library/base/manifests/1.0
    "/v2/library/base/blobs/$(scenario '/^live .* layer of library\/base/ { print $2; exit }')"
    "/v2/apps/web/manifests/$(scenario '/^untagged .* manifest apps\/web:latest v2/ { print $2 }')"
    "/v2/apps/web/blobs/$(scenario '/^untagged .* layer of apps\/web:latest v2/ { print $2 }')")
accept=application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json
accept+=,application/vnd.docker.distribution.manifest.v2+json
accept+=,application/vnd.docker.distribution.manifest.list.v2+json
served() { # the status codes of GET $paths, retried while the registry starts
    local path line codes=()
    for path in "${paths[@]}"; do
        line=
        for _ in $(seq 30); do
            line=$(in_box bash -c 'exec 3<>/dev/tcp/127.0.0.1/5000 &&
                printf "GET %s HTTP/1.0\r\nAccept: %s\r\n\r\n" "$0" "$1" >&3 && head -n 1 <&3' \
                "$path" "$accept" 2>/dev/null) && break
            sleep 1
        done
        codes+=("$(cut -d' ' -f2 <<<"$line")")
    done
    echo "${codes[*]}"
}
info "GET ${paths[*]}"
served=$(served)
check "before the window the registry serves all four ($served)" [ "$served" = "200 200 200 200" ]

when=$(in_box date -u -d '+12 seconds' '+%Y-%m-%d %H:%M:%S UTC')
mkdir -p "$ROOT/etc/systemd/system/regsweep-maintenance.timer.d"
printf '[Timer]\nOnCalendar=\nOnCalendar=%s\nRandomizedDelaySec=0\nAccuracySec=1s\n' "$when" \
    >"$ROOT/etc/systemd/system/regsweep-maintenance.timer.d/now.conf"
in_box systemctl daemon-reload || die "systemctl daemon-reload"
in_box systemctl enable --now regsweep-maintenance.timer >"$T/enable.log" 2>&1 ||
    die "systemctl enable --now regsweep-maintenance.timer" "$T/enable.log"
pass "timer enabled, OnCalendar=$when (drop-in): $(in_box systemctl list-timers --no-legend \
    regsweep-maintenance.timer | cut -c1-60)"
check "the service has not run before the timer" \
    [ "$(show regsweep-maintenance.service ExecMainStartTimestampMonotonic)" = 0 ]
for _ in $(seq 300); do  # up to 5 min: it fires in ~12 s, the window itself takes seconds
    if [ "$(show regsweep-maintenance.service ExecMainExitTimestampMonotonic)" != 0 ]; then
        case $(show regsweep-maintenance.service ActiveState) in inactive | failed) break ;; esac
    fi
    sleep 1
done
in_box journalctl --no-pager -o short-precise -u regsweep-maintenance.timer \
    -u regsweep-maintenance.service -u docker-registry.service >"$T/journal.log" 2>&1 || true
triggered=$(show regsweep-maintenance.timer LastTriggerUSec)
check "the timer fired (LastTriggerUSec: ${triggered:-none})" [ "${triggered:-n/a}" != n/a ]
result=$(show regsweep-maintenance.service Result)
status=$(show regsweep-maintenance.service ExecMainStatus)
if [ "$result" = success ] && [ "$status" = 0 ]; then
    pass "regsweep-maintenance.service ran: Result=success, exit code 0"
else
    fail "regsweep-maintenance.service: Result=$result, exit code $status"
    sed 's/^/       /' "$T/journal.log"
fi
check "the journal shows the run (Finished regsweep-maintenance.service)" \
    grep -q 'Finished regsweep-maintenance.service' "$T/journal.log"
grep -E 'systemd\[1\]: (Start|Stop|Finish)' "$T/journal.log" | cut -c1-150 | sed 's/^/INFO:   /'
check "the registry was stopped for gc and started again" \
    [ "$(show docker-registry.service ActiveEnterTimestampMonotonic)" -gt "$registry_since" ]
check "docker-registry.service runs again" [ "$(show docker-registry.service ActiveState)" = active ]

blobs_after=$(blobs)
missing=$(for d in $live; do
    [ -f "$registry/docker/registry/v2/blobs/sha256/${d:7:2}/${d#sha256:}/data" ] || echo "$d"
done)
check "gc kept every live blob of the demo${missing:+ (missing: $missing)}" [ -z "$missing" ]
check "gc deleted the rest ($blobs_before -> $blobs_after blobs, $(wc -w <<<"$live") live)" \
    [ "$blobs_after" -eq "$(wc -w <<<"$live")" ]
prom=$ROOT/var/lib/prometheus/node-exporter
check "regsweep_gc.prom: exit code 0" grep -q '^regsweep_gc_exit_code 0$' "$prom/regsweep_gc.prom"
check "regsweep_gc.prom: $((blobs_before - blobs_after)) blobs deleted" \
    grep -q "^regsweep_gc_deleted_objects{kind=\"blobs\"} $((blobs_before - blobs_after))\$" \
    "$prom/regsweep_gc.prom"
check "regsweep_audit.prom: exit code 0, no error" bash -c \
    'grep -q "^regsweep_audit_exit_code 0$" "$0" && grep -q "^regsweep_audit_problems{severity=\"error\"} 0$" "$0"' \
    "$prom/regsweep_audit.prom"

served=$(served)
check "the restarted registry serves the kept ones, not the collected ones ($served)" \
    [ "$served" = "200 200 404 404" ]

in_box systemctl poweroff || true
for _ in $(seq 60); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 1; done
if wait "$NSPAWN_PID"; then pass "the container powered off"; else fail "the container powered off"; fi
NSPAWN_PID=

e2e_summary || exit 1
