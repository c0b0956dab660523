#!/usr/bin/env bash
# Configures and builds regsweep into ./build (or $BUILD_DIR), warnings as errors.
# Extra arguments go to cmake's configure step (e.g. -DREGSWEEP_SANITIZE=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DREGSWEEP_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir"
