#!/usr/bin/env bash
# The Debian package: built with CPack from the build folder, then checked from its contents
# (extracted, not installed on this machine): its dependencies are Debian runtime libraries, the
# binary names its version and commit, every man page renders and lists every option of its
# command's --help, bash completion completes subcommands and options, the systemd service and
# timer pass `systemd-analyze verify`, and the maintenance script they run collects and audits a
# copy of the demo registry, writing both textfiles.
#
#   bash tests/e2e/package_contents.sh BUILD_DIR
set -uo pipefail

BUILD=${1:?usage: $0 BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
REGSWEEP=$BUILD/regsweep
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEMO=$HERE/../../demo/registry

. "$HERE/harness.sh"
e2e_require cpack dpkg-deb dpkg-shlibdeps man help2man
e2e_tmpdir package

section "cpack -G DEB"
if (cd "$BUILD" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1); then
    pass "cpack built a package"
else
    fail "cpack"
    tail -n 20 "$T/cpack.log"
    e2e_summary
    exit 1
fi
deb=$(ls "$T"/out/regsweep_*.deb 2>/dev/null | head -n 1)
check "the package is named regsweep_VERSION_ARCH.deb ($(basename "${deb:-none}"))" [ -f "$deb" ]
depends=$(dpkg-deb -f "$deb" Depends)
info "Depends: $depends"
for lib in libc6 libstdc++6 libtbb12 libssl3 libsimdjson libyaml-cpp zlib1g; do
    check "depends on $lib" grep -q "$lib" <<<"$depends"
done
dpkg-deb -x "$deb" "$T/root"
bin=$T/root/usr/bin/regsweep

section "binary"
version=$("$bin" --version)
check "--version names the version and the commit ($version)" \
    grep -qE '^regsweep [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{7,}' <<<"$version"
check "--version is the project's" grep -q "$(sed -n 's/^project(regsweep VERSION \([0-9.]*\).*/\1/p' \
    "$HERE/../../CMakeLists.txt")" <<<"$version"

section "man pages"
for page in regsweep regsweep-gc regsweep-audit regsweep-usage; do
    file=$T/root/usr/share/man/man1/$page.1.gz
    sub=${page#regsweep}
    sub=${sub#-}
    if ! text=$(MANWIDTH=200 man -l "$file" 2>/dev/null) || [ -z "$text" ]; then
        fail "$page.1 renders"
        continue
    fi
    pass "$page.1 renders"
    # shellcheck disable=SC2086 # $sub is empty for the top-level page
    missing=$("$bin" $sub --help | grep -oE -- '--[a-z][a-z-]*' | sort -u | while read -r option; do
        grep -qF -- "$option" <<<"$text" || printf '%s ' "$option"
    done)
    check "$page.1 lists every option of regsweep $sub --help${missing:+ (missing: $missing)}" \
        [ -z "$missing" ]
done
check "regsweep-gc.1 has the exit status section" \
    bash -c 'man -l "$0" | grep -q "EXIT STATUS"' "$T/root/usr/share/man/man1/regsweep-gc.1.gz"

section "bash completion"
complete_words() { # WORDS...: what completing the last word offers
    PATH=$T/root/usr/bin:$PATH bash -c '
        . "$0"
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        _regsweep
        printf "%s\n" "${COMPREPLY[@]}"' \
        "$T/root/usr/share/bash-completion/completions/regsweep" "$@"
}
check "subcommands" [ "$(complete_words regsweep "" | sort | tr '\n' ' ')" = "--help --version audit gc usage " ]
check "regsweep gc --dr -> --dry-run" [ "$(complete_words regsweep gc --dr)" = "--dry-run" ]
check "regsweep audit --verify-data-s -> --verify-data-subset" \
    [ "$(complete_words regsweep audit --verify-data-s)" = "--verify-data-subset" ]
check "regsweep usage --prom -> --prometheus" [ "$(complete_words regsweep usage --prom)" = "--prometheus" ]

section "systemd service and timer"
units=$T/root/usr/lib/systemd/system
check "service and timer installed" [ -f "$units/regsweep-maintenance.service" ] && \
    [ -f "$units/regsweep-maintenance.timer" ]
if command -v systemd-analyze >/dev/null 2>&1; then
    # The package's root plus the system's targets and slices the units are ordered against.
    mkdir -p "$T/root/etc/default"
    cp "$T/root/usr/share/doc/regsweep/examples/regsweep.default" "$T/root/etc/default/regsweep"
    cp -a /lib/systemd/system/*.target /lib/systemd/system/*.slice "$units/" 2>/dev/null
    if systemd-analyze verify --man=no --root="$T/root" /usr/lib/systemd/system/regsweep-maintenance.service \
        /usr/lib/systemd/system/regsweep-maintenance.timer >"$T/verify.log" 2>&1; then
        pass "systemd-analyze verify"
    else
        fail "systemd-analyze verify"
        sed 's/^/       /' "$T/verify.log"
    fi
else
    info "systemd-analyze not installed: units not verified"
fi

section "the maintenance script on the demo registry"
cp -a "$DEMO" "$T/registry"
mkdir -p "$T/textfiles"
blobs_before=$(find "$T/registry" -name data -path '*/blobs/*' | wc -l)
REGSWEEP_ROOT=$T/registry REGSWEEP=$bin REGISTRY_UNIT='' TEXTFILE_DIR=$T/textfiles \
    GC_ARGS='--delete-untagged --min-age 0 -q' AUDIT_ARGS='-q' \
    "$T/root/usr/share/regsweep/regsweep-maintenance" >"$T/maintenance.log" 2>&1
rc=$?
check "the window exits 0 (got $rc)" [ "$rc" -eq 0 ]
blobs_after=$(find "$T/registry" -name data -path '*/blobs/*' | wc -l)
check "gc collected ($blobs_before -> $blobs_after blobs)" [ "$blobs_after" -lt "$blobs_before" ]
check "gc metrics written" grep -q '^regsweep_gc_exit_code 0$' "$T/textfiles/regsweep_gc.prom"
check "audit metrics written, clean" grep -q '^regsweep_audit_exit_code 0$' "$T/textfiles/regsweep_audit.prom"

e2e_summary
