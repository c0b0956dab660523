#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy, every warning an error) over regsweep's own sources
# and tests, using the compile commands of ./build (or $BUILD_DIR), which it configures if
# needed. About 8 minutes of CPU on 2 cores; run by hand (it does not fit CI's time budget).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
command -v run-clang-tidy >/dev/null || apt-get install -y -qq clang-tidy >/dev/null
[ -f "$build_dir/compile_commands.json" ] || bash scripts/build.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if run-clang-tidy -quiet -p "$build_dir" -j "$(nproc)" \
  "$PWD/(core|gc|audit|tools|bench|tests)/" >"$log" 2>&1; then
  echo "clang-tidy: clean"
  exit 0
fi
grep -E '(warning|error): ' "$log" | sed 's/\x1b\[[0-9;]*m//g' | sort -u || tail -n 20 "$log"
exit 1
