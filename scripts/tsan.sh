#!/usr/bin/env bash
# CI's ThreadSanitizer stage: builds TBB with TSan once (cached in build-tsan/tbb), builds the
# unit tests with REGSWEEP_TSAN into build-tsan, and runs the tests that drive every parallel
# loop on both threads (and, at --io-depth 16 and 32, on many): digest interning, scan,
# manifest loading (graph, and audit's observer of it), mark, sweep, gc runs, fault injection,
# hostile input, gc --policy (repositories decided in parallel), the plan's parallel link
# stats, the backend, audit (data verification and its progress thread, the SIGBUS guard of
# its mapped hashing, and the hashing beside the graph's build), the depth governor moving TBB's
# thread limit while loops run, and the S3 client's transport thread with its many callers.
# Any TSan report fails the stage. About 4 minutes on 2 cores from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build-tsan
tests="DigestTest.*:ScanTest.*:IoDepthTest.*:MarkTest.*:SweepTest.*:GcRunTest.*:*FaultInjectionTest.*:*HostileInputTest.*"
tests+=":AuditDataTest.*:EarlyHashingTest.*:AuditStructureTest.*:MappedFileTest.*:PosixBlobStreamTest.*"
tests+=":RetentionRunTest.*:BackendTest.*:PlanTest.*:OciLayoutTest.*:DepthGovernorTest.*:RunWithIoDepth.*:PeriodicThreadTest.*"
s3_tests="S3Client*:S3Backend*"
if [ "$(nproc)" -lt 2 ]; then
  echo "tsan: warning: one CPU, TBB runs every loop on one thread and TSan can prove nothing" >&2
fi
bash scripts/build-tsan-tbb.sh "$build_dir/tbb"
cmake -S . -B "$build_dir" -G Ninja -DREGSWEEP_WERROR=ON -DREGSWEEP_TSAN=ON \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DREGSWEEP_BENCH=OFF \
  -DTBB_DIR="$PWD/$build_dir/tbb/lib/cmake/TBB" >/dev/null
cmake --build "$build_dir" -j2 --target regsweep_tests regsweep_s3_tests
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  "$build_dir/tests/regsweep_tests" --gtest_filter="$tests" --gtest_brief=1
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  "$build_dir/tests/regsweep_s3_tests" --gtest_filter="$s3_tests" --gtest_brief=1
echo "tsan: no data race"
