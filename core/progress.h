// How far a run is: the phase it is in and, within the phase, how much is done of how much
// (when that is known). The worker threads advance it with relaxed atomic additions (a counter,
// not a lock, so counting costs nothing next to the system calls being counted); a display
// thread reads it (tools/progress_display.h). A run that is given no Progress counts nothing.
#ifndef REGSWEEP_CORE_PROGRESS_H_
#define REGSWEEP_CORE_PROGRESS_H_

#include <atomic>
#include <cstdint>

namespace regsweep {

class Progress {
 public:
  struct Snapshot {
    const char* phase = nullptr;  // nullptr before the first phase
    const char* unit = "";        // what is counted ("folders", "manifests", ...)
    uint64_t done = 0;
    uint64_t total = 0;  // 0 when unknown
    double seconds = 0;  // in this phase so far
  };

  // Starts phase `name` (a string literal), counting `unit` (a literal too), nothing done yet.
  void StartPhase(const char* name, const char* unit, uint64_t total = 0);
  void AddTotal(uint64_t n) { total_.fetch_add(n, std::memory_order_relaxed); }
  void Advance(uint64_t n = 1) { done_.fetch_add(n, std::memory_order_relaxed); }
  // For a phase that keeps its own counts (audit's hashing): sets both.
  void Set(uint64_t done, uint64_t total) {
    total_.store(total, std::memory_order_relaxed);
    done_.store(done, std::memory_order_relaxed);
  }
  Snapshot Read() const;

 private:
  std::atomic<const char*> phase_{nullptr};
  std::atomic<const char*> unit_{""};
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> total_{0};
  std::atomic<int64_t> started_ns_{0};
};

// Advances `progress` when there is one.
inline void Advance(Progress* progress, uint64_t n = 1) {
  if (progress != nullptr) progress->Advance(n);
}
inline void AddTotal(Progress* progress, uint64_t n) {
  if (progress != nullptr) progress->AddTotal(n);
}

}  // namespace regsweep

#endif  // REGSWEEP_CORE_PROGRESS_H_
