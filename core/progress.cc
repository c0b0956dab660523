// Progress counters.
#include "core/progress.h"

#include "core/fs.h"

namespace regsweep {

void Progress::StartPhase(const char* name, const char* unit, uint64_t total) {
  done_.store(0, std::memory_order_relaxed);
  total_.store(total, std::memory_order_relaxed);
  unit_.store(unit, std::memory_order_relaxed);
  started_ns_.store(NowNs(), std::memory_order_relaxed);
  phase_.store(name, std::memory_order_release);
}

Progress::Snapshot Progress::Read() const {
  Snapshot snapshot;
  snapshot.phase = phase_.load(std::memory_order_acquire);
  snapshot.unit = unit_.load(std::memory_order_relaxed);
  snapshot.done = done_.load(std::memory_order_relaxed);
  snapshot.total = total_.load(std::memory_order_relaxed);
  snapshot.seconds =
      static_cast<double>(NowNs() - started_ns_.load(std::memory_order_relaxed)) / 1e9;
  return snapshot;
}

}  // namespace regsweep
