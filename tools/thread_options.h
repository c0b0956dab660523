// The flags every command shares for how it uses the machine: -j/--jobs (threads that compute)
// and --io-depth (reads kept in flight), and running a command under them (core/io_depth.h).
#ifndef REGSWEEP_TOOLS_THREAD_OPTIONS_H_
#define REGSWEEP_TOOLS_THREAD_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <thread>

#include "core/io_depth.h"

namespace regsweep::tools {

struct ThreadFlags {
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  unsigned io_depth = kDefaultIoDepth;
};

// Registers -j/--jobs and --io-depth on `cmd`.
void AddThreadOptions(CLI::App* cmd, ThreadFlags* flags);

// Runs `command` under `flags` (RunWithThreads).
void RunUnder(const ThreadFlags& flags, const std::function<void()>& command);

}  // namespace regsweep::tools

#endif  // REGSWEEP_TOOLS_THREAD_OPTIONS_H_
