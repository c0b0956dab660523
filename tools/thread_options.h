// The flags every command shares for how it uses the machine: -j/--jobs (threads that compute)
// and --io-depth (requests kept in flight; core/io_depth.h). A command runs under them with
// RunWithThreads(jobs, io_depth, ...).
#ifndef REGSWEEP_TOOLS_THREAD_OPTIONS_H_
#define REGSWEEP_TOOLS_THREAD_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <algorithm>
#include <thread>

namespace regsweep::tools {

// The default of -j/--jobs: one thread per core.
inline unsigned AllCores() { return std::max(1u, std::thread::hardware_concurrency()); }

// Registers -j/--jobs into *jobs and --io-depth into *io_depth (the run's own option, whose
// initial value is the default shown).
void AddThreadOptions(CLI::App* cmd, unsigned* jobs, unsigned* io_depth);

}  // namespace regsweep::tools

#endif  // REGSWEEP_TOOLS_THREAD_OPTIONS_H_
