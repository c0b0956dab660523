#!/usr/bin/env bash
# The textfile metrics of `gc` and `audit` (--prometheus FILE), read back with the Prometheus
# client's own text-format parser (Debian's python3-prometheus-client) and checked against the
# same run's JSON report: a dry run, a real -m run, an audit with --verify-data, and a run that
# could not happen (exit 2), on a copy of the demo registry (pushed with skopeo). Also checks
# that the file is replaced atomically (no temporary left beside it).
#
#   bash tests/e2e/metrics_textfile.sh /path/to/regsweep
set -uo pipefail

REGSWEEP=${1:?usage: $0 /path/to/regsweep}
case $REGSWEEP in /*) ;; *) REGSWEEP=$PWD/$REGSWEEP ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEMO=$HERE/../../demo/registry

. "$HERE/harness.sh"
e2e_require jq python3
# Debian's interpreter, with Debian's python3-prometheus-client (another python3 may come first
# in PATH).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import prometheus_client' 2>/dev/null || { echo "SKIP: python3-prometheus-client"; exit 77; }
e2e_tmpdir metrics
cp -a "$DEMO" "$T/root"

# metric FILE NAME [LABEL=VALUE]: the sample's value, as the Prometheus parser reads it
# (nothing when the file does not parse or has no such sample).
metric() {
    "$PY" - "$@" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
path, name = sys.argv[1], sys.argv[2]
labels = dict(arg.split("=", 1) for arg in sys.argv[3:])
for family in text_string_to_metric_families(open(path).read()):
    for sample in family.samples:
        if sample.name == name and sample.labels == labels:
            value = sample.value
            print(int(value) if value == int(value) else value)
EOF
}
same() { # DESCRIPTION GOT WANT
    if [ -n "$2" ] && [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', want '$3'"; fi
}
within() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; } # VALUE LOW HIGH
families() { # FILE: every family parses, each with HELP and TYPE gauge
    "$PY" - "$1" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(open(sys.argv[1]).read()))
assert families, "no metric"
for family in families:
    assert family.type == "gauge", family.name
    assert family.documentation, family.name
EOF
}

section "audit --verify-data"
"$REGSWEEP" audit --verify-data -q --json "$T/audit.json" --prometheus "$T/audit.prom" "$T/root"
rc=$?
check "the textfile parses: gauges with help" families "$T/audit.prom"
same "exit code" "$(metric "$T/audit.prom" regsweep_audit_exit_code)" "$rc"
summary() { jq -r "select(.type==\"summary\") | .$1" "$T/audit.json"; }
same "blobs hashed = JSON" "$(metric "$T/audit.prom" regsweep_audit_blobs_hashed)" "$(summary blobs_hashed)"
same "orphan bytes = JSON" "$(metric "$T/audit.prom" regsweep_audit_orphan_bytes)" "$(summary orphan_bytes)"
check "the demo has orphans to count" [ "$(summary orphan_bytes)" -gt 0 ]
for severity in error warning info; do
    same "${severity}s = JSON" "$(metric "$T/audit.prom" regsweep_audit_problems severity=$severity)" \
        "$(summary "${severity}s")"
done
same "data verified" "$(metric "$T/audit.prom" regsweep_audit_data_verified)" 1

for mode in dry real; do
    section "gc -m ($mode run)"
    args=(gc -m --min-age 0 -q --json "$T/gc-$mode.json" --prometheus "$T/gc.prom")
    [ "$mode" = dry ] && args+=(--dry-run)
    before=$(date +%s)
    "$REGSWEEP" "${args[@]}" "$T/root"
    rc=$?
    check "gc exits 0" [ "$rc" -eq 0 ]
    check "the textfile parses: gauges with help" families "$T/gc.prom"
    same "exit code" "$(metric "$T/gc.prom" regsweep_gc_exit_code)" "$rc"
    same "dry run" "$(metric "$T/gc.prom" regsweep_gc_dry_run)" "$([ "$mode" = dry ] && echo 1 || echo 0)"
    same "freed blob bytes = JSON freed_bytes" \
        "$(metric "$T/gc.prom" regsweep_gc_freed_bytes kind=blobs)" "$(jq .freed_bytes "$T/gc-$mode.json")"
    for kind in blobs manifests layer_links tags uploads; do
        same "deleted $kind = JSON" "$(metric "$T/gc.prom" regsweep_gc_deleted_objects kind=$kind)" \
            "$(jq ".deleted.$kind | length" "$T/gc-$mode.json")"
    done
    same "errors = JSON" "$(metric "$T/gc.prom" regsweep_gc_problems severity=error)" \
        "$(jq '[.problems[] | select(.severity == "error")] | length' "$T/gc-$mode.json")"
    ts=$(metric "$T/gc.prom" regsweep_gc_last_run_timestamp_seconds)
    check "start time is this run's ($ts)" within "$ts" "$before" "$(date +%s)"
    check "duration is a number" python3 -c "import sys; assert float(sys.argv[1]) >= 0" \
        "$(metric "$T/gc.prom" regsweep_gc_duration_seconds)"
done
check "the real run deleted blobs (the test has something to count)" \
    [ "$(jq '.deleted.blobs | length' "$T/gc-real.json")" -gt 0 ]

section "a run that cannot happen still reports its exit code"
"$REGSWEEP" gc --dry-run -q --prometheus "$T/gc.prom" "$T/no-such-root" 2>/dev/null
same "gc exit code 2 in the textfile" "$(metric "$T/gc.prom" regsweep_gc_exit_code)" 2
"$REGSWEEP" audit -q --prometheus "$T/audit.prom" "$T/no-such-root" 2>/dev/null
same "audit exit code 2 in the textfile" "$(metric "$T/audit.prom" regsweep_audit_exit_code)" 2
check "no temporary file left beside the textfiles" [ -z "$(find "$T" -maxdepth 1 -name '.*.prom*')" ]

e2e_summary
