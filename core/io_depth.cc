// RunWithIoDepth: a TBB arena as wide as the requested depth, its extra threads governed.
#include "core/io_depth.h"

#include <malloc.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/depth_governor.h"

namespace regsweep {
namespace {

// glibc gives each thread that allocates a malloc arena of its own (up to 8 per core), and
// memory freed in one arena is not reused by the others; the threads beyond `jobs` mostly wait
// on requests, so their arenas only hold slack (5 MB more peak memory on the large tree at
// depth 64: docs/performance.md). Arenas are limited to the computing threads, unless the
// environment chose a limit (MALLOC_ARENA_MAX, GLIBC_TUNABLES).
void LimitMallocArenas(unsigned jobs) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, "arena_max") != nullptr) return;
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, jobs)));
#else
  (void)jobs;
#endif
}

}  // namespace

void RunWithIoDepth(unsigned depth, const std::function<void()>& work) {
  depth = std::clamp(depth, 1u, kMaxThreads);
  // The caller's arena is as wide as the cores it computes on.
  const auto cores = static_cast<unsigned>(tbb::this_task_arena::max_concurrency());
  // TBB creates no more workers than the process-wide limit, which defaults to the core count;
  // a caller's lower limit (--jobs) is raised for the reading phases only.
  const size_t limit = std::max<size_t>(
      depth, tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, limit);
  // A lower limit of the caller's still wins (the smallest in force does): then that many.
  const size_t allowed =
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  const auto width = static_cast<unsigned>(std::min<size_t>(depth, allowed));
  tbb::task_arena arena(static_cast<int>(width));
  // Threads beyond the cores run only while reads wait (core/depth_governor.h).
  const DepthGovernor governor(cores, width);
  arena.execute(work);
}

void RunWithThreads(unsigned jobs, unsigned io_depth, const std::function<void()>& work) {
  jobs = std::clamp(jobs, 1u, kMaxThreads);
  io_depth = std::clamp(io_depth, 1u, kMaxThreads);
  if (io_depth > jobs) LimitMallocArenas(jobs);
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, std::max(jobs, io_depth));
  tbb::task_arena cores(static_cast<int>(jobs));
  cores.execute(work);
}

}  // namespace regsweep
