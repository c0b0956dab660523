// A TreeReader decorator that makes every request wait a fixed time before it is served, and
// counts the requests and the most ever in flight at once: latency-bound storage (a network file
// system, an object store) imitated on a local disk, so that how many requests a command keeps
// in flight can be measured (bench/gc_latency) and tested (tests/core/io_depth_test.cc).
#ifndef REGSWEEP_CORE_LATENCY_TREE_READER_H_
#define REGSWEEP_CORE_LATENCY_TREE_READER_H_

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/tree_reader.h"

namespace regsweep {

class LatencyTreeReader final : public TreeReader {
 public:
  // Serves every request through `inner` (not owned) after `delay`.
  LatencyTreeReader(TreeReader& inner, std::chrono::microseconds delay)
      : inner_(inner), delay_(delay) {}

  Folder OpenFolder(const Folder& at, std::string_view relative, IoStatus* status) override;
  IoStatus List(const Folder& folder, std::vector<DirEntry>* entries) override;
  SmallFile ReadSmall(const Folder& at, std::string_view relative, size_t max_bytes) override;
  FileStat Stat(const Folder& at, std::string_view relative, IoStatus* status) override;
  FileStat StatInChild(const Folder& at, std::string_view child, std::string_view name,
                       IoStatus* status) override;
  // The open waits the delay (a GET's first byte); the bytes then come as fast as `inner`
  // gives them.
  std::unique_ptr<BlobStream> OpenStream(const Folder& at, std::string_view relative,
                                         OpenedFacts* facts) override;

  uint64_t requests() const { return requests_.load(); }
  // The most requests that were waiting or being served at the same time.
  int peak_in_flight() const { return peak_.load(); }

 private:
  // Counts a request in flight for its lifetime, after waiting the delay in its constructor.
  class InFlight;

  TreeReader& inner_;
  const std::chrono::microseconds delay_;
  std::atomic<uint64_t> requests_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<int> peak_{0};
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_LATENCY_TREE_READER_H_
