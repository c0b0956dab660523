// DepthGovernor: samples the process's CPU time and sleeps, and moves TBB's thread limit.
#include "core/depth_governor.h"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <utility>

namespace regsweep {
namespace {

// Above this share of the cores' time the cores are the bottleneck.
constexpr double kSaturated = 0.9;
// Below it, cores are free while threads could run.
constexpr double kUnderused = 0.75;

// Whether some DepthGovernor governs: TBB's limit is process-wide.
std::atomic<bool> governor_active{false};

double Seconds(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

}  // namespace

unsigned NextThreadLimit(unsigned limit, double busy, long sleeps, unsigned cores, unsigned depth) {
  if (busy >= kSaturated) return std::max(cores, limit / 2);
  // Less than half of one core busy: the threads are waiting (on a read slower than a period,
  // they need not even fall asleep within it). Cores idle while every running thread went to
  // sleep at least once (a blocking read is a sleep): waiting too. Cores idle with hardly a
  // sleep and at least half a core busy is a phase short of parallel work (one thread
  // interning, say), which more threads would not help.
  const bool waiting =
      busy < 0.5 / cores || (busy < kUnderused && sleeps >= static_cast<long>(limit));
  return waiting ? std::min(depth, std::max(cores, limit * 2)) : limit;
}

ProcessSample SampleProcess() {
  ProcessSample sample;
  sample.wall_seconds = Seconds(CLOCK_MONOTONIC);
  sample.cpu_seconds = Seconds(CLOCK_PROCESS_CPUTIME_ID);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  sample.sleeps = usage.ru_nvcsw;
  return sample;
}

DepthGovernor::DepthGovernor(unsigned cores, unsigned depth, Sampling sampling)
    : cores_(std::max(1u, cores)), depth_(depth), limit_(depth) {
  if (depth_ <= cores_ || governor_active.exchange(true)) return;
  governing_ = true;
  if (sampling == Sampling::kByCaller) return;
  Observe(SampleProcess());
  sampler_ = std::make_unique<PeriodicThread>(kPeriod, [this, own_sleeps = long{0}]() mutable {
    ProcessSample sample = SampleProcess();
    sample.sleeps -= ++own_sleeps;  // the sampler's own wait, one per period: not the phase's
    Observe(sample);
  });
}

DepthGovernor::~DepthGovernor() {
  if (!governing_) return;
  sampler_.reset();
  control_.reset();
  governor_active.store(false);
}

void DepthGovernor::Observe(const ProcessSample& sample) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!governing_) return;
  const std::optional<ProcessSample> last = std::exchange(last_, sample);
  if (!last || sample.wall_seconds <= last->wall_seconds) return;
  const double busy = (sample.cpu_seconds - last->cpu_seconds) /
                      ((sample.wall_seconds - last->wall_seconds) * cores_);
  const unsigned next = NextThreadLimit(limit_, busy, sample.sleeps - last->sleeps, cores_, depth_);
  if (next == limit_) return;
  limit_ = next;
  // The smallest limit in force wins, so the governor's own is replaced, never stacked.
  control_.reset();
  if (limit_ < depth_) control_.emplace(tbb::global_control::max_allowed_parallelism, limit_);
}

unsigned DepthGovernor::limit() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return limit_;
}

}  // namespace regsweep
