#!/usr/bin/env bash
# Installs every Debian package that building, testing and the demo of regsweep need.
# Idempotent and non-interactive; runs `apt-get update` once. Needs root (or sudo).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  libboost-filesystem-dev libsimdjson-dev libssl-dev libtbb-dev libcli11-dev
  libgtest-dev libbenchmark-dev
  # bench/small_reads: io_uring against a thread pool
  liburing-dev
  # retention policies (gc --policy)
  libyaml-cpp-dev zlib1g-dev
  # S3-compatible object storage: HTTP (curl multi), the XML answers
  libcurl4-openssl-dev libpugixml-dev
  # the S3 tests: a real Ceph RGW (scripts/ceph-rgw.sh) and a client to copy a bucket
  ceph-mon ceph-osd radosgw ceph-common s3cmd
  # tests and the demo: the real registry, a client, and the tools the scripts use
  docker-registry skopeo curl jq python3 ca-certificates strace
  # the metrics test parses the textfile output with the Prometheus client's parser
  python3-prometheus-client
  # man pages generated from --help, and the package test (man, systemd-analyze verify)
  help2man man-db systemd
  # the fresh-machine test: a minimal Debian root, booted in a container
  debootstrap systemd-container
  # the HTML report test of tests/e2e/usage_real_registry.sh (headless)
  chromium
  # formatting, linting and sanitizer runtimes
  clang clang-format clang-tidy
  # unpacking oneTBB's source for the TSan build (scripts/build-tsan-tbb.sh)
  xz-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
