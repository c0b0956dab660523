#!/usr/bin/env bash
# Sets up, builds, and runs `regsweep gc --dry-run` then `regsweep gc` on a copy of the demo
# registry that ships in demo/registry (a real tree pushed with skopeo; see
# scripts/make-demo-registry.sh). The copy is left in a temp folder for you to inspect.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
work=$(mktemp -d /tmp/regsweep-demo.XXXXXX)
cp -a demo/registry "$work/registry"
# git keeps no mtimes: age the copy so the default one-hour grace period does not spare it all.
bash scripts/make-demo-registry.sh --touch-only "$work/registry"
echo "== regsweep gc --dry-run --delete-untagged $work/registry"
build/regsweep gc --dry-run --delete-untagged --verbose "$work/registry"
echo
echo "== regsweep gc --delete-untagged $work/registry"
build/regsweep gc --delete-untagged "$work/registry"
echo
echo "== second run: nothing left to collect"
build/regsweep gc --delete-untagged "$work/registry"
echo
echo "demo tree left in $work/registry"
