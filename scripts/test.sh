#!/usr/bin/env bash
# Sets up a fresh Debian machine, builds regsweep and runs the whole test suite with ctest
# (unit tests and the end-to-end tests against the real docker-registry).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh "$@"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2
