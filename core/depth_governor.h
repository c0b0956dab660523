// How many of the `--io-depth` threads may run at once, adapted to what the storage needs.
//
// The reading phases run on `depth` threads so that `depth` blocking reads can be in flight on
// a cold cache, a network file system or an object store. When the storage answers from
// memory (a warm page cache) no read waits, the cores are the bottleneck, and the threads
// beyond the cores only cost: TBB's idle workers spin and yield, and every hand-over is a
// context switch (10% of a warm gc on the large tree, docs/performance.md).
//
// The governor samples the process every 10 ms: how much of the cores' time it used, and how
// often its threads went to sleep. While the cores are saturated, threads beyond them cannot
// make the phase faster, so it halves TBB's thread limit, never below the cores. When the cores
// go idle while the threads wait (less than half a core busy, or every running thread slept:
// a blocking read is a sleep), it doubles the limit again, up to the depth. Cores idle with
// hardly a sleep is a phase short of parallel work, which more threads would not help.
//
// Every phase starts at the full depth, so a slow device is never left idle to find out that
// it is slow. It also has to: oneTBB (2021.8) asks for an arena's workers when work first
// arrives, and workers refused then, under a lower limit, do not join when it is raised.
#ifndef REGSWEEP_CORE_DEPTH_GOVERNOR_H_
#define REGSWEEP_CORE_DEPTH_GOVERNOR_H_

#include <tbb/global_control.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "core/periodic_thread.h"

namespace regsweep {

// The governor's rule, apart so that it can be tested: the thread limit for the next period,
// given the limit in the last one, the fraction of the cores' time the process used in it
// (`busy`, 0 to 1) and how many times its threads went to sleep in it (`sleeps`).
unsigned NextThreadLimit(unsigned limit, double busy, long sleeps, unsigned cores, unsigned depth);

// What the governor measures of the process, cumulative since it started.
struct ProcessSample {
  double wall_seconds = 0;  // a monotonic clock
  double cpu_seconds = 0;   // every thread's
  long sleeps = 0;          // voluntary context switches, every thread's
};
ProcessSample SampleProcess();

// While alive, adapts TBB's process-wide thread limit between `cores` and `depth` (see above).
// At most one governs at a time; a second one, or one whose depth is not above the cores,
// does nothing.
class DepthGovernor {
 public:
  enum class Sampling { kEveryPeriod, kByCaller };
  // kEveryPeriod: a thread of its own calls Observe(SampleProcess()) every kPeriod (less its
  // own sleep of each period).
  // kByCaller (tests): only the caller's Observe calls move the limit.
  DepthGovernor(unsigned cores, unsigned depth, Sampling sampling = Sampling::kEveryPeriod);
  ~DepthGovernor();
  DepthGovernor(const DepthGovernor&) = delete;
  DepthGovernor& operator=(const DepthGovernor&) = delete;

  // Takes the next sample; from the second one on, sets the limit for the next period.
  void Observe(const ProcessSample& sample);
  // The thread limit it set; `depth` while it sets none (also when it does not govern).
  unsigned limit() const;

  // How often the process is sampled.
  static constexpr std::chrono::milliseconds kPeriod{10};

 private:
  const unsigned cores_;
  const unsigned depth_;
  bool governing_ = false;    // this one holds the process's single governing slot
  mutable std::mutex mutex_;  // guards the three below
  unsigned limit_;
  std::optional<ProcessSample> last_;
  std::optional<tbb::global_control> control_;
  std::unique_ptr<PeriodicThread> sampler_;  // last: stopped before the rest goes
};

}  // namespace regsweep

#endif  // REGSWEEP_CORE_DEPTH_GOVERNOR_H_
