// gc_latency: `regsweep gc --dry-run` on storage where every request waits a fixed time
// (core/latency_tree_reader.h), at a chosen --io-depth: how much of a network store's latency
// a run hides by keeping requests in flight (scripts/compare-reference, "latency").
//
// It runs the real collection (scan, manifests, mark, plan; nothing is deleted) and prints the
// time, the requests, the most that were in flight at once and each phase's time.
//
//   gc_latency [--delay-us N] [--io-depth N] [-m] ROOT
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/latency_tree_reader.h"
#include "gc/gc_run.h"

int main(int argc, char** argv) {
  regsweep::GcOptions options;
  options.dry_run = true;
  long delay_us = 1000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--delay-us") == 0 && i + 1 < argc) {
      delay_us = std::atol(argv[++i]);
    } else if (std::strcmp(argv[i], "--io-depth") == 0 && i + 1 < argc) {
      options.io_depth = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    } else if (std::strcmp(argv[i], "-m") == 0) {
      options.policy.delete_untagged = true;
    } else {
      options.root = argv[i];
    }
  }
  if (options.root.empty() || delay_us < 0) {
    std::fprintf(stderr, "usage: gc_latency [--delay-us N] [--io-depth N] [-m] ROOT\n");
    return 2;
  }
  regsweep::LatencyTreeReader reader(regsweep::DefaultTreeReader(),
                                     std::chrono::microseconds(delay_us));
  options.reader_override = &reader;
  const auto start = std::chrono::steady_clock::now();
  const regsweep::GcOutcome outcome = regsweep::RunGc(options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!outcome.fatal.empty()) {
    std::fprintf(stderr, "gc_latency: %s\n", outcome.fatal.c_str());
    return 2;
  }
  std::printf(
      "gc_latency: delay %ld us, io-depth %u: %llu requests, at most %d in flight, %zu manifests, "
      "in %.3f s\n",
      delay_us, options.io_depth, static_cast<unsigned long long>(reader.requests()),
      reader.peak_in_flight(), outcome.manifests, seconds);
  for (const auto& [phase, phase_seconds] : outcome.timings) {
    std::printf("  %-10s %.3f s\n", phase.c_str(), phase_seconds);
  }
  return outcome.exit_code;
}
