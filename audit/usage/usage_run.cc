// The usage pipeline: scan, graph, accounting, selection.
#include "audit/usage/usage_run.h"

#include <fcntl.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <regex>

#include "audit/usage/selection.h"
#include "core/fs.h"
#include "core/graph.h"
#include "core/layout.h"
#include "core/registry_root.h"
#include "core/run_lock.h"
#include "core/scan.h"

namespace regsweep::usage {

UsageOutcome RunUsage(const UsageOptions& options) {
  UsageOutcome outcome;
  auto fatal = [&](std::string message) {
    outcome.fatal = std::move(message);
    outcome.exit_code = 2;
    return std::move(outcome);
  };
  std::regex pattern;
  try {
    pattern = std::regex(options.repository_regex.empty() ? ".*" : options.repository_regex);
  } catch (const std::regex_error& e) {
    return fatal("--repo " + options.repository_regex + ": " + e.what());
  }
  std::string open_error;
  std::optional<RegistryRoot> registry = OpenRegistryRoot(options.root, &open_error);
  if (!registry) return fatal(open_error);
  outcome.v2_path = registry->v2_path;
  const UniqueFd& v2fd = registry->fd;
  if (const auto holder = RunLock::LiveHolder(v2fd.get())) {
    return fatal("a regsweep run is changing " + outcome.v2_path + " (" + *holder + ", holding " +
                 kLockFileName + "): measure it once that run has finished");
  }
  auto start = std::chrono::steady_clock::now();
  auto lap = [&](const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    outcome.timings.emplace_back(phase, std::chrono::duration<double>(now - start).count());
    start = now;
  };
  const Inventory inventory = ScanRegistry(v2fd.get());
  lap("scan");
  const Graph graph = Graph::Build(inventory, v2fd.get());
  lap("manifests");
  outcome.usage = ComputeUsage(graph, options.top_blobs);
  lap("accounting");
  KeepRepositories(pattern, &outcome.usage);
  if (!SortRows(options.sort.empty() ? "name" : options.sort, &outcome.usage)) {
    return fatal("--sort " + options.sort + ": unknown column");
  }
  outcome.problems = inventory.findings;
  outcome.problems.insert(outcome.problems.end(), outcome.usage.problems.begin(),
                          outcome.usage.problems.end());
  outcome.exit_code = HasErrors(outcome.problems) ? 1 : 0;
  return outcome;
}

}  // namespace regsweep::usage
