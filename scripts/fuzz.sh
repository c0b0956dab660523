#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz and runs each one for
# SECONDS (default 30) on a scratch copy of its seed corpus (tests/fuzz/corpus/<name>).
# CI runs it briefly; for a real campaign give it hours:  bash scripts/fuzz.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
BUILD_DIR=build-fuzz bash scripts/build.sh -DCMAKE_CXX_COMPILER=clang++ -DREGSWEEP_FUZZ=ON \
  -DREGSWEEP_TESTS=OFF -DREGSWEEP_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in link names manifest s3_xml; do
  mkdir -p "$scratch/$target"
  cp tests/fuzz/corpus/$target/* "$scratch/$target/"
  echo "== fuzz_$target for ${seconds}s"
  if ! build-fuzz/tests/fuzz/fuzz_$target -max_total_time="$seconds" -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$scratch/" "$scratch/$target" >"$scratch/$target.log" 2>&1; then
    tail -n 40 "$scratch/$target.log"
    echo "fuzz_$target found a crash; the input is in the log above" >&2
    exit 1
  fi
  grep -E "stat::number_of_executed_units" "$scratch/$target.log"
done
echo "fuzzing: no crash in ${seconds}s per target"
