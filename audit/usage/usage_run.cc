// The usage pipeline: scan, graph, accounting, selection.
#include "audit/usage/usage_run.h"

#include <fcntl.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <regex>

#include "audit/usage/selection.h"
#include "core/fs.h"
#include "core/graph.h"
#include "core/io_depth.h"
#include "core/layout.h"
#include "core/progress.h"
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
  auto phase = [&](const char* name, const char* unit) {
    if (options.progress != nullptr) options.progress->StartPhase(name, unit);
  };
  phase("scan", "folders");
  ScanOptions scan_options;
  scan_options.progress = options.progress;
  // Scanning and reading manifests keep options.io_depth reads in flight.
  Inventory inventory;
  std::optional<Graph> built;
  RunWithIoDepth(options.io_depth, [&] {
    inventory = ScanRegistry(v2fd.get(), scan_options);
    lap("scan");
    phase("manifests", "manifests");
    built = Graph::Build(inventory, v2fd.get(), nullptr, nullptr, options.progress);
    lap("manifests");
  });
  const Graph& graph = *built;
  phase("accounting", "");
  outcome.usage = ComputeUsage(graph, options.top_blobs);
  lap("accounting");
  KeepRepositories(pattern, &outcome.usage);
  if (!SortRows(options.sort.empty() ? "name" : options.sort, &outcome.usage)) {
    return fatal("--sort " + options.sort + ": unknown column");
  }
  outcome.problems = inventory.findings;
  // gc's refusal to sweep reads, for usage, as figures that leave part of the registry out.
  for (const Finding& problem : outcome.usage.problems) {
    if (problem.kind != "blob_sweep_refused") outcome.problems.push_back(problem);
  }
  for (const std::string& link : inventory.repository_symlinks) {
    outcome.problems.push_back(Finding{
        Severity::kError, "usage_incomplete", link, "", "",
        "symbolic link, never followed: the figures exclude the images behind it, and since "
        "they may use any blob, no byte counts as exclusive; move the folder back into the "
        "tree, or mount it there with a bind mount"});
  }
  for (const std::string& folder : inventory.unlisted_repository_folders) {
    outcome.problems.push_back(Finding{
        Severity::kError, "usage_incomplete", folder, "", "",
        "could not be listed: the figures exclude what it holds, and since that may use any "
        "blob, no byte counts as exclusive"});
  }
  outcome.exit_code = HasErrors(outcome.problems) ? 1 : 0;
  return outcome;
}

}  // namespace regsweep::usage
