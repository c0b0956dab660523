// RunWithIoDepth: a TBB arena as wide as the requested depth.
#include "core/io_depth.h"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>

namespace regsweep {

void RunWithIoDepth(unsigned depth, const std::function<void()>& work) {
  depth = std::clamp(depth, 1u, kMaxThreads);
  // TBB creates no more workers than the process-wide limit, which defaults to the core count;
  // a caller's lower limit (--jobs) is raised for the reading phases only.
  const size_t limit = std::max<size_t>(
      depth, tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, limit);
  // A lower limit of the caller's still wins (the smallest in force does): then that many.
  const size_t allowed =
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  tbb::task_arena arena(static_cast<int>(std::min<size_t>(depth, allowed)));
  arena.execute(work);
}

void RunWithThreads(unsigned jobs, unsigned io_depth, const std::function<void()>& work) {
  jobs = std::clamp(jobs, 1u, kMaxThreads);
  io_depth = std::clamp(io_depth, 1u, kMaxThreads);
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, std::max(jobs, io_depth));
  tbb::task_arena cores(static_cast<int>(jobs));
  cores.execute(work);
}

}  // namespace regsweep
