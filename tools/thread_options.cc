// -j/--jobs and --io-depth.
#include "tools/thread_options.h"

#include "core/io_depth.h"

namespace regsweep::tools {

void AddThreadOptions(CLI::App* cmd, unsigned* jobs, unsigned* io_depth) {
  cmd->add_option("-j,--jobs", *jobs, "threads that parse, hash and plan (default: all cores)")
      ->check(CLI::Range(1u, kMaxThreads));
  cmd->add_option("--io-depth", *io_depth,
                  "requests to the registry's storage kept in flight at once (reads, and gc's "
                  "deletions): the default suits network and cold storage; threads beyond the "
                  "cores run only while reads wait; 1 does one thing at a time")
      ->check(CLI::Range(1u, kMaxThreads))
      ->capture_default_str();
}

}  // namespace regsweep::tools
